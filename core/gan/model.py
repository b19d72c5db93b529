"""The class-conditional DCGAN (Radford et al. 2016) at 32x32.

Generator: [z, one-hot class] -> linear -> 4x4 -> transposed convs (batch norm, ReLU) -> 8 -> 16 -> 32, tanh.
Discriminator: strided convs with LeakyReLU (batch norm inside) -> 4x4 features -> a real/fake logit plus a
class projection term (Miyato & Koyama 2018), which is what makes the generated class the requested one.
The generator also carries `directions` (GANSpace principal directions in z space, computed once at export).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn

from core.gan.data import CLASS_NAMES, IMAGE_SIZE


@dataclass
class GANConfig:
    z_dim: int = 64
    num_classes: int = len(CLASS_NAMES)
    g_width: int = 64  # channels of the last hidden generator layer; doubled at each lower resolution
    d_width: int = 64
    num_directions: int = 8
    image_size: int = IMAGE_SIZE

    def __post_init__(self) -> None:
        if self.image_size != 32:
            raise ValueError(f"image_size must be 32; got {self.image_size}")
        for f in fields(self):
            if getattr(self, f.name) < 1:
                raise ValueError(f"{f.name} must be positive; got {getattr(self, f.name)}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GANConfig":
        return cls(**data)


def _up(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True))


class Generator(nn.Module):
    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        self.config = config
        w = config.g_width
        self.stem = nn.Sequential(nn.Linear(config.z_dim + config.num_classes, 4 * w * 16, bias=False),
                                  nn.Unflatten(1, (4 * w, 4, 4)), nn.BatchNorm2d(4 * w), nn.ReLU(True))
        self.body = nn.Sequential(_up(4 * w, 2 * w), _up(2 * w, w))
        self.head = nn.Sequential(nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh())
        # Unit-length GANSpace directions in z space (rows) and the spread of the activations along each one.
        self.register_buffer("directions", torch.zeros(config.num_directions, config.z_dim))
        self.register_buffer("direction_scales", torch.ones(config.num_directions))

    def features(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The first layer's activations (what GANSpace runs PCA on). `labels` are class indices (N,) or class
        weights (N, num_classes): a blend of two one-hot rows draws something between two classes."""
        weights = labels if labels.is_floating_point() else nn.functional.one_hot(labels, self.config.num_classes)
        return self.stem(torch.cat([z, weights.to(z.dtype)], dim=1))

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim), labels (N,) int64 or (N, num_classes) weights -> images (N, 1, 32, 32) in [-1, 1]."""
        return self.head(self.body(self.features(z, labels)))


class Discriminator(nn.Module):
    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        w = config.d_width
        act = lambda: nn.LeakyReLU(0.2, True)  # noqa: E731
        self.body = nn.Sequential(
            nn.Conv2d(1, w, 4, 2, 1), act(),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w), act(),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * w), act(),
            nn.Flatten(),
        )
        features = 4 * w * 16
        self.out = nn.Linear(features, 1)
        self.embed = nn.Embedding(config.num_classes, features)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Real/fake logits (N,): a linear score plus the projection <embed(class), features>."""
        h = self.body(images)
        return self.out(h).squeeze(1) + (self.embed(labels) * h).sum(1)


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: N(0, 0.02) convolutions, N(1, 0.02) batch-norm gains."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def num_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
