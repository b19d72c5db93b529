"""Text tab: a prompt, sampling knobs, a streamed generation that re-runs live when a knob moves, and the
next-token bars (knobs re-applied to cached logits, like Transformer Explainer)."""
from __future__ import annotations

import itertools
import json
import time
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Iterator

import gradio as gr

from core import limits
from core.gpt.io import LoadedGPT
from core.gpt.sampling import NextTokenExplorer, SamplingKnobs, validate_knobs, validate_prompt
from core.gpt.tokenizer import UnknownCharactersError
from core.validation import KnobError
from demo.api_docs import public_endpoint
from demo.errors import USER_ERRORS, field_note, missing_model_notice, user_errors
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.shared import head_script, queue_group, random_seed, static_text
from serve.stream_worker import StreamWorker

DEFAULT_PROMPT = "ROMEO:\n"
EXAMPLES = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]
WHITESPACE_NAMES = {" ": "␣ (space)", "\n": "↵ (newline)", "\t": "⇥ (tab)"}
UNKNOWN = "unknown to the model"
TOO_LONG = f"over the {limits.MAX_PROMPT_CHARS:,}-character limit"
# Characters are sent in batches: an update goes out once STREAM_INTERVAL_S has passed and STREAM_MIN_CHARS new
# characters are waiting, or once STREAM_MAX_WAIT_S has passed. Each update costs the server ~3 ms of CPU however
# few characters it carries, so on an idle server text arrives ~13 characters per 30 ms (smooth to the eye), and
# on a busy one, where characters come slower, updates thin out to 10 a second instead of costing more than the
# characters themselves.
STREAM_INTERVAL_S, STREAM_MIN_CHARS, STREAM_MAX_WAIT_S = 0.03, 8, 0.1
_run_ids = itertools.count(1)
KNOB_DEFAULTS = SamplingKnobs()
# The API page's example prompt. Its Python snippet puts a default inside "..." as is, so a newline or a quote in
# it would make the snippet a SyntaxError when pasted: keep this one to plain words.
API_PROMPT = "To be, or not to be"
# Why the bars are blank, in the bars' place (the prompt check marks the characters themselves)
BARS_EMPTY = "Type a prompt to see the next-character probabilities."
BARS_UNKNOWN = "Remove or replace the characters marked red to see the next-character probabilities."
BARS_TOO_LONG = f"Shorten the prompt to {limits.MAX_PROMPT_CHARS:,} characters to see the next-character probabilities."
BARS_BAD_KNOB = "A knob below has a value the model cannot use (its note says which); the bars follow once it is fixed."
# The page's notes, one per field (only one shows at a time): the prompt, the run (a busy or stopped worker), the
# run's status (Stop), and each knob. A page update is (text, *one update per note in this order).
KNOB_FIELDS = ("temperature", "top_k", "top_p", "max_new_tokens", "seed")  # as validate_knobs names them
NOTES = ("prompt", "run", "status", *KNOB_FIELDS)
# The text tab's own CSS (build.py joins every tab's CSS into the page's).
# Notes under a field are small and red; on a narrow screen (the two columns stacked) the generated text and the bars
# stay at the top of the screen while the knobs below them scroll, so a knob's effect is in view as it moves:
# display: contents lifts the columns' children into one flex column, where `order` interleaves them and both
# sticky parts stick over the whole tab. There the text box is tall enough for most of a 200-character text (about
# 12 short lines) and the bars sit in two columns, so the knobs keep about half the screen below them. The ten
# bars are a picture, not buttons: no hover, no pointer.
CSS = static_text("text.css")
# Script for the page head (build.py joins them): Ctrl+Enter (Cmd+Enter) in the prompt presses Generate, and the bars
# leave the tab order (they do nothing). A knob moved from the keyboard re-runs the text through demo/knob_release.py.
HEAD = head_script("text.js")


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


def char_label(char: str) -> str:
    """How a candidate character is named on its bar (whitespace made visible)."""
    return WHITESPACE_NAMES.get(char, char)


