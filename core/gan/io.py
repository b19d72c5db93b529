"""Save and load the GAN and the feature classifier as checkpoint dirs (config.json + model.safetensors + README.md,
see core.checkpoints). Only the EMA generator is shipped; weights load only from safetensors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.checkpoints import CheckpointError, build_from_dir, save_model_dir
from core.gan.classifier import ClassifierConfig, FashionClassifier
from core.gan.data import CLASS_NAMES
from core.gan.model import GANConfig, Generator
from core.limits import MAX_DIRECTION

GAN_TYPE = "cond-dcgan-generator"
CLASSIFIER_TYPE = "fashion-cnn-classifier"


@dataclass
class LoadedGAN:
    generator: Generator  # the EMA weights, eval mode
    config: dict[str, Any]  # the whole config.json (model settings, class names, metrics)
    path: Path


@dataclass
class LoadedClassifier:
    model: FashionClassifier
    config: dict[str, Any]
    path: Path


def direction_labels(config: dict[str, Any], count: int) -> tuple[list[str], list[str], list[float]]:
    """(names, hints, ranges) of the `count` direction sliders from config.json's direction_names, direction_hints
    and direction_ranges (written by `python -m core.gan.direction_preview --write`). A missing or malformed list
    falls back to "Direction i (PCi)", no hint and the full +-MAX_DIRECTION; a range is clipped to 0.5 .. MAX_DIRECTION."""

    def listed(key: str, kind: type) -> list[Any] | None:
        value = config.get(key)
        ok = isinstance(value, list) and len(value) == count and all(isinstance(v, kind) and not isinstance(v, bool) for v in value)
        return value if ok else None

    names = listed("direction_names", str) or [f"Direction {i + 1} (PC{i + 1})" for i in range(count)]
    hints = listed("direction_hints", str) or [""] * count
    ranges = listed("direction_ranges", (int, float)) or [MAX_DIRECTION] * count
    ranges = [min(max(float(r), 0.5), MAX_DIRECTION) if r == r else MAX_DIRECTION for r in ranges]
    return [str(n) for n in names], [str(h) for h in hints], ranges


def gan_config_dict(generator: Generator, metrics: dict[str, Any] | None = None, training: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"model_type": GAN_TYPE, "model": generator.config.to_dict(), "class_names": CLASS_NAMES,
            "direction_names": [f"Direction {i + 1} (PC{i + 1})" for i in range(generator.config.num_directions)],
            "metrics": metrics or {}, "training": training or {}}


def save_gan(directory: str | Path, generator: Generator, metrics: dict[str, Any] | None = None,
             training: dict[str, Any] | None = None, card: str | None = None, extra: dict[str, Any] | None = None) -> None:
    config = gan_config_dict(generator, metrics, training)
    config.update(extra or {})
    save_model_dir(directory, config, generator.state_dict(), card)


def load_gan(directory: str | Path) -> LoadedGAN:
    """Build the generator from config.json and load model.safetensors; CheckpointError names what is wrong."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory: pass a GAN checkpoint dir such as checkpoints/gan-fashion.")

    def make(config: dict[str, Any]) -> Generator:
        if config.get("class_names", CLASS_NAMES) != CLASS_NAMES:
            raise ValueError("class_names differ from the Fashion-MNIST classes this code knows")
        return Generator(GANConfig.from_dict(config["model"]))

    generator, config = build_from_dir(directory, GAN_TYPE, make)
    assert isinstance(generator, Generator)
    for p in generator.parameters():
        p.requires_grad_(False)
    return LoadedGAN(generator, config, directory)


def save_classifier(directory: str | Path, model: FashionClassifier, metrics: dict[str, Any] | None = None, card: str | None = None) -> None:
    config = {"model_type": CLASSIFIER_TYPE, "model": model.config.to_dict(), "class_names": CLASS_NAMES, "metrics": metrics or {}}
    save_model_dir(directory, config, model.state_dict(), card)


def load_classifier(directory: str | Path) -> LoadedClassifier:
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory: train one with `python -m core.gan.train_classifier`.")

    def make(config: dict[str, Any]) -> FashionClassifier:
        return FashionClassifier(ClassifierConfig(**config["model"]))

    model, config = build_from_dir(directory, CLASSIFIER_TYPE, make)
    assert isinstance(model, FashionClassifier)
    return LoadedClassifier(model, config, directory)


__all__ = ["direction_labels", "LoadedGAN", "LoadedClassifier", "save_gan", "load_gan", "save_classifier", "load_classifier", "CheckpointError"]
