"""Watch it learn, the handlers: one operation (at_step, with at_snapshot the slider's form of it) over a loaded
snapshot run, checking the step, class and seed once, with refusals as gr.Error for programs (`user_errors`) and as
a note under the knobs on the page (`page_snapshot`, in the page's language). What it shows is
demo/gan_learning_render.py; where it goes on the page is demo/gan_learning_tab.py.

Cheap per move: there are only a handful of snapshots, so each (step, class, seed) image and each step's grid is
drawn once and kept as a file (GeneratedFiles' keys), and the curves are one SVG string drawn once with a marker
added per step."""
from __future__ import annotations

from typing import Any

import gradio as gr
from PIL import Image

from core.gan.latent import validate_class, validate_seed
from core.gan.learning import LearningView
from core.gan.snapshots import SnapshotRun
from core.validation import as_int
from demo.errors import USER_ERRORS, field_note, localized, user_errors
from demo.i18n import request_language
from demo.locales import DEFAULT
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

    def caption(self, step: Any, lang: str = DEFAULT) -> str:
        return caption_html(self.view, self.view.steps[self.view.step_index(step)], lang)

    def curves(self, step: Any, lang: str = DEFAULT) -> str:
        return self.plot.svg(self.view.steps[self.view.step_index(step)], lang)

    @user_errors
    def at_snapshot(self, number: Any, class_name: Any, seed: Any, lang: str = DEFAULT) -> tuple[str, str, str, str]:
        """at_step for snapshot `number` (1 = untrained, n = the last): what the slider sends."""
        return self._at_step(self.view.snapshot_step(number), class_name, seed, lang)

    @user_errors
    def at_step(self, step: Any, class_name: Any, seed: Any, lang: str = DEFAULT) -> tuple[str, str, str, str]:
        """(the caption: the run's numbers at `step`; the seed's image and the grid at `step`; the curves with `step`
        marked). `step` must be one of the snapshots' steps; class and seed mean what they mean for the image above."""
        return self._at_step(step, class_name, seed, lang)

    def _at_step(self, step: Any, class_name: Any, seed: Any, lang: str) -> tuple[str, str, str, str]:
        index, class_name, seed = self.view.step_index(step), validate_class(class_name), validate_seed(seed)
        image_path = self._file(f"image|{index}|{class_name}|{seed}", lambda: self.image(step, class_name, seed))
        grid_path = self._file(f"grid|{index}", lambda: self.grid(step))
        return self.caption(step, lang), image_path, grid_path, self.curves(step, lang)

    def page_snapshot(self, number: Any, class_name: Any, seed: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """The page's move: (caption, image, grid, curves, the note under the knobs), in the page's language; a
        refused knob (a seed out of range) keeps the last view and says why in the note."""
        lang = request_language(request)
        try:
            return (*self._at_step(self.view.snapshot_step(number), class_name, seed, lang), field_note())
        except USER_ERRORS as exc:
            return (gr.skip(), gr.skip(), gr.skip(), gr.skip(), field_note(localized(exc, lang)))

    # ---- a link's text to a knob's value (demo/links.py): a bad value raises KnobError and is ignored -------------
    def parse_snapshot(self, value: str) -> int:
        """A snapshot number, 1 to the number of snapshots (the slider's value)."""
        return as_int("snapshot", value, 1, len(self.view.steps))
