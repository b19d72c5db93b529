"""The small CNN that scores generated images: its penultimate layer is the feature space of the Frechet distance
(Inception weights cannot be downloaded here) and its predictions give class fidelity. Input: (N, 1, 32, 32) in
[-1, 1], the same tensors the generator draws."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from core.gan.data import CLASS_NAMES


@dataclass
class ClassifierConfig:
    width: int = 32
    feature_dim: int = 128
    num_classes: int = len(CLASS_NAMES)
    dropout: float = 0.3

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True), nn.MaxPool2d(2))


class FashionClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = config
        w = config.width
        self.body = nn.Sequential(_block(1, w), _block(w, 2 * w), _block(2 * w, 4 * w), nn.Flatten(),
                                  nn.Linear(4 * w * 16, config.feature_dim), nn.ReLU(True))
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(config.feature_dim, config.num_classes))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (N, feature_dim): the space the Frechet distance is measured in."""
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(images))
