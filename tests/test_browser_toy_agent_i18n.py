"""The GAN playground and the Agent tab in both languages and from links (issue #25), in Chromium at 1280x900 and
390x844: with ?lang=zh-CN their knobs, buttons, status lines, canvas words and the player's labels are Chinese (and
English with ?lang=en), no label or button is wider than its box; a link with their parameters sets the knobs and
draws the view (a fresh GAN of those settings, not playing; the agent's episode, ready to watch), and a bad value is
left out with the quiet note while the rest applies. Screenshots: toy-gan-<lang>-<size>.png, agent-<lang>-<size>.png."""
from __future__ import annotations

import json

import pytest

from demo.app_state import AGENT_NAME
from demo.i18n import text
from tests.conftest import open_sized_page as open_page, require_checkpoint, screenshot_path, SIZES

pytestmark = pytest.mark.browser

LANGS = ("zh-CN", "en")
VIEW = "JSON.parse(document.querySelector('#toy-gan-view textarea, #toy-gan-view input').value)"
# Labels and buttons whose text is cut or runs out of its box (scrollWidth past clientWidth)
OVERFLOWING = """(root) => [...document.querySelectorAll(root + ' label, ' + root + ' button, ' + root + ' .agent-side div')]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto')
    .map(e => e.id || e.className || e.textContent.slice(0, 30))"""


def shows(page, selector: str, want: str) -> None:
    """Wait until the element's text contains `want`."""
    page.wait_for_function("([s, want]) => { const e = document.querySelector(s); return !!e && e.textContent.includes(want); }",
                           arg=[selector, want])


def fits(page, root: str) -> list[str]:
    page.evaluate("() => document.fonts.ready")
    return page.evaluate(OVERFLOWING, root)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_the_gan_playground_speaks_the_pages_language(browser, app_url, size, lang):
    context, page = open_page(browser, f"{app_url}/?lang={lang}&tab=toy-gan", size)
    try:
        shows(page, "#toy-gan-canvas .toy-info", text("toy_gan.canvas_info", lang, step=0, distance="", data="", loss="",
                                                      optimiser="").split(" ·")[0])
        assert page.locator("#toy-gan-play").inner_text().strip() == text("toy_gan.play", lang)
        assert page.locator("#toy-gan-step").inner_text().strip() == text("toy_gan.step", lang)
        knobs = page.locator("#toy-gan-knobs").inner_text()
        for key in ("toy_gan.data", "toy_gan.loss", "toy_gan.optimiser", "toy_gan.lr_g", "toy_gan.speed", "toy_gan.seed",
                    "toy_gan.loss_non-saturating", "toy_gan.optimiser_sgd", "term.gan_losses"):
            assert text(key, lang) in knobs, key
        assert text("toy_gan.data_ring", lang) in page.locator("#toy-gan-dataset input").input_value()
        assert page.locator("#toy-gan-status").inner_text().startswith(text("toy_gan.ready", lang).split("**")[0].strip())
        info = page.locator("#toy-gan-canvas .toy-info").inner_text()
        assert text("toy_gan.canvas_energy", lang) in info and text("toy_gan.data_ring", lang) in info
        assert page.locator("#toy-gan-canvas .toy-plane").get_attribute("aria-label") == text("toy_gan.canvas_plane", lang)
        page.locator("#toy-gan-step").click()  # a status line a handler formats
        shows(page, "#toy-gan-canvas .toy-info", text("toy_gan.canvas_info", lang, step=1, distance="", data="", loss="",
                                                      optimiser="").split(" ·")[0])
        page.locator("#toy-gan-reset").click()
        shows(page, "#toy-gan-status", text("toy_gan.new_gan", lang, seed=0).split("**")[0].strip())
        assert not fits(page, "#toy-gan-row"), fits(page, "#toy-gan-row")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.screenshot(path=str(screenshot_path(f"toy-gan-{lang}-{size}.png")), full_page=size == "desktop")
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_the_agent_tab_speaks_the_pages_language(browser, app_url, size, lang):
    require_checkpoint(AGENT_NAME)
    context, page = open_page(browser, f"{app_url}/?lang={lang}&tab=agent", size)
    try:
        shows(page, "#agent-curve", text("agent.curve_steps", lang))  # the curve, drawn in the page's language
        assert page.locator("#agent-play").inner_text().strip() == text("agent.play", lang)
        knobs = page.locator("#agent-knobs").inner_text()
        for key in ("agent.snapshot", "agent.seed", "agent.temperature", "agent.wind", "agent.gravity", "agent.randomise"):
            assert text(key, lang) in knobs, key
        assert text("agent.snapshot_choice", lang) in page.locator("#agent-snapshot input").input_value()
        terms = page.locator("#agent-terms").inner_text()
        assert all(text(f"term.{key}.name", lang) in terms for key in ("ppo", "critic", "gae"))
        player = page.locator("#agent-player")
        assert text("agent.player_ready", lang) in player.inner_text()
        assert text("agent.action_2", lang) in player.inner_text()
        page.locator("#agent-play").click()
        page.wait_for_function("() => document.querySelector('#agent-player [data-state=\"done\"]') !== null")
        result = player.locator(".agent-result").inner_text()
        assert text("agent.landed", lang) in result or text("agent.crashed", lang) in result, result
        assert text("agent.player_frame", lang).split("{")[0].strip() in player.locator(".agent-step").inner_text()
        assert not fits(page, "#agent-row"), fits(page, "#agent-row")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.screenshot(path=str(screenshot_path(f"agent-{lang}-{size}.png")), full_page=size == "desktop")
    finally:
        context.close()


