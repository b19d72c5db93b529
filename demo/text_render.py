"""What the Text tab shows, from what the GPT computed: the names on the bars, the marks on the prompt, the notes
and the JSON shapes of the API. Pure functions (no Gradio, no model), so each can be read and tested alone."""
from __future__ import annotations

import itertools
from typing import Any, Iterable

from core import limits

WHITESPACE_NAMES = {" ": "␣ (space)", "\n": "↵ (newline)", "\t": "⇥ (tab)"}
UNKNOWN = "unknown to the model"
TOO_LONG = f"over the {limits.MAX_PROMPT_CHARS:,}-character limit"
# Why the bars are blank, in the bars' place (the prompt check marks the characters themselves)
BARS_EMPTY = "Type a prompt to see the next-character probabilities."
BARS_UNKNOWN = "Remove or replace the characters marked red to see the next-character probabilities."
BARS_TOO_LONG = f"Shorten the prompt to {limits.MAX_PROMPT_CHARS:,} characters to see the next-character probabilities."
BARS_NO_MODEL = "The bars follow once the chosen model is there (its note says how to get one)."
BARS_BAD_KNOB = "A knob below has a value the model cannot use (its note says which); the bars follow once it is fixed."

Marks = list[tuple[str, "str | None"]]


def char_label(char: str) -> str:
    """How a candidate character is named on its bar (whitespace made visible)."""
    return WHITESPACE_NAMES.get(char, char)


def bars(candidates: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The bars from the explorer's (character, probability) pairs, likeliest first."""
    return {char_label(c): p for c, p in candidates}


def too_long_marks(prompt: str) -> Marks:
    """A prompt past the limit: the part past it marked (refused, never truncated: the user sees where)."""
    cut = limits.MAX_PROMPT_CHARS
    return [(prompt[:cut], None), (prompt[cut:], TOO_LONG)]


def unknown_marks(prompt: str, unknown: Iterable[str]) -> Marks:
    """The prompt in runs, the characters the model does not know marked."""
    bad = set(unknown)
    return [("".join(run), UNKNOWN if is_bad else None) for is_bad, run in itertools.groupby(prompt, key=lambda c: c in bad)]


def label_json(shown: dict[str, float]) -> dict[str, Any]:
    """Bars as gr.Label sends them ({"label": the likeliest, "confidences": [{"label", "confidence"}, ...]}), the
    shape /next_tokens has always answered with; {} for none."""
    if not shown:
        return {}
    return {"label": next(iter(shown)), "confidences": [{"label": c, "confidence": p} for c, p in shown.items()]}


def marks_json(marks: Marks) -> list[dict[str, Any]]:
    """Marks as gr.HighlightedText sends them ([{"token", "class_or_confidence"}])."""
    return [{"token": text, "class_or_confidence": label} for text, label in marks]


def stopped_note(new_chars: int, max_new_tokens: int) -> str:
    """The status a stream ended by Stop leaves under the buttons (cleared by the next run)."""
    return f"Stopped after {new_chars:,} of {max_new_tokens:,} new characters."
