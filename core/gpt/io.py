"""Save and load a GPT checkpoint dir: model settings and the tokenizer's vocabulary in config.json, weights in
model.safetensors, the model card in README.md (see core.checkpoints)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.checkpoints import CheckpointError, build_from_dir, save_model_dir
from core.gpt.model import GPT, GPTConfig
from core.gpt.tokenizer import CharTokenizer

GPT_TYPE = "char-gpt"


@dataclass
class LoadedGPT:
    model: GPT
    tokenizer: CharTokenizer
    config: dict[str, Any]  # the whole config.json (model settings, vocab, metrics)
    path: Path


def gpt_config_dict(model: GPT, tokenizer: CharTokenizer, metrics: dict[str, Any] | None = None,
                    training: dict[str, Any] | None = None) -> dict[str, Any]:
    """config.json: model settings, vocabulary, measured metrics and how it was trained (command, data)."""
    return {"model_type": GPT_TYPE, "model": model.config.to_dict(), "vocab": tokenizer.vocab,
            "metrics": metrics or {}, "training": training or {}}


def save_gpt(directory: str | Path, model: GPT, tokenizer: CharTokenizer, metrics: dict[str, Any] | None = None,
             training: dict[str, Any] | None = None) -> None:
    save_model_dir(directory, gpt_config_dict(model, tokenizer, metrics, training), model.state_dict())


def load_gpt(directory: str | Path) -> LoadedGPT:
    def make(config: dict[str, Any]) -> GPT:
        if not isinstance(config.get("vocab"), str) or len(set(config["vocab"])) != len(config["vocab"]):
            raise ValueError("expected a 'vocab' string of distinct characters")
        settings = GPTConfig(**config["model"])
        if settings.vocab_size != len(config["vocab"]):
            raise ValueError(f"vocab_size {settings.vocab_size} != {len(config['vocab'])} characters in 'vocab'")
        return GPT(settings)

    model, config = build_from_dir(directory, GPT_TYPE, make)
    assert isinstance(model, GPT)
    return LoadedGPT(model, CharTokenizer(config["vocab"]), config, Path(directory))


__all__ = ["LoadedGPT", "save_gpt", "load_gpt", "CheckpointError"]
