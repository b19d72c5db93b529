"""Chromium on the launched app: the Images tab's "What GANs are used for" at 1280 px and 390 px. Repair streams the
search and reveals the original at the end, with a preset mask or one painted over the picture; sharpen shows bicubic
beside it; a drawing on the canvas gets the judges' line while drawing, and Project it streams the projection. Screenshots: docs/screenshots/gan-apps-*.png with
REFRESH_SCREENSHOTS=1."""
from __future__ import annotations

import pytest

from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
DONE = "() => { const s = document.querySelector('#gan-apps-panel .gan-apps-status'); return s && /^Done/.test(s.textContent); }"


@pytest.fixture(scope="module", params=list(SIZES))
def page(request, app_url, browser):
    require_checkpoint("gan-fashion")
    require_checkpoint("gan-fashion-discriminator")
    width, height = SIZES[request.param]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(90_000)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    page.size_name = request.param
    open_tab(page, "Images (GAN)")
    page.locator("#gan-apps").scroll_into_view_if_needed()
    yield page
    page.close()


def choose(page, radio: str, value: str) -> None:
    page.locator(f"#{radio} label", has_text=value).first.click()


def captions(page) -> list[str]:
    return page.locator("#gan-apps-panel figcaption").all_inner_texts()


def no_wider_than_the_screen(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_repair_streams_and_reveals_the_original(page) -> None:
    choose(page, "gan-apps-task", "Repair")
    choose(page, "gan-apps-mask", "Top half")
    page.locator("#gan-apps-run").click()
    page.wait_for_function("() => /Original \\(shown at the end\\)/.test(document.querySelector('#gan-apps-panel')?.textContent || '')")
    page.wait_for_function(DONE)
    assert captions(page)[-1] == "Original"
    assert "Mean squared error on the hidden pixels" in page.locator("#gan-apps-panel").inner_text()
    assert page.locator("#gan-apps-panel svg path").count() >= 1  # the loss curve
    page.locator("#gan-apps-panel").scroll_into_view_if_needed()
    no_wider_than_the_screen(page)
    page.screenshot(path=str(screenshot_path(f"gan-apps-repair-{page.size_name}.png")), full_page=False)


def test_sharpen_shows_bicubic_beside_it(page) -> None:
    choose(page, "gan-apps-task", "Sharpen")
    page.locator("#gan-apps-mask").wait_for(state="hidden")
    choose(page, "gan-apps-factor", "8x8")
    page.locator("#gan-apps-run").click()
    page.wait_for_function("() => /Bicubic/.test(document.querySelector('#gan-apps-panel')?.textContent || '')")
    page.wait_for_function(DONE)
    assert "Bicubic upscaling" in captions(page)
    assert "PSNR" in page.locator("#gan-apps-panel").inner_text()
    page.locator("#gan-apps-panel").scroll_into_view_if_needed()
    no_wider_than_the_screen(page)
    page.screenshot(path=str(screenshot_path(f"gan-apps-sharpen-{page.size_name}.png")), full_page=False)


def test_repair_with_a_painted_mask(page) -> None:
    """"Paint it yourself": the chosen picture under a pad; Search with nothing painted gets a note by the pad; a
    stroke over the picture's top hides those pixels (1 024 numbers, 1 = hidden) and the search fits the rest."""
    choose(page, "gan-apps-task", "Repair")
    choose(page, "gan-apps-mask", "Paint it yourself")
    pad = page.locator("#gan-apps-brush-canvas")
    pad.wait_for()
    page.locator("#gan-apps-brush-picture img").wait_for(state="attached")
    pad.scroll_into_view_if_needed()
    page.locator("#gan-apps-paint-clear").click()
    page.locator("#gan-apps-run").click()
    page.locator("#gan-apps-brush-note", has_text="nothing is painted").wait_for()
    box = pad.bounding_box()
    for y in (0.12, 0.22, 0.32):  # three strokes across the top third
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * y)
        page.mouse.down()
        for k in range(1, 9):
            page.mouse.move(box["x"] + box["width"] * (0.1 + 0.1 * k), box["y"] + box["height"] * y)
        page.mouse.up()
    page.wait_for_function("() => (document.querySelector('#gan-apps-brush-pixels textarea, #gan-apps-brush-pixels input')?.value"
                           " || '').split(',').filter(v => v === '1').length > 100")
    painted = page.evaluate("() => document.querySelector('#gan-apps-brush-pixels textarea, #gan-apps-brush-pixels input').value.split(',')")
    assert len(painted) == 1024 and set(painted) == {"0", "1"}
    assert all(v == "0" for v in painted[24 * 32:])  # the bottom rows were not painted
    page.locator("#gan-apps-run").click()
    page.wait_for_function("() => /Original \\(shown at the end\\)/.test(document.querySelector('#gan-apps-panel')?.textContent || '')")
    page.wait_for_function(DONE)
    assert "Mean squared error on the hidden pixels" in page.locator("#gan-apps-panel").inner_text()
    page.locator("#gan-apps-brush-note").wait_for(state="hidden")
    no_wider_than_the_screen(page)
    pad.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gan-apps-brush-{page.size_name}.png")), full_page=False)
    page.locator("#gan-apps-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gan-apps-brush-result-{page.size_name}.png")), full_page=False)


