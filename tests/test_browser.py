"""A real browser (Debian's Chromium via Playwright) on the launched app: type a prompt, generate, move an image
slider and see the image change; saves a screenshot of each tab (docs/screenshots/ with REFRESH_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from demo.app_state import GAN_NAME, GPT_NAME
from tests.conftest import gan_drawn, open_tab, require_checkpoint, screenshot_path, wait_for_gan_redraw

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_role("tab", name="About").wait_for()
    yield page
    page.close()


def test_type_a_prompt_generate_and_a_knob_reruns_it_live(page, text_handlers):
    require_checkpoint(GPT_NAME)
    open_tab(page, "Text (GPT)")
    page.locator("#prompt textarea").fill("JULIET:\n")
    page.wait_for_function("() => document.querySelector('#next-token-bars') && "
                           "document.querySelector('#next-token-bars').innerText.includes('%')")
    page.locator("#generate").click()
    page.wait_for_function("() => document.querySelector('#generated textarea').value.length > 20")  # streaming
    _drag(page, "#temperature input[type=range]", 0.16, 0.2)  # mid-stream: cancels it and re-runs with the same seed
    temperature = float(page.locator("#temperature input[type=number]").input_value())
    assert temperature != 0.8
    expected = list(text_handlers.generate("JULIET:\n", temperature, 40, 0.95, 300, 0))[-1]
    page.wait_for_function("(expected) => document.querySelector('#generated textarea').value === expected", arg=expected)
    page.screenshot(path=str(screenshot_path("text.png")), full_page=True)


def _drag(page, selector: str, start: float, end: float) -> None:
    """Drag a range input's thumb with the mouse from `start` to `end` (fractions of its width)."""
    box = page.locator(selector).bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, y, steps=8)
    page.mouse.up()


def test_moving_an_image_slider_changes_the_image(page):
    require_checkpoint(GAN_NAME)
    open_tab(page, "Images (GAN)")
    before = gan_drawn(page)  # the page draws the panel (issue #28); the server-drawn path: test_browser_image_live.py
    slider = page.locator("#gan-direction-0 input[type=range]")
    slider.focus()
    for _ in range(30):
        slider.press("ArrowRight")
    wait_for_gan_redraw(page, before)
    page.locator("#gan-grid-button").click()
    page.locator("#gan-grid img").first.wait_for()
    page.locator("#gan-interpolate-button").click()
    page.locator("#gan-interpolation img").wait_for()
    page.screenshot(path=str(screenshot_path("image.png")), full_page=True)


def test_about_tab(page):
    open_tab(page, "About")
    page.locator("#about").wait_for()
    assert "How the playground works" in page.locator("#about").inner_text()
    page.screenshot(path=str(screenshot_path("about.png")), full_page=True)


def test_unknown_characters_are_pointed_out(page):
    require_checkpoint(GPT_NAME)
    open_tab(page, "Text (GPT)")
    page.locator("#prompt textarea").fill("Só")
    page.wait_for_function("() => document.querySelector('#prompt-check').innerText.toLowerCase().includes('unknown to the model')")
    page.locator("#generate").click()
    page.get_by_text("does not know 1 character(s) in the prompt: 'ó'").first.wait_for()
