"""Inside the GPT, the layout and its wiring: the Text tab's prompt, knobs and text, shown through the model's own
numbers (core/gpt/inspect.py), for any GPT of demo/gpt_models.py: the shipped one, a snapshot of its training run
(GPT learns opens this tab on one) or the visitor's own model (the list is refreshed whenever the tab opens).

Every generated character is coloured by the probability it had when it was drawn; clicking one selects that step:
its bars (raw and after the knobs), the attention of the character that predicted it (shaded text, a layer x head
grid, one head large), the worked example with its formulas, and the logit lens. One traced forward per text is
cached, so a click or a head change re-runs no model: it only slices the recorded tensors (demo/inside_handlers.py;
the panels are drawn by demo/inside_render.py). The text is a HighlightedText and the model view an Image because
their own select events carry the click (the character's index, the pixel); the other panels are Markdown, which
renders the worked example's LaTeX.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import gradio as gr

from core.gpt.io import LoadedGPT
from core.gpt.sampling import validate_prompt
from core.validation import as_int
from demo.gpt_models import SHIPPED, GptModels
from demo.api_docs import public_endpoint
from demo.i18n import i18n, i18n_filled
from demo.errors import USER_ERRORS, missing_model_notice, note_box
from demo.inside_handlers import MAX_TEXT_CHARS, NOTE_FIELDS, InsideHandlers, Picked  # noqa: F401  (re-exported)
from demo.inside_render import PROB_COLOURS
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.shared import LATEX, queue_group, static_text
from demo.text_tab import TextTabParts
from demo.links import Draw, Links

CSS = static_text("inside.css")


@dataclass
class InsideView:
    """The view's components that its events read or write (lay_out makes them, wire binds them)."""

    coloured: gr.HighlightedText
    model: gr.Dropdown
    look: gr.Button
    step: gr.Number
    layer: gr.Slider
    head: gr.Radio
    panels: list[Any]  # bars, shaded text, model view, large head, worked example, logit lens
    notes: list[gr.Markdown]  # NOTE_FIELDS' order
    link_prompt: gr.Textbox  # the prompt a link looks at (hidden; "" = the Text tab's), see link()
    kept_for: gr.State  # the text a link has just drawn: the tab's next look keeps its step (InsideHandlers.open_at)


