"""Inside the GPT's handlers: five operations (look at a text, choose a model, view a step, pick a character, pick a
head), each ONE function that checks its input once and slices a cached trace, with the API's adapter (refusals as
gr.Error, through user_errors) and the page's (a note by the field concerned, through FieldNotes.on_page; the panels
keep the last good view). The panels themselves are drawn by demo/inside_render.py; the layout is demo/inside_tab.py.

Any GPT of demo/gpt_models.py can be looked inside: the shipped one, a snapshot of its training run, or the visitor's
own model. The page's choice is kept per browser session on the server (`choose`), so the view's other events keep
the inputs they always had (programs that call them are unchanged); traces are cached per model and text."""
from __future__ import annotations

import functools
import hashlib
import html
import threading
from typing import Any

import gradio as gr
from cachetools import LRUCache, TTLCache

from core import limits
from core.gpt.inspect import Trace, trace_ids
from core.gpt.io import LoadedGPT
from demo.gpt_models import SHIPPED, GptChoice, GptModels
from core.gpt.sampling import SamplingKnobs, validate_knobs, validate_prompt
from core.validation import KnobError, as_int
from demo.errors import USER_ERRORS, FieldError, FieldNotes, about, localized, refusal, user_errors
from demo.i18n import request_language, text as say
from demo.inside_render import InsideRender, prob_colours
from demo.shared import GeneratedFiles

MAX_TEXT_CHARS = limits.MAX_PROMPT_CHARS + limits.MAX_NEW_TOKENS  # the longest text the Text tab can produce
GRID_FILES_BYTES = 64 * 2**20  # model-view PNGs on disk (~20-60 kB each); the oldest go first
CHOICES_KEPT, CHOICE_HOURS = 4096, 4  # the model each browser session chose (a key of a few bytes each)
CACHE_BYTES = 160 * 2**20  # traces kept (LRU): a 300-character text holds ~9 MB, a 3 000-character one ~90 MB
# The page's notes, one per field a refusal can concern (one shows at a time): the Text tab's prompt, text and knobs
# (by the Look button), the step, the layer (and head), the model. A page update ends with one update per note, in
# this order.
_THIS_TEXT = object()  # open_at's kept_for: keep the link's step for whatever text the look ends up showing
NOTE_FIELDS = ("text", "step", "layer", "model")
TEXT_NOTE_TAIL = say("inside.text_tail", "en")
PAGE_NOTES = FieldNotes(NOTE_FIELDS, fallback="text", tails={"text": TEXT_NOTE_TAIL})


