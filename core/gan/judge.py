"""Two judges of a 32x32 image: the discriminator's D(x | y) (probability that it is real) and the classifier's
predicted class with its softmax confidence. They judge the pixels a user sees (uint8 grey levels), so the
verdict beside an image is about that image and nothing finer."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core.gan.classifier import FashionClassifier
from core.gan.data import CLASS_NAMES
from core.gan.model import Discriminator


@dataclass(frozen=True)
class Verdict:
    p_real: float  # D(x | y), in [0, 1]
    predicted: str  # the classifier's class
    confidence: float  # its softmax probability


def pixels_to_tensor(images: list[Image.Image] | np.ndarray) -> torch.Tensor:
    """32x32 grey PIL images or uint8 (N, 32, 32) -> (N, 1, 32, 32) in [-1, 1], the models' input."""
    array = np.stack([np.asarray(im.convert("L")) for im in images]) if isinstance(images, list) else np.asarray(images)
    return torch.from_numpy(array.astype(np.float32)).div_(127.5).sub_(1.0).unsqueeze(1)


class Judges:
    """The discriminator and the classifier, loaded once; `judge` is one batched forward of each."""

    def __init__(self, discriminator: Discriminator, classifier: FashionClassifier) -> None:
        self.d, self.classifier = discriminator.eval(), classifier.eval()

    @torch.inference_mode()
    def judge(self, images: torch.Tensor, labels: torch.Tensor) -> list[Verdict]:
        """images (N, 1, 32, 32) in [-1, 1]; labels (N,) the class each image is meant to be (D is conditional)."""
        p_real = torch.sigmoid(self.d(images, labels))
        probs = torch.softmax(self.classifier(images), 1)
        conf, pred = probs.max(1)
        return [Verdict(round(float(p), 4), CLASS_NAMES[int(c)], round(float(q), 4)) for p, c, q in zip(p_real, pred, conf)]


DISCRIMINATOR_NAME = "gan-fashion-discriminator"
CLASSIFIER_NAME = "fashion-classifier"


def load_judges(checkpoints: str | Path = "checkpoints", hub_repo: str | None = None) -> tuple[Judges | None, str]:
    """(Judges or None, a note saying where they came from or why not): the app starts without them."""
    from core.checkpoints import CheckpointError, resolve_checkpoint
    from core.gan.discriminator import load_discriminator
    from core.gan.io import load_classifier

    d_path, d_note = resolve_checkpoint(DISCRIMINATOR_NAME, checkpoints, hub_repo)
    c_path, c_note = resolve_checkpoint(CLASSIFIER_NAME, checkpoints, hub_repo)
    if d_path is None or c_path is None:
        return None, d_note if d_path is None else c_note
    try:
        return Judges(load_discriminator(d_path).model, load_classifier(c_path).model), d_note
    except CheckpointError as exc:
        return None, f"{DISCRIMINATOR_NAME}: {exc}"
