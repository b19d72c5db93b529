"""Watch it learn (Images tab): a slider over the snapshots of one run (numbered 1..n: a run continued in a second
phase has them unevenly spaced, and the curves mark each at its true step) shows the generator as it was at that
step, for a chosen seed and class and for a fixed grid of every class, beside the run's loss curves and the
snapshots' measured FD with the step marked (checkpoints/gan-fashion-snapshots, core/gan/snapshots.py).

Cheap per move: there are only a handful of snapshots, so each (step, class, seed) image and each step's grid is
drawn once and kept as a file (GeneratedFiles' keys), and the curves are one SVG string drawn once with a marker
added per step (demo/gan_learning_plot.py)."""
from __future__ import annotations

from typing import Any

import gradio as gr
from PIL import Image

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.latent import RANDOM_CLASS, ImageKnobs, validate_class, validate_seed
from core.gan.learning import GRID_SEEDS, LearningView
from core.gan.snapshots import SnapshotRun
from demo.errors import user_errors
from demo.gan_learning_plot import LearningPlot
from demo.image_tab import IMAGE_SCALE, PNG_COMPRESS_LEVEL
from demo.shared import GeneratedFiles, queue_group, static_text

GRID_SCALE = 2
DISK_CAP_BYTES = 16 * 2**20  # at most 8 steps x (a grid + the images users ask for): small PNGs, the oldest go first
EXPLAIN = ("The same latent $z$ through the generator $G(z \\mid y)$ as it was at each point of one training run: "
           "at step 0 it is untrained noise; the adversarial game then pushes $D(G(z))$ up while $D$ learns to keep "
           "$D(x)$ high and $D(G(z))$ low. Slide through the training steps and watch the images, the losses and the "
           "Frechet distance (measured on each snapshot, lower is better) move together.")
CSS = static_text("gan_learning.css")


def caption_html(view: LearningView, step: int) -> str:
    """One line of the run's own numbers at `step`: where in the run, the snapshot's FD, the logged losses."""
    parts = [f"<b>Step {step:,}</b> of {view.run.last_step:,}" + (" (untrained)" if step == 0 else "")]
    if (fd := view.fd_at(step)) is not None:
        parts.append(f"FD {fd['fd_generated_vs_test']:.1f} ({fd['fd_ratio']:.1f}x real-vs-real), class fidelity {fd['class_fidelity']:.0%}")
    if (r := view.losses_at(step)) is not None:
        parts.append(f"logged at step {int(r['step']):,}: D loss {r['loss_d']:.2f}, G loss {r['loss_g']:.2f}, "
                     f"D(x) {r['d_real']:.2f}, D(G(z)) {r['d_fake']:.2f}")
    return '<p id="gan-learning-caption">' + " · ".join(parts) + "</p>"


class LearningHandlers:
    """The section's one event over a loaded snapshot run (loaded once at start-up; no handler loads weights)."""

    def __init__(self, run: SnapshotRun, files: GeneratedFiles | None = None) -> None:
        self.view = LearningView(run)
        self.plot = LearningPlot(run.losses, run.fd, run.steps)
        self.files = files or GeneratedFiles(cap_bytes=DISK_CAP_BYTES)
        for step in run.steps:  # ~20 ms each, once at start-up, so no slider move draws a grid
            self.view.grid(step)

    def _file(self, key: str, picture: Any) -> str:
        if (path := self.files.find(key)) is not None:
            return path
        return self.files.write("learning", ".png", lambda f: picture().save(f, format="png", compress_level=PNG_COMPRESS_LEVEL), key)

    def image(self, step: Any, class_name: Any, seed: Any) -> Image.Image:
        return self.view.image(step, class_name, seed).resize((32 * IMAGE_SCALE,) * 2, Image.NEAREST)

    def grid(self, step: Any) -> Image.Image:
        sheet = self.view.grid(step)
        return sheet.resize((sheet.width * GRID_SCALE, sheet.height * GRID_SCALE), Image.NEAREST)

    def caption(self, step: Any) -> str:
        return caption_html(self.view, self.view.steps[self.view.step_index(step)])

    def curves(self, step: Any) -> str:
        return self.plot.svg(self.view.steps[self.view.step_index(step)])

    @user_errors
    def at_snapshot(self, number: Any, class_name: Any, seed: Any) -> tuple[str, str, str, str]:
        """at_step for snapshot `number` (1 = untrained, n = the last): what the slider sends."""
        return self.at_step(self.view.snapshot_step(number), class_name, seed)

    @user_errors
    def at_step(self, step: Any, class_name: Any, seed: Any) -> tuple[str, str, str, str]:
        """(the caption: the run's numbers at `step`; the seed's image and the grid at `step`; the curves with `step`
        marked). `step` must be one of the snapshots' steps; class and seed mean what they mean for the image above."""
        index, class_name, seed = self.view.step_index(step), validate_class(class_name), validate_seed(seed)
        image_path = self._file(f"image|{index}|{class_name}|{seed}", lambda: self.image(step, class_name, seed))
        grid_path = self._file(f"grid|{index}", lambda: self.grid(step))
        return self.caption(step), image_path, grid_path, self.curves(step)


def build_gan_learning(run: SnapshotRun | None, note: str = "") -> None:
    """The section (call inside the Images tab); a note instead when the snapshots could not be loaded."""
    with gr.Accordion("Watch it learn", open=True, elem_id="gan-learning"):
        if run is None:
            gr.Markdown(f"Watch it learn is not available: {note or 'no training snapshots loaded'}. Build it with "
                        "`python -m core.gan.snapshots pack <state-dir> checkpoints/gan-fashion-snapshots`.",
                        elem_id="gan-learning-missing")
            return
        handlers = LearningHandlers(run)
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
    # Page plumbing (two of its outputs are the page's HTML panels): callable, but not listed on the API page.
    gr.on([step.input, class_name.input, seed.change], handlers.at_snapshot, [step, class_name, seed], [caption, image, grid, curves],
          api_name="learning_snapshot", api_visibility="undocumented", preprocess=False, trigger_mode="always_last",
          show_progress="hidden", **queue_group("gan-learning"))
