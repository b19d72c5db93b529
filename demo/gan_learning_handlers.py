"""Watch it learn, the handlers: one operation (at_step, with at_snapshot the slider's form of it) over a loaded
snapshot run, checking the step, class and seed once, with refusals as gr.Error (`user_errors`). What it shows is
demo/gan_learning_render.py; where it goes on the page is demo/gan_learning_tab.py.

Cheap per move: there are only a handful of snapshots, so each (step, class, seed) image and each step's grid is
drawn once and kept as a file (GeneratedFiles' keys), and the curves are one SVG string drawn once with a marker
added per step."""
from __future__ import annotations

from typing import Any

from PIL import Image

from core.gan.latent import validate_class, validate_seed
from core.gan.learning import LearningView
from core.gan.snapshots import SnapshotRun
from demo.errors import user_errors
from demo.gan_learning_render import LearningPlot, caption_html
from demo.image_render import IMAGE_SCALE, PNG_COMPRESS_LEVEL
from demo.shared import GeneratedFiles

GRID_SCALE = 2
DISK_CAP_BYTES = 16 * 2**20  # at most 8 steps x (a grid + the images users ask for): small PNGs, the oldest go first


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
