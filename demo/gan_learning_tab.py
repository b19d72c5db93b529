"""Watch it learn (Images tab), the layout and its wiring: a slider over the snapshots of one run (numbered 1..n: a
run continued in a second phase has them unevenly spaced, and the curves mark each at its true step) shows the
generator as it was at that step, for a chosen seed and class and for a fixed grid of every class, beside the run's
loss curves and the snapshots' measured FD with the step marked (checkpoints/gan-fashion-snapshots,
core/gan/snapshots.py). The handlers are demo/gan_learning_handlers.py, what they show
demo/gan_learning_render.py, the CSS demo/static/gan_learning.css."""
from __future__ import annotations

import gradio as gr

from core import limits
from core.gan.latent import ImageKnobs
from core.gan.snapshots import SnapshotRun
from demo.errors import note_box
from demo.first_view import first_view
from demo.gan_learning_handlers import LearningHandlers
from demo.gan_learning_render import EXPLAIN
from demo.i18n import i18n
from demo.image_handlers import parse_class, parse_seed
from demo.image_render import IMAGE_SCALE
from demo.image_tab import class_choices
from demo.shared import queue_group, static_text
from demo.links import Draw, Links

CSS = static_text("gan_learning.css")
Components = list[gr.components.Component]


def build_gan_learning(run: SnapshotRun | None, note: str = "", links: Links | None = None,
                       demo: gr.Blocks | None = None) -> None:
    """The section (call inside the Images tab); a note instead when the snapshots could not be loaded. With `links`,
    its knobs live in the page's URL; with `demo`, the tab's first opening draws the caption and the curves in its language
    (the layout's first values are English: they are drawn before any reader's language is known)."""
    with gr.Accordion(i18n("image.learn_title"), open=True, elem_id="gan-learning"):
        if run is None:
            with gr.Column(elem_id="gan-learning-missing"):
                gr.Markdown(i18n("image.learn_missing") + note if note else i18n("image.learn_no_snapshots"))
                gr.Markdown(i18n("image.learn_build"))
            return
        handlers = LearningHandlers(run)
        inputs, outputs = lay_out(handlers, run)
    wire(handlers, inputs, outputs)
    if links is not None:
        step, class_name, seed = inputs
        links.view("image", {"image-learn-step": (step, handlers.parse_snapshot), "image-learn-class": (class_name, parse_class),
                             "image-learn-seed": (seed, parse_seed)},
                   Draw(handlers.page_snapshot, inputs, outputs, queue_group("gan-learning")))
    if demo is not None:
        first_view("image", handlers.page_snapshot, inputs, outputs, api_name="learning_first_view",
                   **queue_group("gan-learning"))


def lay_out(handlers: LearningHandlers, run: SnapshotRun) -> tuple[Components, Components]:
    """The components, showing the run's last snapshot for the default class and seed: the knobs (step, class, seed)
    and what they redraw (caption, image, grid, curves)."""
    defaults, last = ImageKnobs(), run.last_step
    gr.Markdown(i18n(EXPLAIN), latex_delimiters=[{"left": "$", "right": "$", "display": False}])
    count = len(run.steps)
    step = gr.Slider(1, count, count, step=1, label=i18n("image.learn_step"), buttons=[], elem_id="gan-learning-step")
    caption = gr.HTML(handlers.caption(last), elem_id="gan-learning-caption-box")  # right under the slider
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            with gr.Row():
                class_name = gr.Dropdown(class_choices(), value=defaults.class_name, label=i18n("image.class_label"),
                                         elem_id="gan-learning-class", min_width=120)
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("image.seed"),
                                 elem_id="gan-learning-seed", min_width=100)
            note = note_box("gan-learning-note")
            image = gr.Image(handlers.image(last, defaults.class_name, defaults.seed), type="filepath", format="png",
                             image_mode="L", interactive=False, buttons=[], elem_id="gan-learning-image",
                             label=i18n("image.learn_image"), height=32 * IMAGE_SCALE + 40)
        with gr.Column(scale=2, min_width=300):
            gr.Markdown(i18n("image.learn_grid_note"), elem_id="gan-learning-grid-note")  # names GRID_SEEDS (a test checks)
            grid = gr.Image(handlers.grid(last), type="filepath", format="png", image_mode="L", interactive=False,
                            buttons=[], show_label=False, elem_id="gan-learning-grid")
            curves = gr.HTML(handlers.curves(last), elem_id="gan-learning-curves")
    return [step, class_name, seed], [caption, image, grid, curves, note]


def wire(handlers: LearningHandlers, inputs: Components, outputs: Components) -> None:
    """One event for every way the step, class or seed changes (its page adapter: a refusal is the note under the
    knobs). /learning_snapshot is the same operation for programs, raising its refusals: callable, but not listed on
    the API page (two of its outputs are the page's HTML panels)."""
    step, class_name, seed = inputs
    gr.on([step.input, class_name.input, seed.change], handlers.page_snapshot, inputs, outputs,
          api_name="page_learning_snapshot", api_visibility="undocumented", preprocess=False, trigger_mode="always_last",
          show_progress="hidden", **queue_group("gan-learning"))
    gr.on([], handlers.at_snapshot, inputs, outputs[:4], api_name="learning_snapshot", api_visibility="undocumented",
          preprocess=False, show_progress="hidden", **queue_group("gan-learning"))
