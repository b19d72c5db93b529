"""Train a GPT on your text, the layout and its wiring: a text box (or a bundled sample), a size and a seed; Train,
Stop and Continue; the live loss curve, a sample that sharpens, and the first step of the recipe. It sits in the
"GPT learns" tab under "Watch it learn". Handlers: demo/own_text_handlers.py; what they show:
demo/own_text_render.py; the training threads and their limits: serve/training_sessions.py; CSS: demo/static/own_text.css.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from core import limits
from core.gpt.sample_texts import SAMPLES
from core.gpt.train_quick import MAX_TEXT_CHARS, MIN_TEXT_CHARS
from demo.gpt_models import GptModels
from demo.own_text_handlers import FIELDS, OwnTextHandlers, size_entries
from demo.shared import LATEX, queue_group, static_text
from demo.errors import note_box
from demo.i18n import i18n, i18n_filled

CSS = static_text("own_text.css")


@dataclass
class OwnTextView:
    """Every component an event reads or writes."""
    sample: gr.Dropdown
    text: gr.Textbox
    size: gr.Radio
    seed: gr.Number
    train: gr.Button
    stop: gr.Button
    resume: gr.Button
    status: gr.Markdown
    chart: gr.HTML
    sample_text: gr.HTML
    ended: gr.Markdown
    download: gr.DownloadButton
    recipe: gr.HTML
    notes: dict[str, gr.Markdown]


def _note(field: str) -> gr.Markdown:
    return note_box(f"own-text-{field}-note")


def build_own_text(models: GptModels, demo: gr.Blocks, handlers: OwnTextHandlers | None = None) -> OwnTextHandlers:
    """Lay out the view and wire it (inside the GPT learns tab); `demo`'s unload stops the page's training."""
    handlers = handlers or OwnTextHandlers(models)
    view = lay_out(handlers)
    wire(handlers, view, demo)
    return handlers


def lay_out(handlers: OwnTextHandlers) -> OwnTextView:
    notes: dict[str, gr.Markdown] = {}
    gr.Markdown(i18n("own.intro"), elem_id="own-text-intro")
    with gr.Row(elem_id="own-text-row"):
        with gr.Column(scale=3, min_width=300, elem_id="own-text-input"):
            sample = gr.Dropdown([(i18n(f"own.sample.{s.key}"), s.key) for s in SAMPLES.values()], value=None,
                                 label=i18n("own.samples_label"), info=i18n("own.samples_info"), elem_id="own-text-samples")
            text = gr.Textbox("", lines=8, max_lines=12, label=i18n("own.text_label"),
                              placeholder=i18n("own.text_placeholder"), elem_id="own-text-text")
            notes["text"] = _note("text")
            with gr.Row(elem_id="own-text-knobs"):
                with gr.Column(scale=3, min_width=200):
                    size = gr.Radio([(i18n_filled("own.size_choice", **values), name) for values, name in size_entries()], value="tiny", label=i18n("own.size_label"), elem_id="own-text-size")
                    notes["size"] = _note("size")
                with gr.Column(scale=1, min_width=120):
                    seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("own.seed_label"),
                                     info=i18n("own.seed_info"), elem_id="own-text-seed")
                    notes["seed"] = _note("seed")
            with gr.Row(elem_id="own-text-buttons"):
                train = gr.Button(i18n("own.train"), variant="primary", elem_id="own-text-train", min_width=80)
                stop = gr.Button(i18n("own.stop"), elem_id="own-text-stop", min_width=70)
                resume = gr.Button(i18n("own.continue"), elem_id="own-text-continue", min_width=80)
            notes["buttons"] = _note("buttons")
            status = gr.Markdown("", elem_id="own-text-status")
        with gr.Column(scale=3, min_width=300, elem_id="own-text-live"):
            chart = gr.HTML("", elem_id="own-text-chart-box")
            gr.Markdown(i18n("own.sample_heading"), elem_id="own-text-sample-label")
            sample_text = gr.HTML("", elem_id="own-text-sample-box")
            ended = gr.Markdown("", visible=False, elem_id="own-text-ended")
            download = gr.DownloadButton(i18n("own.download"), visible=False, elem_id="own-text-download")
    gr.Markdown(i18n("own.explain"), latex_delimiters=LATEX, elem_classes=["own-text-maths"])
    with gr.Accordion(i18n("own.recipe_title"), open=True, elem_id="own-text-recipe-box"):
        recipe = gr.HTML(i18n("own.recipe_empty"))
    return OwnTextView(sample, text, size, seed, train, stop, resume, status, chart, sample_text, ended, download,
                       recipe, notes)


def wire(handlers: OwnTextHandlers, view: OwnTextView, demo: gr.Blocks) -> None:
    """Train and Continue stream the run's view (group gpt-train: the large body, the slots); Stop and a sample's
    text are clicks (gpt-train-click). Page events, left off the API page (undocumented, still callable)."""
    v = view
    page = dict(preprocess=False, api_visibility="undocumented")
    outputs = [v.chart, v.status, v.sample_text, v.recipe, v.download, v.ended, *(v.notes[f] for f in FIELDS)]
    live = dict(show_progress="hidden", **queue_group("gpt-train"), **page)
    v.train.click(handlers.page_train, [v.text, v.size, v.seed], outputs, api_name="own_text_train", **live)
    v.resume.click(handlers.page_resume, None, outputs, api_name="own_text_continue", **live)
    clicks = dict(show_progress="hidden", **queue_group("gpt-train-click"), **page)
    v.stop.click(handlers.page_stop, None, None, api_name="own_text_stop", **clicks)
    v.sample.input(handlers.page_sample_text, v.sample, [v.text, v.notes["text"]], api_name="own_text_sample", **clicks)
    demo.unload(handlers.page_end)
