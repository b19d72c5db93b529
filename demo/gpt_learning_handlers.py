"""GPT learns: the handlers. Two operations, each ONE function that checks its input once: `at_step` (the view of
one snapshot: its caption, the prompt continued, the next-character bars, the curve marked) and `all_steps` (the
same for every snapshot at once, run when a prompt is submitted, so the slider's later moves are cache hits), with
the API's adapter (`snapshot_json`: refusals as gr.Error, through user_errors) and the page's (`page_at_snapshot`,
`page_all_snapshots`: a note by the field; the last good view stays). The page's slider counts snapshots (1 .. n),
the API names the step itself.

What a step shows is computed once per (step, prompt) and kept (an LRU of small strings): a switch to a step
already seen re-runs no model. The snapshots' weights are read once and kept by demo/gpt_models.py."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterator

import gradio as gr
from cachetools import LRUCache

from core import limits
from core.gpt.sampling import NextTokenExplorer, Sampler, SamplingKnobs, validate_prompt
from core.validation import as_int
from demo import text_render
from demo.errors import USER_ERRORS, FieldError, FieldNotes, about, localized, refusal, user_errors
from demo.gpt_learning_render import LossPlot, caption_html, continuation_html
from demo.gpt_models import GptModels
from demo.i18n import request_language
from demo.locales import LANGUAGES
from demo.locales.learn import MAX_PROMPT_CHARS, NEW_CHARS, SEED, TEMPERATURE  # the view's words name them

DEFAULT_PROMPT = "ROMEO:\n"
KNOBS = SamplingKnobs(temperature=TEMPERATURE, top_k=0, top_p=1.0, max_new_tokens=NEW_CHARS, seed=SEED)
BARS_KNOBS = SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0)  # the model's own probabilities
VIEWS_KEPT = 512  # (step, prompt) results kept: ~1 kB each
NOTE_FIELDS = ("step", "prompt")
PAGE_NOTES = FieldNotes(NOTE_FIELDS, fallback="prompt")


def _notes(exc: Exception, lang: str) -> tuple[Any, ...]:
    """The notes for a refusal: its message in the page's language, by its field."""
    field = exc.field if isinstance(exc, FieldError) and exc.field in NOTE_FIELDS else PAGE_NOTES.fallback
    return PAGE_NOTES.show(field, localized(exc, lang))


@dataclass(frozen=True)
class StepView:
    """What one snapshot wrote after one prompt, and what it would write next."""
    step: int
    prompt: str
    continuation: str
    candidates: list[tuple[str, float]]  # the likeliest next characters and their probabilities, likeliest first


