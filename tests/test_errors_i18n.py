"""Refusals in two languages (issue #25): every refusal core raises carries a catalog key and its values; the catalog
(demo/locales/errors.py) says it in English word for word as core does (the API and the command line show core's
message) and in Chinese with the same figures; a page note (FieldNotes.on_page) shows it in the page's language."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any, Callable

import gradio as gr
import pytest
from gradio.helpers import special_args
from starlette.requests import Request

from core.gan.direction_preview import _split
from core.gan.game import RealOrFake
from core.gan.latent import ImageKnobs, LatentStudio, frames_to_gif, validate_class, validate_image_knobs
from core.gan.learning import LearningView
from core.gan.toy2d import ToyKnobs
from core.gan.toy_sessions import ToySessions
from core.gpt.inspect import trace_text
from core.gpt.knobs import validate_knobs
from core.gpt.model import GPT, GPTConfig
from core.gpt.sampling import validate_prompt
from core.gpt.tokenizer import CharTokenizer
from core.gpt.train_quick import MAX_TEXT_CHARS, MAX_VOCAB, check_size, check_text
from core.rl.episode import validate_conditions
from core.validation import KnobError, as_float, as_int
from demo.app_state import AGENT_NAME, DISCRIMINATOR_NAME, GAN_NAME
from demo.errors import FieldError, FieldNotes, about, localized, missing_model_notice
from demo.i18n import COOKIE
from demo.locales import CATALOG, tr
from demo.locales.errors import MISSING_MODELS, knob_name
from tests.conftest import require_checkpoint

CJK = re.compile(r"[\u4e00-\u9fff]")
CORE = Path(__file__).resolve().parents[1] / "core"
NOTICES = {"errors.missing_gpt", "errors.missing_gan", "errors.missing_agent", "errors.missing_model"}
REFUSAL_KEYS = {key for key in CATALOG if key.startswith("errors.")} - NOTICES
TOKENIZER = CharTokenizer.from_text("ROMEO: abc\n")


def raised(make: Callable[[], Any]) -> KnobError:
    with pytest.raises(KnobError) as caught:
        make()
    return caught.value


def studio(app_state) -> LatentStudio:
    require_checkpoint(GAN_NAME)
    return LatentStudio(app_state.gan)


def game(app_state) -> RealOrFake:
    require_checkpoint(GAN_NAME)
    require_checkpoint(DISCRIMINATOR_NAME)
    return RealOrFake(app_state.gan.generator, app_state.judges, app_state.real_sample)


def marked_wrongly(app_state) -> None:
    play = game(app_state)
    round_id, _ = play.new_round(seed=0)
    play.answer(round_id, [99])


def beyond_the_sliders(app_state) -> None:
    view = studio(app_state)
    count = len(view.direction_names)
    view.latent(ImageKnobs("Coat", 1, 1.0, (0.0,) * count + (1.0,)))


def toy(max_playing: int, max_steps: int, sid: str = "session") -> None:
    ToySessions(max_playing=max_playing, max_steps=max_steps).play(sid, ToyKnobs(), 1)


def between_snapshots(app_state) -> None:
    require_checkpoint("gan-fashion-snapshots")
    view = LearningView(app_state.learning)
    view.step_index((view.steps[1] + view.steps[2]) / 2)


def unknown_snapshot(app_state) -> None:
    require_checkpoint(AGENT_NAME)
    app_state.agent.policy("update_9999")


# Each refusal, raised through the validator that raises it in the app, with a bad value.
CASES: dict[str, Callable[[Any], Any]] = {
    "errors.number": lambda s: validate_knobs(temperature="warm"),
    "errors.number_type": lambda s: validate_knobs(temperature=[1]),
    "errors.number_finite": lambda s: validate_knobs(temperature=float("nan")),
    "errors.range": lambda s: validate_knobs(temperature=99),
    "errors.whole_number": lambda s: validate_knobs(top_k=3.5),
    "errors.whole_number_type": lambda s: validate_knobs(top_k={"k": 3}),
    "errors.choice": lambda s: validate_class("Hat"),
    "errors.prompt_type": lambda s: validate_prompt(42, TOKENIZER),
    "errors.prompt_empty": lambda s: validate_prompt("", TOKENIZER),
    "errors.prompt_long": lambda s: validate_prompt("a" * 100_000, TOKENIZER),
    "errors.unknown_characters": lambda s: validate_prompt("你好 ROMEO", TOKENIZER),
    "errors.top_p_zero": lambda s: validate_knobs(top_p=0),
    "errors.text_empty": lambda s: trace_text(GPT(GPTConfig(vocab_size=TOKENIZER.size, n_layer=1, n_head=2, n_embd=8)),
                                              TOKENIZER, ""),
    "errors.training_text_type": lambda s: check_text(b"bytes"),
    "errors.training_text_short": lambda s: check_text("to be or not"),
    "errors.training_text_long": lambda s: check_text("ab" * MAX_TEXT_CHARS),
    "errors.training_text_vocab": lambda s: check_text("".join(map(chr, range(0x4e00, 0x4e00 + MAX_VOCAB + 1))) * 20),
    "errors.training_text_single": lambda s: check_text("a" * 20_000),
    "errors.model_size": lambda s: check_size("huge"),
    "errors.directions_type": lambda s: validate_image_knobs(directions="up"),
    "errors.directions_count": lambda s: validate_image_knobs(directions=[0.0] * 99),
    "errors.directions_extra": beyond_the_sliders,
    "errors.image_knobs": lambda s: studio(s).image({"class": "Coat"}),
    "errors.moves_count": lambda s: studio(s).along_directions(ImageKnobs("Coat", 1, 1.0, ()), [1.0]),
    "errors.gif_no_frames": lambda s: frames_to_gif([]),
    "errors.snapshot_step": between_snapshots,
    "errors.cli_entries": lambda s: _split("collar|", 3, "names"),
    "errors.game_no_round": lambda s: game(s).answer("", []),
    "errors.game_expired": lambda s: game(s).answer("no-such-round", []),
    "errors.game_positions": marked_wrongly,
    "errors.toy_session": lambda s: toy(1, 100, sid=""),
    "errors.toy_cap": lambda s: toy(1, 0),
    "errors.toy_busy": lambda s: toy(0, 100),
    "errors.rl_snapshot": unknown_snapshot,
    "errors.wind": lambda s: validate_conditions(wind="yes"),
}


def test_every_refusal_in_the_catalog_has_a_case_here():
    assert set(CASES) == REFUSAL_KEYS


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_refusal_reads_as_core_says_it_in_english_and_in_chinese_with_the_same_figures(key, app_state):
    exc = raised(lambda: CASES[key](app_state))
    assert exc.key == key
    assert tr(key, "en", **exc.values) == str(exc) == localized(exc, "en")
    chinese = localized(exc, "zh-CN")
    assert CJK.search(chinese) and chinese != str(exc)
    for name, value in exc.values.items():  # every figure core gave shows in the Chinese too
        shown = knob_name(value, "zh-CN") if name == "name" else str(value)
        assert shown in chinese, (name, shown, chinese)


def test_every_refusal_core_raises_names_its_catalog_key():
    """A KnobError (or a subclass) built in core/ without a key would reach a Chinese page in English."""
    kinds = {"KnobError", "TextError", "Busy"}
    unkeyed = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in kinds and len(node.args) < 2:
                unkeyed.append(f"{path.relative_to(CORE.parent)}:{node.lineno}")
    assert not unkeyed, unkeyed
    source = inspect.getsource(inspect.getmodule(CharTokenizer))
    assert '"errors.unknown_characters"' in source


def test_a_knob_name_reads_naturally_in_chinese_and_stays_as_it_is_in_english():
    assert knob_name("temperature", "zh-CN") == "温度" and knob_name("Seed", "zh-CN") == "种子"
    assert knob_name("direction 3", "zh-CN") == "方向 3" and knob_name("move 2", "zh-CN") == "方向 2 的移动量"
    assert knob_name("temperature", "en") == "temperature" and knob_name("--steps", "zh-CN") == "--steps"
    assert localized(raised(lambda: as_int("Episode seed", -1, 0, 9)), "zh-CN") == "“回合种子”必须在 0 到 9 之间；收到的是 -1。"


def test_about_keeps_the_key_and_values_so_the_note_can_be_translated():
    with pytest.raises(FieldError) as caught:
        with about("temperature"):
            as_float("temperature", 5, 0, 2)
    exc = caught.value
    assert exc.field == "temperature" and exc.key == "errors.range" and exc.values["got"] == "5"
    assert str(exc) == "temperature must be from 0 to 2; got 5."
    assert localized(exc, "zh-CN") == "“温度”必须在 0 到 2 之间；收到的是 5。"


def page_request(lang: str) -> gr.Request:
    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"",
             "headers": [(b"cookie", f"{COOKIE}={lang}".encode())]}
    return gr.Request(request=Request(scope))


NOTES = FieldNotes(["seed", "steps"], fallback="steps")


def plain(seed: Any, steps: Any = 3) -> tuple[int, int]:
    with about("seed"):
        value = as_int("seed", seed, 0, 10)
    return value, as_int("steps", steps, 1, 5)


def with_its_own(seed: Any, request: gr.Request) -> tuple[int, str]:
    with about("seed"):
        return as_int("seed", seed, 0, 10), str(request.cookies.get(COOKIE))


def gradio_call(page: Callable[..., Any], inputs: list[Any], request: gr.Request) -> tuple[Any, ...]:
    """What Gradio does with an event's inputs: put the request where the signature asks for it, then call."""
    args, *_ = special_args(page, list(inputs), request=request)
    return page(*args)


