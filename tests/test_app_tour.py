"""The Start here tour on the shipped checkpoints: every step has a paragraph, a formula and a link in both
languages, the links name parameters the tabs register, the notes on where the essay simplifies say what the code
does, and "check yourself" reveals only after an answer, with the models' own numbers, and counts the score once per
question."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

from core.gan.model import Discriminator, Generator
from core.gpt.model import MLP, GPT
from demo import tour_render as render
from demo.app_state import AGENT_NAME, GAN_NAME, GPT_NAME
from demo.errors import USER_ERRORS, localized
from demo.locales import CATALOG, tr
from demo.tour_handlers import TourHandlers, empty_score
from tests.conftest import require_checkpoint

LANGS = ("en", "zh-CN")
CJK = re.compile(r"[\u4e00-\u9fff]")
# The link parameters of issue #25, by tab (the tabs register them; the tour only opens them)
PARAMS = {
    "text": {"text-prompt", "text-temperature", "text-top-k", "text-top-p", "text-max-new", "text-seed"},
    "inside": {"inside-prompt", "inside-step", "inside-layer", "inside-head"},
    "learn": {"learn-step", "learn-prompt"},
    "image": {"image-class", "image-seed", "image-psi", *(f"image-dir{i}" for i in range(1, 9)), "image-learn-step",
              "image-learn-class", "image-learn-seed"},
    "toy-gan": {f"toy-gan-{k}" for k in ("data", "loss", "optimiser", "lr-g", "lr-d", "d-steps", "speed", "seed")},
    "agent": {f"agent-{k}" for k in ("snapshot", "seed", "temperature", "wind", "wind-power", "gravity")},
}
ALL_STEPS = [step for steps in render.STEPS.values() for step in steps]


@pytest.fixture(scope="module")
def tour(app_state) -> TourHandlers:
    for name in (GPT_NAME, GAN_NAME, AGENT_NAME):
        require_checkpoint(name)
    return TourHandlers(app_state)


def test_each_idea_has_at_least_four_steps_each_with_a_paragraph_a_formula_and_a_link_in_both_languages():
    assert set(render.STEPS) == {"gpt", "gan", "rl"}
    assert all(len(steps) >= 4 for steps in render.STEPS.values()) and len(ALL_STEPS) >= 12
    for step in ALL_STEPS:
        for lang in LANGS:
            text = render.step_markdown(step, lang)
            title, paragraph, formula = text.split("\n\n")
            assert title.startswith("#### ") and len(paragraph) > 80, step.key
            assert formula.startswith("$$") and formula.endswith("$$") and len(formula) > 10, step.key
            assert bool(CJK.search(paragraph)) == (lang == "zh-CN"), step.key
            assert CATALOG[f"tour.open.{step.key}"][lang].strip()
        assert render.step_markdown(step, "en").split("\n\n")[2] == render.step_markdown(step, "zh-CN").split("\n\n")[2]


def test_every_link_opens_a_known_tab_with_parameters_that_tab_owns():
    links = render.all_links()
    assert len(links) == len(ALL_STEPS) + sum(len(s.notes) for s in ALL_STEPS)
    for label, query in links:
        assert label in CATALOG, label
        params = dict(parse_qsl(query))
        tab = params.pop("tab")
        assert tab in PARAMS and params and set(params) <= PARAMS[tab], query
        assert "'" not in query and '"' not in query  # it sits inside a JS string literal
        assert render.open_js(query).startswith("() => { window.playgroundLinks.open('?")
    attention = dict(parse_qsl(dict((step.key, step.query) for step in ALL_STEPS)["gpt.attention"]))
    assert attention == {"tab": "inside", "inside-prompt": "hello world", "inside-step": "10", "inside-layer": "1",
                         "inside-head": "2"}


def test_the_notes_on_where_the_essay_simplifies_match_the_code():
    """Each note states what core/ does; check the code says the same."""
    assert "gelu" in MLP.forward.__code__.co_names and "relu" not in MLP.forward.__code__.co_names
    gpt_source = open("core/gpt/model.py", encoding="utf-8").read()
    assert "is_causal=mask is None" in gpt_source and "apply_rotary" in gpt_source and "nn.LayerNorm" in gpt_source
    assert "x = x + self.attn(" in gpt_source and "ModuleList(Block(config) for _ in range(config.n_layer))" in gpt_source
    assert "ConvTranspose2d" in repr(Generator.__init__.__code__.co_names) or "_up" in Generator.__init__.__code__.co_names
    assert "sigmoid" not in Discriminator.forward.__code__.co_names  # D gives a logit
    notes = {note.key for step in ALL_STEPS for note in step.notes}
    assert {"gpt.mask", "gpt.positions", "gpt.gelu", "gpt.residual", "gpt.layers", "gan.generator",
            "gan.discriminator"} <= notes
    for key in notes:
        for lang in LANGS:
            assert CATALOG[f"tour.note.{key}"][lang].startswith(f"**{tr('tour.simplifies', lang)}")


def test_the_shipped_gpt_has_six_separate_layers(app_state):
    require_checkpoint(GPT_NAME)
    model: GPT = app_state.gpt.model
    assert len(model.blocks) == 6 and model.blocks[0].attn is not model.blocks[1].attn


def test_the_agent_lands_the_tours_seed_in_calm_air_and_not_in_wind_15(tour):
    from core.rl.episode import Conditions, play_episode

    agent = tour.state.agent
    _, policy = agent.policy(agent.snapshot_entries[-1]["name"])
    calm = play_episode(policy, render.LANDING_SEED, 0.0)
    assert calm["landed"] and calm["return"] > 250
    windy = play_episode(policy, render.LANDING_SEED, 0.0, Conditions(wind=True, wind_power=render.QUIZ_WIND))
    assert not windy["landed"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_gpt_question_offers_the_models_top_characters_and_reveals_only_after_an_answer(tour, lang):
    asked = tour.ask("gpt", 0, lang)
    candidates = tour.gpt_candidates(0)
    assert sorted(v for _, v in asked.choices) == sorted(c for c, _ in candidates)
    assert render.GPT_PROMPTS[0].split("\n")[-1] in asked.text and "0.3" in asked.text
    assert not any(render.percent(p) in asked.text for _, p in candidates)  # no probability before the answer
    with pytest.raises(USER_ERRORS) as refused:
        tour.check("gpt", {"idea": "gpt", "n": 0}, None, empty_score(), lang)
    assert localized(refused.value, lang) == tr("tour.error_no_choice", lang)
    right, wrong = candidates[0][0], candidates[1][0]
    reveal, score = tour.check("gpt", {"idea": "gpt", "n": 0}, right, empty_score(), lang)
    assert reveal.startswith(tr("tour.quiz.right", lang)) and render.percent(candidates[0][1]) in reveal
    assert score == {"right": 1, "answered": ["gpt-0"]}
    reveal, score = tour.check("gpt", {"idea": "gpt", "n": 1}, tour.gpt_candidates(1)[1][0], score, lang)
    assert reveal.startswith(tr("tour.quiz.wrong", lang)) and score == {"right": 1, "answered": ["gpt-0", "gpt-1"]}
    assert render.score_line(score["right"], len(score["answered"]), "en") == "Score this session: **1 of 2 right**"
    again, same = tour.check("gpt", {"idea": "gpt", "n": 0}, wrong, score, lang)  # counted once
    assert same == score and tr("tour.quiz.counted", lang) in again


def test_a_question_never_asked_or_a_foreign_answer_is_refused_with_a_note_not_a_traceback(tour):
    for asked in (None, {}, {"idea": "gan", "n": 0}, "gpt-0"):
        with pytest.raises(USER_ERRORS) as refused:
            tour.check("gpt", asked, "e", empty_score(), "zh-CN")
        assert localized(refused.value, "zh-CN") == tr("tour.error_no_question", "zh-CN")
    with pytest.raises(USER_ERRORS) as refused:
        tour.check("gan", {"idea": "gan", "n": 0}, "maybe", empty_score(), "en")
    assert localized(refused.value, "en") == tr("tour.error_bad_choice", "en")


def test_the_gan_question_shows_a_generated_picture_and_d_gives_the_answer(tour):
    asked = tour.ask("gan", 1, "en")
    assert asked.image is not None and asked.image.size[0] >= 32 * 6
    assert [v for _, v in asked.choices] == ["real", "fake"] and "D(G(z))" in asked.text
    p_real = tour.gan_p_real(1)
    truth = "real" if p_real > 0.5 else "fake"
    reveal, score = tour.check("gan", {"idea": "gan", "n": 1}, truth, None, "zh-CN")
    assert reveal.startswith(tr("tour.quiz.right", "zh-CN")) and f"{p_real:.3f}" in reveal and score["right"] == 1
    verdicts = {tour.gan_p_real(n) > 0.5 for n in range(render.question_count("gan"))}
    assert verdicts == {True, False}  # the questions are not all one answer


def test_the_agent_question_plays_the_episode_on_check_only_and_says_running_first(tour):
    runs = tour.episodes_run
    asked = tour.ask("rl", 0, "en")
    assert tour.episodes_run == runs and "15" in asked.text
    yields = list(tour.page_check("rl", 3)({"idea": "rl", "n": 0}, "no", empty_score(), None))
    assert tour.episodes_run == runs + 1 and len(yields) == 2
    assert yields[0][0].value == tr("tour.quiz.running", "en")
    assert yields[1][0].value.startswith(tr("tour.quiz.right", "en"))  # seed 6 in wind 15: it crashes
    assert yields[1][1] == {"right": 1, "answered": ["rl-0"]} and yields[1][2] == yields[1][4] == "Score this session: **1 of 1 right**"


def test_the_page_adapters_show_a_refusal_as_a_note_and_leave_the_view(tour):
    out = tour.page_ask("gpt")("not a number", None)
    assert all(isinstance(v, dict) and v.get("__type__") == "update" for v in out[:-1])
    assert out[-1].visible is True and out[-1].value
    checked = list(tour.page_check("gan", 3)(None, "real", empty_score(), None))
    assert len(checked) == 1 and checked[0][-1].value == tr("tour.error_no_question", "en")
    asked = tour.page_ask("gan")(4, None)
    assert asked[-2] == {"idea": "gan", "n": 4} and asked[-3] == 5 and asked[1].visible is True


def test_without_its_model_a_question_says_so_in_a_note():
    from demo.app_state import AppState

    empty = TourHandlers(AppState(notes={GPT_NAME: "checkpoints/gpt-shakespeare is missing"}))
    out = empty.page_ask("gpt")(0, None)
    assert out[-1].visible and "checkpoints/gpt-shakespeare is missing" in out[-1].value
    assert all(isinstance(v, dict) and v.get("__type__") == "update" for v in out[:-1])
    for idea in ("gan", "rl"):
        with pytest.raises(USER_ERRORS):
            empty.ask(idea, 0, "zh-CN")
