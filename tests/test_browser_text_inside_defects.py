"""Issue #23 in Chromium, at desktop (1280x900) and phone (390x844) sizes, so none comes back: the Text tab's examples
fill the prompt without a request the server refuses; a refused seed shows its note by the Seed box; Stop says where
it stopped; on a phone most of a 200-character text shows above the bars; Inside the GPT follows its step and layer
from the keyboard, shows refusals as one note by their field and keeps its panels, fits a phone's width, and counts
steps and positions alike."""
from __future__ import annotations

import pytest

from core import limits
from demo.app_state import GPT_NAME
from demo.text_tab import EXAMPLES
from tests.conftest import open_tab, screenshot_path, sized_page

pytestmark = pytest.mark.browser
OUTPUT = "document.querySelector('#generated textarea').value"
WORKED = "document.querySelector('#inside-worked').innerText"


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"], scope="module")
def page(request, app_url, browser):
    """One page per size; `page.problems` collects console errors and failed responses (a 404 from /run/ ...)."""
    page = sized_page(browser, request.param, GPT_NAME)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.problems = problems
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").click()  # the page opens on Start here
    page.locator("#generate").wait_for()
    yield page
    page.close()


def _phone(page) -> bool:
    return page.viewport_size["width"] < 500


def _set_max_new(page, count: int) -> None:
    box = page.locator("#max-new-tokens input[type=number]")
    box.fill(str(count))
    box.press("Enter")


def _generate(page, prompt: str, count: int) -> str:
    page.locator("#prompt textarea").fill(prompt)
    # blank the box as shown (not the app's value), so the same text again is seen arriving, not read from before
    page.evaluate("() => { document.querySelector('#generated textarea').value = ''; }")
    page.locator("#generate").click()
    page.wait_for_function(f"(n) => {OUTPUT}.length === n", arg=len(prompt) + count)
    return page.evaluate(OUTPUT)


def test_each_example_fills_the_prompt_and_the_bars_follow(page):
    for example in EXAMPLES:
        page.locator("#prompt-examples button.gallery-item", has_text=example.splitlines()[-1]).first.click()
        page.wait_for_function("(e) => document.querySelector('#prompt textarea').value === e", arg=example)
        # the prompt check and the bars follow, as when typing
        page.wait_for_function("(e) => document.querySelector('#prompt-check').innerText.replace(/[↵\\s]/g, '')"
                               " .includes(e.replace(/\\s/g, ''))", arg=example)
        page.locator("#next-token-bars button").first.wait_for()
    assert page.problems == []


def test_a_refused_seed_shows_its_note_by_the_seed_box_and_the_text_stays(page):
    _set_max_new(page, 20)
    text = _generate(page, "ROMEO:\n", 20)
    seed = page.locator("#seed input")
    seed.fill("-1")  # typed, then a pause: the seed's submit (demo/knob_release.py)
    note = page.locator("#seed-note")
    note.get_by_text("seed must be from 0 to 4294967295").wait_for()
    seed_box, note_box = page.locator("#seed").bounding_box(), note.bounding_box()
    assert 0 <= note_box["y"] - (seed_box["y"] + seed_box["height"]) < 40  # right under the Seed box
    assert page.evaluate(OUTPUT) == text  # the last good text stays
    assert page.locator(".field-note[id]:visible").count() == 1 and page.locator(".toast-body").count() == 0
    seed.fill(str(limits.MAX_SEED))  # the largest seed is accepted and echoed exactly
    note.wait_for(state="hidden")
    page.wait_for_function(f"(before) => {OUTPUT} !== before && {OUTPUT}.length === 'ROMEO:\\n'.length + 20", arg=text)
    assert seed.input_value() == "4294967295"
    seed.fill(str(limits.MAX_SEED + 1))
    note.get_by_text("got 4294967296").wait_for()
    seed.fill("0")
    note.wait_for(state="hidden")


def test_stop_says_where_it_stopped_and_the_next_run_clears_it(page):
    _set_max_new(page, limits.MAX_NEW_TOKENS)
    page.locator("#generate").click()
    page.wait_for_function(f"() => {OUTPUT}.length > 'ROMEO:\\n'.length + 20", polling="raf")
    page.locator("#stop-generation").click()
    status = page.locator("#run-status")
    status.get_by_text("Stopped after").wait_for()
    page.wait_for_function(f"() => document.querySelector('#run-status').innerText.includes("
                           f"`Stopped after ${{({OUTPUT}.length - 7).toLocaleString('en-US')}} of 1,000`)")
    name = "text-stopped-phone.png" if _phone(page) else "text-stopped-desktop.png"
    page.screenshot(path=str(screenshot_path(name)))
    _set_max_new(page, 20)
    page.locator("#generate").click()
    status.wait_for(state="hidden")