def test_a_drawing_is_judged_while_drawing_and_projected(page) -> None:
    choose(page, "gan-apps-task", "Draw your own")
    canvas = page.locator("#gan-apps-canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    # a trouser: two legs from the waist down
    for x0 in (0.38, 0.58):
        page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * 0.15)
        page.mouse.down()
        for k in range(1, 16):
            page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * (0.15 + 0.05 * k))
        page.mouse.up()
    page.wait_for_function("() => /classifier/.test(document.querySelector('#gan-apps-drawing-verdict')?.textContent || '')")
    drawn = page.evaluate("() => document.querySelector('#gan-apps-drawing textarea, #gan-apps-drawing input').value.split(',')")
    assert len(drawn) == 1024 and max(map(float, drawn)) == 1.0
    page.locator("#gan-apps-project").click()
    page.wait_for_function("() => /Your drawing/.test(document.querySelector('#gan-apps-panel')?.textContent || '')")
    page.wait_for_function(DONE)
    page.locator("#gan-apps-draw-box").scroll_into_view_if_needed()
    no_wider_than_the_screen(page)
    page.screenshot(path=str(screenshot_path(f"gan-apps-draw-{page.size_name}.png")), full_page=False)
    page.locator("#gan-apps-clear").click()
    page.wait_for_function("() => document.querySelector('#gan-apps-drawing textarea, #gan-apps-drawing input').value.split(',').every(v => v === '0')")


def test_the_section_speaks_chinese(app_url, browser) -> None:
    """?lang=zh-CN: the knobs, the canvas's buttons and what the search streams are in Chinese."""
    require_checkpoint("gan-fashion")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(90_000)
    try:
        page.goto(app_url + "/?lang=zh-CN")
        page.get_by_role("tab", name="图像（GAN）").wait_for()
        open_tab(page, "图像（GAN）")
        section = page.locator("#gan-apps")
        section.scroll_into_view_if_needed()
        page.locator("#gan-apps-run").click()
        page.wait_for_function("() => /完成/.test(document.querySelector('#gan-apps-panel .gan-apps-status')?.textContent || '')")
        text = page.locator("#gan-apps-panel").inner_text()
        assert "原图" in text and "判别器" in text and "搜索看到的" in text
        page.locator("#gan-apps-task label").nth(2).click()
        page.wait_for_function("() => document.querySelector('#gan-apps-brush')?.textContent === '画笔'")
        page.locator("#gan-apps-panel").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("gan-apps-repair-zh-phone.png")), full_page=False)
    finally:
        page.close()
