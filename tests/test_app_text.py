"""Text tab handlers called directly on the real GPT checkpoint: streaming, live re-runs, next-token bars, errors."""
from __future__ import annotations

import math
import os
import signal

import gradio as gr
import pytest

from core import limits
from demo.text_handlers import (NOTES, STREAM_INTERVAL_S, STREAM_MAX_WAIT_S, STREAM_MIN_CHARS, StreamSession,
                                update_due)
from demo.text_render import BARS_BAD_KNOB, char_label

KNOBS = dict(temperature=0.8, top_k=40, top_p=0.95, max_new_tokens=30, seed=7)


def test_generate_streams_the_growing_text(text_handlers, monkeypatch):
    monkeypatch.setattr("demo.text_handlers.update_due", lambda seconds, chars: True)  # all that arrived, at once
    steps = list(text_handlers.generate("ROMEO:\n", **KNOBS))
    assert steps[0] == "ROMEO:\n" and steps[1] == steps[0] + steps[-1][len(steps[0])]  # the first character alone
    assert len(steps[-1]) == len("ROMEO:\n") + KNOBS["max_new_tokens"]
    assert len(steps) > 3  # the worker sends characters as they come, a few at a time (SEND_INTERVAL_S)
    for before, after in zip(steps, steps[1:]):
        assert after.startswith(before) and len(after) > len(before)


def test_a_text_worker_that_dies_gives_a_message_and_the_next_stream_works(text_handlers):
    steps = text_handlers.generate("ROMEO:\n", **{**KNOBS, "max_new_tokens": 1000})
    next(steps), next(steps)  # the prompt, then the first character: the stream is running in the worker
    os.kill(text_handlers.streams.process.pid, signal.SIGKILL)
    with pytest.raises(gr.Error, match=r"worker process stopped .*Please try again"):
        list(steps)
    assert len(list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]) == len("ROMEO:\n") + KNOBS["max_new_tokens"]


def test_a_stream_beyond_the_limit_gets_a_busy_message_at_once(text_handlers, monkeypatch):
    """Up to MAX_STREAMS streams start at once; one more is told to try again, never left waiting in silence."""
    running = text_handlers.generate("ROMEO:\n", **{**KNOBS, "max_new_tokens": 1000})
    next(running), next(running)  # the prompt, then the first character: one stream is running
    monkeypatch.setattr(text_handlers.streams, "max_streams", 1)
    with pytest.raises(gr.Error, match="All 1 text streams are in use right now; please try again in a moment"):
        list(text_handlers.generate("JULIET:\n", **KNOBS))
    running.close()  # its slot is free at once
    assert len(list(text_handlers.generate("JULIET:\n", **KNOBS))[-1]) == len("JULIET:\n") + KNOBS["max_new_tokens"]


def test_streamed_updates_are_coalesced_but_end_with_every_character(text_handlers, monkeypatch):
    monkeypatch.setattr("demo.text_handlers.update_due", lambda seconds, chars: False)  # nothing between prompt and end
    steps = list(text_handlers.generate("ROMEO:\n", **KNOBS))
    assert steps == ["ROMEO:\n", steps[-1]] and len(steps[-1]) == len("ROMEO:\n") + KNOBS["max_new_tokens"]


def test_updates_wait_for_a_few_characters_but_never_long():
    assert not update_due(STREAM_INTERVAL_S / 2, 100)  # too soon after the last update, however much is waiting
    assert not update_due(STREAM_INTERVAL_S, STREAM_MIN_CHARS - 1)  # a busy server: wait for a few more characters
    assert update_due(STREAM_INTERVAL_S, STREAM_MIN_CHARS)
    assert update_due(STREAM_MAX_WAIT_S, 1)  # ... but never longer than this


def test_generate_is_deterministic_per_seed(text_handlers):
    first = list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]
    again = list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]
    other = list(text_handlers.generate("ROMEO:\n", **{**KNOBS, "seed": 8}))[-1]
    assert first == again
    assert first != other