def notes(field: str | None = None, message: str = "") -> tuple[Any, ...]:
    """An update for every note of the page (NOTES): `field`'s shows `message`, every other one hides, so one note
    shows at a time."""
    return tuple(field_note(message if name == field else "") for name in NOTES)


SKIP_NOTES = (gr.skip(),) * len(NOTES)


def knob_field(exc: Exception) -> str:
    """The knob a refusal of validate_knobs concerns (its message starts with the knob's name), else the run."""
    name = str(exc).split(" ", 1)[0]
    return name if name in KNOB_FIELDS else "run"


def stopped_note(new_chars: int, max_new_tokens: int) -> str:
    """The status a stream ended by Stop leaves under the buttons (cleared by the next run)."""
    return f"Stopped after {new_chars:,} of {max_new_tokens:,} new characters."


def label_json(bars: dict[str, float]) -> dict[str, Any]:
    """Bars as gr.Label sends them ({"label": the likeliest, "confidences": [{"label", "confidence"}, ...]}), the
    shape /next_tokens has always answered with; {} for none."""
    if not bars:
        return {}
    return {"label": next(iter(bars)), "confidences": [{"label": c, "confidence": p} for c, p in bars.items()]}


class TextHandlers:
    """The text tab's handlers over one loaded GPT (loaded once at start-up; no handler loads weights)."""

    def __init__(self, loaded: LoadedGPT):
        self.tokenizer = loaded.tokenizer
        self.streams = StreamWorker(loaded.model, loaded.tokenizer)  # in a process of its own, batched: see serve/
        self.explorer = NextTokenExplorer(loaded.model, loaded.tokenizer)

    @staticmethod
    def _knobs(temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any = 1, seed: Any = 0) -> SamplingKnobs:
        return validate_knobs(temperature, top_k, top_p, limits.MIN_REPETITION_PENALTY, max_new_tokens, seed)

    @user_errors
    def generate(self, prompt: str, temperature: float, top_k: int, top_p: float, max_new_tokens: int, seed: int,
                 session: StreamSession | None = None) -> Iterator[str]:
        """Stream the prompt and then the growing text (in batches, see update_due); stops early if a
        newer stream of the same session starts."""
        knobs = self._knobs(temperature, top_k, top_p, max_new_tokens, seed)
        prompt = validate_prompt(prompt, self.tokenizer)
        run_id = next(_run_ids)
        if session is not None:
            session.latest, session.generated, session.stopped = run_id, True, False
        text = prompt
        yield text
        last_update, shown = time.perf_counter(), len(text)
        with closing(self.streams.stream(prompt, knobs)) as pieces:  # closed early, the worker stops the stream too
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

    @user_errors
    def next_tokens(self, prompt: str, temperature: float, top_k: int, top_p: float) -> dict[str, float]:
        """Probability of each of the most likely next characters after the knobs (cached logits per prompt)."""
        knobs = self._knobs(temperature, top_k, top_p)
        return {char_label(c): p for c, p in self.explorer.candidates(prompt, knobs, limits.NEXT_TOKEN_CANDIDATES)}

    @user_errors
    def inspect_prompt(self, prompt: str, temperature: float, top_k: int,
                       top_p: float) -> tuple[list[tuple[str, str | None]], dict[str, float]]:
        """While typing: the prompt with what the model cannot use marked (unknown characters, text past the limit),
        and the next-token bars.

        Those are not errors here (the marks say what is wrong, on every keystroke); Generate refuses them by name.
        """
        knobs = self._knobs(temperature, top_k, top_p)
        if isinstance(prompt, str) and prompt == "":
            return [], {}
        if isinstance(prompt, str) and len(prompt) > limits.MAX_PROMPT_CHARS:  # refused, never truncated: show where
            cut = limits.MAX_PROMPT_CHARS
            return [(prompt[:cut], None), (prompt[cut:], TOO_LONG)], {}
        try:
            validate_prompt(prompt, self.tokenizer)
        except UnknownCharactersError as exc:
            unknown = set(exc.characters)
            runs = [("".join(g), UNKNOWN if bad else None)
                    for bad, g in itertools.groupby(prompt, key=lambda c: c in unknown)]
            return runs, {}
        bars = {char_label(c): p for c, p in self.explorer.candidates(prompt, knobs, limits.NEXT_TOKEN_CANDIDATES)}
        return [(prompt, None)], bars


    # ---- the API (gr.api: typed, documented on the API page; bad input raises gr.Error with its message) -----------
    def api_generate(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                     top_k: int = KNOB_DEFAULTS.top_k, top_p: float = KNOB_DEFAULTS.top_p,
                     max_new_tokens: int = KNOB_DEFAULTS.max_new_tokens, seed: int = KNOB_DEFAULTS.seed) -> Iterator[str]:
        """/generate: the streamed text for one client call (no page session: parallel calls run side by side)."""
        yield from self.generate(prompt, temperature, top_k, top_p, max_new_tokens, seed)

    def api_next_tokens(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                        top_k: int = KNOB_DEFAULTS.top_k, top_p: float = KNOB_DEFAULTS.top_p) -> dict[str, Any]:
        """/next_tokens: the bars in gr.Label's shape (see label_json)."""
        return label_json(self.next_tokens(prompt, temperature, top_k, top_p))

    def api_inspect_prompt(self, prompt: str = API_PROMPT, temperature: float = KNOB_DEFAULTS.temperature,
                           top_k: int = KNOB_DEFAULTS.top_k,
                           top_p: float = KNOB_DEFAULTS.top_p) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """/inspect_prompt: the marks as gr.HighlightedText sends them ([{"token", "class_or_confidence"}]) and the bars."""
        marks, bars = self.inspect_prompt(prompt, temperature, top_k, top_p)
        return [{"token": text, "class_or_confidence": label} for text, label in marks], label_json(bars)

    # ---- the page (refusals become a note beside the field they concern; the last good output stays) ------------
    def page_generate(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                      session: StreamSession | None = None) -> Iterator[tuple[Any, ...]]:
        """Generate (button or Ctrl+Enter): yields (text, *one update per note in NOTES)."""
        yield from self._page_run(prompt, temperature, top_k, top_p, max_new_tokens, seed, session, rerun=False)

    def regenerate(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                   session: StreamSession | None = None) -> Iterator[tuple[Any, ...]]:
        """A knob moved (a drag ended, a reset, a typed value, arrow keys, a new seed): re-run with the same seed,
        but only once the user has generated, and not again for the prompt and knobs of the newest run.

        Arguments are checked first either way, so bad input gets its note rather than being silently skipped."""
        if session is not None and not session.generated:
            try:
                self._knobs(temperature, top_k, top_p, max_new_tokens, seed)
                validate_prompt(prompt, self.tokenizer)
            except USER_ERRORS:
                pass  # _page_run below says what is wrong
            else:
                yield gr.skip(), *SKIP_NOTES
                return
        yield from self._page_run(prompt, temperature, top_k, top_p, max_new_tokens, seed, session, rerun=True)

    def _page_run(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any, max_new_tokens: Any, seed: Any,
                  session: StreamSession | None, rerun: bool) -> Iterator[tuple[Any, ...]]:
        """Check the knobs (a refusal: a note by its field) and the prompt (a note by the prompt), then stream; the
        first update clears every note, and a stream ended by Stop says where it stopped."""
        try:
            knobs = self._knobs(temperature, top_k, top_p, max_new_tokens, seed)
        except USER_ERRORS as exc:
            yield gr.skip(), *notes(knob_field(exc), str(exc))
            return
        try:
            validate_prompt(prompt, self.tokenizer)
        except USER_ERRORS as exc:
            yield gr.skip(), *notes("prompt", str(exc))
            return
        run = (prompt, knobs)
        if rerun and session is not None and session.shown == run:
            yield gr.skip(), *SKIP_NOTES  # already on screen (a reset to the value it had, a focus lost ...)
            return
        if session is not None:
            session.shown = run
        updates, text = notes(), prompt
        try:
            for text in self.generate(prompt, temperature, top_k, top_p, max_new_tokens, seed, session):
                yield (text, *updates)
                updates = SKIP_NOTES
        except gr.Error as exc:  # the worker is busy or stopped: the text so far stays, the note says why
            if session is not None:
                session.shown = None
            yield gr.skip(), *notes("run", exc.message)
            return
        if session is not None and session.stopped:
            session.shown = None  # the text on screen is cut short: the same knobs again run it in full
            yield gr.skip(), *notes("status", stopped_note(len(text) - len(prompt), knobs.max_new_tokens))

    def page_next_tokens(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any) -> tuple[Any, Any]:
        """A knob moved: (the bars, the note that says why they are blank). A bad knob's own message shows by the
        knob (the re-run's note), so the bars' note only points there."""
        try:
            return self.next_tokens(prompt, temperature, top_k, top_p), field_note()
        except gr.Error:
            return {}, field_note(self.blank_bars_reason(prompt) or BARS_BAD_KNOB)

    def page_inspect_prompt(self, prompt: Any, temperature: Any, top_k: Any, top_p: Any) -> tuple[Any, Any, Any, Any]:
        """The prompt changed: (its marks, the bars, why the bars are blank, the prompt's note cleared)."""
        try:
            marks, bars = self.inspect_prompt(prompt, temperature, top_k, top_p)
        except gr.Error:  # a bad knob: its own note says why (see page_next_tokens)
            return gr.skip(), {}, field_note(BARS_BAD_KNOB), field_note()
        return marks, bars, field_note("" if bars else self.blank_bars_reason(prompt)), field_note()

    def blank_bars_reason(self, prompt: Any) -> str:
        """Why the page's bars are blank for this prompt ("" when they are not), shown in their place."""
        if prompt == "":
            return BARS_EMPTY
        if isinstance(prompt, str) and len(prompt) > limits.MAX_PROMPT_CHARS:
            return BARS_TOO_LONG
        try:
            validate_prompt(prompt, self.tokenizer)
        except UnknownCharactersError:
            return BARS_UNKNOWN
        except KnobError as exc:
            return str(exc)
        return ""

    @staticmethod
    def stop(session: StreamSession | None = None) -> None:
        """Stop: the running stream ends at its next character; the text so far stays."""
        if session is not None:
            session.stop()