def note_values(result: tuple[Any, ...]) -> list[str]:
    return [getattr(update, "value", None) or "" for update in result[-len(NOTES.fields):]]


def test_a_page_note_shows_the_refusal_in_the_pages_language_when_the_handler_takes_no_request():
    page = NOTES.on_page(plain, 2)
    assert list(inspect.signature(page).parameters) == ["seed", "steps", "request"]
    zh = note_values(gradio_call(page, [42, 3], page_request("zh-CN")))
    assert zh == ["“种子”必须在 0 到 10 之间；收到的是 42。", ""]
    en = note_values(gradio_call(page, [42, 3], page_request("en")))
    assert en == ["seed must be from 0 to 10; got 42.", ""]
    assert note_values(page(5, 9)) == ["", "steps must be from 1 to 5; got 9."]  # no request (a test): English
    values = gradio_call(page, [5, 2], page_request("zh-CN"))
    assert values[:2] == (5, 2) and note_values(values) == ["", ""]


def test_a_page_note_passes_the_request_on_to_a_handler_that_takes_it():
    page = NOTES.on_page(with_its_own, 2)
    assert list(inspect.signature(page).parameters) == ["seed", "request"]
    values = gradio_call(page, [4], page_request("zh-CN"))
    assert values[:2] == (4, "zh-CN")
    assert note_values(gradio_call(page, [-4], page_request("zh-CN"))) == ["“种子”必须在 0 到 10 之间；收到的是 -4。", ""]


def test_a_missing_model_notice_is_translated_and_says_why():
    with gr.Blocks() as demo:
        for model, command in MISSING_MODELS:
            missing_model_notice(model, command, "gpt-shakespeare: no checkpoint at x", elem_id=f"m-{len(command)}")
        missing_model_notice("diffusion model", "python -m core.diffusion.train", "no checkpoint", elem_id="other")
    shown = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    for (model, command), key in MISSING_MODELS.items():
        assert command in tr(key, "en") and command in tr(key, "zh-CN") and CJK.search(tr(key, "zh-CN"))
        assert any(f'"key": "{key}"' in value and "no checkpoint at x" in value for value in shown)
    assert any("errors.missing_model" in value and "`python -m core.diffusion.train`" in value for value in shown)