class GptLearningHandlers:
    """The view's handlers over the snapshot pack in `models` (its weights read on first use and kept)."""

    def __init__(self, models: GptModels) -> None:
        if models.pack is None:
            raise ValueError("GptLearningHandlers needs a snapshot pack")
        self.models, self.pack = models, models.pack
        metrics = models.shipped.config.get("metrics", {}) if models.shipped is not None else {}
        shipped = metrics.get("val_loss_windows")
        self.shipped_loss = float(shipped) if isinstance(shipped, (int, float)) else None
        self.plots = {lang: LossPlot(self.pack, self.shipped_loss, lang) for lang in LANGUAGES}
        self._views: LRUCache[tuple[int, str], StepView] = LRUCache(maxsize=VIEWS_KEPT)
        self._explorers: dict[int, NextTokenExplorer] = {}
        self._lock = threading.Lock()
        self.model_runs = 0  # tests check that a step already seen runs no model

    @property
    def steps(self) -> list[int]:
        return self.pack.steps

    # ---- the edge: every input checked once ---------------------------------------------------------------------
    def step_of(self, number: Any) -> int:
        """The step of snapshot `number` (1 = step 0 .. n = the last): what the page's slider sends."""
        with about("step"):
            return self.steps[as_int("snapshot", number, 1, len(self.steps)) - 1]

    def check_step(self, step: Any) -> int:
        """A step the pack has (the API names the step itself)."""
        with about("step"):
            value = as_int("step", step, 0, self.steps[-1])
            if value not in self.steps:
                raise refusal("learn.error_no_step", step=value, steps=", ".join(f"{s:,}" for s in self.steps))
            return value

    def check_prompt(self, prompt: Any) -> str:
        with about("prompt"):
            if isinstance(prompt, str) and len(prompt) > MAX_PROMPT_CHARS:
                raise refusal("learn.error_prompt_long", count=len(prompt))
            return validate_prompt(prompt, self.pack.tokenizer)

    # ---- the model, once per (step, prompt) ----------------------------------------------------------------------
    def view(self, step: int, prompt: str) -> StepView:
        """The checked step's view of the checked prompt: from the cache, or the snapshot runs once."""
        with self._lock:
            if (found := self._views.get((step, prompt))) is not None:
                return found
        choice = self.models.snapshot(step)
        continuation = Sampler(choice.model, choice.tokenizer).generate(prompt, KNOBS)
        candidates = self._explorer(step).candidates(prompt, BARS_KNOBS, limits.NEXT_TOKEN_CANDIDATES)
        found = StepView(step, prompt, continuation, candidates)
        with self._lock:
            self.model_runs += 1
            self._views[(step, prompt)] = found
        return found

    def _explorer(self, step: int) -> NextTokenExplorer:
        with self._lock:
            if (explorer := self._explorers.get(step)) is not None:
                return explorer
        choice = self.models.snapshot(step)
        explorer = NextTokenExplorer(choice.model, choice.tokenizer, cache_size=64)
        with self._lock:
            return self._explorers.setdefault(step, explorer)

    def shown(self, view: StepView, lang: str = "en") -> tuple[str, str, dict[str, float], str]:
        """(caption, the prompt continued, the bars, the curve marked) of one view, in `lang`."""
        return (caption_html(self.pack, view.step, self.shipped_loss, lang),
                continuation_html(view.prompt, view.continuation, view.step), text_render.bars(view.candidates, lang),
                self.plots.get(lang, self.plots["en"]).svg(view.step))

    # ---- the operations ------------------------------------------------------------------------------------------
    def at_step(self, step: Any, prompt: Any, lang: str = "en") -> tuple[str, str, dict[str, float], str]:
        """One snapshot's view of the prompt: (caption, continued prompt, next-character bars, marked curve)."""
        step, prompt = self.check_step(step), self.check_prompt(prompt)
        return self.shown(self.view(step, prompt), lang)

    def all_steps(self, step: Any, prompt: Any) -> tuple[str, str, dict[str, float], str]:
        """A new prompt: continue it at every snapshot (a few seconds, once), then show `step`'s view; the slider's
        moves after it are cache hits."""
        step, prompt = self.check_step(step), self.check_prompt(prompt)
        for other in self.steps:
            self.view(other, prompt)
        return self.shown(self.view(step, prompt))

    def at_snapshot(self, number: Any, prompt: Any, request: gr.Request | None = None) -> tuple[str, str, dict[str, float], str]:
        """at_step for the page's slider, which counts snapshots (1 .. n)."""
        return self.at_step(self.step_of(number), prompt, request_language(request))

    def at_linked_step(self, step: Any, prompt: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A link's view: the training step it names (a snapshot's), the slider moved to it, and that snapshot's view
        of the prompt. (the slider's number, caption, continued prompt, bars, curve)."""
        step = self.check_step(step)
        return (self.steps.index(step) + 1, *self.at_step(step, prompt, request_language(request)))

    # ---- the page: a refusal is a note by its field, in the page's language; the last good view stays ------------
    def page_at_snapshot(self, number: Any, prompt: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """The slider moved: (caption, continued prompt, bars, curve, *notes)."""
        try:
            return (*self.at_snapshot(number, prompt, request), *PAGE_NOTES.show())
        except USER_ERRORS as exc:
            return (*(gr.skip(),) * 4, *_notes(exc, request_language(request)))

    def page_at_linked_step(self, step: Any, prompt: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A link's view: (the slider's number, caption, continued prompt, bars, curve, *notes)."""
        try:
            return (*self.at_linked_step(step, prompt, request), *PAGE_NOTES.show())
        except USER_ERRORS as exc:
            return (*(gr.skip(),) * 5, *_notes(exc, request_language(request)))

    def page_all_snapshots(self, number: Any, prompt: Any, request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """A prompt submitted on the page: its view at the slider's snapshot at once, then (the page already showing
        it) the other snapshots continue it too, so each later move of the slider is a cache hit."""
        lang = request_language(request)
        try:
            step, prompt = self.step_of(number), self.check_prompt(prompt)
            yield (*self.shown(self.view(step, prompt), lang), *PAGE_NOTES.show())
        except USER_ERRORS as exc:
            yield (*(gr.skip(),) * 4, *_notes(exc, lang))
            return
        for other in self.steps:
            self.view(other, prompt)

    def as_json(self, step: Any, prompt: Any) -> dict[str, Any]:
        """The view of one snapshot as plain JSON (see api_snapshot)."""
        step, prompt = self.check_step(step), self.check_prompt(prompt)
        view = self.view(step, prompt)
        return {"step": step, "val_loss": self.pack.snapshot(step).val_loss, "prompt": prompt,
                "continuation": view.continuation, "temperature": TEMPERATURE, "seed": SEED,
                "next": [[c, round(p, 6)] for c, p in view.candidates], "steps": self.steps}

    snapshot_json = user_errors(as_json)
