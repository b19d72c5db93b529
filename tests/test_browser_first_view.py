"""Views drawn the first time their tab is opened (demo/first_view.py), in Chromium: opening the page asks the server
nothing; the Images tab's first opening draws its verdict and grid, the game's round and the learning snapshot
(three events), and a second opening asks nothing again; the Agent tab's first opening draws its learning curve."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# A tab's first views are pressed in its select event (or as soon as Gradio has mounted the tab): two frames after
# the tab shows, any would be on their way
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def test_the_page_asks_nothing_until_a_tab_with_first_views_is_opened(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    joins: list[str] = []
    page.on("request", lambda r: joins.append(r.url) if "/gradio_api/queue/join" in r.url else None)
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="Start here").wait_for()
        page.wait_for_function("() => window.playgroundFirstViews !== undefined")
        page.evaluate(TWO_FRAMES)  # Gradio sends a page's load events as it mounts the page
        assert joins == []
        page.get_by_role("tab", name="Images (GAN)").click()
        page.wait_for_function("() => document.querySelectorAll('#gan-grid img').length === 16")
        page.wait_for_function("() => document.querySelectorAll('#gan-game-images img').length > 0")
        page.wait_for_function("() => document.querySelector('#gan-learning-curves svg')")
        assert len(joins) == 3
        page.get_by_role("tab", name="Text (GPT)").click()
        page.get_by_role("tab", name="Images (GAN)").click()
        page.locator("#gan-grid").wait_for(state="visible")
        page.evaluate(TWO_FRAMES)
        assert len(joins) == 3  # drawn once a page
        page.get_by_role("tab", name="Agent (RL)").click()
        page.wait_for_function("() => document.querySelectorAll('#agent-curve svg').length === 2")
        assert len(joins) == 4
    finally:
        context.close()
