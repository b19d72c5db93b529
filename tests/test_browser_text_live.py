"""The Text tab in Chromium, at desktop (1280x900) and phone (390x844) sizes: every way a knob can change (reset
button, arrow keys, a typed value, a typed seed, Randomise) re-runs the text and moves the bars; Stop keeps the text so far;
Ctrl+Enter generates; a refusal shows once beside the prompt and keeps the last text; the bars are no tab stops;
on a phone the text and the bars stay on screen while the knobs move."""
from __future__ import annotations

import pytest

from demo.app_state import GPT_NAME
from demo.text_tab import BARS_EMPTY
from tests.conftest import screenshot_path, sized_page

pytestmark = pytest.mark.browser
OUTPUT = "document.querySelector('#generated textarea').value"
KNOBS = dict(temperature=0.8, top_k=40, top_p=0.95, max_new_tokens=40, seed=0)


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"], scope="module")
def page(request, app_url, browser):
    page = sized_page(browser, request.param, GPT_NAME)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").click()  # the page opens on Start here
    page.locator("#generate").wait_for()
    page.locator("#max-new-tokens input[type=number]").fill(str(KNOBS["max_new_tokens"]))
    page.locator("#max-new-tokens input[type=number]").press("Enter")
    yield page
    page.close()


def _expect_text(page, expected: str) -> None:
    page.wait_for_function(f"(expected) => {OUTPUT} === expected", arg=expected)


def _bars(page) -> str:
    return page.locator("#next-token-bars").inner_text()


def test_every_way_of_moving_a_knob_reruns_the_text_and_the_bars(page, text_handlers):
    prompt = "ROMEO:\n"
    page.locator("#prompt textarea").fill(prompt)
    page.locator("#prompt textarea").press("Control+Enter")  # Ctrl+Enter generates
    _expect_text(page, list(text_handlers.generate(prompt, **KNOBS))[-1])
    bars = _bars(page)

    slider = page.locator("#temperature input[type=range]")
    slider.focus()
    for _ in range(4):  # arrow keys: one re-run once the keys stop, with the newest value
        slider.press("ArrowRight")
    assert page.locator("#temperature input[type=number]").input_value() == "1"
    _expect_text(page, list(text_handlers.generate(prompt, **{**KNOBS, "temperature": 1.0}))[-1])
    page.wait_for_function("(before) => document.querySelector('#next-token-bars').innerText !== before", arg=bars)

    page.locator("#temperature button.reset-button").click()  # the reset button
    _expect_text(page, list(text_handlers.generate(prompt, **KNOBS))[-1])
    page.wait_for_function("(before) => document.querySelector('#next-token-bars').innerText === before", arg=bars)

    page.locator("#top-k input[type=number]").fill("3")  # a value typed in the slider's number box
    _expect_text(page, list(text_handlers.generate(prompt, **{**KNOBS, "top_k": 3}))[-1])
    assert _bars(page).count("%") == 3

    page.locator("#seed input").fill("5")  # a typed seed
    _expect_text(page, list(text_handlers.generate(prompt, **{**KNOBS, "top_k": 3, "seed": 5}))[-1])
    width = page.viewport_size["width"]
    page.screenshot(path=str(screenshot_path("text-live-desktop.png" if width > 500 else "text-live-phone.png")))
    page.locator("#randomise-seed").click()  # a new seed from the button
    page.wait_for_function("() => document.querySelector('#seed input').value !== '5'")
    seed = int(page.locator("#seed input").input_value())
    _expect_text(page, list(text_handlers.generate(prompt, **{**KNOBS, "top_k": 3, "seed": seed}))[-1])
    page.locator("#top-k button.reset-button").click()
    page.locator("#seed input").fill("0")
    _expect_text(page, list(text_handlers.generate(prompt, **KNOBS))[-1])


def test_stop_keeps_the_text_so_far(page):
    page.locator("#max-new-tokens input[type=number]").fill("1000")
    page.locator("#max-new-tokens input[type=number]").press("Enter")
    page.wait_for_function(f"() => {OUTPUT}.length === 'ROMEO:\\n'.length + {KNOBS['max_new_tokens']}")
    page.locator("#generate").click()
    page.wait_for_function(f"() => {OUTPUT}.length > 'ROMEO:\\n'.length + {KNOBS['max_new_tokens']}", polling="raf")
    page.locator("#stop-generation").click()  # while it streams (1 000 characters take a few seconds)
    page.wait_for_timeout(1500)  # let any update already on its way arrive
    stopped = page.evaluate(OUTPUT)
    page.wait_for_timeout(1500)
    assert page.evaluate(OUTPUT) == stopped and stopped.startswith("ROMEO:\n") and len(stopped) < len("ROMEO:\n") + 1000
    page.locator("#max-new-tokens input[type=number]").fill(str(KNOBS["max_new_tokens"]))
    page.locator("#max-new-tokens input[type=number]").press("Enter")


def test_a_refusal_shows_once_beside_the_prompt_and_keeps_the_last_text(page, text_handlers):
    page.locator("#generate").click()
    before = list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]
    _expect_text(page, before)
    page.locator("#prompt textarea").fill("")
    page.locator("#bars-note").get_by_text(BARS_EMPTY).wait_for()  # blank bars say why
    rerun = page.evaluate("() => window.gradio_config.dependencies.find(d => d.api_name === 'regenerate').id")
    joins: list[int] = []
    page.on("request", lambda r: joins.append(r.post_data_json.get("fn_index")) if "/queue/join" in r.url else None)
    page.evaluate("() => document.querySelector('#top-p').scrollIntoView({block: 'end'})")  # not under the sticky text
    box = page.locator("#top-p input[type=range]").bounding_box()  # a drag with the prompt empty: no toast
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    page.wait_for_timeout(1000)
    assert joins.count(rerun) == 1  # one re-run for the whole drag, not one per step
    page.locator("#generate").click()
    page.locator("#prompt-note").get_by_text("The prompt is empty").wait_for()
    page.wait_for_timeout(1000)
    assert page.locator(".toast-body").count() == 0
    assert page.get_by_text("The prompt is empty").count() == 1
    assert page.evaluate(OUTPUT) == before  # the last good text stays
    width = page.viewport_size["width"]
    page.screenshot(path=str(screenshot_path("text-refusal-desktop.png" if width > 500 else "text-refusal-phone.png")))
    page.locator("#prompt textarea").fill("ROMEO:\n")
    page.locator("#prompt-note").wait_for(state="hidden")
    page.locator("#top-p button.reset-button").click()


def test_the_bars_are_not_tab_stops(page):
    page.locator("#next-token-bars button").first.wait_for()
    focusable = page.evaluate("() => [...document.querySelectorAll('#next-token-bars button')]"
                              ".filter(b => b.tabIndex >= 0).length")
    assert focusable == 0
    page.locator("#randomise-seed").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('#next-token-bars')")


def test_on_a_phone_the_text_and_bars_stay_in_view_while_the_knobs_move(page):
    if page.viewport_size["width"] > 500:
        pytest.skip("the phone layout")
    page.locator("#max-new-tokens").scroll_into_view_if_needed()
    height = page.viewport_size["height"]
    for selector in ("#generated", "#next-token-bars", "#max-new-tokens"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= -1 and box["y"] + box["height"] <= height + 1, (selector, box)
    generated, bars = page.locator("#generated").bounding_box(), page.locator("#next-token-bars").bounding_box()
    assert generated["y"] + generated["height"] <= bars["y"] + 1  # the text above the bars, neither over the other
    page.screenshot(path=str(screenshot_path("text-phone.png")))
