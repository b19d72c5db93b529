"""A small sample of REAL Fashion-MNIST test images shipped with the app (the real-or-fake game shows them beside
generated ones), so the app never needs the Debian data package at run time.

`python -m core.gan.real_sample` writes checkpoints/fashion-mnist-test-sample/: images.safetensors (uint8 images
(N, 28, 28), labels (N,), test_index (N,): where each image sits in the t10k test file) and a README.md crediting
Zalando Research (MIT). Test images only: the generator never trained on them.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.checkpoints import CheckpointError, atomic_write_text, load_tensors, save_tensors, atomic_write
from core.gan.data import CLASS_NAMES, load_fashion_mnist, to_model_tensor

SAMPLE_DIR = Path("checkpoints/fashion-mnist-test-sample")
SAMPLE_FILE = "images.safetensors"
PER_CLASS = 30

README = """# Fashion-MNIST test sample ({count} images)

{count} images of the Fashion-MNIST **test** set ({per_class} per class, picked with seed {seed}), 28x28 grey uint8,
with their labels and their index in `t10k-images-idx3-ubyte`. The playground's real-or-fake game shows them beside
generated images; the generator never saw them (it trained on the train set).

Written by `python -m core.gan.real_sample` from the Debian package `dataset-fashion-mnist`.

Fashion-MNIST: Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking
Machine Learning Algorithms" (Zalando Research, 2017), https://github.com/zalandoresearch/fashion-mnist.
Copyright (c) 2017 Zalando SE, released under the MIT licence; this sample is redistributed under the same licence.
"""


@dataclass
class RealSample:
    images: torch.Tensor  # (N, 1, 32, 32) in [-1, 1], what D and the classifier take
    labels: torch.Tensor  # (N,) int64
    test_index: torch.Tensor  # (N,) int64


def write_sample(out: Path = SAMPLE_DIR, per_class: int = PER_CLASS, seed: int = 0) -> Path:
    test = load_fashion_mnist("test")
    rng = np.random.default_rng(seed)
    picks = np.concatenate([rng.choice(np.flatnonzero(test.labels == c), per_class, replace=False) for c in range(len(CLASS_NAMES))])
    picks = picks[rng.permutation(len(picks))]
    tensors = {"images": torch.from_numpy(np.ascontiguousarray(test.images[picks])), "labels": torch.from_numpy(test.labels[picks].astype(np.int64)),
               "test_index": torch.from_numpy(picks.astype(np.int64))}
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / SAMPLE_FILE, lambda tmp: save_tensors(tensors, tmp))
    atomic_write_text(out / "README.md", README.format(count=len(picks), per_class=per_class, seed=seed))
    return out


def load_sample(directory: str | Path = SAMPLE_DIR) -> RealSample:
    path = Path(directory) / SAMPLE_FILE
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: write it with `python -m core.gan.real_sample`.")
    t = load_tensors(path)
    images = t["images"]
    if images.dtype != torch.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) or len(t["labels"]) != len(images):
        raise CheckpointError(f"{path} does not hold uint8 (N, 28, 28) images with N labels; rewrite it with `python -m core.gan.real_sample`.")
    return RealSample(to_model_tensor(images.numpy()), t["labels"].long(), t["test_index"].long())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=str(SAMPLE_DIR))
    p.add_argument("--per-class", type=int, default=PER_CLASS)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    print(write_sample(Path(args.out), args.per_class, args.seed))


if __name__ == "__main__":
    main()


def load_sample_or_note(checkpoints: str | Path = "checkpoints") -> tuple[RealSample | None, str]:
    """The shipped sample from `checkpoints`/fashion-mnist-test-sample, or None and why (the app starts without it)."""
    directory = Path(checkpoints) / SAMPLE_DIR.name
    try:
        return load_sample(directory), f"{SAMPLE_DIR.name}: loaded from {directory}"
    except CheckpointError as exc:
        return None, f"{SAMPLE_DIR.name}: {exc}"
