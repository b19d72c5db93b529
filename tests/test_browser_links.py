"""Links that keep their state, in Chromium (demo/links.py, demo/static/links.js): a knob the visitor moves is written
into the URL, that URL opened in a fresh page shows the same knob and tab, Copy link copies it, the language switch
keeps it, and a link with a bad value opens with the rest applied and one quiet note."""
from __future__ import annotations

import pytest

from demo.app_state import GPT_NAME
from tests.conftest import require_checkpoint

pytestmark = pytest.mark.browser

SELECTED_TAB = "() => (document.querySelector('#main-tabs [role=tab][aria-selected=true]') || {}).dataset?.tabId"
NOTE = "() => { const n = document.querySelector('#link-note'); return n && n.offsetParent ? n.textContent : ''; }"


def new_page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 500)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def slider_number(page, elem_id: str):
    return page.locator(f"#{elem_id} input[type=number]")


def test_a_moved_knob_goes_into_the_link_and_the_link_brings_it_back(browser, app_url):
    require_checkpoint(GPT_NAME)
    context, page = new_page(browser)
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="Agent (RL)").click()
        page.wait_for_function("() => new URL(location.href).searchParams.get('tab') === 'agent'")
        page.get_by_role("tab", name="Text (GPT)").click()
        number = slider_number(page, "temperature")
        number.fill("0.35")
        number.press("Enter")
        page.wait_for_function("() => new URL(location.href).searchParams.get('text-temperature') === '0.35'")
        link = page.evaluate("() => location.href")
        assert "tab=text" in link
        page.locator("#copy-link").click()
        page.wait_for_function("() => document.querySelector('#copy-link').dataset.copied === 'yes'")
        assert page.evaluate("() => navigator.clipboard.readText()") == link
    finally:
        context.close()
    context, page = new_page(browser, 390, 844)
    try:
        page.goto(link)
        page.wait_for_function("() => { const n = document.querySelector('#temperature input[type=number]');"
                               " return n && Number(n.value) === 0.35; }")
        assert page.evaluate(SELECTED_TAB) == "text"
        assert page.evaluate(NOTE) == ""
        page.locator("#language-switch a[data-lang='zh-CN']").click()  # the switch keeps the link's state
        page.wait_for_function("() => new URL(location.href).searchParams.get('lang') === 'zh-CN'")
        assert "text-temperature=0.35" in page.evaluate("() => location.search")
        page.wait_for_function("() => { const n = document.querySelector('#temperature input[type=number]');"
                               " return n && Number(n.value) === 0.35; }")
    finally:
        context.close()


def test_a_bad_value_is_left_out_with_a_quiet_note_and_the_rest_applies(browser, app_url):
    require_checkpoint(GPT_NAME)
    context, page = new_page(browser)
    try:
        page.goto(app_url + "?tab=text&text-temperature=0.6&text-seed=minus-one&nonsense=1")
        page.wait_for_function("() => { const n = document.querySelector('#temperature input[type=number]');"
                               " return n && Number(n.value) === 0.6; }")
        page.wait_for_function(f"() => ({NOTE})().includes('text-seed')")
        note = page.evaluate(NOTE)
        assert "nonsense" in note and "temperature" not in note
        assert page.evaluate(SELECTED_TAB) == "text"
        assert not page.locator(".toast-body").count()  # never an error pop-up
    finally:
        context.close()
