"""Issue #23's page-wide defects, each checked in Chromium at a desktop (1280x900) and a phone (390x844) size:
all six tabs are buttons on screen (none behind Gradio's "More tabs" menu), the bold heading is drawn in the theme's
font with every glyph (Gradio's semibold file is a subset), nothing loads from another origin, the "Use via API" page
counts what it lists, logs no 404, shows no MCP tab, opens from ?view=api and from a phone, a focused tab's ring is
not clipped, the real-or-fake game starts with a round and its table breaks no word, and the page names all three
models."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo.build import TITLE
from tests.conftest import screenshot_path, SIZES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
TABS = ["Text (GPT)", "Inside the GPT", "GPT learns", "Images (GAN)", "GAN playground", "Agent (RL)", "About"]

# The page's h1, measured with the font it is drawn in, once with a serif and once with a monospace fallback: the same
# width only if the first font of the list has every glyph of the text (with Gradio's subset semibold, "G" and "N"
# came from the fallback).
HEADING_FONT_JS = r"""async () => {
  const h = document.querySelector('.prose h1');
  const style = getComputedStyle(h);
  const family = style.fontFamily.split(',')[0].trim();
  const text = h.textContent.trim();
  const font = (fallback) => `${style.fontWeight} 40px ${family}, ${fallback}`;
  await document.fonts.load(font('serif'), text);
  const context = document.createElement('canvas').getContext('2d');
  const width = (fallback) => { context.font = font(fallback); return context.measureText(text).width; };
  const bare = (name) => name.replace(/["']/g, '');
  const faces = [...document.fonts].filter(f => f.status === 'loaded' && bare(f.family) === bare(family));
  return {family, weight: Number(style.fontWeight), text, serif: width('serif'), monospace: width('monospace'),
          loaded_weights: faces.map(f => Number(f.weight))};
}"""
# The focused element's outline box, and every ancestor that clips (overflow other than visible) with its box.
FOCUS_RING_JS = r"""() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const grow = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
  const r = e.getBoundingClientRect();
  const ring = {left: r.left - grow, top: r.top - grow, right: r.right + grow, bottom: r.bottom + grow};
  const clips = [];
  for (let n = e.parentElement; n; n = n.parentElement) {
    const s = getComputedStyle(n);
    const b = n.getBoundingClientRect();
    if (s.overflowX !== 'visible') clips.push({name: n.className, axis: 'x', from: b.left, to: b.right});
    if (s.overflowY !== 'visible') clips.push({name: n.className, axis: 'y', from: b.top, to: b.bottom});
  }
  return {text: e.textContent.trim(), visible: e.matches(':focus-visible'), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), ring, clips};
}"""
# Words (letters and digits) in the cells of a table that the browser laid out over more than one line.
BROKEN_WORDS_JS = r"""(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(`${selector} td, ${selector} th`)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/[\p{L}\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(x => Math.round(x.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture(params=list(SIZES))
def page(request, browser, app_url):
    """A fresh page at each size that records what goes wrong, each as a line in page.problems: responses of 400 or
    more, console errors, requests to another origin, and requests to the routes of the features the app turns off
    (monitoring, MCP: HttpGuard answers them 404), which are made as the API page opens, before it lists anything."""
    page = browser.new_page(viewport=SIZES[request.param])
    page.set_default_timeout(60_000)
    page.size_name, page.problems = request.param, []

    def on_request(r) -> None:
        if not r.url.startswith((app_url, "data:", "blob:")):
            page.problems.append(f"other origin: {r.url}")
        elif re.search(r"/monitoring|/gradio_api/mcp", r.url):
            page.problems.append(f"a closed route: {r.url}")

    page.on("request", on_request)
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.goto(app_url)
    page.get_by_role("tab", name="About").wait_for()
    yield page
    page.close()


def test_all_six_tabs_are_buttons_on_screen_with_no_overflow_menu(page):
    boxes = {name: page.get_by_role("tab", name=name).bounding_box() for name in TABS}
    width = SIZES[page.size_name]["width"]
    for name, box in boxes.items():
        assert box and box["width"] > 20 and 0 <= box["x"] and box["x"] + box["width"] <= width, (name, box)
    more = page.get_by_role("button", name="More tabs")
    assert not (more.count() and more.is_visible()), "tabs folded into Gradio's overflow menu"
    for name in reversed(TABS):  # each one is reachable with one click, and opens
        page.get_by_role("tab", name=name).click()
        page.wait_for_function("(name) => document.querySelector('button[role=tab][aria-selected=true]')"
                               ".textContent.trim() === name", arg=name)
    page.locator("[role=tablist]").screenshot(path=str(screenshot_path(f"tabs-{page.size_name}.png")))
    assert not page.problems, page.problems


def test_the_bold_heading_is_drawn_in_the_theme_font_from_this_origin(page):
    font = page.evaluate(HEADING_FONT_JS)
    assert font["family"].strip('"') == "Source Sans Pro" and font["weight"] >= 600, font
    assert font["text"] == TITLE
    assert abs(font["serif"] - font["monospace"]) < 0.5, f"some glyphs of {font['text']!r} come from a fallback font: {font}"
    assert max(font["loaded_weights"], default=0) >= 600, font  # a real bold face, not one the browser made up
    page.locator(".prose h1").screenshot(path=str(screenshot_path(f"heading-{page.size_name}.png")))
    assert not page.problems, page.problems


def test_the_page_names_all_three_models(page, app_url):
    assert page.title() == TITLE and all(word in TITLE for word in ("GPT", "GAN", "RL"))
    subtitle = page.locator(".prose").first.inner_text()
    assert "reinforcement-learning agent" in subtitle and "GPT" in subtitle and "GAN" in subtitle
    page.get_by_role("tab", name="About").click()
    about = page.locator("#about").inner_text()
    assert "Both models" not in about and "Three ideas, three models" in about
    readme = (ROOT / "README.md").read_text()
    assert f"\n# {TITLE}\n" in readme
    assert re.search(r"^title: GPT, GAN and RL", readme, re.M)


def test_a_focused_tab_shows_its_whole_focus_ring(page):
    page.get_by_role("tab", name=TABS[0]).focus()
    for i, name in enumerate(TABS):
        if i:
            page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING_JS)
        assert ring["text"] == name and ring["visible"], ring
        assert ring["outline"] != "none" and ring["width"] >= 2, ring
        for clip in ring["clips"]:
            low, high = (ring["ring"]["left"], ring["ring"]["right"]) if clip["axis"] == "x" else (ring["ring"]["top"], ring["ring"]["bottom"])
            assert clip["from"] <= low and high <= clip["to"], f"{name}: its focus ring is clipped by {clip}"
        if i == 2:
            box = page.locator("[role=tablist]").bounding_box()
            page.screenshot(path=str(screenshot_path(f"tab-focus-{page.size_name}.png")),
                            clip={"x": 0, "y": max(0, box["y"] - 12), "width": SIZES[page.size_name]["width"],
                                  "height": box["height"] + 24})


def open_api_page(page) -> None:
    link = page.locator("footer").get_by_role("button", name="Use via API")
    link.scroll_into_view_if_needed()
    assert link.is_visible(), "no 'Use via API' link"
    box, width = link.bounding_box(), SIZES[page.size_name]["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    link.click()


def assert_api_page_as_intended(page) -> None:
    page.locator(".endpoint-container pre").first.wait_for()
    count = page.locator(".banner-wrap .counts")
    page.wait_for_function("() => document.querySelectorAll('.endpoint-container').length > 0")
    listed = page.locator(".endpoint-container").count()
    assert re.search(rf"\b{listed} API endpoints\b", count.inner_text()), (count.inner_text(), listed)
    box = count.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[page.size_name]["width"], f"the count is off screen: {box}"
    visible = [li.inner_text().strip() for li in page.locator("li.snippet").all() if li.is_visible()]
    assert "Python" in visible and "MCP" not in visible, visible
    shown = [e for e in page.get_by_text("mcp_server=True").all() if e.is_visible()]
    assert not shown, "instructions shown for MCP, which the app keeps off"


def test_use_via_api_counts_what_it_lists_and_logs_no_error(page):
    open_api_page(page)
    assert_api_page_as_intended(page)
    page.screenshot(path=str(screenshot_path(f"api-page-{page.size_name}.png")))
    assert not page.problems, page.problems


def test_view_api_in_the_url_opens_the_api_page(page, app_url):
    page.goto(f"{app_url}/?view=api")
    assert_api_page_as_intended(page)
    assert "view=api" in page.url
    assert not page.problems, page.problems


def test_the_game_starts_with_a_round_and_its_table_breaks_no_word(page):
    page.get_by_role("tab", name="Images (GAN)").click()
    page.locator("#gan-game-images").scroll_into_view_if_needed()
    page.wait_for_function("() => { const img = document.querySelector('#gan-game-images img');"
                           " return img && img.naturalWidth > 300; }")  # dealt with no click on New round
    page.locator("#gan-game-marks").get_by_text("2", exact=True).click()
    page.locator("#gan-game-reveal").click()
    result = page.locator("#gan-game-result")
    result.get_by_text("Running score over 1 round(s)").wait_for()
    result.scroll_into_view_if_needed()
    assert not page.evaluate(BROKEN_WORDS_JS, "#gan-game-result"), "words broken mid-word in the result table"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[page.size_name]["width"]
    page.locator("#gan-game-reveal").click()  # again: the same result, and still no pop-up
    result.get_by_text("Running score over 1 round(s)").wait_for()
    assert not page.locator(".toast-body").count() and not page.locator("#gan-game-note").is_visible()
    page.locator("#gan-game").screenshot(path=str(screenshot_path(f"gan-game-result-{page.size_name}.png")))
    assert not page.problems, page.problems
