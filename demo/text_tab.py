"""Text tab, the layout and its wiring: a prompt, sampling knobs, a streamed generation that re-runs live when a knob
moves, and the next-token bars (knobs re-applied to cached logits, like Transformer Explainer). The handlers are in
demo/text_handlers.py, what they show in demo/text_render.py, the CSS and script in demo/static/text.*."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import gradio as gr

from core import limits
from core.gpt.io import LoadedGPT
from core.gpt.sampling import validate_prompt
from core.gpt.tokenizer import CharTokenizer
from core.validation import as_float, as_int
from demo.api_docs import public_endpoint
from demo.i18n import i18n
from demo.errors import missing_model_notice, note_box
from demo.gpt_models import SHIPPED, GptModels
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.shared import head_script, queue_group, random_seed, static_text
from demo.text_handlers import KNOB_DEFAULTS, MODEL_CHOICES, NOTES, StreamSession, TextHandlers  # noqa: F401  (re-exported)
from demo.text_render import BARS_EMPTY, MARK_COLOURS, TOO_LONG, UNKNOWN  # noqa: F401  (re-exported: tests read them here)
from demo.links import Draw, Links

DEFAULT_PROMPT = "ROMEO:\n"
EXAMPLES = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]
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


@dataclass
class TextTabParts:
    """The Text tab's components that other views read and listen to (Inside the GPT shares its prompt, knobs, text)."""

    prompt: gr.Textbox
    temperature: gr.Slider
    top_k: gr.Slider
    top_p: gr.Slider
    output: gr.Textbox
    model: gr.Radio  # the shipped GPT or the visitor's own (hidden when the app has no registry of models)


def _knob_note(elem_id: str) -> gr.Markdown:
    """The note under a knob (hidden until a value of it is refused)."""
    return note_box(f"{elem_id}-note")


@dataclass
class TextView(TextTabParts):
    """Every component of the Text tab that an event reads or writes (lay_out makes them, wire binds them)."""

    session: gr.State
    prompt_note: gr.Markdown
    prompt_check: gr.HighlightedText
    examples: gr.Dataset
    generate_button: gr.Button
    stop_button: gr.Button
    max_new_tokens: gr.Slider
    seed: gr.Number
    randomise: gr.Button
    bars_note: gr.Markdown
    bars: gr.Label
    notes: dict[str, gr.Markdown]  # by field, as NOTES names them


def build_text_tab(loaded: LoadedGPT | None, note: str, models: GptModels | None = None,
                   links: Links | None = None) -> TextTabParts | None:
    """Lay out the text tab, wire its events and publish its API (call inside a gr.Blocks); returns the components
    the Inside the GPT tab shares. With `models`, the page may choose the visitor's own model (GPT learns)."""
    if loaded is None:
        missing_model_notice("GPT", "python -m core.gpt.train", note, elem_id="gpt-missing")
        return None
    handlers = TextHandlers(loaded, models)
    view = lay_out(handlers, loaded.tokenizer.size)
    wire(handlers, view)
    if links is not None:
        link(links, handlers, view)
    publish_api(handlers)
    return view


