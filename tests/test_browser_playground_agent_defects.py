"""Issue #23 in Chromium, on the GAN playground and the Agent tab, at 1280x900 and on a 390x844 phone:

1. on a phone the plane / the lander stays in view (sticky at the top) while a knob is used and Play is pressed;
2. a refused value is one note under its field, no pop-up, and the view keeps its last frame (Busy too);
3. a playing GAN stops training once its tab is not shown, and says so when you come back;
4. no formula makes the page scroll sideways, and a display formula fits or scrolls in its own box;
5. the learning curve's labels are at least 11 px on a phone;
6. the largest seed (2**32-1) is taken and echoed exactly, one more or -1 gets the note;
7. every way a knob can change (drag, arrow keys, typed value + Enter, typed value + pause, reset arrow) reaches
   the view.
Screenshots of each layout go to the screenshots folder (tests/conftest.py)."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest

from core.gan.toy_sessions import ToySessions
from demo.app_state import AGENT_NAME
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
TOASTS = ".toast-body, .toast-wrap .toast"  # Gradio's pop-ups (gr.Error / gr.Warning)
# The step of the playground's latest view as the server sent it (the hidden textbox the canvas is drawn from)
VIEW_STEP = "JSON.parse(document.querySelector('#toy-gan-view textarea, #toy-gan-view input').value).step"


@contextmanager
def new_page(browser, app_url: str, size: str) -> Iterator:
    """The app in a new page of `size` ("desktop" or "phone"), closed when the test is done with it, pass or fail."""
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.set_default_timeout(60_000)
        page.goto(app_url)
        page.get_by_role("tab", name="Text (GPT)").wait_for()
        yield page
    finally:
        page.close()


@contextmanager
def open_playground(browser, app_url: str, size: str) -> Iterator:
    """A new page on the GAN playground, its first view drawn."""
    with new_page(browser, app_url, size) as page:
        open_tab(page, "GAN playground")
        page.locator("#toy-gan-canvas .toy-info").get_by_text("step 0").wait_for()
        yield page


@contextmanager
def open_agent(browser, app_url: str, size: str) -> Iterator:
    """A new page on the Agent tab, its player and curve there."""
    require_checkpoint(AGENT_NAME)
    with new_page(browser, app_url, size) as page:
        open_tab(page, "Agent (RL)")
        page.locator("#agent-play").wait_for(state="visible")
        page.locator("#agent-curve svg").first.wait_for(state="attached")
        yield page


def in_viewport(page, selector: str) -> bool:
    """The element's whole box is on screen."""
    return page.evaluate("""(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return r.width > 0 && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5; }""",
                         selector)


def uncovered(page, selector: str) -> bool:
    """Nothing (a sticky view, say) lies over the middle of the element: a tap there reaches it."""
    return page.evaluate("""(s) => { const e = document.querySelector(s), r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
        return !!hit && (e.contains(hit) || hit.contains(e)); }""", selector)


def view_json(page) -> dict:
    """The playground's latest view as the server sent it (the hidden textbox the canvas is drawn from)."""
    return json.loads(page.evaluate("() => document.querySelector('#toy-gan-view textarea, #toy-gan-view input').value"))


def step_count(page) -> int:
    return int(view_json(page)["step"])


def no_toasts(page) -> None:
    assert page.locator(TOASTS).count() == 0, page.locator(TOASTS).all_inner_texts()


def no_page_overflow(page) -> None:
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, (width, inner)


def type_in(page, selector: str, value: str, enter: bool = True) -> None:
    box = page.locator(selector)
    box.fill(value)
    if enter:
        box.press("Enter")


# ----- 1. on a phone the output stays in view while the knobs are used -----

def test_phone_playground_keeps_the_plane_in_view_while_knobs_move_and_play(browser, app_url) -> None:
    with open_playground(browser, app_url, "phone") as page:
        page.locator("#toy-gan-play").click()
        page.wait_for_function(f"() => {VIEW_STEP} > 0")
        for knob in ("#toy-gan-speed", "#toy-gan-seed", "#toy-gan-lr-d"):
            page.locator(knob).scroll_into_view_if_needed()
            assert in_viewport(page, "#toy-gan-canvas .toy-plane"), knob
            assert in_viewport(page, "#toy-gan-play") and in_viewport(page, "#toy-gan-pause"), knob
            assert uncovered(page, f"{knob} input[type=number]"), f"{knob} lies under the sticky view"
        page.locator("#toy-gan-speed input[type=number]").fill("9")
        page.locator("#toy-gan-speed input[type=number]").press("Enter")
        page.screenshot(path=str(screenshot_path("defects-playground-phone-knobs.png")))
        assert in_viewport(page, "#toy-gan-canvas .toy-plane")
        page.locator("#toy-gan-pause").click()  # reachable with the plane in view
        page.locator("#toy-gan-status").get_by_text("Paused").wait_for()
        assert in_viewport(page, "#toy-gan-canvas .toy-plane")


