"""Every tab in both languages at desktop (1280x900) and phone (390x844) sizes, in Chromium: the page is never wider
than the screen and no label, button or tab name has its text cut. Screenshots: tabs-<lang>-<size>-<tab>.png
(`REFRESH_SCREENSHOTS=1` writes them to docs/screenshots/, shown by docs/screenshots.md and the READMEs)."""
from __future__ import annotations

import pytest

from demo.app_state import AGENT_NAME, GAN_NAME, GPT_NAME
from demo.i18n import text
from tests.conftest import require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
TABS = ("tour", "text", "inside", "learn", "image", "toy-gan", "agent", "about")
# Text that does not fit its box: an element whose content is wider than it while it hides the rest (an ellipsis or
# overflow: hidden). Inputs and canvases scroll or scale by design; a scrollable box (overflow auto) is not cut.
CUT_TEXT = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('button, label, [data-testid=block-info], .prose h1, .prose h2, .prose h3, th, td')) {
    if (!el.offsetParent || el.closest('.overflow-dropdown')) continue;
    const style = getComputedStyle(el);
    const hides = style.textOverflow === 'ellipsis' || style.overflowX === 'hidden' || style.overflow === 'hidden';
    if (hides && el.scrollWidth > el.clientWidth + 1) cut.push(el.tagName + ': ' + el.textContent.trim().slice(0, 60));
  }
  return cut;
}"""
BUSY = "() => !document.querySelector('.pending, .generating, .eta-bar')"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("size", SIZES)
def test_every_tab_fits_and_shows_its_text_whole(browser, app_url, lang, size):
    for name in (GPT_NAME, GAN_NAME, AGENT_NAME):
        require_checkpoint(name)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=size == "phone")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_url}?lang={lang}")
        page.wait_for_function("(want) => document.title === want", arg=text("page.title", lang))
        problems: list[str] = []
        for tab in TABS:
            page.locator(f"#main-tabs [role=tab][data-tab-id='{tab}']").click()
            page.wait_for_function("(id) => document.querySelector(`#main-tabs [role=tab][data-tab-id='${id}']`)"
                                   ".getAttribute('aria-selected') === 'true'", arg=tab)
            page.wait_for_function(BUSY)
            page.evaluate("() => document.fonts.ready")
            if page.evaluate("() => document.documentElement.scrollWidth") > width:
                problems.append(f"{tab}: the page is wider than {width} px")
            problems += [f"{tab}: cut {cut}" for cut in page.evaluate(CUT_TEXT)]
            page.screenshot(path=str(screenshot_path(f"tabs-{lang}-{size}-{tab}.png")))
        assert not problems, "\n".join(problems)
    finally:
        context.close()
