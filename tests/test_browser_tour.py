"""Start here in Chromium: every step's button and every "where the essay simplifies" button lands on the view it
names, set up (the tab selected, the knobs showing the link's values, the view drawn); each idea's question reveals
its answer only after one is checked, and the score counts, in English at 1280x900 and in Chinese at 390x844, with
nothing wider than its box. Screenshots: tour-<lang>-<size>.png, tour-quiz-<lang>-<size>.png."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from demo import tour_render as render
from demo.app_state import AGENT_NAME, GAN_NAME, GPT_NAME
from demo.i18n import text
from tests.conftest import open_sized_page, require_checkpoint, screenshot_path, SIZES

pytestmark = pytest.mark.browser

TAB_NAMES = {"text": "tab.text", "inside": "tab.inside", "learn": "tab.learn", "image": "tab.image",
             "toy-gan": "tab.toy_gan", "agent": "tab.agent", "tour": "tab.tour"}

# What the page shows for each link parameter: (JS reading it, what it should equal for the link's value). The reads
# are Gradio's own inputs inside each knob's elem_id.
VALUE = "(id) => { const e = document.querySelector(`#${id} input[type=number], #${id} textarea, #${id} input`); return e ? e.value : null; }"
CHECKED = "(id) => { const e = document.querySelector(`#${id} input:checked`); return e ? e.value : null; }"
BOX = "(id) => { const e = document.querySelector(`#${id} input[type=checkbox]`); return e ? String(e.checked) : null; }"


def number(value: str) -> str:
    return f"{float(value):g}"


KNOBS = {  # parameter -> (elem_id, reader, the shown value for the link's text)
    "text-prompt": ("prompt", VALUE, str), "text-temperature": ("temperature", VALUE, number),
    "inside-prompt": ("prompt", VALUE, str),  # Inside the GPT looks at the Text tab's prompt
    "inside-step": ("inside-step", VALUE, number), "inside-layer": ("inside-layer", VALUE, number),
    "inside-head": ("inside-head", CHECKED, str),
    "learn-prompt": ("gpt-learning-prompt", VALUE, str),
    "image-class": ("gan-class", VALUE, str), "image-seed": ("gan-seed", VALUE, number),
    "image-psi": ("gan-psi", VALUE, number), "image-dir1": ("gan-direction-0", VALUE, number),
    "toy-gan-data": ("toy-gan-dataset", VALUE, str), "toy-gan-loss": ("toy-gan-loss", CHECKED, str),
    "agent-seed": ("agent-seed", VALUE, number), "agent-temperature": ("agent-temperature", VALUE, number),
    "agent-wind": ("agent-wind", BOX, str), "agent-wind-power": ("agent-wind-power", VALUE, number),
}
# Parameters whose knob shows another form of the value: the checks that stand for them
SHOWN_OTHERWISE = {
    "learn-step": "(v) => (document.querySelector('#gpt-learning-caption-box') || {}).innerText?.includes(v)",
    "agent-snapshot": "(v) => (document.querySelector('#agent-snapshot input') || {}).value?.includes('16,384')",
}
# The view drawn for each tab, from what the link set (read before the click, so a view left from the last link
# does not count): a JS function of (params, before) that is true once the new view is there.
DRAWN = {
    "text": "(p, before) => { const e = document.querySelector('#generated textarea'); return !!e && e.value.length > 0 && e.value !== before; }",
    "inside": "(p, before) => { const e = document.querySelector('#inside-big'); const t = document.querySelector('#inside-text'); return !!e && e.innerText.includes(`Layer ${p['inside-layer']}, head ${p['inside-head']}`) && !!document.querySelector('#inside-worked .katex') && !!t && t.innerText.replace(/\\s+/g, '').includes(p['inside-prompt'].replace(/ /g, '␣')); }",
    "learn": "(p, before) => { const e = document.querySelector('#gpt-learning-text'); return !!e && e.innerText.trim().length > 0 && e.innerText !== before; }",
    "image": "(p, before) => { const i = document.querySelector('#gan-image img'); const v = document.querySelector('#gan-verdict'); return !!i && i.src !== before && !!v && /0\\.\\d/.test(v.innerText); }",
    "toy-gan": "(p, before) => { const e = document.querySelector('#toy-gan-status'); return !!e && e.innerText.trim().length > 0; }",
    "agent": "(p, before) => !!document.querySelector('#agent-player [data-frame]')",
}
BEFORE = {  # what the view showed before the click (the DRAWN checks' `before`)
    "text": "() => (document.querySelector('#generated textarea') || {}).value || ''",
    "learn": "() => (document.querySelector('#gpt-learning-text') || {}).innerText || ''",
    "image": "() => (document.querySelector('#gan-image img') || {}).src || ''",
}


def idea_links(idea: str) -> list[tuple[str, str]]:
    """(button elem_id, query) of each step of `idea` and each of its notes, in page order."""
    out = []
    for step in render.STEPS[idea]:
        out.append((f"tour-open-{step.key.replace('.', '-')}", step.query))
        out += [(f"tour-open-note-{note.key.replace('.', '-')}", note.query) for note in step.notes]
    return out


def open_page(browser, url: str, size: str):
    for name in (GPT_NAME, GAN_NAME, AGENT_NAME):
        require_checkpoint(name)
    context, page = open_sized_page(browser, url, size)
    page.locator("#tour-intro").wait_for()
    return context, page


def show_idea(page, idea: str, lang: str) -> None:
    """The tour tab selected and the idea's accordion open."""
    tab = page.get_by_role("tab", name=text("tab.tour", lang), exact=True)
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
    quiz = page.locator(f"#tour-quiz-{idea}")
    if not quiz.is_visible():
        page.locator(f"#tour-{idea} button.label-wrap").first.click()
    quiz.wait_for(state="visible")


