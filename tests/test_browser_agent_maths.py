"""The Agent tab's worked PPO step in Chromium, at 1280x900 and 390x844, in both languages: after Play the section
works a step of the episode shown, its formulas render in KaTeX (no KaTeX error, every display formula drawn), the
words are the page's language, nothing runs out of the page or its box, and an arrow key on the step slider works
the next step. Screenshots: agent-maths-<lang>-<size>.png."""
from __future__ import annotations

import pytest

from demo.app_state import AGENT_NAME
from demo.i18n import text
from tests.conftest import open_sized_page, require_checkpoint, screenshot_path, SIZES

pytestmark = pytest.mark.browser

WORKED = "#agent-maths-worked"
# Display formulas wider than their box that do not scroll inside it, and how far the page scrolls sideways
OVERFLOW = """() => {
  const box = document.querySelector('#agent-maths').getBoundingClientRect();
  const wide = [...document.querySelectorAll('#agent-maths .katex-display, #agent-maths svg, #agent-maths p')]
    .filter(e => e.getBoundingClientRect().right > box.right + 1 && getComputedStyle(e).overflowX !== 'auto')
    .map(e => e.textContent.slice(0, 40));
  return {wide, page: document.documentElement.scrollWidth - window.innerWidth};
}"""


def bold(key: str, lang: str) -> str:
    """The bold label a worked-step paragraph starts with ("3. The TD error")."""
    return text(key, lang).split("**")[1]


def heading_step(page) -> int:
    return int(page.evaluate(f"() => document.querySelector('{WORKED} strong').textContent.match(/\\d+/)[0]"))


@pytest.mark.parametrize("lang", ("en", "zh-CN"))
@pytest.mark.parametrize("size", SIZES)
def test_a_step_is_worked_in_katex_and_fits(browser, app_url, size, lang):
    require_checkpoint(AGENT_NAME)
    context, page = open_sized_page(browser, f"{app_url}/?lang={lang}&tab=agent", size)
    try:
        page.locator("#agent-play").wait_for(state="visible")
        page.locator("#agent-seed input").fill("3")
        page.locator("#agent-play").click()
        page.locator("#agent-maths > button").first.click()  # open the accordion
        page.wait_for_function(f"() => document.querySelectorAll('{WORKED} .katex-display').length >= 10")
        worked = page.locator(WORKED)
        assert worked.locator(".katex-error").count() == 0
        words = worked.inner_text()
        for key in ("agent_maths.reward", "agent_maths.values", "agent_maths.delta", "agent_maths.gae",
                    "agent_maths.ratio", "agent_maths.objective"):
            assert bold(key, lang) in words, key
        assert "$" not in words  # every formula rendered, none left as source
        assert page.locator("#agent-maths-timeline svg circle").count() >= 1  # the worked step ringed
        page.evaluate("() => document.fonts.ready")
        overflow = page.evaluate(OVERFLOW)
        assert overflow == {"wide": [], "page": 0}, overflow
        page.locator("#agent-maths").scroll_into_view_if_needed()
        page.locator("#agent-maths").screenshot(path=str(screenshot_path(f"agent-maths-{lang}-{size}.png")))
        # One arrow key on the slider works the next step (knob_release sends the slider's release)
        first = heading_step(page)
        page.locator("#agent-maths-step input[type=range]").focus()
        page.keyboard.press("ArrowRight" if first == 0 else "ArrowLeft")
        want = first + 1 if first == 0 else first - 1
        page.wait_for_function(f"() => Number(document.querySelector('{WORKED} strong').textContent.match(/\\d+/)[0]) === {want}")
        # A click on the timeline's right end works the episode's last step, and the slider follows it
        timeline = page.locator("#agent-maths-timeline svg").filter(visible=True).first
        box = timeline.bounding_box()
        timeline.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
        last = page.evaluate("() => Number(document.querySelector('#agent-maths-timeline .agent-maths-pick').dataset.n) - 1")
        page.wait_for_function(f"() => Number(document.querySelector('{WORKED} strong').textContent.match(/\\d+/)[0]) === {last}")
        page.wait_for_function(f"() => document.querySelector('#agent-maths-step input[type=number]').value === '{last}'")
    finally:
        context.close()