def test_a_newer_stream_of_the_same_session_stops_the_older_one(text_handlers):
    session = StreamSession()
    older = text_handlers.generate("ROMEO:\n", **KNOBS, session=session)
    next(older), next(older)
    newer = text_handlers.generate("JULIET:\n", **KNOBS, session=session)
    assert next(newer) == "JULIET:\n"
    assert list(older) == []  # stopped at its next character
    assert len(list(newer)[-1]) == len("JULIET:\n") + KNOBS["max_new_tokens"]


def _text(step):
    """The text of one page update (text, *one update per note in NOTES)."""
    return step[0]


def _shown(step) -> dict[str, str]:
    """The notes one page update shows, by field (hidden and skipped ones left out)."""
    return {name: _note(update) for name, update in zip(NOTES, step[1:]) if _note(update)}


NOTHING = (gr.skip(),) * (1 + len(NOTES))  # a page update that changes nothing


def _note(update) -> str:
    """What a note update shows ("" when it hides the note); None when it leaves the note as it was (gr.skip)."""
    return None if update == gr.skip() else (update.value if update.visible else "")


def test_a_refused_generate_keeps_the_text_and_says_why_beside_the_field(text_handlers):
    session = StreamSession()
    steps = list(text_handlers.page_generate("", **KNOBS, session=session))
    assert len(steps) == 1 and steps[0][0] == gr.skip()  # the last good output stays
    assert "prompt is empty" in _note(steps[0][1]) and _note(steps[0][2]) == ""
    steps = list(text_handlers.page_generate("ROMEO:\n", **{**KNOBS, "seed": -1}, session=session))
    assert steps[0][0] == gr.skip() and list(_shown(steps[0])) == ["seed"]  # by the Seed field, the only note
    assert "seed must be from 0 to 4294967295" in _shown(steps[0])["seed"]
    assert _note(steps[0][1]) == ""  # the prompt's note is hidden: one note at a time
    good = list(text_handlers.page_generate("ROMEO:\n", **KNOBS, session=session))
    assert all(_note(update) == "" for update in good[0][1:])  # every note clears with the first update
    assert all(update == gr.skip() for step in good[1:] for update in step[1:])
    assert _text(good[-1]) == list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]


def test_rerun_refuses_bad_input_even_before_a_generation(text_handlers):
    [step] = text_handlers.regenerate("ROMEO:\n", **{**KNOBS, "temperature": "hot"}, session=StreamSession())
    assert step[0] == gr.skip() and list(_shown(step)) == ["temperature"] and "temperature must be" in _shown(step)["temperature"]
    [step] = text_handlers.regenerate("", **KNOBS, session=StreamSession())
    assert step[0] == gr.skip() and "prompt is empty" in _note(step[1])


def test_knobs_rerun_only_after_a_generation_with_the_same_seed(text_handlers):
    session = StreamSession()
    assert list(text_handlers.regenerate("ROMEO:\n", **KNOBS, session=session)) == [NOTHING]
    generated = _text(list(text_handlers.page_generate("ROMEO:\n", **KNOBS, session=session))[-1])
    hotter = _text(list(text_handlers.regenerate("ROMEO:\n", **{**KNOBS, "temperature": 1.5}, session=session))[-1])
    assert hotter != generated
    rerun = _text(list(text_handlers.regenerate("ROMEO:\n", **KNOBS, session=session))[-1])
    assert rerun == generated  # back to the same knobs, the same text


def test_a_rerun_with_the_knobs_already_shown_does_nothing(text_handlers):
    """A reset to the value a knob had, or a number box losing focus after its debounced re-run, must not restart
    the text on screen."""
    session = StreamSession()
    list(text_handlers.page_generate("ROMEO:\n", **KNOBS, session=session))
    assert list(text_handlers.regenerate("ROMEO:\n", **KNOBS, session=session)) == [NOTHING]
    assert list(text_handlers.regenerate("ROMEO:\n", **{**KNOBS, "seed": 8}, session=session))[-1][0] != gr.skip()


