"""The shipped GPT checkpoint: it loads, is trained, its sliding window is as good as cropped windows, and the CLIs run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.gpt.data import load_shakespeare
from core.gpt.evaluate import sliding_loss, window_loss
from core.gpt.io import load_gpt

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINT = ROOT / "checkpoints" / "gpt-shakespeare"
HELD_OUT_CHARS = 40_000  # a slice of the validation plays, enough for a stable comparison in a few seconds


@pytest.fixture(scope="module")
def loaded():
    return load_gpt(CHECKPOINT)


@pytest.fixture(scope="module")
def held_out(loaded) -> torch.Tensor:
    return torch.tensor(loaded.tokenizer.encode(load_shakespeare().val_text[: HELD_OUT_CHARS + 1]))


def test_checkpoint_has_the_corpus_vocabulary_and_a_card(loaded) -> None:
    assert loaded.tokenizer.size == 82
    card = (CHECKPOINT / "README.md").read_text("utf-8")
    assert "python -m core.gpt.train" in card and "nats" in card
    assert (CHECKPOINT / "model.safetensors").stat().st_size < 25 * 2**20


def test_sliding_window_is_no_worse_than_cropped_windows(loaded, held_out: torch.Tensor) -> None:
    context = loaded.model.config.context_length
    sliding = sliding_loss(loaded.model, held_out)
    cropped = window_loss(loaded.model, held_out, context)
    print(f"held-out {HELD_OUT_CHARS} chars: sliding window {sliding:.4f}, cropped windows {cropped:.4f} nats/char")
    assert sliding <= cropped + 0.02
    assert sliding < 2.0  # a trained model; an untrained one scores ~4.4 (ln 82)


def test_sample_cli_streams_text() -> None:
    done = subprocess.run([sys.executable, "-m", "core.gpt.sample", "--prompt", "ROMEO:", "--temperature", "0.8",
                           "--top-k", "40", "--seed", "1", "--max-new-tokens", "80"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ROMEO:") and len(done.stdout.strip()) >= 80


def test_sample_cli_explains_bad_knobs_without_a_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "core.gpt.sample", "--temperature", "nan"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "temperature must be a finite number" in done.stderr and "Traceback" not in done.stderr


def test_evaluate_cli_prints_loss_bits_and_perplexity() -> None:
    done = subprocess.run([sys.executable, "-m", "core.gpt.evaluate", str(CHECKPOINT), "--max-tokens", "3000"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nats/char" in done.stdout and "bits/char" in done.stdout and "perplexity" in done.stdout