def on_page(fn: Any, outputs: int, coloured: int | None = None) -> Any:
    """The page adapter of an operation (FieldNotes.on_page), its refusal said in the page's language: the outputs
    with every note cleared, or the outputs left as they are and one note by its field. `coloured`: the index of
    the coloured text among the outputs, if it is one."""

    @functools.wraps(fn)
    def page(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        lang = request_language(kwargs.get("request") or next((a for a in args if isinstance(a, gr.Request)), None))
        try:
            shown = list(fn(*args, **kwargs))
            if coloured is not None:  # the coloured text's legend in the page's language
                shown[coloured] = gr.HighlightedText(shown[coloured], color_map=prob_colours(lang))
            return (*shown, *PAGE_NOTES.show())
        except USER_ERRORS as exc:
            field = exc.field if isinstance(exc, FieldError) and exc.field in NOTE_FIELDS else PAGE_NOTES.fallback
            tail = say("inside.text_tail", lang) if field == "text" else ""
            return (*(gr.skip(),) * outputs, *PAGE_NOTES.show(field, localized(exc, lang) + tail))

    return page


class Picked(gr.EventData):
    """What a click sent from the page (trigger('select', {index})); None when an API call came without one."""

    def __init__(self, target: Any, data: Any):
        super().__init__(target, data)
        self.index = data.get("index") if isinstance(data, dict) else None


def _session(request: gr.Request | None) -> str | None:
    return getattr(request, "session_hash", None) if request is not None else None


class InsideHandlers(InsideRender):
    """The view's handlers over every GPT of a registry; traces are cached per model and text (nothing re-runs for a
    click). Its own InsideRender is the shipped model's; another model gets one of its own (its vocabulary, shape)."""

    def __init__(self, models: GptModels | LoadedGPT, cache_bytes: int = CACHE_BYTES):
        self.models = models if isinstance(models, GptModels) else GptModels(models, None)
        shipped = self.models.resolve(SHIPPED)
        super().__init__(shipped.tokenizer, shipped.model.config)
        self.model = shipped.model
        self.files = GeneratedFiles(cap_bytes=GRID_FILES_BYTES)
        # least recently used traces go first once their bytes pass cache_bytes
        self._traces: LRUCache[str, Trace] = LRUCache(maxsize=cache_bytes, getsizeof=lambda trace: trace.nbytes)
        self._renders: LRUCache[str, InsideRender] = LRUCache(maxsize=32)
        self._chosen: TTLCache[str, str] = TTLCache(maxsize=CHOICES_KEPT, ttl=CHOICE_HOURS * 3600)
        self._lock = threading.Lock()
        self.model_runs = 0  # tests check that clicks do not run the model
        # the page's adapters: (*the operation's outputs, *notes), or on a refusal the outputs left and one note
        self.page_look = on_page(self.look_at, 12, coloured=0)
        self.page_choose = on_page(self.choose_model, 12, coloured=0)
        self.page_view = on_page(self.panels, 6)
        self.page_pick_char = on_page(self.char_panels, 7)
        self.page_pick_head = on_page(self.head_panels, 8)
        self.page_open = on_page(self.open_at, 14, coloured=2)

    # ---- which model: the session's choice ------------------------------------------------------------------------
    def chosen(self, request: gr.Request | None = None, key: Any = None) -> GptChoice:
        """The model named by `key`, or else the one this browser session chose (the shipped GPT by default)."""
        session = _session(request)
        if key is None:
            with self._lock:
                key = self._chosen.get(session, SHIPPED) if session else SHIPPED
        with about("model"):
            return self.models.resolve(key, session)

    def render(self, choice: GptChoice) -> InsideRender:
        """The panels' renderer for a model (this object for the shipped GPT)."""
        if choice.model is self.model:
            return self
        with self._lock:
            if (found := self._renders.get(choice.cache_key)) is None:
                found = self._renders[choice.cache_key] = InsideRender(choice.tokenizer, choice.model.config)
            return found

    # ---- the edge: every input checked once ---------------------------------------------------------------------
    @staticmethod
    def _text(choice: GptChoice, prompt: Any, text: Any) -> tuple[str, str, str]:
        """(prompt, the text to look inside, the catalog key of a note or ""). The text is the Text tab's output when
        it continues this prompt; otherwise the prompt alone (nothing generated for it yet)."""
        prompt = validate_prompt(prompt, choice.tokenizer)
        if text is None or text == "":
            return prompt, prompt, "inside.note_nothing_generated"
        if not isinstance(text, str):
            raise refusal("inside.error_text_type", kind=type(text).__name__)
        if len(text) > MAX_TEXT_CHARS:
            raise refusal("inside.error_text_long", count=len(text), limit=MAX_TEXT_CHARS)
        if not text.startswith(prompt):
            return prompt, prompt, "inside.note_edited"
        choice.tokenizer.encode(text)  # unknown characters are refused by name
        return prompt, text, ""

    def _text_and_knobs(self, choice: GptChoice, prompt: Any, text: Any, temperature: Any, top_k: Any,
                        top_p: Any) -> tuple[str, str, str, SamplingKnobs]:
        with about("text"):
            prompt, text, note = self._text(choice, prompt, text)
            return prompt, text, note, validate_knobs(temperature, top_k, top_p, limits.MIN_REPETITION_PENALTY, 1, 0)

    @staticmethod
    def _layer_head(choice: GptChoice, layer: Any, head: Any) -> tuple[int, int]:
        config = choice.model.config
        with about("layer"):
            return as_int("layer", layer, 1, config.n_layer), as_int("head", head, 1, config.n_head)

    @staticmethod
    def _step(step: Any, text: str) -> int:
        with about("step"):
            if step == 0:
                raise refusal("inside.error_step_zero")
            return as_int("step (the character whose drawing is shown)", step, 1, len(text))

    def trace(self, text: str, choice: GptChoice | None = None) -> Trace:
        """The traced forward of a model (the shipped GPT by default) over text, from the cache when this model
        traced this text before."""
        choice = choice or self.chosen()
        key = f"{choice.cache_key}\0{text}"
        with self._lock:
            if (trace := self._traces.get(key)) is not None:
                return trace
        trace = trace_ids(choice.model, choice.tokenizer.encode(text))
        with self._lock:
            self.model_runs += 1
            if trace.nbytes <= self._traces.maxsize:  # one larger than the whole cache is served, not kept
                self._traces[key] = trace
        return trace

    # ---- the operations (refusals raise FieldError naming their field) -----------------------------------------
    def look_at(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
                head: Any, step: Any = None, kept_for: Any = None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Trace the text with the session's model (once; cached) and show it coloured, at the step of the first
        generated character, or at `step` when a link has just drawn this very text (`kept_for`, see open_at: the
        tab's own look, as the link shows it, keeps the link's step). (coloured text, step, the 6 panels, the model
        choices, the layer, the head, "": no step kept for the next look). The choices are the session's (its own
        model appears once it has one); layer and head stay within the model."""
        return (*self._look(self.chosen(request), prompt, text, temperature, top_k, top_p, layer, head, step, kept_for,
                            request)[:-1], "")

    def choose_model(self, model: Any, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
                     head: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """The page's model choice: kept for this browser session, then look_at with it."""
        choice = self.chosen(request, model)
        if (session := _session(request)) is not None:
            with self._lock:
                self._chosen[session] = choice.key
        return (*self._look(choice, prompt, text, temperature, top_k, top_p, layer, head, None, None, request)[:-1], "")

    def _look(self, choice: GptChoice, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
              head: Any, step: Any, kept_for: Any, request: gr.Request | None) -> tuple[Any, ...]:
        """look_at's outputs, the last one the text looked at."""
        config = choice.model.config
        prompt, text, note, knobs = self._text_and_knobs(choice, prompt, text, temperature, top_k, top_p)
        kept_for = text if kept_for is _THIS_TEXT else kept_for
        step = self._kept_step(step, kept_for, text) or (len(prompt) if len(text) > len(prompt) else len(text))
        with about("layer"):  # a model of fewer layers or heads than the last one shown: its last
            layer = min(as_int("layer", layer, 1, 10**6), config.n_layer)
            head = min(as_int("head", head, 1, 10**6), config.n_head)
        trace = self.trace(text, choice)
        render = self.render(choice)
        bars, *panels = self._panels(choice, text, trace, knobs, step, layer, head, request_language(request))
        lang = request_language(request)
        note = f'<p class="inside-note">{html.escape(say(note, lang))}</p>' if note else ""
        choices = self.models.choices(_session(request), lang=lang)
        return (render.coloured_text(trace, prompt, text, knobs, lang), step, note + bars, *panels,
                gr.Dropdown(choices=choices, value=choice.key),
                gr.Slider(maximum=config.n_layer, value=layer),
                gr.Radio(choices=[str(h) for h in range(1, config.n_head + 1)], value=str(head)), text)

    @staticmethod
    def _kept_step(step: Any, kept_for: Any, text: str) -> int | None:
        """The step to keep, when it was kept for this very text and lies within it; else None."""
        if not text or kept_for != text:
            return None
        try:
            return as_int("step", step, 1, len(text))
        except USER_ERRORS:
            return None

    def open_at(self, link_prompt: Any, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any,
                layer: Any, head: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A link (or a tour step) opens the view: on the link's prompt alone when it has one (the Text tab's prompt
        and text become it), else on the Text tab's text; at the link's step when the text has it (else the look's
        first step), layer and head. (prompt, text, then what look_at shows, the last output being the text whose
        step the tab's next look keeps: the link shows the tab once this has been drawn, and its look must not
        move the step back to the first generated character.)"""
        if isinstance(link_prompt, str) and link_prompt:
            prompt = text = link_prompt
        choice = self.chosen(request)
        *shown, looked = self._look(choice, prompt, text, temperature, top_k, top_p, layer, head, step, _THIS_TEXT,
                                    request)
        kept = self._kept_step(step, looked, looked) is not None  # else past the text's end: its first step shows
        return (prompt, text, *shown, looked if kept else "")

    def panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any, layer: Any,
               head: Any, request: gr.Request | None = None) -> tuple[str, str, str, str, str, str]:
        """Every panel for one step, layer and head: bars, shaded text, model view, large head, worked example,
        logit lens. Slices the cached trace; runs the model only for a text it has not seen."""
        choice = self.chosen(request)
        _, text, _, knobs = self._text_and_knobs(choice, prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        layer, head = self._layer_head(choice, layer, head)
        return self._panels(choice, text, self.trace(text, choice), knobs, step, layer, head, request_language(request))

    def char_panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any, head: Any,
                    evt: Picked, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A click on a character of the coloured text: its entry index is its step. (step, the 6 panels)."""
        if evt is None or evt.index is None:
            error = FieldError("step", say("inside.error_no_char", "en"))
            error.key, error.values = "inside.error_no_char", {}
            raise error
        return (evt.index, *self.panels(prompt, text, temperature, top_k, top_p, evt.index, layer, head, request))

    def head_panels(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any,
                    evt: Picked, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A click on the model view: the page sends the pixel [x, y], which grid_cell maps to a layer and head.
        (layer, head, the 6 panels)."""
        index = None if evt is None else evt.index
        choice = self.chosen(request)
        config = choice.model.config
        if not isinstance(index, (list, tuple)) or len(index) != 2:
            values = {"layers": config.n_layer, "heads": config.n_head}
            error = FieldError("layer", say("inside.error_no_head", "en", **values))
            error.key, error.values = "inside.error_no_head", values
            raise error
        _, text, _, knobs = self._text_and_knobs(choice, prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        trace = self.trace(text, choice)
        with about("layer"):
            layer, head = self.render(choice).grid_cell(trace, step, *index)
        return (layer, str(head), *self._panels(choice, text, trace, knobs, step, layer, head, request_language(request)))

    def trace_at(self, prompt: Any, text: Any, step: Any, temperature: Any, top_k: Any, top_p: Any,
                 model: Any = SHIPPED, request: gr.Request | None = None) -> dict[str, Any]:
        """The trace at one step as plain JSON (see as_json)."""
        choice = self.chosen(request, model)
        prompt, text, _, knobs = self._text_and_knobs(choice, prompt, text, temperature, top_k, top_p)
        step = self._step(step, text)
        return self.render(choice).trace_json(self.trace(text, choice), prompt, text, knobs, step)

    def _panels(self, choice: GptChoice, text: str, trace: Trace, knobs: SamplingKnobs, step: int, layer: int,
                head: int, lang: str = "en") -> tuple[str, str, str, str, str, str]:
        render = self.render(choice)
        return (render.bars_html(trace, knobs, step, lang), render.shade_html(trace, step, layer, head, lang),
                self.grid_file(choice, text, trace, step, layer, head), render.big_head_html(trace, step, layer, head, lang),
                render.worked_example(trace, knobs, step, layer, head, lang), render.lens_markdown(trace, step, lang))

    def grid_file(self, choice: GptChoice, text: str, trace: Trace, step: int, layer: int, head: int) -> str:
        """grid_image as a PNG file in the app's own folder of Gradio's cache (served as is; the same view again
        reuses its file). A palette PNG at zlib level 1, smaller and faster than Gradio's own RGB save."""
        key = f"{choice.cache_key}/{hashlib.sha1(text.encode()).hexdigest()}/{step}/{layer}/{head}"
        if (found := self.files.find(key)) is not None:
            return found
        image = self.render(choice).grid_image(trace, step, layer, head)
        return self.files.write("grid", ".png", lambda f: image.save(f, format="png", compress_level=1), key=key)

    # ---- the API: the operations with refusals as gr.Error -----------------------------------------------------
    look = user_errors(look_at)
    choose = user_errors(choose_model)
    view = user_errors(panels)
    pick_char = user_errors(char_panels)
    pick_head = user_errors(head_panels)

    @user_errors
    def as_json(self, prompt: str = "To be, or not", text: str = "To be, or not to be", step: int = 16,
                temperature: float = 0.8, top_k: int = 40, top_p: float = 0.95, model: str = SHIPPED) -> dict[str, Any]:
        """The trace at one step as plain JSON (for a notebook): the text's characters, each generated character's
        probability, and at `step` (1 .. length; the query is step - 1): attention [layer][head][key] over keys
        key_from .. step - 1, the logit lens (top 3 per layer) and the next-character distribution (top 10, raw and
        after the knobs). `model`: "shipped" or a training snapshot, "step-<N>"."""
        return self.trace_at(prompt, text, step, temperature, top_k, top_p, model)