def test_stop_ends_the_running_stream_and_keeps_its_text(text_handlers):
    session = StreamSession()
    running = text_handlers.page_generate("ROMEO:\n", **{**KNOBS, "max_new_tokens": 1000}, session=session)
    shown = [_text(next(running)), _text(next(running))]  # the prompt, then the first characters
    text_handlers.stop(session)
    rest = list(running)
    texts = shown + [_text(step) for step in rest if _text(step) != gr.skip()]
    assert len(texts[-1]) < len("ROMEO:\n") + 1000  # stopped at its next character
    assert all(text.startswith("ROMEO:\n") for text in texts)
    # the last update says so under the buttons, counting the characters on screen
    new = len(texts[-1]) - len("ROMEO:\n")
    assert rest[-1][0] == gr.skip() and _shown(rest[-1]) == {"status": f"Stopped after {new:,} of 1,000 new characters."}
    again = list(text_handlers.page_generate("ROMEO:\n", **KNOBS, session=session))
    assert _note(again[0][1 + NOTES.index("status")]) == ""  # the next run clears it
    assert not any(_shown(step) for step in again)  # a run that ends by itself says nothing


@pytest.mark.parametrize(("change", "field"), [({"temperature": 9}, "temperature"), ({"top_k": -2}, "top_k"),
                                               ({"top_p": 0}, "top_p"), ({"max_new_tokens": 0}, "max_new_tokens"),
                                               ({"seed": limits.MAX_SEED + 1}, "seed")])
def test_a_refused_knob_gets_one_note_beside_it(text_handlers, change, field):
    [step] = text_handlers.page_generate("ROMEO:\n", **{**KNOBS, **change}, session=StreamSession())
    assert step[0] == gr.skip() and list(_shown(step)) == [field]


def test_the_largest_seed_is_accepted(text_handlers):
    steps = list(text_handlers.page_generate("ROMEO:\n", **{**KNOBS, "seed": limits.MAX_SEED}, session=StreamSession()))
    assert _text(steps[-1]) == list(text_handlers.generate("ROMEO:\n", **{**KNOBS, "seed": 4294967295}))[-1]
    assert not any(_shown(step) for step in steps)


def test_blank_bars_say_why(text_handlers):
    bars, note = text_handlers.page_next_tokens("", 0.8, 40, 0.95)
    assert bars == {} and _note(note) == "Type a prompt to see the next-character probabilities."
    bars, note = text_handlers.page_next_tokens("naïve", 0.8, 40, 0.95)
    assert bars == {} and "marked red" in _note(note)
    bars, note = text_handlers.page_next_tokens("ROMEO:\n", 0.8, 40, 0.95)
    assert len(bars) == limits.NEXT_TOKEN_CANDIDATES and _note(note) == ""
    bars, note = text_handlers.page_next_tokens("ROMEO:\n", 9.0, 40, 0.95)  # the knob's own note says why
    assert bars == {} and _note(note) == BARS_BAD_KNOB
    marks, bars, bars_note, prompt_note, _ = text_handlers.page_inspect_prompt("", 0.8, 40, 0.95)
    assert marks == [] and bars == {} and "Type a prompt" in _note(bars_note) and _note(prompt_note) == ""
    marks, bars, bars_note, *_ = text_handlers.page_inspect_prompt("x" * (limits.MAX_PROMPT_CHARS + 1), 0.8, 40, 0.95)
    assert bars == {} and "Shorten the prompt" in _note(bars_note)


def test_the_api_answers_in_the_shapes_it_documents_and_raises_on_bad_input(text_handlers):
    bars = text_handlers.api_next_tokens("To be, or not to b", 1.0, 3, 1.0)
    assert bars["label"] == bars["confidences"][0]["label"] and len(bars["confidences"]) == 3
    marks, bars = text_handlers.api_inspect_prompt("Só", 0.8, 40, 0.95)
    assert marks == [{"token": "S", "class_or_confidence": None}, {"token": "ó", "class_or_confidence": "unknown to the model"}]
    assert bars == {}
    assert list(text_handlers.api_generate("ROMEO:\n", **KNOBS))[-1] == list(text_handlers.generate("ROMEO:\n", **KNOBS))[-1]
    with pytest.raises(gr.Error, match="prompt is empty"):
        list(text_handlers.api_generate("", **KNOBS))
    with pytest.raises(gr.Error, match="top_k must be a whole number"):
        text_handlers.api_next_tokens("ROMEO:", 0.8, 2.5, 0.95)


