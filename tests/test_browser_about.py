"""The About tab on a 390 px phone and on a desktop: metric tables keep each number whole (the issue saw "4.556"
broken mid-digit), and the model cards' sample sheet is shown large (it was 360 px tall for ten rows of samples)."""
from __future__ import annotations

import pytest

from demo.app_state import GAN_NAME
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
# For every table cell holding a number: its text and on how many lines the browser laid it out.
NUMBER_CELLS_JS = r"""() => Array.from(document.querySelectorAll('#about td'))
  .filter(td => /^[-+]?\d[\d.,]*(\s*\+-\s*[\d.]+)?$/.test(td.textContent.trim()))
  .map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    return {text: td.textContent.trim(), lines: tops.size};
  })"""


def wait_for_tabs(page) -> None:
    """The page is built: its tabs are there (whichever tab opens first)."""
    page.locator("[role=tab]").first.wait_for()


@pytest.mark.parametrize("size,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_about_tables_keep_numbers_whole_and_the_samples_are_large(app_url, browser, size, name):
    require_checkpoint(GAN_NAME)
    page = browser.new_page(viewport=size)
    try:
        page.goto(app_url)
        wait_for_tabs(page)
        open_tab(page, "About")
        page.locator("#about").wait_for()
        page.wait_for_function(f"() => ({NUMBER_CELLS_JS})().length >= 10 && document.fonts.status === 'loaded'")
        cells = page.evaluate(NUMBER_CELLS_JS)
        assert len(cells) >= 10, cells
        broken = [c for c in cells if c["lines"] != 1]
        assert not broken, f"numbers broken over lines at {name} size: {broken}"
        picture = page.locator("#about .about-picture img").first
        picture.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('#about .about-picture img').naturalWidth > 0")
        width = picture.bounding_box()["width"]
        assert width >= min(600, size["width"] - 80), f"sample sheet only {width:.0f} px wide at {name} size"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]  # no sideways page
        page.screenshot(path=str(screenshot_path(f"about-{name}.png")), full_page=False)
    finally:
        page.close()


# Text that does not fit its box: labels, buttons, tab names and the figure lines of About.
OVERFLOW_JS = r"""() => Array.from(document.querySelectorAll(
    '#about label, #about button, #about .about-figures .prose li, [role=tab]'))
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim().slice(0, 60))"""


@pytest.mark.parametrize("size,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_about_in_chinese_sums_up_each_model_with_the_cards_figures(app_url, app_state, browser, size, name):
    from demo.about_tab import SECTIONS, figures
    from demo.i18n import text

    require_checkpoint(GAN_NAME)
    page = browser.new_page(viewport=size, has_touch=size is PHONE)
    try:
        page.goto(app_url + "/?lang=zh-CN")
        wait_for_tabs(page)
        open_tab(page, text("tab.about", "zh-CN"))
        about = page.locator("#about")
        about.get_by_text("实测数字").first.wait_for()
        shown = about.inner_text()
        assert "__i18n__" not in shown and "Measured" not in shown
        for model, _ in SECTIONS:
            for label, value in figures(app_state.cards[model], model):
                line = f"{text(label, 'zh-CN')} {value}"
                assert line in shown.replace("\n", " "), line  # the translated label, then the card's figure
        assert "## For developers" not in shown and "给开发者：模型卡片" in shown
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate(OVERFLOW_JS) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        about.get_by_text("实测数字").first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"zh-about-figures-{name}.png")))
        page.goto(app_url + "/?lang=en")
        wait_for_tabs(page)
        open_tab(page, "About")
        page.locator("#about").get_by_text("Measured").first.wait_for()
        page.locator("#about").get_by_text("Measured").first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"about-figures-{name}.png")))
    finally:
        page.close()
