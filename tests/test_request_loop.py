"""No knob can start a request loop (issue #23's critical defect).

Gradio's page re-sends a trigger to every event bound to it when a deferred `always_last` event finishes, so two
such events on one trigger re-trigger each other while their runs overlap, forever (16 requests a second from one
idle visitor on the Images tab). The first test checks the cause in the built app, for every trigger of every tab;
the browser test drags, holds a key and double-presses every knob of every tab, then counts the page's requests.
"""
from __future__ import annotations

import time
from collections import defaultdict

import pytest

from tests.conftest import open_tab

CHAINED = {"then", "success", "failure"}  # .then() events run by the event before them, not by a trigger


def test_no_trigger_feeds_two_events_when_one_of_them_defers(app_state) -> None:
    """One event per trigger wherever an event is `always_last` (chain further views with .then)."""
    from demo.build import build_demo

    config = build_demo(app_state).get_config_file()
    names = {c["id"]: c.get("props", {}).get("elem_id") or c["type"] for c in config["components"]}
    by_trigger: dict[tuple[int, str], list[str]] = defaultdict(list)
    deferring: set[tuple[int, str]] = set()
    for dep in config["dependencies"]:
        if not dep.get("backend_fn"):
            continue  # a browser-only event (js=... alone, e.g. demo/links.py writing the URL) sends no request
        for target, event in dep["targets"]:
            if event in CHAINED:
                continue
            by_trigger[(target, event)].append(dep.get("api_name") or str(dep["id"]))
            if dep.get("trigger_mode") == "always_last":
                deferring.add((target, event))
    shared = {f"{names.get(t, t)}.{e}": by_trigger[(t, e)] for t, e in deferring if len(by_trigger[(t, e)]) > 1}
    assert not shared, f"triggers feeding an always_last event and others (a request loop): {shared}"


# ---- the browser: every knob of every tab, moved every way a person moves it ---------------------------------------
TABS = ["Text (GPT)", "Inside the GPT", "Images (GAN)", "GAN playground", "Agent (RL)"]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
QUIET_WITHIN_S = 5.0  # after the last move, the page's requests must stop within this
QUIET_FOR_S = 2.0  # ... and stay stopped this long
KNOB_LIMIT = 14  # knobs moved per tab (the Images tab has 11 sliders and 2 number boxes)
PHONE_TABS = {"Images (GAN)"}


@pytest.fixture(scope="module", params=list(SIZES))
def page(request, app_url, browser):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=request.param == "phone")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append((time.monotonic(), r.url)))  # type: ignore[attr-defined]
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    page.size_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def _visible_knobs(page, selector: str) -> list:
    knobs = page.locator(f"[role=tabpanel]:visible {selector}")
    return [knobs.nth(i) for i in range(min(knobs.count(), KNOB_LIMIT)) if knobs.nth(i).is_visible()]


def _drag(page, slider, touch: bool) -> None:
    """A drag across a quarter of the slider in small steps, with the mouse or (on a phone) a finger."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    if box is None:
        return
    y, x0 = box["y"] + box["height"] / 2, box["x"] + box["width"] * 0.4
    points = [x0 + box["width"] * 0.02 * i for i in range(12)]
    if touch:
        cdp = page.context.new_cdp_session(page)
        for kind, x in [("touchStart", points[0]), *[("touchMove", x) for x in points[1:]], ("touchEnd", points[-1])]:
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})
            page.wait_for_timeout(25)
        cdp.detach()
        return
    page.mouse.move(points[0], y)
    page.mouse.down()
    for x in points[1:]:
        page.mouse.move(x, y)
        page.wait_for_timeout(25)
    page.mouse.up()


def _presses(element, key: str, count: int, gap_ms: int) -> None:
    element.focus()
    for _ in range(count):
        element.press(key)
        element.page.wait_for_timeout(gap_ms)


def _wait_quiet(page) -> tuple[float, int]:
    """Wait until no request has been sent for QUIET_FOR_S; return (seconds that took, requests in that time)."""
    start = time.monotonic()
    count_before = len(page.requests)
    while time.monotonic() - start < QUIET_WITHIN_S + QUIET_FOR_S:
        last = page.requests[-1][0] if page.requests else 0.0
        if time.monotonic() - max(last, start) >= QUIET_FOR_S:
            return time.monotonic() - start - QUIET_FOR_S, len(page.requests) - count_before
        page.wait_for_timeout(100)
    return float("inf"), len(page.requests) - count_before


@pytest.mark.browser
@pytest.mark.parametrize("tab", TABS)
def test_moving_every_knob_every_way_ends_its_requests(page, tab: str) -> None:
    """Drag, hold a key and double-press each slider; hold and double-press each number box; then the page's
    requests stop within QUIET_WITHIN_S and stay stopped (a loop sends them forever). On a phone, a finger drags:
    the Images tab, where the loop was, is moved by touch (the other tabs' events are the desktop's)."""
    if page.size_name == "phone" and tab not in PHONE_TABS:  # type: ignore[attr-defined]
        pytest.skip("the same events as on a desktop; the phone run covers touch on the Images tab")
    open_tab(page, tab)
    page.wait_for_timeout(500)
    _wait_quiet(page)
    sliders = _visible_knobs(page, "input[type=range]")
    numbers = _visible_knobs(page, "input[type=number]:not([disabled])")
    numbers = [n for n in numbers if n.evaluate("e => !e.closest('.block')?.querySelector('input[type=range]')")]  # not a slider's box
    assert sliders or numbers or tab == "Inside the GPT", f"no knobs found on {tab}"
    touch = page.size_name == "phone"  # type: ignore[attr-defined]
    for slider in sliders:
        _drag(page, slider, touch)
        _presses(slider, "ArrowRight", 8, 30)  # a held key
        _presses(slider, "ArrowLeft", 2, 50)  # a quick double press
    for number in numbers:
        _presses(number, "ArrowUp", 6, 30)
        _presses(number, "ArrowDown", 2, 50)
    settle_s, sent = _wait_quiet(page)
    recent = [url.split("/gradio_api/")[-1][:60] for _, url in page.requests[-8:]]
    assert settle_s <= QUIET_WITHIN_S, f"{tab}: still sending requests {QUIET_WITHIN_S:g} s after the last move ({sent} sent; last: {recent})"