def test_next_token_bars_follow_the_knobs_without_running_the_model(text_handlers):
    prompt = "To be, or not to b"
    bars = text_handlers.next_tokens(prompt, 1.0, 0, 1.0)
    runs = text_handlers.explorer.model_runs
    assert len(bars) == limits.NEXT_TOKEN_CANDIDATES
    assert sum(bars.values()) <= 1.0 + 1e-5  # the most likely candidates of the whole distribution
    assert list(bars.values()) == sorted(bars.values(), reverse=True)
    top3 = text_handlers.next_tokens(prompt, 1.0, 3, 1.0)
    assert len(top3) == 3 and math.isclose(sum(top3.values()), 1.0, abs_tol=1e-5)
    first3 = {c: bars[c] for c in list(bars)[:3]}  # top-k = 3 keeps those three, renormalised
    assert top3 == pytest.approx({c: p / sum(first3.values()) for c, p in first3.items()}, rel=1e-3, abs=1e-4)
    greedy = text_handlers.next_tokens(prompt, 0.0, 40, 0.95)
    assert list(greedy.values()) == [1.0] and list(greedy) == list(bars)[:1]
    sharper = text_handlers.next_tokens(prompt, 0.5, 0, 1.0)
    assert max(sharper.values()) > max(bars.values())
    assert text_handlers.explorer.model_runs == runs  # knobs re-applied to cached logits


def test_whitespace_candidates_get_visible_names():
    assert char_label(" ") == "␣ (space)" and char_label("\n") == "↵ (newline)" and char_label("a") == "a"


def test_inspect_prompt_marks_unknown_characters(text_handlers):
    marked, bars = text_handlers.inspect_prompt("Hello, wörld €", 0.8, 40, 0.95)
    assert "".join(text for text, _ in marked) == "Hello, wörld €"
    assert [text for text, label in marked if label] == ["ö", "€"]
    assert bars == {}
    clean, clean_bars = text_handlers.inspect_prompt("ROMEO:\n", 0.8, 40, 0.95)
    assert clean == [("ROMEO:\n", None)] and clean_bars
    assert text_handlers.inspect_prompt("", 0.8, 40, 0.95) == ([], {})
    long = "a" * (limits.MAX_PROMPT_CHARS + 5)
    assert text_handlers.inspect_prompt(long, 0.8, 40, 0.95) == (
        [("a" * limits.MAX_PROMPT_CHARS, None), ("a" * 5, f"over the {limits.MAX_PROMPT_CHARS:,}-character limit")], {})


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"temperature": "hot"}, "temperature must be a number from 0 to 5"),
        ({"temperature": float("nan")}, "temperature must be a finite number"),
        ({"temperature": 99}, "temperature must be from 0 to 5"),
        ({"top_k": 2.5}, "top_k must be a whole number"),
        ({"top_k": -1}, "top_k must be from 0 to"),
        ({"top_p": 0}, "top_p must be above 0"),
        ({"top_p": None}, "top_p must be a number"),
        ({"max_new_tokens": 0}, "max_new_tokens must be from 1 to"),
        ({"max_new_tokens": limits.MAX_NEW_TOKENS + 1}, "max_new_tokens must be from 1 to"),
        ({"seed": -1}, "seed must be from 0 to"),
        ({"seed": True}, "seed must be a whole number"),
    ],
)
def test_generate_refuses_bad_knobs_with_a_message(text_handlers, change, fragment):
    with pytest.raises(gr.Error, match=fragment.replace("(", r"\(")):
        list(text_handlers.generate("ROMEO:\n", **{**KNOBS, **change}))


@pytest.mark.parametrize(
    ("prompt", "fragment"),
    [(None, "prompt must be text"), ("", "prompt is empty"), ("x" * (limits.MAX_PROMPT_CHARS + 1), "the limit is"),
     ("naïve", "does not know 1 character")],
)
def test_generate_and_bars_refuse_bad_prompts_with_a_message(text_handlers, prompt, fragment):
    with pytest.raises(gr.Error, match=fragment):
        list(text_handlers.generate(prompt, **KNOBS))
    with pytest.raises(gr.Error, match=fragment):
        text_handlers.next_tokens(prompt, 0.8, 40, 0.95)
