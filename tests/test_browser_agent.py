"""The Agent tab in a real Chromium: Play animates the episode on the canvas with the bars moving, the result
appears at the end, and screenshots mid-episode on a desktop and a 390 px phone."""
from __future__ import annotations

import pytest

from demo.app_state import AGENT_NAME
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser


def open_agent_tab(browser, app_url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    open_tab(page, "Agent (RL)")
    page.locator("#agent-play").wait_for(state="visible")
    if not errors:
        page.locator("#agent-curve svg").locator("visible=true").wait_for(timeout=10_000)  # the learning curve has rendered
    blocked = [e for e in errors if "unsafe-eval" in e]
    if blocked:  # gr.HTML renders its template and runs js_on_load with Function(): the page's CSP must allow it
        page.close()
        pytest.fail("gr.HTML components (the Agent tab's player and learning curve among them) are blocked by the page's "
                    "Content-Security-Policy: Gradio 6 renders gr.HTML templates and runs js_on_load with Function(), "
                    "which needs 'unsafe-eval' in script-src (serve/http_guard.py CSP). First error: " + blocked[0][:160])
    return page



@pytest.mark.parametrize("width,height,name", [(1280, 900, "agent.png"), (390, 844, "agent-phone.png")])
def test_play_animates_mid_episode(browser, app_url, width, height, name):
    require_checkpoint(AGENT_NAME)
    page = open_agent_tab(browser, app_url, width, height)
    try:
        page.locator("#agent-seed input").fill("3")
        page.locator("#agent-play").click()
        player = page.locator("#agent-player")
        page.wait_for_function("() => { const e = document.querySelector('#agent-player [data-frame]');"
                               " return e && Number(e.dataset.frame) >= 60; }", timeout=60_000)
        if width < 600:
            player.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(name)), full_page=True)
        step_text = player.locator(".agent-step").inner_text()
        assert "seed 3" in step_text and "Frame" in step_text
        # One read of the frame shown (the animation moves on between two separate reads).
        widths, chosen = player.evaluate("e => [[...e.querySelectorAll('.bar-fill')].map(b => parseFloat(b.style.width)),"
                                         " [...e.querySelectorAll('.bar-row')].findIndex(r => r.classList.contains('chosen'))]")
        assert len(widths) == 4 and abs(sum(widths) - 100) < 1.5  # a probability distribution over the 4 actions
        assert widths[chosen] == max(widths)  # T = 0: the action taken is the argmax bar
        value = player.locator(".agent-value").inner_text()
        assert value != "-" and float(value) == float(value)
        page.wait_for_function("() => document.querySelector('#agent-player [data-state=\"done\"]') !== null", timeout=60_000)
        result = player.locator(".agent-result").inner_text()
        assert "return" in result and any(word in result for word in ("Landed", "Crashed", "limit", "Flew off"))
    finally:
        page.close()


def test_animation_keeps_game_time(browser, app_url):
    """The animation runs on the game's clock (50 frames a second of episode time), not one frame per paint: on the
    page's own clock, paused and then moved on 500 ms (Playwright's fake clock paints a frame every 16 ms), the
    player moves on 25 frames, however busy the machine."""
    require_checkpoint(AGENT_NAME)
    page = open_agent_tab(browser, app_url, 1280, 900)
    frame = "() => Number(document.querySelector('#agent-player [data-frame]').dataset.frame)"
    try:
        page.clock.install()
        page.locator("#agent-play").click()
        page.wait_for_function("() => { const e = document.querySelector('#agent-player [data-frame]');"
                               " return e && Number(e.dataset.frame) >= 5; }", timeout=60_000)
        page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 0.2)  # in seconds: a moment from now
        first = page.evaluate(frame)
        page.clock.run_for(500)
        second = page.evaluate(frame)
        assert page.locator("#agent-player [data-state]").get_attribute("data-state") == "playing"  # episodes last 60+ frames
        assert abs(second - first - 25) <= 1, (first, second)
    finally:
        page.close()