def lay_out(handlers: TextHandlers, vocab_size: int) -> TextView:
    """The components, each with its first value (the default prompt's marks and bars)."""
    defaults = KNOB_DEFAULTS
    session = gr.State(StreamSession())
    knob = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves re-run the text too (demo/knob_release.py)
    with gr.Row(elem_id="text-row"):
        with gr.Column(scale=3, elem_id="text-main"):
            model = gr.Radio([(i18n(key), value) for key, value in MODEL_CHOICES], value=SHIPPED,
                             label=i18n("text.model_label"), visible=handlers.models is not None,
                             info=i18n("text.model_info"), elem_id="text-model")
            model_note = note_box("text-model-note")
            prompt = gr.Textbox(DEFAULT_PROMPT, lines=4, label=i18n("text.prompt_label"), elem_id="prompt")
            prompt_note = note_box("prompt-note")
            gr.Markdown(i18n("text.charset"), elem_id="prompt-charset")  # before a Chinese prompt is refused
            checked, first_bars = handlers.inspect_prompt(DEFAULT_PROMPT, defaults.temperature, defaults.top_k, defaults.top_p)
            prompt_check = gr.HighlightedText(checked, label=i18n("text.prompt_check_label"), show_legend=False,
                                              color_map=MARK_COLOURS, elem_id="prompt-check")
            examples = gr.Dataset(components=[prompt], samples=[[e] for e in EXAMPLES], type="index",
                                  label=i18n("text.examples_label"), elem_id="prompt-examples")
            with gr.Row(elem_id="text-buttons"):
                generate_button = gr.Button(i18n("text.generate"), variant="primary", elem_id="generate", scale=3,
                                            min_width=120)
                stop_button = gr.Button(i18n("text.stop"), variant="secondary", elem_id="stop-generation", scale=1,
                                        min_width=80)
            run_note = note_box("run-note")
            run_status = gr.Markdown("", visible=False, elem_id="run-status")
            output = gr.Textbox(lines=14, max_lines=30, label=i18n("text.output_label"), interactive=False,
                                elem_id="generated")
        with gr.Column(scale=2, elem_id="text-knobs"):
            temperature = gr.Slider(0.0, limits.MAX_TEMPERATURE, defaults.temperature, step=0.05,
                                    label=i18n("text.temperature_label"), info=i18n("text.temperature_info"),
                                    elem_id="temperature", **knob)
            knob_notes = {"temperature": _knob_note("temperature")}
            top_k = gr.Slider(0, min(limits.MAX_TOP_K, vocab_size), defaults.top_k, step=1, precision=0,
                              label=i18n("text.top_k_label"), info=i18n("text.top_k_info"), elem_id="top-k", **knob)
            knob_notes["top_k"] = _knob_note("top-k")
            top_p = gr.Slider(0.01, 1.0, defaults.top_p, step=0.01, label=i18n("text.top_p_label"),
                              info=i18n("text.top_p_info"), elem_id="top-p", **knob)
            knob_notes["top_p"] = _knob_note("top-p")
            max_new_tokens = gr.Slider(1, limits.MAX_NEW_TOKENS, defaults.max_new_tokens, step=1, precision=0,
                                       label=i18n("text.max_new_label"), elem_id="max-new-tokens", **knob)
            knob_notes["max_new_tokens"] = _knob_note("max-new-tokens")
            with gr.Row(elem_id="seed-row"):
                with gr.Column(scale=3, min_width=160):  # the seed's note right under the box, beside Randomise
                    seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED,
                                     label=i18n("text.seed_label"), elem_id="seed", elem_classes=NUMBER_CLASSES)
                    knob_notes["seed"] = _knob_note("seed")
                randomise = gr.Button(i18n("text.randomise"), scale=1, elem_id="randomise-seed")
            bars_note = gr.Markdown("", visible=not first_bars, elem_id="bars-note")  # the default prompt has bars
            bars = gr.Label(first_bars, num_top_classes=limits.NEXT_TOKEN_CANDIDATES, show_heading=False,
                            label=i18n("text.bars_label"), elem_id="next-token-bars")
    notes = {"prompt": prompt_note, "run": run_note, "status": run_status, **knob_notes, "model": model_note}
    return TextView(prompt, temperature, top_k, top_p, output, model, session, prompt_note, prompt_check, examples,
                    generate_button, stop_button, max_new_tokens, seed, randomise, bars_note, bars, notes)


