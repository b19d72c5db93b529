"""Chromium on the launched app: on "GPT learns", moving the snapshot slider changes the step marked on the loss
curve, the caption and the continued prompt; a new prompt is continued at every step; a bad prompt gets a note and
the view stays. Screenshots at 1280 px and 390 px (docs/screenshots/gpt-learns-*.png with REFRESH_SCREENSHOTS=1).
Written for whatever steps the pack holds: they are read from it, never assumed."""
from __future__ import annotations

import pytest

from demo.app_state import GPT_SNAPSHOTS_NAME
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MARKED = "document.querySelector('#gpt-learning-mark')?.dataset.step"
TEXT = "document.querySelector('#gpt-learning-text pre')"


@pytest.fixture(scope="module", params=list(SIZES))
def page(request, app_url, browser):
    require_checkpoint(GPT_SNAPSHOTS_NAME)
    width, height = SIZES[request.param]
    page = browser.new_page(viewport={"width": width, "height": height}, has_touch=width < 500)
    page.set_default_timeout(90_000)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    page.size_name = request.param
    yield page
    page.close()


def _wait_step(page, step: int) -> None:
    """The marker, the caption and the text all show `step`."""
    page.wait_for_function(f"(s) => {MARKED} === s && {TEXT}?.dataset.step === s && document.querySelector("
                           "'#gpt-learning-caption')?.dataset.step === s", arg=str(step))


def test_the_slider_moves_the_marker_the_caption_and_the_text(page, app_state) -> None:
    steps = app_state.gpt_snapshots.steps
    open_tab(page, "GPT learns")
    page.locator("#gpt-learning-mark").wait_for(state="attached")
    _wait_step(page, steps[-1])  # it opens on the last snapshot
    last_text = page.evaluate(f"() => {TEXT}.innerText")
    slider = page.locator("#gpt-learning-step input[type=range]")
    slider.focus()
    slider.press("Home")  # back to step 0: noise
    _wait_step(page, steps[0])
    first_text = page.evaluate(f"() => {TEXT}.innerText")
    assert first_text.startswith("ROMEO:") and (first_text != last_text or len(steps) == 1)
    assert page.locator("#gpt-learning-caption").inner_text().startswith(f"Step {steps[0]:,}")
    if len(steps) > 1:
        slider.press("ArrowRight")  # one snapshot on
        _wait_step(page, steps[1])
    page.locator("#gpt-learning-step").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gpt-learns-{page.size_name}.png")), full_page=False)
    page.locator("#gpt-learning-curve").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"gpt-learns-curve-{page.size_name}.png")), full_page=False)


def test_a_new_prompt_is_continued_and_a_bad_one_gets_a_note(page) -> None:
    open_tab(page, "GPT learns")
    prompt = page.locator("#gpt-learning-prompt textarea")
    prompt.fill("JULIET:")
    page.locator("#gpt-learning-run").click()
    page.wait_for_function(f"() => {TEXT}?.innerText.startsWith('JULIET:')")
    shown = page.evaluate(f"() => {TEXT}.innerText")
    prompt.fill("月光")
    page.locator("#gpt-learning-run").click()
    page.locator("#gpt-learning-prompt-note").get_by_text("does not know").wait_for()
    assert page.evaluate(f"() => {TEXT}.innerText") == shown  # the last good view stays
    prompt.fill("JULIET:")
    page.locator("#gpt-learning-run").click()
    page.locator("#gpt-learning-prompt-note").wait_for(state="hidden")


def test_look_inside_this_snapshot_opens_inside_the_gpt_on_it(page, app_state) -> None:
    steps = app_state.gpt_snapshots.steps
    open_tab(page, "GPT learns")
    slider = page.locator("#gpt-learning-step input[type=range]")
    slider.focus()
    slider.press("Home")
    _wait_step(page, steps[0])
    page.locator("#gpt-learning-inside").click()
    page.wait_for_function("() => document.querySelector('#inside-bars')?.innerText.includes('would draw next')")
    assert page.get_by_role("tab", name="Inside the GPT").get_attribute("aria-selected") == "true"
    assert page.locator("#inside-model input").input_value() == f"Training snapshot, step {steps[0]:,}"
    page.screenshot(path=str(screenshot_path(f"gpt-learns-inside-{page.size_name}.png")), full_page=False)