def test_a_gan_playground_link_draws_a_fresh_gan_of_its_settings_and_leaves_a_bad_value_out(browser, app_url):
    link = ("tab=toy-gan&toy-gan-data=spiral&toy-gan-loss=least-squares&toy-gan-optimiser=sgd&toy-gan-lr-g=0.002"
            "&toy-gan-lr-d=0.003&toy-gan-d-steps=99&toy-gan-speed=7&toy-gan-seed=42")
    context, page = open_page(browser, f"{app_url}/?{link}", "desktop")
    try:
        shows(page, "#toy-gan-status", "seed 42")
        view = page.evaluate(VIEW)
        assert view["step"] == 0 and view["knobs"] == {"data": "spiral", "loss": "least-squares", "optimiser": "sgd",
                                                       "lr_g": 0.002, "lr_d": 0.003, "d_steps": 1}
        assert page.locator("#toy-gan-dataset input").input_value() == "spiral"
        assert page.locator("#toy-gan-loss input:checked").input_value() == "least-squares"
        assert page.locator("#toy-gan-speed input[type=number]").input_value() == "7"
        assert page.locator("#toy-gan-seed input").input_value() == "42"
        note = page.locator("#link-note")
        note.wait_for(state="visible")
        assert "toy-gan-d-steps" in note.inner_text() and "toy-gan-seed" not in note.inner_text()
        # Not playing: the visitor presses Play (a second look still shows step 0).
        page.locator("#toy-gan-canvas .toy-info").get_by_text(text("toy_gan.canvas_info", "en", step=0, distance="", data="",
                                                                   loss="", optimiser="").split(" ·")[0]).wait_for()
        assert page.evaluate(VIEW)["step"] == 0
    finally:
        context.close()


@pytest.mark.parametrize("wind,seed,outcome", [(False, 6, "agent.landed"), (True, 6, "agent.crashed")])
def test_an_agent_link_plays_its_episode_ready_to_watch(browser, app_url, wind, seed, outcome):
    """The tour's two questions: seed 6 lands well with the final policy, and crashes in wind 15."""
    require_checkpoint(AGENT_NAME)
    link = f"tab=agent&agent-seed={seed}&agent-temperature=oops" + ("&agent-wind=true&agent-wind-power=15" if wind else "")
    context, page = open_page(browser, f"{app_url}/?{link}", "desktop")
    try:
        page.wait_for_function("() => document.querySelector('#agent-player [data-state=\"done\"]') !== null")
        result = page.locator("#agent-player .agent-result").inner_text()
        assert text(outcome, "en") in result, result
        assert f"seed {seed}," in page.locator("#agent-player .agent-step").inner_text()
        assert page.locator("#agent-seed input").input_value() == str(seed)
        assert page.locator("#agent-wind input").is_checked() == wind
        note = page.locator("#link-note")
        note.wait_for(state="visible")
        assert "agent-temperature" in note.inner_text() and "agent-seed" not in note.inner_text()
    finally:
        context.close()


def test_the_link_parsers_refuse_stale_values():
    """A snapshot that no longer exists, a seed out of range, a wind that is not a yes or no: refused (the link's
    note names them); good values become the knobs' values."""
    from core.validation import KnobError
    from demo.agent_tab import parse_wind
    from demo.toy_gan_tab import LINK_PARAMS, link_parsers

    parse = dict(zip(LINK_PARAMS, link_parsers()))
    assert parse["toy-gan-data"]("Spiral") == "spiral" and parse["toy-gan-seed"]("4294967295") == 4294967295
    for name, bad in (("toy-gan-seed", "4294967296"), ("toy-gan-lr-g", "1"), ("toy-gan-loss", "hinge"), ("toy-gan-d-steps", "0")):
        with pytest.raises(KnobError):
            parse[name](bad)
    assert [parse_wind(v) for v in ("true", "1", "False", "0")] == [True, True, False, False]
    with pytest.raises(KnobError):
        parse_wind("maybe")
    assert json.dumps(LINK_PARAMS)  # the names the tour uses
