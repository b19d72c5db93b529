"""The Text tab's handlers: three operations (generate, next_tokens, inspect_prompt), each ONE function that checks
its input once (`check`, at the edge) and calls the GPT, with a thin adapter for the API (refusals as gr.Error,
through demo/errors.py user_errors) and one for the page (refusals as a note by their field; the last output stays).
What the results look like is demo/text_render.py; where they go on the page is demo/text_tab.py.

The page may choose the visitor's own model (trained on "GPT learns", demo/gpt_models.py) instead of the shipped one:
its text is streamed in this process (a small model; the shipped one keeps its worker process), its prompt checked
against its own vocabulary, and its bars drawn from its own logits."""
from __future__ import annotations

import itertools
import threading
import time
from contextlib import closing
from typing import Any, Iterator

import gradio as gr
from cachetools import LRUCache

from core import limits
from core.gpt.io import LoadedGPT
from core.gpt.sampling import NextTokenExplorer, Sampler, SamplingKnobs, validate_knobs, validate_prompt
from core.gpt.tokenizer import CharTokenizer, UnknownCharactersError
from core.validation import KnobError
from demo import text_render as render
from demo.errors import USER_ERRORS, FieldError, FieldNotes, about, field_note, localized, refusal, user_errors
from demo.gpt_models import OWN, SHIPPED, GptChoice, GptModels
from demo.i18n import request_language, text as say
from serve.stream_worker import StreamWorker

# Characters are sent in batches: an update goes out once STREAM_INTERVAL_S has passed and STREAM_MIN_CHARS new
# characters are waiting, or once STREAM_MAX_WAIT_S has passed. Each update costs the server CPU however few
# characters it carries, so on an idle server text arrives a dozen characters at a time (smooth to the eye), and on a
# busy one, where characters come slower, updates thin out to 10 a second instead of costing more than the
# characters themselves.
STREAM_INTERVAL_S, STREAM_MIN_CHARS, STREAM_MAX_WAIT_S = 0.03, 8, 0.1
_run_ids = itertools.count(1)
KNOB_DEFAULTS = SamplingKnobs()
# The API page's example prompt. Its Python snippet puts a default inside "..." as is, so a newline or a quote in
# it would make the snippet a SyntaxError when pasted: keep this one to plain words.
API_PROMPT = "To be, or not to be"
# The page's notes, one per field (only one shows at a time): the prompt, the run (a busy or stopped worker), the
# run's status (Stop), each knob, and the model choice. A page update is (text, *one update per note in this order).
KNOB_FIELDS = ("temperature", "top_k", "top_p", "max_new_tokens", "seed")  # as validate_knobs names them
NOTES = ("prompt", "run", "status", *KNOB_FIELDS, "model")
PAGE_NOTES = FieldNotes(NOTES, fallback="run")


MODEL_CHOICES = [("text.model_shipped", SHIPPED), ("text.model_own", OWN)]  # (catalog key of the label, value)
OWN_EXPLORERS = 16  # visitors' models whose next-token logits are cached at once


class OwnUnknownCharacters(UnknownCharactersError):
    """The visitor's model does not know some characters of the prompt: it knows only those of its own text."""

    def __init__(self, characters: list[str], vocab_size: int):
        super().__init__(characters)
        shown = ", ".join(repr(c) for c in characters[:20]) + (" ..." if len(characters) > 20 else "")
        self.key, self.values = "text.error_own_unknown", {"count": len(characters), "shown": shown, "vocab": vocab_size}
        self.args = (say(self.key, "en", **self.values),)


def session_id(request: gr.Request | None) -> str | None:
    return getattr(request, "session_hash", None)


class StreamSession:
    """One browser session's streams. A new stream supersedes the previous one, which stops at its next character,
    so moving a knob mid-stream never leaves two generations fighting over the text box."""

    def __init__(self) -> None:
        self.latest = 0
        self.generated = False  # knobs re-run a generation only after the user asked for one
        self.shown: tuple[Any, ...] | None = None  # the prompt and knobs of the newest run started from the page
        self.stopped = False  # Stop ended the newest run (the page then says so); a new run clears it

    def stop(self) -> None:
        """End the running stream at its next character (the text so far stays)."""
        self.latest, self.stopped = next(_run_ids), True


