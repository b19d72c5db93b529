"""Inside the GPT's handlers: four operations (look at a text, view a step, pick a character, pick a head), each ONE
function that checks its input once and slices a cached trace, with the API's adapter (refusals as gr.Error, through
user_errors) and the page's (a note by the field concerned, through FieldNotes.on_page; the panels keep the last
good view). The panels themselves are drawn by demo/inside_render.py; the layout is demo/inside_tab.py."""
from __future__ import annotations

import hashlib
import html
import threading
from typing import Any

import gradio as gr
from cachetools import LRUCache

from core import limits
from core.gpt.inspect import Trace, trace_ids
from core.gpt.io import LoadedGPT
from core.gpt.sampling import SamplingKnobs, validate_knobs, validate_prompt
from core.validation import KnobError, as_int
from demo.errors import FieldError, FieldNotes, about, user_errors
from demo.inside_render import InsideRender
from demo.shared import GeneratedFiles

MAX_TEXT_CHARS = limits.MAX_PROMPT_CHARS + limits.MAX_NEW_TOKENS  # the longest text the Text tab can produce
GRID_FILES_BYTES = 64 * 2**20  # model-view PNGs on disk (~20-60 kB each); the oldest go first
CACHE_BYTES = 160 * 2**20  # traces kept (LRU): a 300-character text holds ~9 MB, a 3 000-character one ~90 MB
# The page's notes, one per field a refusal can concern (one shows at a time): the Text tab's prompt, text and knobs
# (by the Look button), the step, the layer (and head). A page update ends with one update per note, in this order.
NOTE_FIELDS = ("text", "step", "layer")
TEXT_NOTE_TAIL = " (The prompt, text and knobs are the Text tab's; the panels keep showing the last good text.)"
PAGE_NOTES = FieldNotes(NOTE_FIELDS, fallback="text", tails={"text": TEXT_NOTE_TAIL})


class Picked(gr.EventData):
    """What a click sent from the page (trigger('select', {index})); None when an API call came without one."""

    def __init__(self, target: Any, data: Any):
        super().__init__(target, data)
        self.index = data.get("index") if isinstance(data, dict) else None