@dataclass
class InsideEntry:
    """A way in for other views: open Inside the GPT on a model they name, in one event (the tab switch and the
    look inside together, so nothing depends on the tab's own select event)."""

    handlers: InsideHandlers
    look_inputs: list[Any]
    look_outputs: list[Any]

    def open_with(self, button: gr.Button, tabs: gr.Tabs, key_of: Callable[[Any], str], key_input: Any,
                  api_name: str) -> None:
        """A click on `button` chooses model key_of(key_input's value) for the session and shows the tab."""
        handlers = self.handlers

        def open_inside(value: Any, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
                        head: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
            try:
                key = key_of(value)
            except USER_ERRORS:  # not a model's key: the session's choice stays
                key = None
            return (gr.Tabs(selected="inside"),
                    *handlers.page_choose(key, prompt, text, temperature, top_k, top_p, layer, head, request))

        button.click(open_inside, [key_input, *self.look_inputs], [tabs, *self.look_outputs], api_name=api_name,
                     api_visibility="undocumented", preprocess=False, show_progress="hidden", **queue_group("inside"))


def build_inside_tab(loaded: LoadedGPT | None, note: str, text: TextTabParts | None, tab: gr.Tab,
                     models: GptModels | None = None, links: Links | None = None) -> InsideEntry | None:
    """Lay out the view, wire its events and publish its API (call inside its gr.Tab); `text` holds the Text tab's
    components, `models` every GPT the view can look inside (the shipped one alone when not given)."""
    if loaded is None or text is None:
        missing_model_notice("GPT", "python -m core.gpt.train", note, elem_id="inside-missing")
        return None
    handlers = InsideHandlers(models or GptModels(loaded, None))
    # the labels in the page's language: the tab refreshes them when it opens (a visitor's own model joins them)
    view = lay_out(loaded.model.config, [(i18n_filled(label, **values), key) for label, values, key in handlers.models.choice_entries()])
    entry = wire(handlers, view, text, tab)
    if links is not None:
        link(links, handlers, view, text, loaded)
    publish_api(handlers)
    return entry


def lay_out(cfg: Any, choices: list[tuple[str, str]]) -> InsideView:
    """The components, empty until the tab is opened (its select event looks at the Text tab's text)."""
    gr.Markdown(i18n("inside.intro"))
    link_prompt = gr.Textbox("", visible=False, elem_id="inside-link-prompt")
    kept_for = gr.State("")
    with gr.Row():
        with gr.Column(scale=3):
            gr.Markdown(i18n("inside.text_heading"))
            coloured = gr.HighlightedText([], combine_adjacent=False, show_legend=True, color_map=PROB_COLOURS,
                                          show_label=False, elem_id="inside-text")
            # keyboard moves of the step and layer update the panels too (demo/knob_release.py: a typed step after a
            # pause, the layer's arrow keys and Enter in its box)
            with gr.Row(elem_id="inside-controls"):
                with gr.Column(min_width=160):
                    look = gr.Button(i18n("inside.look"), variant="primary", elem_id="inside-look")
                    text_note = note_box("inside-text-note")
                with gr.Column(min_width=200):
                    # a training snapshot shows what the model knew at that step; "Your model" appears once trained
                    model = gr.Dropdown(choices, value=SHIPPED, label=i18n("inside.model_label"), elem_id="inside-model")
                    model_note = note_box("inside-model-note")
                with gr.Column(min_width=160):
                    step = gr.Number(1, precision=0, minimum=1, label=i18n("inside.step_label"),
                                     elem_id="inside-step", elem_classes=NUMBER_CLASSES)
                    step_note = note_box("inside-step-note")
                with gr.Column(min_width=160):
                    layer = gr.Slider(1, cfg.n_layer, 1, step=1, label=i18n("inside.layer_label"), elem_id="inside-layer",
                                      elem_classes=SLIDER_CLASSES)
                    layer_note = note_box("inside-layer-note")
                head = gr.Radio([str(h) for h in range(1, cfg.n_head + 1)], value="1", label=i18n("inside.head_label"),
                                elem_id="inside-head")
        with gr.Column(scale=2):
            gr.Markdown(i18n("inside.bars_heading"))
            bars = gr.Markdown("", elem_id="inside-bars")
    gr.Markdown(i18n("inside.attention_heading"))
    shade = gr.Markdown("", elem_id="inside-shade")
    with gr.Row():
        with gr.Column():
            gr.Markdown(i18n("inside.grid_heading"))
            gr.Markdown(i18n("inside.grid_axes"), elem_id="inside-grid-axes")
            grid = gr.Image(None, type="pil", format="png", interactive=False, show_label=False, buttons=[],
                            elem_id="inside-grid")
        with gr.Column():
            gr.Markdown(i18n("inside.big_heading"))
            big = gr.Markdown("", elem_id="inside-big")
    with gr.Row():
        with gr.Column(scale=3):
            gr.Markdown(i18n("inside.worked_title"))
            worked = gr.Markdown("", latex_delimiters=LATEX, elem_id="inside-worked")
        with gr.Column(scale=2):
            gr.Markdown(i18n("inside.lens_heading"))
            lens = gr.Markdown("", elem_id="inside-lens")

    return InsideView(coloured, model, look, step, layer, head, [bars, shade, grid, big, worked, lens],
                      [text_note, step_note, layer_note, model_note], link_prompt, kept_for)


def wire(handlers: InsideHandlers, view: InsideView, text: TextTabParts, tab: gr.Tab) -> InsideEntry:
    """The page's events, one per trigger (undocumented on the API page, still callable); returns the way in for
    other views."""
    coloured, look, step, layer, head, panels, notes = (view.coloured, view.look, view.step, view.layer, view.head,
                                                        view.panels, view.notes)
    grid = panels[2]
    knobs = [text.temperature, text.top_k, text.top_p]
    group = dict(**queue_group("inside"), show_progress="hidden")
    look_inputs = [text.prompt, text.output, *knobs, layer, head]
    look_outputs = [coloured, step, *panels, view.model, layer, head, view.kept_for, *notes]
    # The Look button looks at the Text tab's text from its first generated character
    look.click(handlers.page_look, look_inputs, look_outputs, api_name="inside_trace", api_visibility="undocumented",
               preprocess=False, trigger_mode="always_last", **group)
    # Opening the tab looks again, from the text's first generated character (the text may be new; a link that has
    # just drawn this text keeps its step), and the model list gains "Your model" once there is one
    tab.select(handlers.page_look, [*look_inputs, step, view.kept_for], look_outputs, api_visibility="private",
               preprocess=False, trigger_mode="always_last", **group)
    view.model.input(handlers.page_choose, [view.model, *look_inputs], look_outputs, api_name="inside_model",
                     api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    view_inputs = [text.prompt, text.output, *knobs, step, layer, head]
    # Every way the step or layer can change ends here: a typed step on Enter or after a pause (its submit), the
    # layer's drag end, arrow keys, a typed layer on Enter or on leaving the box, its reset arrow (its release)
    gr.on([step.submit, layer.release, head.input], handlers.page_view, view_inputs, [*panels, *notes], api_name="inside_view",
          api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    coloured.select(handlers.page_pick_char, [text.prompt, text.output, *knobs, layer, head], [step, *panels, *notes],
                    api_name="inside_pick_char", api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    grid.select(handlers.page_pick_head, [text.prompt, text.output, *knobs, step], [layer, head, *panels, *notes],
                api_name="inside_pick_head", api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    return InsideEntry(handlers, look_inputs, look_outputs)


def link(links: Links, handlers: InsideHandlers, view: InsideView, text: TextTabParts, loaded: LoadedGPT) -> None:
    """The view's knobs in the page's URL (demo/links.py): the prompt looked at (a link's own: the Text tab's prompt
    becomes it), the step, the layer and the head; a link with them traces the text and shows that step's panels."""
    cfg, tokenizer = loaded.model.config, loaded.tokenizer
    knobs = [text.temperature, text.top_k, text.top_p]
    links.view("inside", {
        "inside-prompt": (view.link_prompt, lambda value: value and validate_prompt(value, tokenizer)),
        "inside-step": (view.step, lambda value: as_int("step", value, 1, MAX_TEXT_CHARS)),
        "inside-layer": (view.layer, lambda value: as_int("layer", value, 1, cfg.n_layer)),
        "inside-head": (view.head, lambda value: str(as_int("head", value, 1, cfg.n_head))),
    }, Draw(handlers.page_open, [view.link_prompt, text.prompt, text.output, *knobs, view.step, view.layer, view.head],
            [text.prompt, text.output, view.coloured, view.step, *view.panels, view.model, view.layer, view.head,
             view.kept_for, *view.notes], queue_group("inside")))
    # The link's prompt holds only while the Text tab's prompt is the one it set: a prompt typed after it clears it
    # (in the page alone), so a link copied later names the Text tab's prompt instead.
    text.prompt.change(None, [text.prompt, view.link_prompt], [view.link_prompt],
                       js="(prompt, linked) => prompt === linked ? linked : ''", show_progress="hidden")


def publish_api(handlers: InsideHandlers) -> None:
    """The view as JSON for programs (gr.api: typed, documented; a refusal raises gr.Error)."""
    public_endpoint(handlers.as_json, "inside_json",
                    "Inside the GPT (or one of its training snapshots) as JSON at one step of a text: each character's "
                    "probability, every head's attention, the logit lens and the next-character distribution.",
                    {"prompt": "the prompt the text began with (its characters are not coloured by probability)",
                     "text": "the prompt plus generated text, as /generate returns it (or '' for the prompt alone)",
                     "step": "1 .. the text's length: the character whose drawing to look at (its query is step - 1)",
                     "temperature": "the knobs the text was drawn with (0 to 5)", "top_k": "0 = off",
                     "top_p": "1 = off",
                     "model": "'shipped', or a snapshot of its training run: 'step-<N>' (N as /gpt_snapshot lists)"},
                    [({}, "{'tokens', 'prompt_length', 'probabilities', 'step', 'query', 'key_from', "
                          "'attention' [layer][head][key], 'logit_lens', 'next', 'next_raw'}")],
                    **queue_group("inside"))