def assert_lands(page, button_id: str, query: str, lang: str = "en") -> None:
    params = dict(parse_qsl(query))
    tab = params.pop("tab")
    before = page.evaluate(BEFORE[tab]) if tab in BEFORE else ""
    page.locator(f"#{button_id}").click()
    page.get_by_role("tab", name=text(TAB_NAMES[tab], lang), exact=True).and_(
        page.locator("[aria-selected=true]")).wait_for()
    checks = [f"(({reader})({json.dumps(elem_id)}) === {json.dumps(shown(value))})"
              for name, value in params.items() if name in KNOBS
              for elem_id, reader, shown in [KNOBS[name]]]
    checks += [f"(({SHOWN_OTHERWISE[name]})({json.dumps(value)}))" for name, value in params.items() if name in SHOWN_OTHERWISE]
    assert all(name in KNOBS or name in SHOWN_OTHERWISE for name in params), params
    checks.append(f"(({DRAWN[tab]})({json.dumps(params)}, {json.dumps(before)}))")
    ready = "() => " + " && ".join(checks)
    try:
        page.wait_for_function(ready, timeout=60_000)
    except Exception:  # say which part never showed
        failing = [c for c in checks if not page.evaluate("() => " + c)]
        pytest.fail(f"{button_id} ({query}) did not land set up; unmet: {failing}")
    assert page.locator("#link-note").is_hidden(), page.locator("#link-note").inner_text()  # nothing was ignored
    assert page.evaluate("() => window.scrollY") < 400  # the view starts in sight


@pytest.mark.parametrize("idea", render.IDEAS)
def test_every_button_of_an_idea_opens_its_view_set_up(app_url, browser, idea):
    context, page = open_page(browser, app_url + "/?lang=en", "desktop")
    try:
        for button_id, query in idea_links(idea):
            show_idea(page, idea, "en")
            assert_lands(page, button_id, query)
    finally:
        context.close()


def fits(page, root: str) -> list[str]:
    """Labels, buttons and Markdown blocks under `root` whose text is wider than their box."""
    return page.evaluate("""(root) => [...document.querySelectorAll(`${root} button, ${root} label, ${root} .prose p`)]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 60))""", root)


