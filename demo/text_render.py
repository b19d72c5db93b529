"""What the Text tab shows, from what the GPT computed: the names on the bars, the marks on the prompt, the notes
and the JSON shapes of the API. Pure functions (no Gradio, no model), so each can be read and tested alone; what a
reader sees comes in their language (`lang`), what the API answers in English."""
from __future__ import annotations

import itertools
from typing import Any, Iterable

from core import limits
from demo.locales import LANGUAGES, tr

WHITESPACE_KEYS = {" ": "text.char_space", "\n": "text.char_newline", "\t": "text.char_tab"}
WHITESPACE_NAMES = {c: tr(key, "en") for c, key in WHITESPACE_KEYS.items()}  # the API's names (English)
# The marks on the prompt, in English (the API's) and by language (the page's); the page's colour map knows them all
UNKNOWN, TOO_LONG = tr("text.mark_unknown", "en"), tr("text.mark_too_long", "en")
MARK_LABELS = {"unknown": "text.mark_unknown", "too_long": "text.mark_too_long"}
MARK_COLOURS = {tr(key, lang): "red" for key in MARK_LABELS.values() for lang in LANGUAGES}


def bars_reason(why: str, lang: str = "en") -> str:
    """Why the bars are blank, in the bars' place (the prompt check marks the characters themselves): `why` is one of
    empty, unknown, too_long, no_model, bad_knob."""
    return tr(f"text.bars_{why}", lang)


BARS_EMPTY, BARS_BAD_KNOB = bars_reason("empty"), bars_reason("bad_knob")  # in English, as tests read them

Marks = list[tuple[str, "str | None"]]


def char_label(char: str, lang: str = "en") -> str:
    """How a candidate character is named on its bar (whitespace made visible and named in `lang`)."""
    key = WHITESPACE_KEYS.get(char)
    return tr(key, lang) if key else char


def bars(candidates: Iterable[tuple[str, float]], lang: str = "en") -> dict[str, float]:
    """The bars from the explorer's (character, probability) pairs, likeliest first."""
    return {char_label(c, lang): p for c, p in candidates}


def too_long_marks(prompt: str, lang: str = "en") -> Marks:
    """A prompt past the limit: the part past it marked (refused, never truncated: the user sees where)."""
    cut = limits.MAX_PROMPT_CHARS
    return [(prompt[:cut], None), (prompt[cut:], tr(MARK_LABELS["too_long"], lang))]


def unknown_marks(prompt: str, unknown: Iterable[str], lang: str = "en") -> Marks:
    """The prompt in runs, the characters the model does not know marked."""
    bad, label = set(unknown), tr(MARK_LABELS["unknown"], lang)
    return [("".join(run), label if is_bad else None) for is_bad, run in itertools.groupby(prompt, key=lambda c: c in bad)]


def label_json(shown: dict[str, float]) -> dict[str, Any]:
    """Bars as gr.Label sends them ({"label": the likeliest, "confidences": [{"label", "confidence"}, ...]}), the
    shape /next_tokens has always answered with; {} for none."""
    if not shown:
        return {}
    return {"label": next(iter(shown)), "confidences": [{"label": c, "confidence": p} for c, p in shown.items()]}


def marks_json(marks: Marks) -> list[dict[str, Any]]:
    """Marks as gr.HighlightedText sends them ([{"token", "class_or_confidence"}])."""
    return [{"token": text, "class_or_confidence": label} for text, label in marks]


def stopped_note(new_chars: int, max_new_tokens: int, lang: str = "en") -> str:
    """The status a stream ended by Stop leaves under the buttons (cleared by the next run)."""
    return tr("text.stopped", lang, new=new_chars, most=max_new_tokens)
