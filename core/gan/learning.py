"""What "watch it learn" shows at one training step, over a packed snapshot run (core/gan/snapshots.py).

The same latent through every snapshot's generator: a seed and a class give one image per step (the image tab's
seed -> z and 'random' class rules, psi 1), and a fixed grid (every class, a few fixed latents) per step, drawn once
and kept, since there are only a handful of steps. Knobs are validated here with messages a user can act on: a step
must be one of the snapshots' steps (within one step, so a slider's float arithmetic is accepted), a snapshot number
one of 1..n (the slider counts snapshots, since a run continued in a second phase has them unevenly spaced).
"""
from __future__ import annotations

import threading
from typing import Any

import torch
from cachetools import LRUCache, cachedmethod
from PIL import Image

from core.gan.data import CLASS_NAMES
from core.gan.images import to_pil
from core.gan.latent import class_index, seed_to_z, validate_class, validate_seed
from core.gan.snapshots import SnapshotRun
from core.validation import KnobError, as_float, as_int

GRID_SEEDS = (0, 1, 2)  # the grid's latents: one row per seed, one column per class
GRID_PAD, GRID_GAP_GREY = 2, 128  # grey gaps: the images' black backgrounds would merge across black ones
_CACHE_SIZE = 512  # (step, seed, class) images kept: 32x32 grey, ~1 kB each


def _short(steps: list[int]) -> str:
    return ", ".join(f"{s}" for s in steps) if len(steps) <= 12 else f"{steps[0]}, {steps[1]}, ..., {steps[-1]}"


class LearningView:
    """Images at the snapshots' steps; thread-safe, deterministic for (step, class, seed)."""

    def __init__(self, run: SnapshotRun) -> None:
        self.run = run
        self.z_dim = run.generators[0].config.z_dim
        self._images: LRUCache[tuple[int, int, int], Image.Image] = LRUCache(maxsize=_CACHE_SIZE)
        self._grids: dict[int, Image.Image] = {}  # one per snapshot: bounded by the run
        self._lock = threading.Lock()  # the app serves every user from one view

    @property
    def steps(self) -> list[int]:
        return self.run.steps

    def snapshot_step(self, number: Any) -> int:
        """The step of snapshot `number` (1 = the first, at step 0)."""
        return self.steps[as_int("snapshot", number, 1, len(self.steps)) - 1]

    def step_index(self, step: Any) -> int:
        """The index of the snapshot at `step` (a number within 1 of one of the snapshots' steps)."""
        value = as_float("training step", step, 0, self.run.last_step)
        index = min(range(len(self.steps)), key=lambda i: abs(self.steps[i] - value))
        if abs(self.steps[index] - value) >= 1:
            raise KnobError(f"training step must be one of the snapshots' steps ({_short(self.steps)}); got {value:g}.",
                            "errors.snapshot_step", steps=_short(self.steps), got=f"{value:g}")
        return index

    def image(self, step: Any, class_name: Any, seed: Any) -> Image.Image:
        """The 32x32 image of (class, seed) as the generator drew it at `step`."""
        index, class_name, seed = self.step_index(step), validate_class(class_name), validate_seed(seed)
        return self._image(index, class_index(class_name, seed), seed)

    @cachedmethod(lambda self: self._images, lock=lambda self: self._lock)
    @torch.inference_mode()
    def _image(self, index: int, label: int, seed: int) -> Image.Image:
        return to_pil(self.run.generators[index](seed_to_z(seed, self.z_dim)[None], torch.tensor([label])))[0]

    def grid(self, step: Any) -> Image.Image:
        """Every class (columns) for the GRID_SEEDS latents (rows) at `step`, drawn once per step."""
        return self._grid(self.step_index(step))

    @cachedmethod(lambda self: self._grids, lock=lambda self: self._lock)
    @torch.inference_mode()
    def _grid(self, index: int) -> Image.Image:
        n = len(CLASS_NAMES)
        z = torch.stack([seed_to_z(s, self.z_dim) for s in GRID_SEEDS]).repeat_interleave(n, 0)
        labels = torch.arange(n).repeat(len(GRID_SEEDS))
        sheet = Image.new("L", (n * 32 + (n - 1) * GRID_PAD, len(GRID_SEEDS) * 32 + (len(GRID_SEEDS) - 1) * GRID_PAD), GRID_GAP_GREY)
        for i, picture in enumerate(to_pil(self.run.generators[index](z, labels))):
            sheet.paste(picture, ((i % n) * (32 + GRID_PAD), (i // n) * (32 + GRID_PAD)))
        return sheet

    def losses_at(self, step: Any) -> dict[str, float] | None:
        """The loss-log record logged nearest to `step` (each averages the steps since the one before); None if
        the log is empty."""
        target, columns = self.steps[self.step_index(step)], self.run.losses
        if not columns["step"]:
            return None
        i = min(range(len(columns["step"])), key=lambda j: abs(columns["step"][j] - target))
        return {k: v[i] for k, v in columns.items()}

    def fd_at(self, step: Any) -> dict[str, Any] | None:
        index = self.step_index(step)
        return self.run.fd[index] if self.run.fd else None