def update_due(seconds_since_update: float, new_chars: int) -> bool:
    """Whether a stream should send the characters it has gathered (see STREAM_INTERVAL_S)."""
    if seconds_since_update >= STREAM_MAX_WAIT_S:
        return True
    return seconds_since_update >= STREAM_INTERVAL_S and new_chars >= STREAM_MIN_CHARS


def check_knobs(temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any = 1, seed: Any = 0) -> SamplingKnobs:
    """The knobs checked once; a refusal names its knob (validate_knobs' message starts with the knob's name)."""
    try:
        return validate_knobs(temperature, top_k, top_p, limits.MIN_REPETITION_PENALTY, max_new_tokens, seed)
    except KnobError as exc:
        name = str(exc).split(" ", 1)[0]
        error = FieldError(name if name in KNOB_FIELDS else "run", str(exc))
        error.key, error.values = exc.key, exc.values  # still sayable in the reader's language (localized)
        raise error from None


def page_notes(exc: Exception, lang: str) -> tuple[Any, ...]:
    """The page's notes for a refusal: its message in the reader's language, by its field."""
    field = exc.field if isinstance(exc, FieldError) and exc.field in NOTES else PAGE_NOTES.fallback
    return PAGE_NOTES.show(field, localized(exc, lang))


class TextHandlers:
    """The text tab's handlers over one loaded GPT (loaded once at start-up; no handler loads weights)."""

    def __init__(self, loaded: LoadedGPT, models: GptModels | None = None):
        self.tokenizer = loaded.tokenizer
        self.streams = StreamWorker(loaded.model, loaded.tokenizer)  # in a process of its own, batched: see serve/
        self.explorer = NextTokenExplorer(loaded.model, loaded.tokenizer)
        self.models = models  # where the visitor's own model is found (None: the shipped model only)
        self._own_explorers: LRUCache[str, NextTokenExplorer] = LRUCache(maxsize=OWN_EXPLORERS)
        self._lock = threading.Lock()

    def own_model(self, model: Any, session: str | None) -> GptChoice | None:
        """The visitor's model when the page chose it, None for the shipped one; a refusal concerns the model field
        (no model trained yet in this session: a note that says where to train one)."""
        if model is None or model == SHIPPED:
            return None
        with about("model"):
            if self.models is None or model != OWN:
                raise refusal("text.error_unknown_model", model=repr(model), shipped=SHIPPED, own=OWN)
            return self.models.resolve(OWN, session)

    def _tokenizer(self, own: GptChoice | None) -> CharTokenizer:
        return self.tokenizer if own is None else own.tokenizer

    def _explorer(self, own: GptChoice | None) -> NextTokenExplorer:
        """The next-token explorer of the chosen model (its logits cached per prompt, like the shipped one's)."""
        if own is None:
            return self.explorer
        with self._lock:
            explorer = self._own_explorers.get(own.cache_key)
            if explorer is None:
                explorer = self._own_explorers[own.cache_key] = NextTokenExplorer(own.model, own.tokenizer)
            return explorer

    def _valid_prompt(self, prompt: Any, own: GptChoice | None) -> str:
        """validate_prompt against the chosen model's vocabulary; the visitor's model names what it knows."""
        try:
            return validate_prompt(prompt, self._tokenizer(own))
        except UnknownCharactersError as exc:
            if own is None:
                raise
            raise OwnUnknownCharacters(exc.characters, own.tokenizer.size) from None

    def check(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any = 1,
              seed: Any = 0, own: GptChoice | None = None) -> tuple[str, SamplingKnobs]:
        """The edge: the knobs, then the prompt, checked once (a refusal is a FieldError naming its field)."""
        knobs = check_knobs(temperature, top_k, top_p, max_new_tokens, seed)
        with about("prompt"):
            return self._valid_prompt(prompt, own), knobs

    # ---- the operations: checked once, then the model (refusals raise USER_ERRORS) ---------------------------------
    def stream_text(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                    session: StreamSession | None = None) -> Iterator[str]:
        """Stream the prompt and then the growing text (in batches, see update_due); stops early if a newer stream
        of the same session starts."""
        yield from self._stream(*self.check(prompt, temperature, top_k, top_p, max_new_tokens, seed), session)

    def bars(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, own: GptChoice | None = None,
             lang: str = "en") -> dict[str, float]:
        """Probability of each of the most likely next characters after the knobs (cached logits per prompt)."""
        prompt, knobs = self.check(prompt, temperature, top_k, top_p, own=own)
        return render.bars(self._explorer(own).candidates(prompt, knobs, limits.NEXT_TOKEN_CANDIDATES), lang)

    def prompt_marks(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, own: GptChoice | None = None,
                     lang: str = "en") -> tuple[render.Marks, dict[str, float]]:
        """While typing: the prompt with what the model cannot use marked (unknown characters, text past the limit),
        and the next-token bars. Those are not refusals here (the marks say what is wrong, on every keystroke);
        Generate refuses them by name."""
        knobs = check_knobs(temperature, top_k, top_p)
        if isinstance(prompt, str) and prompt == "":
            return [], {}
        if isinstance(prompt, str) and len(prompt) > limits.MAX_PROMPT_CHARS:
            return render.too_long_marks(prompt, lang), {}
        try:
            self._valid_prompt(prompt, own)
        except UnknownCharactersError as exc:
            return render.unknown_marks(prompt, exc.characters, lang), {}
        return [(prompt, None)], render.bars(self._explorer(own).candidates(prompt, knobs, limits.NEXT_TOKEN_CANDIDATES), lang)

    def _pieces(self, prompt: str, knobs: SamplingKnobs, own: GptChoice | None) -> Iterator[str]:
        """The new characters: the shipped model's from its worker process, the visitor's small model's here."""
        if own is None:
            return self.streams.stream(prompt, knobs)
        return Sampler(own.model, own.tokenizer).stream(prompt, knobs)

    def _stream(self, prompt: str, knobs: SamplingKnobs, session: StreamSession | None,
                own: GptChoice | None = None) -> Iterator[str]:
        """The stream of checked input (see stream_text)."""
        run_id = next(_run_ids)
        if session is not None:
            session.latest, session.generated, session.stopped = run_id, True, False
        text = prompt
        yield text
        last_update, shown = time.perf_counter(), len(text)
        with closing(self._pieces(prompt, knobs, own)) as pieces:  # closed early, the worker stops the stream too
            for piece in pieces:
                if session is not None and session.latest != run_id:
                    if session.stopped and len(text) > shown:
                        yield text  # Stop: every character drawn so far, as the page's note counts them
                    return
                text += piece
                if update_due(time.perf_counter() - last_update, len(text) - shown):
                    yield text
                    last_update, shown = time.perf_counter(), len(text)
        if len(text) > shown:
            yield text

    # ---- the API: the operations with refusals as gr.Error; the API page's endpoints add defaults and JSON shapes ---
    generate = user_errors(stream_text)
    next_tokens = user_errors(bars)
    inspect_prompt = user_errors(prompt_marks)

    def api_generate(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                     top_k: int = KNOB_DEFAULTS.top_k, top_p: float = KNOB_DEFAULTS.top_p,
                     max_new_tokens: int = KNOB_DEFAULTS.max_new_tokens, seed: int = KNOB_DEFAULTS.seed) -> Iterator[str]:
        """/generate: the streamed text for one client call (no page session: parallel calls run side by side)."""
        yield from self.generate(prompt, temperature, top_k, top_p, max_new_tokens, seed)

    def api_next_tokens(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                        top_k: int = KNOB_DEFAULTS.top_k, top_p: float = KNOB_DEFAULTS.top_p) -> dict[str, Any]:
        """/next_tokens: the bars in gr.Label's shape."""
        return render.label_json(self.next_tokens(prompt, temperature, top_k, top_p))

    def api_inspect_prompt(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                           top_k: int = KNOB_DEFAULTS.top_k,
                           top_p: float = KNOB_DEFAULTS.top_p) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """/inspect_prompt: the marks in gr.HighlightedText's shape and the bars in gr.Label's."""
        marks, shown = self.inspect_prompt(prompt, temperature, top_k, top_p)
        return render.marks_json(marks), render.label_json(shown)

    # ---- the page: a refusal is a note beside its field (PAGE_NOTES); the last good output stays -------------------
    def page_generate(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                      session: StreamSession | None = None, model: Any = SHIPPED,
                      request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """Generate (button or Ctrl+Enter): yields (text, *one update per note in NOTES)."""
        yield from self._page_run(prompt, temperature, top_k, top_p, max_new_tokens, seed, session, False,
                                  model, session_id(request), request_language(request))

    def regenerate(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                   session: StreamSession | None = None, model: Any = SHIPPED,
                   request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """A knob moved (a drag ended, a reset, a typed value, arrow keys, a new seed): re-run with the same seed,
        but only once the user has generated, and not again for the prompt and knobs of the newest run. The input
        is checked first either way, so bad input gets its note rather than being silently skipped."""
        yield from self._page_run(prompt, temperature, top_k, top_p, max_new_tokens, seed, session, True,
                                  model, session_id(request), request_language(request))

    def _page_run(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                  session: StreamSession | None, rerun: bool, model: Any = SHIPPED,
                  session_hash: str | None = None, lang: str = "en") -> Iterator[tuple[Any, ...]]:
        """Check the input (a refusal: a note by its field), then stream; the first update clears every note, and a
        stream ended by Stop says where it stopped."""
        try:
            own = self.own_model(model, session_hash)
            prompt, knobs = self.check(prompt, temperature, top_k, top_p, max_new_tokens, seed, own)
        except USER_ERRORS as exc:
            yield gr.skip(), *page_notes(exc, lang)
            return
        run = (prompt, knobs, own.cache_key if own else SHIPPED)
        if rerun and session is not None and (not session.generated or session.shown == run):
            yield gr.skip(), *PAGE_NOTES.skip  # nothing generated yet, or already on screen (a reset to its value ...)
            return
        if session is not None:
            session.shown = run
        updates, text = PAGE_NOTES.show(), prompt
        try:
            for text in self._stream(prompt, knobs, session, own):
                yield (text, *updates)
                updates = PAGE_NOTES.skip
        except USER_ERRORS as exc:  # the worker is busy or stopped: the text so far stays, the note says why
            if session is not None:
                session.shown = None
            yield gr.skip(), *PAGE_NOTES.show("run", localized(exc, lang))
            return
        if session is not None and session.stopped:
            session.shown = None  # the text on screen is cut short: the same knobs again run it in full
            yield gr.skip(), *PAGE_NOTES.show("status", render.stopped_note(len(text) - len(prompt), knobs.max_new_tokens, lang))

    def page_next_tokens(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, model: Any = SHIPPED,
                         request: gr.Request | None = None) -> tuple[Any, Any]:
        """A knob moved: (the bars, the note that says why they are blank). A bad knob's own message shows by the
        knob (the re-run's note), so the bars' note only points there."""
        lang = request_language(request)
        try:
            own = self.own_model(model, session_id(request))
        except USER_ERRORS:
            return {}, field_note(render.bars_reason("no_model", lang))
        try:
            return self.bars(prompt, temperature, top_k, top_p, own, lang), field_note()
        except USER_ERRORS:
            return {}, field_note(self.blank_bars_reason(prompt, own, lang) or render.bars_reason("bad_knob", lang))

    def page_inspect_prompt(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, model: Any = SHIPPED,
                            request: gr.Request | None = None) -> tuple[Any, ...]:
        """The prompt or the model changed: (its marks, the bars, why the bars are blank, the prompt's note cleared,
        the model's note: why the chosen model cannot be used, or cleared)."""
        lang = request_language(request)
        try:
            own = self.own_model(model, session_id(request))
        except USER_ERRORS as exc:  # "Your model" without one: a note by the choice, nothing else changes
            return gr.skip(), {}, field_note(render.bars_reason("no_model", lang)), field_note(), field_note(localized(exc, lang))
        try:
            marks, shown = self.prompt_marks(prompt, temperature, top_k, top_p, own, lang)
        except USER_ERRORS:  # a bad knob: its own note says why (see page_next_tokens)
            return gr.skip(), {}, field_note(render.bars_reason("bad_knob", lang)), field_note(), field_note()
        return (marks, shown, field_note("" if shown else self.blank_bars_reason(prompt, own, lang)), field_note(),
                field_note())

    def blank_bars_reason(self, prompt: Any, own: GptChoice | None = None, lang: str = "en") -> str:
        """Why the page's bars are blank for this prompt ("" when they are not), shown in their place."""
        if prompt == "":
            return render.bars_reason("empty", lang)
        if isinstance(prompt, str) and len(prompt) > limits.MAX_PROMPT_CHARS:
            return render.bars_reason("too_long", lang)
        try:
            self._valid_prompt(prompt, own)
        except UnknownCharactersError:
            return render.bars_reason("unknown", lang)
        except KnobError as exc:
            return localized(exc, lang)
        return ""

    @staticmethod
    def stop(session: StreamSession | None = None) -> None:
        """Stop: the running stream ends at its next character; the text so far stays."""
        if session is not None:
            session.stop()