@dataclass
class TextTabParts:
    """The Text tab's components that other views read and listen to (Inside the GPT shares its prompt, knobs, text)."""

    prompt: gr.Textbox
    temperature: gr.Slider
    top_k: gr.Slider
    top_p: gr.Slider
    output: gr.Textbox


def _knob_note(elem_id: str) -> gr.Markdown:
    """The note under a knob (hidden until a value of it is refused)."""
    return gr.Markdown("", visible=False, elem_id=f"{elem_id}-note", elem_classes=["field-note"])


def build_text_tab(loaded: LoadedGPT | None, note: str) -> TextTabParts | None:
    """Lay out the text tab and wire its events (call inside a gr.Blocks); returns its shared components.

    The page's events show refusals as notes beside their field and are left off the API page (undocumented, still
    callable); the API's own endpoints (gr.api: generate, next_tokens, inspect_prompt) are typed and raise gr.Error."""
    if loaded is None:
        missing_model_notice("GPT", "python -m core.gpt.train", note, elem_id="gpt-missing")
        return None
    handlers = TextHandlers(loaded)
    defaults = KNOB_DEFAULTS
    session = gr.State(StreamSession())
    knob = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves re-run the text too (demo/knob_release.py)
    with gr.Row(elem_id="text-row"):
        with gr.Column(scale=3, elem_id="text-main"):
            prompt = gr.Textbox(DEFAULT_PROMPT, lines=4, label=f"Prompt (up to {limits.MAX_PROMPT_CHARS:,} characters; "
                                "Ctrl+Enter generates)", elem_id="prompt")
            prompt_note = gr.Markdown("", visible=False, elem_id="prompt-note", elem_classes=["field-note"])
            checked, first_bars = handlers.inspect_prompt(DEFAULT_PROMPT, defaults.temperature, defaults.top_k, defaults.top_p)
            prompt_check = gr.HighlightedText(checked, label="Prompt as the model reads it (what it cannot use is marked red)",
                                              show_legend=False, color_map={UNKNOWN: "red", TOO_LONG: "red"}, elem_id="prompt-check")
            examples = gr.Dataset(components=[prompt], samples=[[e] for e in EXAMPLES], type="index", label="Examples",
                                  elem_id="prompt-examples")
            with gr.Row(elem_id="text-buttons"):
                generate_button = gr.Button("Generate", variant="primary", elem_id="generate", scale=3, min_width=120)
                stop_button = gr.Button("Stop", variant="secondary", elem_id="stop-generation", scale=1, min_width=80)
            run_note = gr.Markdown("", visible=False, elem_id="run-note", elem_classes=["field-note"])
            run_status = gr.Markdown("", visible=False, elem_id="run-status")
            output = gr.Textbox(lines=14, max_lines=30, label="Generated text (prompt + continuation)", interactive=False,
                                elem_id="generated")
        with gr.Column(scale=2, elem_id="text-knobs"):
            temperature = gr.Slider(0.0, limits.MAX_TEMPERATURE, defaults.temperature, step=0.05, label="Temperature",
                                    info="0 = always the most likely character; higher = more surprising", elem_id="temperature", **knob)
            knob_notes = {"temperature": _knob_note("temperature")}
            top_k = gr.Slider(0, min(limits.MAX_TOP_K, loaded.tokenizer.size), defaults.top_k, step=1, precision=0,
                              label="Top-k", info="keep the k most likely characters (0 = off)", elem_id="top-k", **knob)
            knob_notes["top_k"] = _knob_note("top-k")
            top_p = gr.Slider(0.01, 1.0, defaults.top_p, step=0.01, label="Top-p",
                              info="keep the most likely characters that cover p of the probability (1 = off)", elem_id="top-p", **knob)
            knob_notes["top_p"] = _knob_note("top-p")
            max_new_tokens = gr.Slider(1, limits.MAX_NEW_TOKENS, defaults.max_new_tokens, step=1, precision=0,
                                       label="Max new characters", elem_id="max-new-tokens", **knob)
            knob_notes["max_new_tokens"] = _knob_note("max-new-tokens")
            with gr.Row(elem_id="seed-row"):
                with gr.Column(scale=3, min_width=160):  # the seed's note right under the box, beside Randomise
                    seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed",
                                     elem_id="seed", elem_classes=NUMBER_CLASSES)
                    knob_notes["seed"] = _knob_note("seed")
                randomise = gr.Button("Randomise", scale=1, elem_id="randomise-seed")
            bars_note = gr.Markdown(handlers.blank_bars_reason(DEFAULT_PROMPT), visible=not first_bars, elem_id="bars-note")
            bars = gr.Label(first_bars, num_top_classes=limits.NEXT_TOKEN_CANDIDATES, show_heading=False,
                            label="Next character: probability after temperature, top-k and top-p", elem_id="next-token-bars")
    knobs = [temperature, top_k, top_p]
    run_inputs = [prompt, temperature, top_k, top_p, max_new_tokens, seed, session]
    note_parts = {"prompt": prompt_note, "run": run_note, "status": run_status, **knob_notes}
    run_outputs = [output, *(note_parts[name] for name in NOTES)]
    page = dict(preprocess=False, api_visibility="undocumented")
    streams = dict(trigger_mode="multiple", **queue_group("gpt"))
    generate_button.click(handlers.page_generate, run_inputs, run_outputs, api_name="page_generate", **page, **streams)
    # Every way a knob can change ends in one re-run: a slider's release (drag end, reset button, its number box
    # losing focus, or HEAD's debounced keyboard release), the seed's submit (Enter, or HEAD after typing), Randomise.
    # A newer run supersedes the older at its next character (StreamSession), so the newest value wins.
    rerun = dict(fn=handlers.regenerate, inputs=run_inputs, outputs=run_outputs, api_name="regenerate",
                 show_progress="minimal", **page, **streams)
    gr.on([k.release for k in knobs] + [max_new_tokens.release, seed.submit], **rerun)
    stop_button.click(handlers.stop, session, None, api_name="page_stop", **queue_group("text-stop"),
                      show_progress="hidden", **page)
    # The bars follow every change of a knob (a drag's every step, reset, typing, keys), the newest value last.
    gr.on([k.change for k in knobs], handlers.page_next_tokens, [prompt, *knobs], [bars, bars_note], api_name="page_next_tokens",
          show_progress="hidden", trigger_mode="always_last", **queue_group("bars"), **page)
    prompt.change(handlers.page_inspect_prompt, [prompt, *knobs], [prompt_check, bars, bars_note, prompt_note],
                  api_name="page_inspect_prompt", show_progress="hidden", trigger_mode="always_last", **queue_group("bars"),
                  **page)
    # An example goes into the prompt in the page alone (no request: the app's queue takes no /run/ calls); the
    # prompt's change then checks it and moves the bars, as typing does.
    examples.click(None, examples, prompt, js=f"(index) => {json.dumps(EXAMPLES)}[index]", show_progress="hidden")
    randomise.click(random_seed, None, seed, api_name="random_seed", show_progress="hidden",
                    api_visibility="undocumented").then(**{**rerun, "api_name": "regenerate_new_seed"})
    # The API: one typed endpoint per thing a program may want, each with a line for its user
    arguments = {"prompt": f"the text to continue: up to {limits.MAX_PROMPT_CHARS:,} characters the model knows "
                           "(/inspect_prompt marks the others)",
                 "temperature": f"0 to {limits.MAX_TEMPERATURE:g}: 0 = always the most likely character; higher = more surprising",
                 "top_k": f"0 to {limits.MAX_TOP_K}: keep the k most likely characters (0 = off)",
                 "top_p": "above 0, up to 1: keep the most likely characters that cover p of the probability (1 = off)"}
    public_endpoint(handlers.api_generate, "generate",
                    "Continue a prompt with the Shakespeare GPT; streams the prompt plus the text so far (use "
                    "client.submit to read it as it grows). Same seed and knobs, same text.",
                    {**arguments, "max_new_tokens": f"1 to {limits.MAX_NEW_TOKENS:,}: how many characters to add",
                     "seed": f"0 to 2**32-1: the random draws (the same seed gives the same text)"},
                    [({"type": "string"}, "the prompt followed by the generated characters")],
                    **queue_group("gpt"))
    public_endpoint(handlers.api_next_tokens, "next_tokens",
                    "The 10 most likely next characters after the prompt, with their probabilities after temperature, "
                    "top-k and top-p.", arguments,
                    [({}, "{'label': the likeliest character, 'confidences': [{'label': character, 'confidence': "
                          "probability}, ...]}, likeliest first; whitespace is named, e.g. '␣ (space)'")],
                    **queue_group("bars"))
    public_endpoint(handlers.api_inspect_prompt, "inspect_prompt",
                    "Check a prompt: the parts the model cannot use are marked, and the next-character "
                    "probabilities come when nothing is.", arguments,
                    [({}, "the prompt in runs: [{'token': text, 'class_or_confidence': None, 'unknown to the model' or "
                          "'over the ... limit'}]"), ({}, "the next-character probabilities as /next_tokens gives "
                                                          "them, or {} while anything is marked")],
                    **queue_group("bars"))
    return TextTabParts(prompt, temperature, top_k, top_p, output)