def wire(handlers: TextHandlers, view: TextView) -> None:
    """The page's events: one per trigger. They show refusals as notes beside their field and are left off the API
    page (undocumented, still callable)."""
    v = view
    knobs = [v.temperature, v.top_k, v.top_p]
    run_inputs = [v.prompt, *knobs, v.max_new_tokens, v.seed, v.session, v.model]
    run_outputs = [v.output, *(v.notes[name] for name in NOTES)]
    page = dict(preprocess=False, api_visibility="undocumented")
    streams = dict(trigger_mode="multiple", **queue_group("gpt"))
    v.generate_button.click(handlers.page_generate, run_inputs, run_outputs, api_name="page_generate", **page, **streams)
    # Every way a knob can change ends in one re-run: a slider's release (drag end, reset button, its number box
    # losing focus, or HEAD's debounced keyboard release), the seed's submit (Enter, or HEAD after typing), Randomise.
    # A newer run supersedes the older at its next character (StreamSession), so the newest value wins.
    rerun = dict(fn=handlers.regenerate, inputs=run_inputs, outputs=run_outputs, api_name="regenerate",
                 show_progress="minimal", **page, **streams)
    gr.on([k.release for k in knobs] + [v.max_new_tokens.release, v.seed.submit], **rerun)
    v.stop_button.click(handlers.stop, v.session, None, api_name="page_stop", **queue_group("text-stop"),
                      show_progress="hidden", **page)
    # The bars follow every change of a knob (a drag's every step, reset, typing, keys), the newest value last.
    gr.on([k.change for k in knobs], handlers.page_next_tokens, [v.prompt, *knobs, v.model], [v.bars, v.bars_note], api_name="page_next_tokens",
          show_progress="hidden", trigger_mode="always_last", **queue_group("bars"), **page)
    # The prompt's marks and the bars follow the prompt and the chosen model (its vocabulary, its logits).
    gr.on([v.prompt.change, v.model.change], handlers.page_inspect_prompt, [v.prompt, *knobs, v.model],
          [v.prompt_check, v.bars, v.bars_note, v.prompt_note, v.notes["model"]], api_name="page_inspect_prompt",
          show_progress="hidden", trigger_mode="always_last", **queue_group("bars"), **page)
    # An example goes into the prompt in the page alone (no request: the app's queue takes no /run/ calls); the
    # prompt's change then checks it and moves the bars, as typing does.
    v.examples.click(None, v.examples, v.prompt, js=f"(index) => {json.dumps(EXAMPLES)}[index]", show_progress="hidden")
    v.randomise.click(random_seed, None, v.seed, api_name="random_seed", show_progress="hidden",
                    api_visibility="undocumented").then(**{**rerun, "api_name": "regenerate_new_seed"})


def link(links: Links, handlers: TextHandlers, view: TextView) -> None:
    """The tab's knobs in the page's URL (demo/links.py); a link with them generates, as the Generate button does."""
    knobs = link_parsers(handlers.tokenizer)
    v = view
    links.view("text", {"text-prompt": (v.prompt, knobs["prompt"]), "text-temperature": (v.temperature, knobs["temperature"]),
                        "text-top-k": (v.top_k, knobs["top_k"]), "text-top-p": (v.top_p, knobs["top_p"]),
                        "text-max-new": (v.max_new_tokens, knobs["max_new_tokens"]), "text-seed": (v.seed, knobs["seed"])},
               Draw(handlers.page_generate, [v.prompt, v.temperature, v.top_k, v.top_p, v.max_new_tokens, v.seed, v.session,
                                             v.model], [v.output, *(v.notes[name] for name in NOTES)], queue_group("gpt")))


def link_parsers(tokenizer: CharTokenizer) -> dict[str, Callable[[str], Any]]:
    """A link's text to each knob's value, by knob; a value the knob cannot take raises (the link then ignores it)."""
    top_k = min(limits.MAX_TOP_K, tokenizer.size)  # the slider's range
    return {"prompt": lambda text: validate_prompt(text, tokenizer),
            "temperature": lambda text: as_float("temperature", text, 0.0, limits.MAX_TEMPERATURE),
            "top_k": lambda text: as_int("top_k", text, 0, top_k),
            "top_p": lambda text: as_float("top_p", text, 0.01, 1.0),
            "max_new_tokens": lambda text: as_int("max_new_tokens", text, 1, limits.MAX_NEW_TOKENS),
            "seed": lambda text: as_int("seed", text, 0, limits.MAX_SEED)}


def publish_api(handlers: TextHandlers) -> None:
    """The API's own endpoints (gr.api: typed, documented on the API page; a refusal raises gr.Error)."""
    # one typed endpoint per thing a program may want, each with a line for its user
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