def test_phone_agent_keeps_the_lander_in_view_while_knobs_move_and_play(browser, app_url) -> None:
    with open_agent(browser, app_url, "phone") as page:
        for knob in ("#agent-gravity", "#agent-temperature", "#agent-seed"):
            page.locator(knob).scroll_into_view_if_needed()
            assert in_viewport(page, "#agent-player canvas") and in_viewport(page, "#agent-play"), knob
            assert uncovered(page, f"{knob} input"), f"{knob} lies under the sticky player"
        page.locator("#agent-gravity").scroll_into_view_if_needed()
        page.locator("#agent-play").click()
        page.wait_for_function("() => { const e = document.querySelector('#agent-player [data-frame]');"
                               " return e && Number(e.dataset.frame) >= 30; }")
        assert in_viewport(page, "#agent-player canvas")
        page.screenshot(path=str(screenshot_path("defects-agent-phone-knobs.png")))


# ----- 2 and 6. refusals are notes under their field; the largest seed is taken and echoed exactly -----

def test_playground_bad_values_are_notes_by_their_field_and_the_plane_keeps_its_frame(browser, app_url) -> None:
    with open_playground(browser, app_url, "phone") as page:
        page.locator("#toy-gan-step").click()
        page.wait_for_function(f"() => {VIEW_STEP} === 1")
        before = view_json(page)
        type_in(page, "#toy-gan-seed input", "-1")
        page.locator("#toy-gan-seed-note").get_by_text("Seed must be from 0 to 4294967295").wait_for()
        type_in(page, "#toy-gan-seed input", "4294967296")
        page.locator("#toy-gan-seed-note").get_by_text("got 4294967296").wait_for()
        page.locator("#toy-gan-reset").click()  # Reset with the refused seed: the note stays, the GAN too
        page.locator("#toy-gan-seed-note").get_by_text("got 4294967296").wait_for()
        type_in(page, "#toy-gan-lr-g input[type=number]", "0")  # a learning rate of 0 is refused
        page.locator("#toy-gan-lr-g-note").get_by_text("G's learning rate must be from").wait_for()
        page.screenshot(path=str(screenshot_path("defects-playground-notes-phone.png")))
        assert view_json(page) == before  # the last good frame stays
        no_toasts(page)
        type_in(page, "#toy-gan-lr-g input[type=number]", "0.002")
        page.locator("#toy-gan-lr-g-note").wait_for(state="hidden")
        type_in(page, "#toy-gan-seed input", "4294967295")
        page.locator("#toy-gan-seed-note").wait_for(state="hidden")
        page.locator("#toy-gan-reset").click()
        page.locator("#toy-gan-status").get_by_text("A new GAN from seed 4294967295").wait_for()
        assert page.locator("#toy-gan-seed input").input_value() == "4294967295"
        assert step_count(page) == 0 and view_json(page)["knobs"]["lr_g"] == 0.002
        no_toasts(page)


def test_agent_bad_seed_is_a_note_and_the_episode_stays(browser, app_url) -> None:
    with open_agent(browser, app_url, "desktop") as page:
        type_in(page, "#agent-seed input", "4294967295")  # the largest seed plays, echoed exactly
        page.wait_for_function("() => document.querySelector('#agent-player .agent-step').innerText.includes('seed 4294967295,')")
        page.wait_for_function("() => document.querySelector('#agent-player [data-state=\"done\"]') !== null")
        shown = page.locator("#agent-player .agent-result").inner_text()
        for bad in ("-1", "4294967296"):
            type_in(page, "#agent-seed input", bad)
            page.locator("#agent-seed-note").get_by_text("Episode seed must be from 0 to 4294967295").wait_for()
            page.locator("#agent-play").click()
            page.locator("#agent-seed-note").get_by_text(f"got {bad}").wait_for()
        page.screenshot(path=str(screenshot_path("defects-agent-note-desktop.png")))
        assert "seed 4294967295," in page.locator("#agent-player .agent-step").inner_text()  # the last good episode stays
        assert page.locator("#agent-player .agent-result").inner_text() == shown
        no_toasts(page)
        type_in(page, "#agent-seed input", "7")
        page.wait_for_function("() => document.querySelector('#agent-player .agent-step').innerText.includes('seed 7,')")
        page.locator("#agent-seed-note").wait_for(state="hidden")


