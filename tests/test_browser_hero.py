"""The README's hero GIF, recorded from the real app in Chromium: a slider dragged with the mouse on the Images tab (the image and
D's verdict redraw on every step), then Generate on the Text tab (the text streams in). The test checks what the GIF
shows: every recorded frame differs from the one before. With REFRESH_SCREENSHOTS=1 it writes
docs/screenshots/hero.gif (the README's), otherwise a temporary copy."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from demo.app_state import GAN_NAME, GPT_NAME
from demo.text_tab import DEFAULT_PROMPT
from tests.conftest import gan_drawn, require_checkpoint, screenshot_path, wait_for_gan_redraw

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
GIF_WIDTH = 800  # the README column; frames are scaled down to it
SLIDER_STEPS, TEXT_FRAMES = 10, 8


def _frame(page) -> Image.Image:
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return shot.resize((GIF_WIDTH, round(shot.height * GIF_WIDTH / shot.width)), Image.LANCZOS)


def test_hero_gif_shows_the_app_reacting_live(app_url, browser):
    require_checkpoint(GAN_NAME), require_checkpoint(GPT_NAME)
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(60_000)
    frames: list[Image.Image] = []
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="Images (GAN)").click()
        drawn = gan_drawn(page)  # the page draws the image, the verdict and the guess itself (issue #28)
        page.locator("#gan-web-canvas").scroll_into_view_if_needed()
        box = page.locator("#gan-psi input[type=range]").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.33, y)
        page.mouse.down()
        for step in range(1, SLIDER_STEPS + 1):  # a slow drag from psi 1 towards 2: every step is one live redraw
            page.mouse.move(box["x"] + box["width"] * (0.33 + 0.03 * step), y)
            drawn = wait_for_gan_redraw(page, drawn)
            frames.append(_frame(page))
        page.mouse.up()
        page.get_by_role("tab", name="Text (GPT)").click()
        page.evaluate("() => document.querySelector('#prompt').scrollIntoView({block: 'start'})")
        page.locator("#max-new-tokens input[type=number]").fill("1000")  # a long stream, so it is seen growing
        page.locator("#max-new-tokens input[type=number]").press("Enter")
        page.locator("#generate").click()
        grown = "(n) => document.querySelector('#generated textarea').value.length > n"
        page.wait_for_function(grown, arg=len(DEFAULT_PROMPT))
        for _ in range(TEXT_FRAMES):  # a frame as soon as more text has streamed in, until the stream ends
            length = len(page.locator("#generated textarea").input_value())
            frame = _frame(page)
            if ImageChops.difference(frame, frames[-1]).getbbox() is None:
                break  # the text has grown past what the view shows
            frames.append(frame)
            try:  # no fixed pause: a stream of 1 000 characters takes about a second on the ONNX Runtime step
                page.wait_for_function(grown, arg=length, timeout=5_000)
            except PlaywrightTimeoutError:
                break  # the stream has ended
        assert len(frames) >= SLIDER_STEPS + 2, "the text was not seen streaming"
    finally:
        page.close()
    palette = [f.quantize(colors=128, method=Image.Quantize.MEDIANCUT) for f in frames]
    durations = [250] * SLIDER_STEPS + [300] * (len(frames) - SLIDER_STEPS - 1) + [1500]
    path = screenshot_path("hero.gif")
    palette[0].save(path, save_all=True, append_images=palette[1:], duration=durations, loop=0, optimize=True)
    changed = [ImageChops.difference(a, b).getbbox() is not None for a, b in zip(frames, frames[1:])]
    assert all(changed), f"frames that did not change (see {path}): {[i + 1 for i, c in enumerate(changed) if not c]}"
    assert path.stat().st_size < 3 * 2**20
