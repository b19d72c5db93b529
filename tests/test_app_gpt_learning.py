"""GPT learns: its handlers on the real snapshot pack (plain calls). Written for whatever steps the pack holds."""
from __future__ import annotations

import gradio as gr
import pytest

from demo.app_state import GPT_SNAPSHOTS_NAME, AppState
from demo.gpt_learning_handlers import MAX_PROMPT_CHARS, NEW_CHARS, NOTE_FIELDS, GptLearningHandlers
from demo.gpt_learning_render import step_ticks
from demo.gpt_models import GptModels
from tests.conftest import require_checkpoint

PROMPT = "ROMEO:\n"


@pytest.fixture(scope="module")
def learning(app_state: AppState) -> GptLearningHandlers:
    require_checkpoint(GPT_SNAPSHOTS_NAME)
    assert app_state.gpt_snapshots is not None, app_state.notes[GPT_SNAPSHOTS_NAME]
    return GptLearningHandlers(GptModels(app_state.gpt, app_state.gpt_snapshots))


def test_a_step_continues_the_prompt_the_same_way_every_time(learning: GptLearningHandlers) -> None:
    first, last = learning.steps[0], learning.steps[-1]
    early = learning.as_json(first, PROMPT)
    assert early["continuation"] == learning.as_json(first, PROMPT)["continuation"]
    assert len(early["continuation"]) == NEW_CHARS and early["step"] == first and early["steps"] == learning.steps
    if first != last:
        late = learning.as_json(last, PROMPT)
        assert late["continuation"] != early["continuation"] and late["val_loss"] < early["val_loss"]


def test_the_view_shows_the_step_its_text_bars_and_the_curve_marked(learning: GptLearningHandlers) -> None:
    step = learning.steps[-1]
    caption, text, bars, curve = learning.at_step(step, PROMPT)
    assert f"<b>Step {step:,}</b>" in caption and "nats per character" in caption
    assert text.startswith('<pre class="gpt-learning-text"') and "<b>ROMEO:\n</b>" in text
    assert 0 < len(bars) <= 10 and sum(bars.values()) <= 1.0 + 1e-6
    assert all(0 <= p <= 1 for p in bars.values())
    assert f'data-step="{step}"' in curve and curve.count("<circle") == len(learning.steps) + 1  # the dots and the ring
    assert "ln 82" in curve


def test_bars_are_the_snapshots_own_probabilities(learning: GptLearningHandlers) -> None:
    for step in (learning.steps[0], learning.steps[-1]):
        bars = learning.at_step(step, PROMPT)[2]
        assert sum(bars.values()) <= 1.0 + 1e-6 and list(bars.values()) == sorted(bars.values(), reverse=True)
    untrained = learning.at_step(learning.steps[0], PROMPT)[2]
    assert max(untrained.values()) < 0.2  # step 0 spreads its probability over many characters


def test_a_step_already_seen_runs_no_model(learning: GptLearningHandlers) -> None:
    step = learning.steps[len(learning.steps) // 2]
    learning.at_step(step, "JULIET:")
    runs = learning.model_runs
    for _ in range(3):
        learning.at_step(step, "JULIET:")
        learning.at_snapshot(learning.steps.index(step) + 1, "JULIET:")
    assert learning.model_runs == runs


def test_a_submitted_prompt_fills_every_step_then_moves_are_cache_hits(learning: GptLearningHandlers) -> None:
    updates = list(learning.page_all_snapshots(1, "HAMLET:"))
    assert len(updates) == 1 and "HAMLET:" in updates[0][1] and all(not u.visible for u in updates[0][4:])
    runs = learning.model_runs
    for number in range(1, len(learning.steps) + 1):
        learning.page_at_snapshot(number, "HAMLET:")
    assert learning.model_runs == runs


def _notes(updates) -> dict[str, str]:
    return {f: u.value for f, u in zip(NOTE_FIELDS, updates[-len(NOTE_FIELDS):]) if u.visible}


@pytest.mark.parametrize(("number", "prompt", "field", "fragment"), [
    (1, "", "prompt", "The prompt is empty"),
    (1, "床前明月光", "prompt", "does not know"),
    (1, "x" * (MAX_PROMPT_CHARS + 1), "prompt", f"the limit is {MAX_PROMPT_CHARS}"),
    (0, PROMPT, "step", "snapshot must be from 1 to"),
    ("two", PROMPT, "step", "snapshot must be a whole number"),
])
def test_bad_input_is_a_note_by_its_field_and_the_view_stays(learning: GptLearningHandlers, number, prompt, field,
                                                              fragment) -> None:
    updates = learning.page_at_snapshot(number, prompt)
    assert all(u == gr.skip() for u in updates[:4]) and list(_notes(updates)) == [field]
    assert fragment in _notes(updates)[field]
    submitted = list(learning.page_all_snapshots(number, prompt))
    assert len(submitted) == 1 and all(u == gr.skip() for u in submitted[0][:4]) and list(_notes(submitted[0])) == [field]


def test_the_api_refuses_an_unknown_step_by_naming_the_steps(learning: GptLearningHandlers) -> None:
    with pytest.raises(gr.Error, match="no snapshot at step 7"):
        learning.snapshot_json(7, PROMPT)
    with pytest.raises(gr.Error, match="prompt is empty"):
        learning.snapshot_json(learning.steps[0], "")


def test_step_ticks_stay_within_the_run() -> None:
    assert step_ticks(100) == [0, 50, 100] and step_ticks(400) == [0, 50, 200, 400]
    assert step_ticks(2000) == [0, 50, 200, 500, 1000, 2000] and step_ticks(2100) == [0, 50, 200, 500, 1000, 2000]