@pytest.fixture(scope="module")
def one_slot_url(app_state):
    """The app with one GAN training slot (the real ToySessions, fewer slots), so two pages meet "Busy"."""
    import gradio as gr

    from demo.build import guard_config, launch_demo
    from demo.toy_gan_tab import build_toy_gan_tab
    from tests.conftest import free_port

    with gr.Blocks() as demo:
        with gr.Tabs():
            with gr.Tab("GAN playground"):
                build_toy_gan_tab(demo, ToySessions(max_playing=1, max_steps=20_000))
            with gr.Tab("Other"):
                gr.Markdown("another tab")
    demo.queue()
    launch_demo(demo, guard=guard_config(per_address=False), server_name="127.0.0.1", server_port=free_port(),
                prevent_thread_lock=True, quiet=True)
    yield demo.local_url.rstrip("/")
    demo.close()


def test_busy_is_a_note_under_play(browser, one_slot_url) -> None:
    first, second = (browser.new_page(viewport={"width": 390, "height": 844}) for _ in range(2))
    try:
        for page in (first, second):
            page.set_default_timeout(60_000)
            page.goto(one_slot_url)
            page.locator("#toy-gan-canvas .toy-info").get_by_text("step 0").wait_for()
        first.locator("#toy-gan-play").click()
        first.wait_for_function(f"() => {VIEW_STEP} > 0")
        second.locator("#toy-gan-play").click()
        second.locator("#toy-gan-buttons-note").get_by_text("Busy: 1 sessions are training").wait_for()
        assert in_viewport(second, "#toy-gan-buttons-note")
        second.screenshot(path=str(screenshot_path("defects-playground-busy-phone.png")))
        no_toasts(second)
        first.locator("#toy-gan-pause").click()
        first.locator("#toy-gan-status").get_by_text("Paused").wait_for()
        second.locator("#toy-gan-play").click()  # the slot is free again: the note goes, it trains
        second.locator("#toy-gan-buttons-note").wait_for(state="hidden")
        second.wait_for_function(f"() => {VIEW_STEP} > 0")
        second.locator("#toy-gan-pause").click()
    finally:
        first.close()
        second.close()


# ----- 3. a GAN playing on a tab that is not shown stops training -----

COUNT_STEPS_3S = f"""() => new Promise(resolve => {{ const start = {VIEW_STEP};
    setTimeout(() => resolve([start, {VIEW_STEP}]), 3000); }})"""
# A frame the server was already drawing when the pause came still lands after "Paused" shows: the count is read once
# the view has stopped changing (the same step over a second; at most 10 s, then the count below shows it moving).
SETTLED = f"""() => new Promise(resolve => {{ let last = {VIEW_STEP}, checks = 0;
    const check = () => {{ const now = {VIEW_STEP};
        if (now === last || ++checks >= 10) resolve(now); else {{ last = now; setTimeout(check, 1000); }} }};
    setTimeout(check, 1000); }})"""


@pytest.mark.parametrize("size", list(SIZES))
def test_switching_tab_pauses_the_playground(browser, app_url, size) -> None:
    with open_playground(browser, app_url, size) as page:
        page.locator("#toy-gan-play").click()
        page.wait_for_function(f"() => {VIEW_STEP} > 0")
        open_tab(page, "About")
        page.wait_for_function("() => document.querySelector('#toy-gan-status').textContent.includes('Paused')")
        page.evaluate(SETTLED)
        start, end = page.evaluate(COUNT_STEPS_3S)  # the server's own step count, over 3 s out of sight
        assert end == start, (start, end)
        open_tab(page, "GAN playground")
        page.locator("#toy-gan-status").get_by_text("Paused while the playground was out of sight").wait_for()
        page.locator("#toy-gan-play").click()  # Play goes on from where it paused
        page.wait_for_function(f"(s) => {VIEW_STEP} > s", arg=end)
        page.locator("#toy-gan-pause").click()
        page.locator("#toy-gan-status").get_by_text("Paused.").wait_for()


# ----- 4 and 5. formulas and the learning curve on a phone -----

