"""Chromium on the launched app: in the Images tab's "Watch it learn", moving the training-step slider changes the
seed's image, the grid and the step marked on the curves. Screenshots at 1280 px and 390 px
(docs/screenshots/gan-learning-*.png with REFRESH_SCREENSHOTS=1). Works on whichever run the shipped snapshots
come from: the steps are read from the checkpoint, never assumed."""
from __future__ import annotations

import pytest

from demo.app_state import SNAPSHOTS_NAME
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module", params=list(SIZES))
def page(request, app_url, browser):
    width, height = SIZES[request.param]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    page.size_name = request.param
    yield page
    page.close()


def _shown(page) -> tuple[str, str, int]:
    """(the seed image's src, the grid's src, the step marked on the curves)."""
    return (page.locator("#gan-learning-image img").get_attribute("src"), page.locator("#gan-learning-grid img").get_attribute("src"),
            int(page.locator("#gan-learning-curves #learning-marker").get_attribute("data-step")))


def test_the_step_slider_moves_the_image_the_grid_and_the_marker(page, app_state) -> None:
    require_checkpoint(SNAPSHOTS_NAME)
    steps = app_state.learning.steps
    open_tab(page, "Images (GAN)")
    section = page.locator("#gan-learning")
    section.scroll_into_view_if_needed()
    page.locator("#gan-learning-curves #learning-marker").wait_for(state="attached")
    image, grid, marked = _shown(page)
    assert marked == steps[-1]  # it opens on the trained generator
    slider = page.locator("#gan-learning-step input[type=range]")
    slider.focus()
    slider.press("Home")  # back to step 0: the untrained generator
    page.wait_for_function(f"() => document.querySelector('#gan-learning-curves #learning-marker').dataset.step === '{steps[0]}'")
    page.wait_for_function("(src) => document.querySelector('#gan-learning-image img').src !== src", arg=image)
    assert _shown(page)[1] != grid
    assert page.locator("#gan-learning-caption").inner_text().startswith(f"Step {steps[0]:,}")
    slider.press("ArrowRight")  # one snapshot on
    page.wait_for_function(f"() => document.querySelector('#gan-learning-curves #learning-marker').dataset.step === '{steps[1]}'")
    page.wait_for_function("() => [...document.querySelectorAll('#gan-learning-image img, #gan-learning-grid img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")  # the images loaded before the screenshot
    page.locator("#gan-learning-step").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gan-learning-{page.size_name}.png")), full_page=False)
    page.locator("#gan-learning-curves").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gan-learning-curves-{page.size_name}.png")), full_page=False)