@pytest.mark.parametrize("lang, size", [("en", "desktop"), ("zh-CN", "phone")])
def test_check_yourself_reveals_after_an_answer_and_counts_the_score(app_url, browser, lang, size):
    context, page = open_page(browser, app_url + f"/?lang={lang}", size)
    try:
        page.get_by_role("tab", name=text("tab.tour", lang), exact=True).wait_for()
        page.locator("#tour-step-gpt-attention .katex-display").wait_for()  # the formulas render
        assert text("tour.idea.gpt", lang) in page.locator("#tour-gpt").inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
        assert not fits(page, "#tour-gpt")
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=str(screenshot_path(f"tour-{lang}-{size}.png")), full_page=True)
        for answered, idea in enumerate(render.IDEAS, start=1):
            show_idea(page, idea, lang)
            quiz = f"#tour-quiz-{idea}"
            page.locator(f"{quiz}-check").click()  # nothing asked yet: a note, no reveal
            page.locator(f"{quiz}-note").get_by_text(text("tour.error_no_question", lang)).wait_for()
            page.locator(f"{quiz}-ask").click()
            page.locator(f"{quiz}-answer input[type=radio]").first.wait_for()
            assert page.locator(f"{quiz}-reveal").is_hidden()
            assert page.locator(f"{quiz}-question").inner_text() != text("tour.quiz.waiting", lang)
            if idea == "gan":
                page.locator("#tour-quiz-gan-image img").wait_for()
            page.locator(f"{quiz}-check").click()  # asked, not answered: a note, still no reveal
            page.locator(f"{quiz}-note").get_by_text(text("tour.error_no_choice", lang)).wait_for()
            assert page.locator(f"{quiz}-reveal").is_hidden()
            page.locator(f"{quiz}-answer label").first.click()
            page.locator(f"{quiz}-check").click()
            verdicts = [text("tour.quiz.right", lang).strip("*"), text("tour.quiz.wrong", lang).strip("*")]
            page.wait_for_function("([id, words]) => { const e = document.querySelector(id);"
                                   " return !!e && e.offsetParent !== null && words.some(w => e.innerText.includes(w)); }",
                                   arg=[f"{quiz}-reveal", verdicts])
            assert page.locator(f"{quiz}-note").is_hidden()
            score = page.locator(f"{quiz}-score").inner_text()
            assert (f"of {answered} right" in score) if lang == "en" else (f"答对 {answered} 题中的" in score), score
            assert not fits(page, quiz), fits(page, quiz)
        steps = page.evaluate("() => [...document.querySelectorAll('[id^=tour-step-]')].map(e =>"
                              " [e.id, !!e.querySelector('.katex-display'), !!e.querySelector('.katex-error')])")
        assert len(steps) == sum(len(s) for s in render.STEPS.values())
        assert all(formula and not error for _, formula, error in steps), steps  # every formula renders
        page.screenshot(path=str(screenshot_path(f"tour-quiz-{lang}-{size}.png")), full_page=True)
    finally:
        context.close()


def test_a_step_opens_its_view_in_chinese_on_a_phone(app_url, browser):
    context, page = open_page(browser, app_url + "/?lang=zh-CN", "phone")
    try:
        show_idea(page, "gpt", "zh-CN")
        (button_id, query), = [(b, q) for b, q in idea_links("gpt") if b == "tour-open-gpt-block"]
        page.locator(f"#{button_id}").scroll_into_view_if_needed()
        assert text("tour.open.gpt.block", "zh-CN") in page.locator(f"#{button_id}").inner_text()
        params = dict(parse_qsl(query))
        page.locator(f"#{button_id}").click()
        page.get_by_role("tab", name=text("tab.inside", "zh-CN"), exact=True).and_(
            page.locator("[aria-selected=true]")).wait_for()
        page.wait_for_function("([layer, prompt]) => { const e = document.querySelector('#inside-layer input[type=number]');"
                               " const t = document.querySelector('#inside-text');"
                               " return !!e && e.value === layer && !!document.querySelector('#inside-worked .katex')"
                               " && !!t && t.innerText.replace(/\\s+/g, '').includes(prompt.replace(/ /g, '␣')); }",
                               arg=[params["inside-layer"], params["inside-prompt"]])
        assert "lang=zh-CN" in page.url and "inside-layer=6" in page.url
        page.screenshot(path=str(screenshot_path("tour-opened-zh-CN-phone.png")))
    finally:
        context.close()
