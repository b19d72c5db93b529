"""A real browser (Debian's Chromium) on the launched app: generate on the Text tab, open Inside the GPT, click a
character and a heatmap, and check the panels follow; screenshots at 1280 px and 390 px
(docs/screenshots/inside*.png with REFRESH_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from core.gpt.inspect import visible
from demo.app_state import GPT_NAME, GPT_SNAPSHOTS_NAME
from tests.conftest import require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
PROMPT = "JULIET:\n"
NEW = 300  # the Text tab's default number of new characters


def _generate_and_open_inside(page, app_url: str) -> str:
    """Generate 300 characters after JULIET: on the Text tab, open Inside the GPT; return prompt + text."""
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").click()
    page.locator("#prompt textarea").fill(PROMPT)
    page.locator("#generate").click()
    page.wait_for_function(f"() => document.querySelector('#generated textarea').value.length === {len(PROMPT) + NEW}")
    text = page.locator("#generated textarea").input_value()
    page.get_by_role("tab", name="Inside the GPT").click()
    page.wait_for_function(f"() => document.querySelectorAll('#inside-text .token').length === {len(text) + 1}")
    return text


def test_click_a_character_and_a_head(app_url, browser) -> None:
    require_checkpoint(GPT_NAME)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        text = _generate_and_open_inside(page, app_url)
        assert "drew" in page.locator("#inside-bars").inner_text()
        # click the 20th generated character: the step box follows, the bars highlight it, the example moves there
        step = len(PROMPT) + 19
        page.locator("#inside-text .token").nth(step).click()
        page.wait_for_function("(s) => Number(document.querySelector('#inside-step input').value) === s", arg=step)
        page.wait_for_function("(c) => { const r = document.querySelector('#inside-bars tr.chosen');"
                               " return r && r.querySelector('td').innerText.trim() === c; }", arg=visible(text[step]))
        page.wait_for_function(f"() => document.querySelector('#inside-worked').innerText.includes('Step {step}: character {step}')")
        assert page.locator("#inside-worked .katex").count() > 5  # the formulas render as LaTeX
        # click the heatmap of layer 4, head 5 in the model view (rows = layers, columns = heads)
        page.locator("#inside-grid img").scroll_into_view_if_needed()
        box = page.locator("#inside-grid img").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 4.5 / 6, box["y"] + box["height"] * 3.5 / 6)
        page.wait_for_function("() => document.querySelector('#inside-worked').innerText.includes('Layer 4, head 5')")
        assert page.locator("#inside-layer input[type=number]").input_value() == "4"
        assert page.locator("#inside-head input[value='5']").is_checked()
        assert "layer 4, head 5" in page.locator("#inside-shade").inner_text()
        assert "Layer 4, head 5" in page.locator("#inside-big").inner_text()
        page.screenshot(path=str(screenshot_path("inside.png")), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(screenshot_path("inside-phone.png")), full_page=True)
    finally:
        page.close()


def test_a_training_snapshot_chosen_in_the_model_list_redraws_the_panels(app_url, browser) -> None:
    """The model list offers the shipped GPT and every snapshot of its training run; choosing one looks again."""
    require_checkpoint(GPT_NAME)
    require_checkpoint(GPT_SNAPSHOTS_NAME)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="Inside the GPT").click()
        page.wait_for_function("() => document.querySelector('#inside-bars')?.innerText.includes('would draw next')")
        shipped = page.locator("#inside-bars table").inner_text()
        page.locator("#inside-model input").click()
        page.get_by_role("option", name="Training snapshot, step 0").click()
        page.wait_for_function("() => document.querySelector('#inside-model input').value === 'Training snapshot, step 0'")
        page.wait_for_function("(before) => document.querySelector('#inside-bars table')?.innerText !== before", arg=shipped)
        assert "Layer 1, head 1" in page.locator("#inside-big").inner_text()
    finally:
        page.close()
