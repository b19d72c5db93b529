"""Watch it learn (Images tab), the layout and its wiring: a slider over the snapshots of one run (numbered 1..n: a
run continued in a second phase has them unevenly spaced, and the curves mark each at its true step) shows the
generator as it was at that step, for a chosen seed and class and for a fixed grid of every class, beside the run's
loss curves and the snapshots' measured FD with the step marked (checkpoints/gan-fashion-snapshots,
core/gan/snapshots.py). The handlers are demo/gan_learning_handlers.py, what they show
demo/gan_learning_render.py, the CSS demo/static/gan_learning.css."""
from __future__ import annotations

import gradio as gr

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.latent import RANDOM_CLASS, ImageKnobs
from core.gan.learning import GRID_SEEDS
from core.gan.snapshots import SnapshotRun
from demo.gan_learning_handlers import LearningHandlers
from demo.gan_learning_render import EXPLAIN
from demo.image_render import IMAGE_SCALE
from demo.shared import queue_group, static_text
from demo.links import Links

CSS = static_text("gan_learning.css")
Components = list[gr.components.Component]


def build_gan_learning(run: SnapshotRun | None, note: str = "", links: Links | None = None) -> None:
    """The section (call inside the Images tab); a note instead when the snapshots could not be loaded."""
    with gr.Accordion("Watch it learn", open=True, elem_id="gan-learning"):
        if run is None:
            gr.Markdown(f"Watch it learn is not available: {note or 'no training snapshots loaded'}. Build it with "
                        "`python -m core.gan.snapshots pack <state-dir> checkpoints/gan-fashion-snapshots`.",
                        elem_id="gan-learning-missing")
            return
        handlers = LearningHandlers(run)
        inputs, outputs = lay_out(handlers, run)
    wire(handlers, inputs, outputs)


def lay_out(handlers: LearningHandlers, run: SnapshotRun) -> tuple[Components, Components]:
    """The components, showing the run's last snapshot for the default class and seed: the knobs (step, class, seed)
    and what they redraw (caption, image, grid, curves)."""
    defaults, last = ImageKnobs(), run.last_step
    gr.Markdown(EXPLAIN, latex_delimiters=[{"left": "$", "right": "$", "display": False}])
    count = len(run.steps)
    step = gr.Slider(1, count, count, step=1, label=f"Snapshot of the run (1 = step 0, {count} = step {last:,}; "
                     "the caption gives its step)", buttons=[], elem_id="gan-learning-step")
    caption = gr.HTML(handlers.caption(last), elem_id="gan-learning-caption-box")  # right under the slider
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            with gr.Row():
                class_name = gr.Dropdown([RANDOM_CLASS, *CLASS_NAMES], value=defaults.class_name, label="Class",
                                         elem_id="gan-learning-class", min_width=120)
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed",
                                 elem_id="gan-learning-seed", min_width=100)
            image = gr.Image(handlers.image(last, defaults.class_name, defaults.seed), type="filepath", format="png",
                             image_mode="L", interactive=False, buttons=[], elem_id="gan-learning-image",
                             label="This seed at this step", height=32 * IMAGE_SCALE + 40)
        with gr.Column(scale=2, min_width=300):
            gr.Markdown(f"Every class (columns) for seeds {', '.join(map(str, GRID_SEEDS))} (rows) at this step:",
                        elem_id="gan-learning-grid-note")
            grid = gr.Image(handlers.grid(last), type="filepath", format="png", image_mode="L", interactive=False,
                            buttons=[], show_label=False, elem_id="gan-learning-grid")
            curves = gr.HTML(handlers.curves(last), elem_id="gan-learning-curves")
    return [step, class_name, seed], [caption, image, grid, curves]


def wire(handlers: LearningHandlers, inputs: Components, outputs: Components) -> None:
    """One event for every way the step, class or seed changes. Page plumbing (two of its outputs are the page's HTML
    panels): callable, but not listed on the API page."""
    step, class_name, seed = inputs
    gr.on([step.input, class_name.input, seed.change], handlers.at_snapshot, inputs, outputs,
          api_name="learning_snapshot", api_visibility="undocumented", preprocess=False, trigger_mode="always_last",
          show_progress="hidden", **queue_group("gan-learning"))