def test_on_a_phone_most_of_a_200_character_text_shows_above_the_bars(page):
    if not _phone(page):
        pytest.skip("the phone layout")
    _set_max_new(page, 200)
    _generate(page, "To be, or not to be", 200)
    page.locator("#seed").scroll_into_view_if_needed()  # the knobs scrolled: the text and bars stay on top
    shown = page.evaluate("() => { const t = document.querySelector('#generated textarea');"
                          " return t.clientHeight / t.scrollHeight; }")
    assert shown >= 0.75, shown
    height = page.viewport_size["height"]
    text, bars, seed = (page.locator(s).bounding_box() for s in ("#generated", "#next-token-bars", "#seed"))
    assert text["y"] >= -1 and text["y"] + text["height"] <= bars["y"] + 1 and bars["y"] + bars["height"] <= seed["y"] + 1
    assert seed["y"] + seed["height"] <= height + 1  # a knob is still usable below them
    page.screenshot(path=str(screenshot_path("text-phone-200.png")))
    _set_max_new(page, 20)


def _open_inside(page) -> str:
    """Generate 40 characters after JULIET: on the Text tab and open Inside the GPT on them; return the text."""
    open_tab(page, "Text (GPT)")
    _set_max_new(page, 40)
    text = _generate(page, "JULIET:\n", 40)
    open_tab(page, "Inside the GPT")
    page.wait_for_function("(n) => document.querySelectorAll('#inside-text .token').length === n", arg=len(text) + 1)
    # the tab's own look has answered (step 8, the first generated character; no event of it still on its way)
    page.wait_for_function(f"() => {WORKED}.includes('Step 8: character 8') && {WORKED}.includes('Layer 1, head 1')"
                           f" && !{WORKED}.includes('processing')")
    return text


def _expect_worked(page, fragment: str) -> None:
    page.wait_for_function(f"(f) => {WORKED}.includes(f)", arg=fragment, timeout=10_000)


def test_inside_follows_every_way_the_step_and_layer_change(page):
    _open_inside(page)
    _expect_worked(page, "Step 8: character 8 is drawn, predicted from character 7")  # one way of counting
    assert page.locator("#inside-step input").input_value() == "8"
    slider = page.locator("#inside-layer input[type=range]")
    slider.focus()
    slider.press("ArrowRight")  # arrow keys
    _expect_worked(page, "Layer 2, head 1")
    layer_box = page.locator("#inside-layer input[type=number]")
    layer_box.fill("4")
    layer_box.press("Enter")  # a typed layer + Enter, the box still focused
    _expect_worked(page, "Layer 4, head 1")
    assert page.evaluate("() => document.activeElement.closest('#inside-layer') !== null")
    page.locator("#inside-layer button.reset-button").click()  # the reset arrow
    _expect_worked(page, "Layer 1, head 1")
    step = page.locator("#inside-step input")
    step.fill("20")  # a typed step, then a pause
    _expect_worked(page, "Step 20: character 20")
    step.fill("25")
    step.press("Enter")  # a typed step + Enter
    _expect_worked(page, "Step 25: character 25")
    page.locator("#inside-text .token").nth(30).click()  # a click on a character
    _expect_worked(page, "Step 30: character 30")
    assert step.input_value() == "30"
    assert page.problems == []


def test_inside_refusals_are_one_note_by_their_field_and_the_panels_stay(page):
    _open_inside(page)
    worked = page.evaluate(WORKED)
    step = page.locator("#inside-step input")
    step.fill("999")
    page.locator("#inside-step-note").get_by_text("must be from 1 to 48").wait_for()
    assert page.evaluate(WORKED) == worked and page.locator(".field-note[id]:visible").count() == 1
    step.fill("9")
    page.locator("#inside-step-note").wait_for(state="hidden")
    _expect_worked(page, "Step 9: character 9")
    worked = page.evaluate(WORKED)
    for prompt, fragment in (("x" * (limits.MAX_PROMPT_CHARS + 1), "the limit is 2,000"),
                             ("JULIET: ☃", "the model knows plain English letters")):
        open_tab(page, "Text (GPT)")
        page.locator("#prompt textarea").fill(prompt)
        open_tab(page, "Inside the GPT")
        note = page.locator("#inside-text-note")
        note.get_by_text(fragment).wait_for()
        assert "Text tab" in note.inner_text() and page.locator(".field-note[id]:visible").count() == 1
        assert page.evaluate(WORKED) == worked  # the last good panels stay
        assert page.locator("#inside-grid img").count() == 1 and page.locator("#inside-bars tr").count() > 5
        assert page.locator(".toast-body").count() == 0
    open_tab(page, "Text (GPT)")
    page.locator("#prompt textarea").fill("JULIET:\n")
    open_tab(page, "Inside the GPT")
    page.locator("#inside-text-note").wait_for(state="hidden")


def test_inside_fits_the_screen_width(page):
    _open_inside(page)
    page.locator("#inside-worked .katex").first.wait_for()
    page.locator("#inside-worked").scroll_into_view_if_needed()
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width  # no page-wide sideways scrolling; wide formulas scroll in their own box
    name = "inside-worked-phone.png" if _phone(page) else "inside-worked-desktop.png"
    page.screenshot(path=str(screenshot_path(name)))
    open_tab(page, "Text (GPT)")
