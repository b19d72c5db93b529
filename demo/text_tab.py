"""Text tab: a prompt, sampling knobs, a streamed generation that re-runs live when a knob moves, and the
next-token bars (knobs re-applied to cached logits, like Transformer Explainer)."""
from __future__ import annotations

import itertools
import random
import time
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Iterator

import gradio as gr

from core import limits
from core.gpt.io import LoadedGPT
from core.gpt.sampling import NextTokenExplorer, SamplingKnobs, validate_knobs, validate_prompt
from core.gpt.tokenizer import UnknownCharactersError
from demo.errors import missing_model_notice, user_errors
from serve.stream_worker import MAX_STREAMS, StreamWorker

DEFAULT_PROMPT = "ROMEO:\n"
EXAMPLES = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]
UI_MAX_SEED = 2**32 - 1  # the randomise button stays where a browser's numbers are exact; the API takes up to MAX_SEED
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
# The text tab's own CSS (build.py joins every tab's CSS into the page's)
CSS = ""
# Script for the page head (build.py joins them), e.g. keyboard shortcuts
HEAD = ""


class StreamSession:
    """One browser session's streams. A new stream supersedes the previous one, which stops at its next character,
    so moving a knob mid-stream never leaves two generations fighting over the text box."""

    def __init__(self) -> None:
        self.latest = 0
        self.generated = False  # knobs re-run a generation only after the user asked for one


def update_due(seconds_since_update: float, new_chars: int) -> bool:
    """Whether a stream should send the characters it has gathered (see STREAM_INTERVAL_S)."""
    if seconds_since_update >= STREAM_MAX_WAIT_S:
        return True
    return seconds_since_update >= STREAM_INTERVAL_S and new_chars >= STREAM_MIN_CHARS


def char_label(char: str) -> str:
    """How a candidate character is named on its bar (whitespace made visible)."""
    return WHITESPACE_NAMES.get(char, char)


def random_seed() -> int:
    """A fresh seed for the randomise buttons."""
    return random.randint(0, UI_MAX_SEED)


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
            session.latest, session.generated = run_id, True
        text = prompt
        yield text
        last_update, shown = time.perf_counter(), len(text)
        with closing(self.streams.stream(prompt, knobs)) as pieces:  # closed early, the worker stops the stream too
            for piece in pieces:
                if session is not None and session.latest != run_id:
                    return
                text += piece
                if update_due(time.perf_counter() - last_update, len(text) - shown):
                    yield text
                    last_update, shown = time.perf_counter(), len(text)
        if len(text) > shown:
            yield text

    @user_errors
    def regenerate(self, prompt: str, temperature: float, top_k: int, top_p: float, max_new_tokens: int, seed: int,
                   session: StreamSession | None = None) -> Iterator[Any]:
        """A knob moved: re-run the generation with the same seed, but only once the user has generated.

        Arguments are checked first either way, so bad input is refused rather than silently skipped."""
        self._knobs(temperature, top_k, top_p, max_new_tokens, seed)
        validate_prompt(prompt, self.tokenizer)
        if session is None or not session.generated:
            yield gr.skip()
            return
        yield from self.generate(prompt, temperature, top_k, top_p, max_new_tokens, seed, session)

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


@dataclass
class TextTabParts:
    """The Text tab's components that other views read and listen to (Inside the GPT shares its prompt, knobs, text)."""

    prompt: gr.Textbox
    temperature: gr.Slider
    top_k: gr.Slider
    top_p: gr.Slider
    output: gr.Textbox


def build_text_tab(loaded: LoadedGPT | None, note: str) -> TextTabParts | None:
    """Lay out the text tab and wire its events (call inside a gr.Blocks); returns its shared components."""
    if loaded is None:
        missing_model_notice("GPT", "python -m core.gpt.train", note, elem_id="gpt-missing")
        return None
    handlers = TextHandlers(loaded)
    defaults = SamplingKnobs()
    session = gr.State(StreamSession())
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(DEFAULT_PROMPT, lines=4, label=f"Prompt (up to {limits.MAX_PROMPT_CHARS:,} characters)",
                                elem_id="prompt")
            checked, first_bars = handlers.inspect_prompt(DEFAULT_PROMPT, defaults.temperature, defaults.top_k, defaults.top_p)
            prompt_check = gr.HighlightedText(checked, label="Prompt as the model reads it (what it cannot use is marked red)",
                                              show_legend=False, color_map={UNKNOWN: "red", TOO_LONG: "red"}, elem_id="prompt-check")
            gr.Examples([[e] for e in EXAMPLES], inputs=[prompt], label="Examples")
            with gr.Row():
                generate_button = gr.Button("Generate", variant="primary", elem_id="generate")
            output = gr.Textbox(lines=14, max_lines=30, label="Generated text (prompt + continuation)", interactive=False,
                                elem_id="generated")
        with gr.Column(scale=2):
            temperature = gr.Slider(0.0, limits.MAX_TEMPERATURE, defaults.temperature, step=0.05, label="Temperature",
                                    info="0 = always the most likely character; higher = more surprising", elem_id="temperature")
            top_k = gr.Slider(0, min(limits.MAX_TOP_K, loaded.tokenizer.size), defaults.top_k, step=1, label="Top-k",
                              info="keep the k most likely characters (0 = off)", elem_id="top-k")
            top_p = gr.Slider(0.01, 1.0, defaults.top_p, step=0.01, label="Top-p",
                              info="keep the most likely characters that cover p of the probability (1 = off)", elem_id="top-p")
            max_new_tokens = gr.Slider(1, limits.MAX_NEW_TOKENS, defaults.max_new_tokens, step=1, label="Max new characters",
                                       elem_id="max-new-tokens")
            with gr.Row():
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed", elem_id="seed",
                                 scale=3)
                randomise = gr.Button("Randomise", scale=1, elem_id="randomise-seed")
            bars = gr.Label(first_bars, num_top_classes=limits.NEXT_TOKEN_CANDIDATES, show_heading=False,
                            label="Next character: probability after temperature, top-k and top-p", elem_id="next-token-bars")
    knobs = [temperature, top_k, top_p]
    run_inputs = [prompt, temperature, top_k, top_p, max_new_tokens, seed, session]
    generation = generate_button.click(handlers.generate, run_inputs, output, api_name="generate", preprocess=False,
                                       trigger_mode="multiple", concurrency_id="gpt", concurrency_limit=MAX_STREAMS)
    gr.on([k.release for k in knobs] + [max_new_tokens.release, seed.change], handlers.regenerate, run_inputs, output,
          api_name="regenerate", preprocess=False, trigger_mode="multiple", cancels=[generation],
          concurrency_id="gpt", concurrency_limit=MAX_STREAMS, show_progress="minimal")
    gr.on([k.input for k in knobs], handlers.next_tokens, [prompt, *knobs], bars, api_name="next_tokens",
          preprocess=False, show_progress="hidden", trigger_mode="always_last", concurrency_id="bars", concurrency_limit=4)
    prompt.change(handlers.inspect_prompt, [prompt, *knobs], [prompt_check, bars], api_name="inspect_prompt",
                  preprocess=False, show_progress="hidden", concurrency_id="bars", concurrency_limit=4)
    randomise.click(random_seed, None, seed, api_name="random_seed", show_progress="hidden")
    return TextTabParts(prompt, temperature, top_k, top_p, output)
