"""Tensor <-> PIL helpers shared by the sampler, the trainer's sample grids and the model cards."""
from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, 1, H, W) in [-1, 1] -> uint8 (N, H, W), rounding to the nearest grey level."""
    x = images.detach().float().clamp(-1, 1).add(1).mul(127.5).round()
    return x.to(torch.uint8).squeeze(1).cpu().numpy()


def to_pil(images: torch.Tensor) -> list[Image.Image]:
    return [Image.fromarray(a, mode="L") for a in to_uint8(images)]


def grid_shape(count: int) -> tuple[int, int]:
    """Near-square (rows, cols) with cols >= rows, e.g. 64 -> 8x8, 10 -> 3x4, 3 -> 2x2."""
    cols = math.ceil(math.sqrt(count))
    return math.ceil(count / cols), cols


def tile(images: list[Image.Image], cols: int | None = None, pad: int = 2) -> Image.Image:
    """Paste equally sized images into a grid with `pad` black pixels between them."""
    if not images:
        raise ValueError("tile needs at least one image")
    rows, cols = grid_shape(len(images)) if cols is None else (math.ceil(len(images) / cols), cols)
    w, h = images[0].size
    sheet = Image.new("L", (cols * w + (cols - 1) * pad, rows * h + (rows - 1) * pad), 0)
    for i, im in enumerate(images):
        sheet.paste(im, ((i % cols) * (w + pad), (i // cols) * (h + pad)))
    return sheet


def upscale(image: Image.Image, scale: int) -> Image.Image:
    """Nearest-neighbour enlargement, so pixels stay crisp squares."""
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1; got {scale!r}")
    return image if scale == 1 else image.resize((image.width * scale, image.height * scale), Image.NEAREST)
