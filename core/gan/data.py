"""Image data for the GAN and the feature classifier: the Fashion-MNIST IDX files (Debian package
`dataset-fashion-mnist`) or a folder of images. Everything comes out as uint8 28x28/32x32 arrays plus int labels;
`to_model_tensor` pads 28x28 to 32x32 (black border, as the generator draws) and scales to [-1, 1]."""
from __future__ import annotations

import gzip
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

CLASS_NAMES: list[str] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
IMAGE_SIZE = 32
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


@dataclass
class ImageSet:
    images: np.ndarray  # uint8, (N, H, W), 0 = black background
    labels: np.ndarray  # int64, (N,), indices into CLASS_NAMES
    source: str


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped): magic 0x0000 <type> <ndim>, big-endian int32 sizes, then the data."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic {raw[:4]!r})")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: header says {shape}, found {data.size} values")
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def load_fashion_mnist(split: str = "train", root: str | Path = FASHION_MNIST_DIR) -> ImageSet:
    """split 'train' (60 000) or 'test' (10 000, the t10k files)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    root = Path(root)
    images_path, labels_path = root / f"{prefix}-images-idx3-ubyte.gz", root / f"{prefix}-labels-idx1-ubyte.gz"
    if not images_path.is_file() or not labels_path.is_file():
        raise FileNotFoundError(f"Fashion-MNIST not found at {root}: `apt-get install dataset-fashion-mnist`, or pass --data DIR.")
    images, labels = read_idx(images_path), read_idx(labels_path).astype(np.int64)
    if len(images) != len(labels):
        raise ValueError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    return ImageSet(images, labels, f"Fashion-MNIST {split} ({root})")


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def label_for_folder(name: str) -> int | None:
    """A subfolder names its class: '7', 'Sneaker', 'ankle_boot', 'T-shirt_top' ... (case and punctuation ignored)."""
    if name.isdigit() and int(name) < len(CLASS_NAMES):
        return int(name)
    wanted = _normalise(name)
    for index, class_name in enumerate(CLASS_NAMES):
        if _normalise(class_name) == wanted:
            return index
    return None


def load_image_folder(directory: str | Path) -> ImageSet:
    """Every image under `directory`, converted to grey. Images in a subfolder named after a class get that label;
    any other image gets class 0. Images are not resized here (see to_model_tensor)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"--data {directory} is not a folder of images")
    files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) found under {directory}")
    images, labels = [], []
    for path in files:
        with Image.open(path) as im:
            grey = im.convert("L")
            if grey.size not in ((28, 28), (IMAGE_SIZE, IMAGE_SIZE)):
                grey = grey.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
            images.append(np.asarray(grey, dtype=np.uint8))
        label = label_for_folder(path.parent.name) if path.parent != directory else None
        labels.append(0 if label is None else label)
    sizes = {im.shape for im in images}
    if len(sizes) > 1:  # a mix of 28x28 and 32x32: bring all to 32x32
        images = [np.pad(im, 2) if im.shape == (28, 28) else im for im in images]
    return ImageSet(np.stack(images), np.asarray(labels, dtype=np.int64), f"image folder {directory} ({len(files)} images)")


def load_training_images(data_dir: str | None = None) -> ImageSet:
    return load_image_folder(data_dir) if data_dir else load_fashion_mnist("train")


def to_model_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 28|32, 28|32) -> float (N, 1, 32, 32) in [-1, 1]; 28x28 is padded with 2 black pixels a side."""
    x = torch.from_numpy(np.ascontiguousarray(images)).float().div_(127.5).sub_(1.0)
    if x.shape[-1] == 28:
        x = torch.nn.functional.pad(x, (2, 2, 2, 2), value=-1.0)
    if x.shape[-2:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"images must be 28x28 or {IMAGE_SIZE}x{IMAGE_SIZE}; got {tuple(x.shape[-2:])}")
    return x.unsqueeze(1)
