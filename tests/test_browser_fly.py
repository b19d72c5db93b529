"""Fly it yourself in a real Chromium: a flight flown with the keyboard at desktop size and with held touch buttons
at phone size, the live panel (the agent's probabilities, V(s), your return) moving, the end's comparison with the
agent and the session's score; screenshots mid-flight and at the end. The page's own measures of a key press and
of the frame rate (window.playgroundFly.stats) are written beside the screenshots, never asserted."""
from __future__ import annotations

import json

import pytest

from demo.app_state import AGENT_NAME
from tests.conftest import open_tab, screenshot_path, sized_page

pytestmark = pytest.mark.browser

# The server has applied action `a` (or the flight ended: a busy machine may take long enough for the lander to leave)
APPLIED = ("a => { const f = window.playgroundFly; const e = document.querySelector('#fly-player [data-flight]');"
           " return f && (f.stats.act === a || (e && e.dataset.flight === 'ended')); }")
ENDED = "() => document.querySelector('#fly-player [data-flight]')?.dataset.flight === 'ended'"


def open_fly(browser, app_url: str, size: tuple[int, int]):
    page = sized_page(browser, size, AGENT_NAME)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    open_tab(page, "Agent (RL)")
    page.locator("#fly-start").wait_for(state="visible")
    return page


def start(page, seed: str, hold=None) -> None:
    """Fly seed `seed`; `hold` presses the main engine before take-off (a lander left alone lands in a second)."""
    page.locator("#agent-seed input").fill(seed)
    page.locator("#fly-start").scroll_into_view_if_needed()
    page.locator("#fly-player canvas").click()  # out of the seed's box: keys typed there are the box's, not the lander's
    if hold:
        hold()
    page.locator("#fly-start").click()
    page.wait_for_function("() => window.playgroundFly && window.playgroundFly.stats.step >= 1")


def fly_and_measure(page, hold, release, pulses: int, on: int, off: int) -> None:
    """Press and release a key `pulses` times, each time until the server has applied action `on` (then `off`),
    unless the flight ends first: every change is one key press the page measures."""
    for _ in range(pulses):
        hold()
        page.wait_for_function(APPLIED, arg=on)
        release()
        page.wait_for_function(APPLIED, arg=off)
        if page.evaluate(ENDED):
            return


def finish(page, name: str) -> dict:
    page.wait_for_function("() => document.querySelector('#fly-player [data-flight]')?.dataset.flight === 'ended'",
                           timeout=60_000)
    stats = page.evaluate("() => window.playgroundFly.stats")
    (screenshot_path(name).with_suffix(".json")).write_text(json.dumps(stats))
    page.locator("#fly-player").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(name)), full_page=False)
    return stats


def check_end(page, seed: int) -> None:
    player = page.locator("#fly-player")
    result, score = player.locator(".fly-result").inner_text(), player.locator(".fly-score").inner_text()
    assert f"Seed {seed}: you " in result and ", the agent " in result
    assert "Where you most disagreed with the agent" in result
    assert "This session: you beat the agent on" in score and f"seed {seed}: you" in score


def test_fly_with_the_keyboard_at_desktop_size(browser, app_url):
    page = open_fly(browser, app_url, (1280, 900))
    try:
        start(page, "5", lambda: page.keyboard.down("ArrowUp"))  # the main engine from take-off
        player = page.locator("#fly-player")
        page.wait_for_function(APPLIED, arg=2)
        page.keyboard.up("ArrowUp")
        page.wait_for_function(APPLIED, arg=0)
        # The main engine on and off: about half the time on, the lander roughly hovers while the page measures
        fly_and_measure(page, lambda: page.keyboard.down("KeyW"), lambda: page.keyboard.up("KeyW"), 10, on=2, off=0)
        page.keyboard.down("ArrowLeft")  # the left engine: the panel says what the agent would do instead
        page.wait_for_function(APPLIED, arg=1)
        page.screenshot(path=str(screenshot_path("fly-desktop-flying.png")))
        bars = player.evaluate("e => [...e.querySelectorAll('.fly-p')].map(b => b.textContent)")
        assert all(b.endswith("%") for b in bars) and player.locator(".fly-value").inner_text() != "-"
        page.keyboard.up("ArrowLeft")
        stats = finish(page, "fly-desktop.png")  # nothing held: it falls and the flight ends
        assert stats["latencies"] and stats["draws"] > 0
        check_end(page, 5)
        start(page, "6")  # a second seed: the session's score counts both (the first flight's end is still drawn
        # until the second's first frame, so wait on the score itself)
        page.wait_for_function("() => /(on|of) 2 seeds/.test(document.querySelector('#fly-player .fly-score')?.innerText || '')",
                               timeout=60_000)
        finish(page, "fly-desktop-second.png")
    finally:
        page.close()


def test_fly_with_touch_at_phone_size(browser, app_url):
    page = open_fly(browser, app_url, (390, 844))
    try:
        main = page.locator("#fly-player .fly-key[data-key='main']")
        main.wait_for(state="visible")  # the three held buttons show on a phone (fly.css)
        assert page.locator("#fly-player .fly-key[data-key='left']").is_visible()
        touch = {"pointerType": "touch", "pointerId": 7, "isPrimary": True}
        start(page, "8", lambda: main.dispatch_event("pointerdown", touch))  # held by one finger from take-off
        page.wait_for_function(APPLIED, arg=2)
        page.screenshot(path=str(screenshot_path("fly-phone-flying.png")))
        right, finger = page.locator("#fly-player .fly-key[data-key='right']"), {**touch, "pointerId": 8, "isPrimary": False}
        fly_and_measure(page, lambda: right.dispatch_event("pointerdown", finger),
                        lambda: right.dispatch_event("pointerup", finger), 4, on=3, off=2)
        main.dispatch_event("pointerup", touch)
        finish(page, "fly-phone.png")
        check_end(page, 8)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    finally:
        page.close()
