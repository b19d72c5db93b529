"""The page in Chinese and back, in Chromium at 1280x900 and 390x844: `?lang=zh-CN` (demo/static/language.js, first in
the page's head) makes Gradio pick Chinese, so the title, the tab names, the About page and Gradio's own strings are
Chinese, with nothing wider than the screen; the switch's "English" goes back and the choice is remembered; a browser
whose language is Chinese gets Chinese without a parameter. Screenshots: zh-<size>.png, zh-about-<size>.png."""
from __future__ import annotations

import gradio as gr
import pytest
from starlette.middleware import Middleware

from bench.local_app import free_port
from demo.build import TITLE
from demo.i18n import COOKIE, I18N, PAGE_SCRIPT, STORAGE_KEY, i18n, request_language, text
from serve.http_guard import GuardConfig, HttpGuard
from tests.conftest import open_sized_page as open_page, screenshot_path, SIZES

pytestmark = pytest.mark.browser

TABS = ("tab.text", "tab.inside", "tab.learn", "tab.image", "tab.toy_gan", "tab.agent", "tab.about")
HEADING = "() => (document.querySelector('.prose h1') || {}).textContent"


def wait_for_heading(page, heading: str) -> None:
    page.wait_for_function(f"(want) => ({HEADING})() === want", arg=heading)


def assert_fits(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "the page is wider than the screen"


@pytest.mark.parametrize("size", SIZES)
def test_lang_zh_cn_shows_the_page_in_chinese_and_english_brings_it_back(app_url, browser, size):
    context, page = open_page(browser, app_url + "/?lang=zh-CN", size)
    try:
        wait_for_heading(page, text("page.title", "zh-CN"))
        assert page.evaluate("() => [navigator.language, document.documentElement.lang]") == ["zh-CN", "zh-CN"]
        page.wait_for_function("(want) => document.title === want", arg=text("page.title", "zh-CN"))
        assert {c["name"]: c["value"] for c in context.cookies()}.get(COOKIE) == "zh-CN"
        for key in TABS:
            tab = page.get_by_role("tab", name=text(key, "zh-CN"), exact=True)
            assert tab.count() == 1 and tab.is_visible(), key
        assert "OpenAI" in page.locator(".prose").first.inner_text()
        assert page.get_by_text(text("page.title", "en"), exact=True).count() == 0
        footer = page.locator("footer").inner_text()
        assert "通过 API 使用" in footer and "设置" in footer, footer  # Gradio's own strings
        page.evaluate("() => document.fonts.ready")
        assert_fits(page, SIZES[size]["width"])
        page.screenshot(path=str(screenshot_path(f"zh-{size}.png")))

        page.get_by_role("tab", name=text("tab.about", "zh-CN"), exact=True).click()
        about = page.locator("#about")
        about.get_by_text("这个游乐场怎样运作").wait_for()
        assert "术语表" in about.inner_text() and "旋转位置编码（RoPE）" in about.inner_text()
        assert_fits(page, SIZES[size]["width"])
        page.screenshot(path=str(screenshot_path(f"zh-about-{size}.png")))

        page.locator("#language-switch a[data-lang=en]").click()
        wait_for_heading(page, TITLE)
        assert page.title() == TITLE
        assert "lang=en" in page.url and page.get_by_role("tab", name="About", exact=True).count() == 1
        assert page.evaluate(f"() => localStorage.getItem({STORAGE_KEY!r})") == "en"
        page.goto(app_url)  # no parameter: the stored choice
        wait_for_heading(page, TITLE)
        page.locator("#language-switch a[data-lang='zh-CN']").click()
        wait_for_heading(page, text("page.title", "zh-CN"))
        page.goto(app_url)
        wait_for_heading(page, text("page.title", "zh-CN"))
        assert {c["name"]: c["value"] for c in context.cookies()}.get(COOKIE) == "zh-CN"
    finally:
        context.close()


def test_a_chinese_browser_gets_chinese_and_an_english_one_english(app_url, browser):
    for locale, lang in (("zh-CN", "zh-CN"), ("zh-TW", "zh-CN"), ("en-GB", "en"), ("fr-FR", "en")):
        context, page = open_page(browser, app_url, "desktop", locale=locale)
        try:
            wait_for_heading(page, text("page.title", lang))
            assert page.get_by_role("tab", name=text("tab.about", lang), exact=True).count() == 1
        finally:
            context.close()


def language(request: gr.Request) -> str:
    """A handler: Gradio passes the request by this type hint, which it resolves in the module's globals (so `gr` is
    imported at the top of a handler's module, never inside a function)."""
    return request_language(request)


def test_a_handler_knows_the_pages_language_from_its_cookie(browser):
    """What a handler that formats a string relies on: request_language(request) inside a queued event of a page
    opened with ?lang=zh-CN is zh-CN (the cookie travels with the queue's join). A small app behind the same guard."""
    with gr.Blocks() as demo:
        button, shown = gr.Button(i18n("tab.about")), gr.Textbox(elem_id="shown")
        button.click(language, None, shown)
    demo.queue()
    guard = Middleware(HttpGuard, blocks=demo, config=GuardConfig(per_address=False), page_script=PAGE_SCRIPT)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True, i18n=I18N,
                app_kwargs={"middleware": [guard]})
    page = browser.new_page()
    try:
        for lang in ("zh-CN", "en"):
            page.goto(demo.local_url + f"?lang={lang}")
            page.get_by_role("button", name=text("tab.about", lang), exact=True).click()
            page.wait_for_function("() => document.querySelector('#shown textarea').value !== ''")
            assert page.locator("#shown textarea").input_value() == lang
    finally:
        page.close()
        demo.close()
