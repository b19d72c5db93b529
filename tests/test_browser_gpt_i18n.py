"""The GPT views (Text, Inside the GPT, GPT learns) in Chinese at desktop and phone sizes, and their links: a link
sets the knobs and draws the view (the essay's own example, Inside the GPT on "hello world" at layer 1, head 2), and
a bad value is left out with the quiet note while the rest applies."""
from __future__ import annotations

import pytest

from tests.conftest import open_tab, screenshot_path, sized_page

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
OVERFLOW = """(sel) => [...document.querySelectorAll(sel)].filter((el) => el.offsetParent !== null
    && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent.trim().slice(0, 40))"""


@pytest.mark.parametrize("size", SIZES)
def test_the_gpt_views_in_chinese_with_nothing_overflowing(browser, app_url, size):
    page = sized_page(browser, SIZES[size], "gpt-shakespeare")
    page.goto(f"{app_url}/?lang=zh-CN&tab=text")
    page.locator("#generate").get_by_text("生成").wait_for()
    page.locator("#temperature").get_by_text("温度（temperature）").wait_for()
    assert page.evaluate(OVERFLOW, "#text-row label span, #text-row button") == []
    page.screenshot(path=screenshot_path(f"zh-text-{size}.png"), full_page=True)
    open_tab(page, "GPT 内部")
    page.locator("#inside-worked").get_by_text("逐步").or_(page.locator("#inside-worked").get_by_text("嵌入")).first.wait_for()
    assert page.evaluate(OVERFLOW, "#inside-controls label span, #inside-controls button") == []
    page.screenshot(path=screenshot_path(f"zh-inside-{size}.png"), full_page=True)
    open_tab(page, "GPT 如何学习")
    page.locator("#gpt-learning-run").get_by_text("在每一步续写").wait_for()
    page.locator("#gpt-learning-explain").get_by_text("这是内置 GPT").wait_for()  # the page's language of the two built
    page.screenshot(path=screenshot_path(f"zh-learn-{size}.png"), full_page=True)
    page.close()


def test_the_essays_link_opens_inside_the_gpt_on_hello_world_at_layer_1_head_2(browser, app_url):
    page = sized_page(browser, SIZES["desktop"], "gpt-shakespeare")
    page.goto(f"{app_url}/?tab=inside&inside-prompt=hello world&inside-layer=1&inside-head=2&inside-step=99999x")
    page.locator("#inside-shade").get_by_text("layer 1, head 2").wait_for()
    page.wait_for_function("() => document.querySelector('#inside-text').innerText.replace(/\\s/g, '').includes('hello␣world▸')")
    assert page.locator("#inside-head input[value='2']").is_checked()
    page.locator("#link-note").get_by_text("inside-step").wait_for()  # the bad step is named, the rest applied
    page.screenshot(path=screenshot_path("link-inside-hello-world.png"), full_page=True)
    page.close()


def test_a_text_link_sets_the_knobs_and_generates(browser, app_url):
    page = sized_page(browser, SIZES["desktop"], "gpt-shakespeare")
    page.goto(f"{app_url}/?tab=text&text-prompt=JULIET:&text-temperature=0.3&text-max-new=20&text-seed=7&text-top-k=abc")
    page.wait_for_function("() => (document.querySelector('#generated textarea')?.value || '').startsWith('JULIET:')"
                           " && document.querySelector('#generated textarea').value.length > 'JULIET:'.length")
    assert page.locator("#temperature input[type=number]").input_value() == "0.3"
    page.locator("#link-note").get_by_text("text-top-k").wait_for()
    page.close()


def test_a_learn_link_shows_that_snapshot(browser, app_url):
    page = sized_page(browser, SIZES["desktop"], "gpt-shakespeare-snapshots")
    page.goto(f"{app_url}/?tab=learn&learn-step=400&learn-prompt=KING:")
    page.locator("#gpt-learning-caption[data-step='400']").wait_for()
    page.locator("#gpt-learning-text[data-step='400'], #gpt-learning-text pre[data-step='400']").first.wait_for()
    assert page.locator("#gpt-learning-prompt textarea").input_value() == "KING:"
    page.close()
