"""The Images tab's slider panel as one ONNX graph, so the page can redraw it with ONNX Runtime Web and ask the
server nothing per slider move (issue #28).

The graph is everything a move changes, exactly as the server computes it (core/gan/latent.py, core/gan/judge.py):
  z = z0 * psi + moves @ directions          (ψ scales the seed's noise; GANSpace moves add unit directions)
  image = G(z, one_hot(label))                (the generator, BatchNorm folded in eval mode)
  pixels = round((clamp(image, -1, 1) + 1) * 127.5)   (the grey levels the user sees, as to_uint8 rounds them)
  p_real = sigmoid(D(pixels / 127.5 - 1 | label)); probs = softmax(classifier(pixels / 127.5 - 1))
The seed's noise z0 is not in the graph: it comes from torch.Generator, which a browser cannot reproduce, so the page
fetches it once per seed (serve/latent_route.py). One graph rather than G in two parts: the ψ and direction
arithmetic is two small ops inside it, and one session.run per move is the cheapest the page can do.

The file is built on first use from the loaded weights and cached under runs/onnx/<hash of the weights>/, so a
changed checkpoint builds a new one and an unchanged one is never exported twice.
"""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from core.exported import CACHE_DIR, cache_entry, content_digest
from core.gan.classifier import FashionClassifier
from core.gan.model import Discriminator, Generator

FILE_NAME = "image_panel.onnx"
OPSET = 18  # the torch.export-based exporter's own opset (no version conversion); ONNX Runtime Web 1.30 runs up to 21
INPUTS = ["z0", "psi", "moves", "label"]
OUTPUTS = ["pixels", "p_real", "probs"]
_build_lock = threading.Lock()  # two first users at once must not export the same file twice


class ImagePanel(nn.Module):
    """The slider image, D's verdict and the classifier's guess from (z0, psi, moves, label), batched over N.

    z0 (N, z_dim) the seeds' noise; psi (N,); moves (N, num_directions) in standard deviations of z; label (N,)
    int64 class indices. Outputs: pixels (N, 32, 32) float grey levels 0..255 (whole numbers), p_real (N,),
    probs (N, classes)."""

    def __init__(self, generator: Generator, discriminator: Discriminator | None, classifier: FashionClassifier | None,
                 directions: torch.Tensor) -> None:
        super().__init__()
        self.generator, self.discriminator, self.classifier = generator.eval(), discriminator, classifier
        self.register_buffer("directions", directions.detach().float().clone())
        self.register_buffer("eye", torch.eye(generator.config.num_classes))
        # Eval mode on the whole panel: the exporter puts the top module back in the mode it found it in, and a
        # panel left in training mode would switch the server's own G, D and classifier to batch statistics.
        self.eval()

    def forward(self, z0: torch.Tensor, psi: torch.Tensor, moves: torch.Tensor,
                label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z = z0 * psi[:, None] + moves @ self.directions
        image = self.generator(z, self.eye[label])
        pixels = torch.round((torch.clamp(image, -1.0, 1.0) + 1.0) * 127.5)
        seen = pixels / 127.5 - 1.0  # what judge.pixels_to_tensor makes of the uint8 image
        n = z0.shape[0]
        p_real = torch.sigmoid(self.discriminator(seen, label)) if self.discriminator is not None else z0.new_full((n,), -1.0)
        probs = (torch.softmax(self.classifier(seen), 1) if self.classifier is not None
                 else z0.new_zeros((n, self.generator.config.num_classes)))
        return pixels[:, 0], p_real, probs


@dataclass(frozen=True)
class PanelFile:
    path: Path
    digest: str  # the weights' hash: the file's name on the page, so a browser caches it until the weights change
    has_judges: bool


def weights_digest(*modules: nn.Module | None, extra: torch.Tensor | None = None) -> str:
    """A hash over every parameter and buffer (names, shapes and bytes) of the modules, and `extra` (directions)."""
    return content_digest([f"opset{OPSET}"], modules, extra, length=16)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's log lines ("torchvision is not installed", once per torchvision op) kept out of the app's log.
    Only its own logger: stdout and the warning filters are the whole process's, and the export runs in a thread."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def export_panel(panel: ImagePanel, path: Path) -> None:
    """Write `panel` as ONNX at `path` (atomically: a reader never sees half a file), batch size dynamic."""
    z_dim = panel.generator.config.z_dim
    k = panel.directions.shape[0]
    example = (torch.zeros(1, z_dim), torch.ones(1), torch.zeros(1, k), torch.zeros(1, dtype=torch.long))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with torch.no_grad(), _quiet():
            torch.onnx.export(panel, example, tmp, input_names=INPUTS, output_names=OUTPUTS, opset_version=OPSET,
                              dynamo=True, dynamic_axes={name: {0: "n"} for name in INPUTS + OUTPUTS}, verbose=False,
                              external_data=False)  # one file: the page fetches one URL
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def panel_file(generator: Generator, directions: torch.Tensor, discriminator: Discriminator | None = None,
               classifier: FashionClassifier | None = None, cache_dir: Path | str = CACHE_DIR) -> PanelFile:
    """The panel's .onnx for these weights, exported on first use and then read from cache_dir/<digest>/."""
    digest = weights_digest(generator, discriminator, classifier, extra=directions)
    path = cache_entry(cache_dir, digest) / FILE_NAME
    with _build_lock:
        if not path.is_file():
            d = discriminator.eval() if discriminator is not None else None
            c = classifier.eval() if classifier is not None else None
            export_panel(ImagePanel(generator, d, c, directions), path)
    return PanelFile(path, digest, discriminator is not None and classifier is not None)


__all__ = ["ImagePanel", "PanelFile", "panel_file", "export_panel", "weights_digest", "INPUTS", "OUTPUTS", "CACHE_DIR"]
