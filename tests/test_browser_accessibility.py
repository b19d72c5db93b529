"""Contrast and focus, measured in Chromium on every tab, in the light and the dark theme (WCAG AA: 4.5:1 for text).

The ratio is computed as WCAG defines it, from the computed text colour over the backgrounds behind it (alpha and
opacity composited); the checked texts are the ones the issue measured (slider hints, the footer links, the Generate
button) and the other text a visitor reads on every tab: labels, buttons, tab names, a slider's min and max."""
from __future__ import annotations

import pytest

from tests.conftest import screenshot_path

pytestmark = pytest.mark.browser

AA = 4.5
TABS = ["Text (GPT)", "Inside the GPT", "Images (GAN)", "GAN playground", "Agent (RL)", "About"]
CHECKED = (".info-text, footer a, footer button, button.primary, button.secondary, button[role=tab], "
           "[data-testid=block-info], .min_value, .max_value, .prose p, .prose li, .prose td")
# For each visible element matching the selector: its text, the contrast ratio of its text, its colours.
CONTRAST_JS = r"""(selector) => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    if (!el.textContent.trim()) continue;
    const chain = [];
    let opacity = 1;
    for (let n = el; n; n = n.parentElement) { chain.push(n); opacity *= Number(getComputedStyle(n).opacity); }
    let bg = [255, 255, 255, 1];
    for (const n of chain.reverse()) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) bg = over(c, bg);
    }
    const fg0 = parse(getComputedStyle(el).color);
    const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacity], bg);
    const [a, b] = [lum(fg) + 0.05, lum(bg) + 0.05];
    out.push({text: el.textContent.trim().slice(0, 40), ratio: Math.round(100 * Math.max(a, b) / Math.min(a, b)) / 100,
              color: getComputedStyle(el).color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')'});
  }
  return out;
}
"""


@pytest.fixture(scope="module", params=["light", "dark"])
def themed_page(request, app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/?__theme={request.param}")
    page.get_by_role("tab", name="About").wait_for()
    yield request.param, page
    page.close()


@pytest.mark.parametrize("tab", TABS)
def test_text_contrast_meets_wcag_aa_on_every_tab(themed_page, tab):
    theme, page = themed_page
    page.get_by_role("tab", name=tab).click()
    page.wait_for_function("(t) => [...document.querySelectorAll('[role=tab]')].some(b => b.getAttribute('aria-selected') === 'true'"
                           " && b.innerText.includes(t)) && document.fonts.status === 'loaded'", arg=tab)
    measured = page.evaluate(CONTRAST_JS, CHECKED)
    assert len(measured) >= 5, f"too few texts found on {tab}: {measured}"
    low = [m for m in measured if m["ratio"] < AA]
    assert not low, f"{theme} theme, {tab}: below {AA}:1: {low}"


def test_the_issue_s_three_texts_are_measured(themed_page):
    """The texts the issue measured at 1.9:1 and 2.8:1 are among those checked, and now pass."""
    _, page = themed_page
    page.get_by_role("tab", name="Text (GPT)").click()
    for selector in ["#temperature .info-text", "footer button", "#generate"]:
        measured = page.evaluate(CONTRAST_JS, selector)
        assert measured and min(m["ratio"] for m in measured) >= AA, (selector, measured)


def test_a_focused_slider_shows_a_focus_ring(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="Text (GPT)").click()  # the page opens on Start here
        page.locator("#temperature input[type=range]").wait_for()
        page.locator("#temperature input[type=number]").focus()
        page.keyboard.press("Shift+Tab")  # keyboard focus (focus-visible) on the way to the range input
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        style = page.evaluate("() => { const e = document.activeElement; const s = getComputedStyle(e); "
                              "return {type: e.type, outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }")
        assert style["outline"] != "none" and style["width"] >= 2, style
        page.locator("#temperature").screenshot(path=str(screenshot_path("focus-ring.png")))
    finally:
        page.close()