def formulas_fit_or_scroll(page, scope: str) -> None:
    """Every display formula in `scope` fits its box or scrolls inside it (never the page)."""
    boxes = page.evaluate("""(scope) => [...document.querySelectorAll(`${scope} .katex-display`)].filter(e => e.offsetParent)
        .map(e => ({fits: e.scrollWidth <= e.clientWidth + 1, scrolls: ['auto', 'scroll'].includes(getComputedStyle(e).overflowX),
                    right: e.getBoundingClientRect().right}))""", scope)
    for box in boxes:
        assert box["fits"] or box["scrolls"], box
        assert box["right"] <= SIZES["phone"][0] + 0.5, box


def test_phone_playground_formula_fits_and_nothing_overflows(browser, app_url) -> None:
    with open_playground(browser, app_url, "phone") as page:
        assert page.locator("#toy-gan-intro .katex-display").count() == 1
        formulas_fit_or_scroll(page, "#toy-gan-intro")
        fits = page.evaluate("() => { const e = document.querySelector('#toy-gan-intro .katex-display'); return e.scrollWidth <= e.clientWidth + 1; }")
        assert fits  # the whole min-max game is readable without scrolling at 390 px
        no_page_overflow(page)
        page.screenshot(path=str(screenshot_path("defects-playground-formula-phone.png")))


def test_phone_agent_curve_labels_are_legible_and_nothing_overflows(browser, app_url) -> None:
    with open_agent(browser, app_url, "phone") as page:
        no_page_overflow(page)
        formulas_fit_or_scroll(page, "#agent-row, #agent-curve")
        page.locator("#agent-curve").scroll_into_view_if_needed()
        sizes = page.evaluate("""() => { const svg = [...document.querySelectorAll('#agent-curve svg')].find(s => s.getBoundingClientRect().width > 0);
            const scale = svg.getScreenCTM().a;
            return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale); }""")
        assert sizes and min(sizes) >= 11, sizes
        page.screenshot(path=str(screenshot_path("defects-agent-curve-phone.png")))


def test_desktop_agent_curve_is_the_wide_drawing(browser, app_url) -> None:
    with open_agent(browser, app_url, "desktop") as page:
        shown = page.evaluate("() => [...document.querySelectorAll('#agent-curve svg')].filter(s => s.getBoundingClientRect().width > 0).map(s => s.getAttribute('class'))")
        assert shown == ["agent-curve-wide"]
        no_page_overflow(page)


# ----- 7. every way a knob can change reaches the view -----

def drag_to(page, selector: str, fraction: float) -> None:
    """A mouse drag of the slider's thumb to `fraction` of its track."""
    box = page.locator(f"{selector} input[type=range]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * fraction, y, steps=5)
    page.mouse.up()


def each_way(page, selector: str, values: dict[str, str], shown) -> None:
    """Move the slider `selector` every way a person can, waiting after each until shown() (JS returning the value
    the view uses) equals the value the slider then holds."""
    number, slider = f"{selector} input[type=number]", f"{selector} input[type=range]"

    def follows(way: str) -> None:
        page.wait_for_function(f"() => String({shown}) === String(Number(document.querySelector('{number}').value))",
                               timeout=20_000)

    drag_to(page, selector, 0.5)
    follows("drag")
    page.locator(slider).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    follows("arrow keys")
    type_in(page, number, values["enter"])
    follows("typed + Enter")
    type_in(page, number, values["pause"], enter=False)
    follows("typed + pause")
    page.locator(f"{selector} .reset-button, {selector} button[aria-label*='eset']").first.click()
    follows("reset arrow")


def test_every_way_a_playground_knob_moves_reaches_the_gan(browser, app_url) -> None:
    with open_playground(browser, app_url, "desktop") as page:
        view = "JSON.parse(document.querySelector('#toy-gan-view textarea, #toy-gan-view input').value).knobs"
        each_way(page, "#toy-gan-lr-d", {"enter": "0.003", "pause": "0.004"}, f"{view}.lr_d")
        each_way(page, "#toy-gan-d-steps", {"enter": "3", "pause": "4"}, f"{view}.d_steps")
        no_toasts(page)


def test_every_way_an_agent_knob_moves_replays_the_episode(browser, app_url) -> None:
    with open_agent(browser, app_url, "desktop") as page:
        each_way(page, "#agent-temperature", {"enter": "0.35", "pause": "0.4"},
                 "(document.querySelector('#agent-player .agent-step').innerText.match(/T = ([0-9.]+)/) || [])[1]")
        type_in(page, "#agent-seed input", "12", enter=False)  # a typed seed plays after a pause in typing
        page.wait_for_function("() => document.querySelector('#agent-player .agent-step').innerText.includes('seed 12,')")
        no_toasts(page)