class InsideHandlers(InsideRender):
    """The view's handlers over one loaded GPT; traces are cached per text (nothing re-runs for a click)."""

    def __init__(self, loaded: LoadedGPT, cache_bytes: int = CACHE_BYTES):
        super().__init__(loaded.tokenizer, loaded.model.config)
        self.model = loaded.model
        self.files = GeneratedFiles(cap_bytes=GRID_FILES_BYTES)
        # least recently used traces go first once their bytes pass cache_bytes
        self._traces: LRUCache[str, Trace] = LRUCache(maxsize=cache_bytes, getsizeof=lambda trace: trace.nbytes)
        self._lock = threading.Lock()
        self.model_runs = 0  # tests check that clicks do not run the model
        # the page's adapters: (*the operation's outputs, *notes), or on a refusal the outputs left and one note
        self.page_look = PAGE_NOTES.on_page(self.look_at, 8)
        self.page_view = PAGE_NOTES.on_page(self.panels, 6)
        self.page_pick_char = PAGE_NOTES.on_page(self.char_panels, 7)
        self.page_pick_head = PAGE_NOTES.on_page(self.head_panels, 8)

    # ---- the edge: every input checked once ---------------------------------------------------------------------
    def _text(self, prompt: Any, text: Any) -> tuple[str, str, str]:
        """(prompt, the text to look inside, a note). The text is the Text tab's output when it continues this
        prompt; otherwise the prompt alone (nothing generated for it yet)."""
        prompt = validate_prompt(prompt, self.tokenizer)
        if text is None or text == "":
            return prompt, prompt, "Nothing generated yet: showing the prompt alone. Generate on the Text tab first."
        if not isinstance(text, str):
            raise KnobError(f"The text must be a string; got a {type(text).__name__}.")
        if len(text) > MAX_TEXT_CHARS:
            raise KnobError(f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} (prompt + generated).")
        if not text.startswith(prompt):
            return prompt, prompt, "The text no longer starts with the prompt (it was edited): showing the prompt alone."
        self.tokenizer.encode(text)  # unknown characters are refused by name
        return prompt, text, ""

    def _text_and_knobs(self, prompt: Any, text: Any, temperature: Any, top_k: Any,
                        top_p: Any) -> tuple[str, str, str, SamplingKnobs]:
        with about("text"):
            prompt, text, note = self._text(prompt, text)
            return prompt, text, note, validate_knobs(temperature, top_k, top_p, limits.MIN_REPETITION_PENALTY, 1, 0)

    def _layer_head(self, layer: Any, head: Any) -> tuple[int, int]:
        with about("layer"):
            return as_int("layer", layer, 1, self.config.n_layer), as_int("head", head, 1, self.config.n_head)

    @staticmethod
    def _step(step: Any, text: str) -> int:
        with about("step"):
            if step == 0:
                raise KnobError("The first character is given, not predicted: pick a later one (step 1 or more).")
            return as_int("step (the character whose drawing is shown)", step, 1, len(text))

    def trace(self, text: str) -> Trace:
        """The traced forward over text, from the cache when this text was traced before."""
        with self._lock:
            if (trace := self._traces.get(text)) is not None:
                return trace
        trace = trace_ids(self.model, self.tokenizer.encode(text))
        with self._lock:
            self.model_runs += 1
            if trace.nbytes <= self._traces.maxsize:  # one larger than the whole cache is served, not kept
                self._traces[text] = trace
        return trace

    # ---- the operations (refusals raise FieldError naming their field) -----------------------------------------
    def look_at(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
                head: Any) -> tuple[Any, ...]:
        """Trace the text (once; cached) and show it coloured, with the step of the first generated character:
        (coloured text, step, the 6 panels)."""
        prompt, text, note, knobs = self._text_and_knobs(prompt, text, temperature, top_k, top_p)
        step = len(prompt) if len(text) > len(prompt) else len(text)
        layer, head = self._layer_head(layer, head)
        trace = self.trace(text)
        bars, *panels = self._panels(text, trace, knobs, step, layer, head)
        note = f'<p class="inside-note">{html.escape(note)}</p>' if note else ""
        return (self.coloured_text(trace, prompt, text, knobs), step, note + bars, *panels)

    def panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any, layer: Any,
               head: Any) -> tuple[str, str, str, str, str, str]:
        """Every panel for one step, layer and head: bars, shaded text, model view, large head, worked example,
        logit lens. Slices the cached trace; runs the model only for a text it has not seen."""
        _, text, _, knobs = self._text_and_knobs(prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        layer, head = self._layer_head(layer, head)
        return self._panels(text, self.trace(text), knobs, step, layer, head)

    def char_panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any, head: Any,
                    evt: Picked) -> tuple[Any, ...]:
        """A click on a character of the coloured text: its entry index is its step. (step, the 6 panels)."""
        if evt is None or evt.index is None:
            raise FieldError("step", "No character was clicked; call /inside_view with the step (1 .. length of the text).")
        return (evt.index, *self.panels(prompt, text, temperature, top_k, top_p, evt.index, layer, head))

    def head_panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any,
                    evt: Picked) -> tuple[Any, ...]:
        """A click on the model view: the page sends the pixel [x, y], which grid_cell maps to a layer and head.
        (layer, head, the 6 panels)."""
        index = None if evt is None else evt.index
        if not isinstance(index, (list, tuple)) or len(index) != 2:
            raise FieldError("layer", "No head was clicked; call /inside_view with the layer and head (1 .. 6 each).")
        _, text, _, knobs = self._text_and_knobs(prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        trace = self.trace(text)
        with about("layer"):
            layer, head = self.grid_cell(trace, step, *index)
        return (layer, str(head), *self._panels(text, trace, knobs, step, layer, head))

    def trace_at(self, prompt: Any, text: Any, step: Any, temperature: Any, top_k: Any, top_p: Any) -> dict[str, Any]:
        """The trace at one step as plain JSON (see as_json)."""
        prompt, text, _, knobs = self._text_and_knobs(prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        return self.trace_json(self.trace(text), prompt, text, knobs, step)

    def _panels(self, text: str, trace: Trace, knobs: SamplingKnobs, step: int, layer: int,
                head: int) -> tuple[str, str, str, str, str, str]:
        return (self.bars_html(trace, knobs, step), self.shade_html(trace, step, layer, head),
                self.grid_file(text, trace, step, layer, head), self.big_head_html(trace, step, layer, head),
                self.worked_example(trace, knobs, step, layer, head), self.lens_markdown(trace, step))

    def grid_file(self, text: str, trace: Trace, step: int, layer: int, head: int) -> str:
        """grid_image as a PNG file in the app's own folder of Gradio's cache (served as is; the same view again
        reuses its file). A palette PNG at zlib level 1, smaller and faster than Gradio's own RGB save."""
        key = f"{hashlib.sha1(text.encode()).hexdigest()}/{step}/{layer}/{head}"
        if (found := self.files.find(key)) is not None:
            return found
        image = self.grid_image(trace, step, layer, head)
        return self.files.write("grid", ".png", lambda f: image.save(f, format="png", compress_level=1), key=key)

    # ---- the API: the operations with refusals as gr.Error -----------------------------------------------------
    look = user_errors(look_at)
    view = user_errors(panels)
    pick_char = user_errors(char_panels)
    pick_head = user_errors(head_panels)

    @user_errors
    def as_json(self, prompt: str = "To be, or not", text: str = "To be, or not to be", step: int = 16,
                temperature: float = 0.8, top_k: int = 40, top_p: float = 0.95) -> dict[str, Any]:
        """The trace at one step as plain JSON (for a notebook): the text's characters, each generated character's
        probability, and at `step` (1 .. length; the query is step - 1): attention [layer][head][key] over keys
        key_from .. step - 1, the logit lens (top 3 per layer) and the next-character distribution (top 10, raw and
        after the knobs)."""
        return self.trace_at(prompt, text, step, temperature, top_k, top_p)
