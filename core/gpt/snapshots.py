"""One training run of the GPT kept as snapshots, so a learner can watch the model learn.

A snapshot pack is a folder: `config.json` (model settings, vocabulary, each snapshot's step and measured held-out
loss, the training-loss curve, the commands that made it), one `step-NNNNN.safetensors` per snapshot in float16 (half
the bytes of float32; the loss it changes is measured and stored beside it) and a `README.md` card. The trainer writes
it (`python -m core.gpt.train --snapshot-steps ... --snapshot-dir ...`); the app reads it with `load_snapshot_pack`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from core.checkpoints import (CONFIG_FILE, CheckpointError, atomic_write, load_config, load_state_into,
                              load_tensors, save_config, save_tensors)
from core.gpt.model import GPT, GPTConfig
from core.gpt.tokenizer import CharTokenizer

PACK_TYPE = "char-gpt-snapshots"
STORED_DTYPE = torch.float16


def snapshot_file(step: int) -> str:
    return f"step-{step:05d}.safetensors"


@dataclass(frozen=True)
class Snapshot:
    step: int
    val_loss: float  # held-out nats per character, measured on the float16 weights as stored
    file: str


@dataclass
class SnapshotPack:
    """The pack's index; `load_model(step)` reads one snapshot's weights into a float32 GPT."""
    directory: Path
    model_config: GPTConfig
    tokenizer: CharTokenizer
    snapshots: list[Snapshot]
    train_curve: list[tuple[int, float]] = field(default_factory=list)  # (step, mean training loss of the steps before)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> list[int]:
        return [s.step for s in self.snapshots]

    def snapshot(self, step: int) -> Snapshot:
        for s in self.snapshots:
            if s.step == step:
                return s
        raise CheckpointError(f"{self.directory} has no snapshot at step {step}; it has steps {self.steps}.")

    def load_model(self, step: int) -> GPT:
        path = self.directory / self.snapshot(step).file
        if not path.is_file():
            raise CheckpointError(f"{path} is missing; re-download the snapshot pack or re-run its training command.")
        model = GPT(self.model_config)
        tensors = {k: v.float() for k, v in load_tensors(path).items()}
        load_state_into(model, tensors, path)
        return model.eval()


def stored_copy(model: GPT) -> GPT:
    """The model as the pack keeps it (weights rounded to float16), so the loss stored is the loss of what ships."""
    copy = GPT(model.config)
    copy.load_state_dict({k: v.detach().to(STORED_DTYPE).float() for k, v in model.state_dict().items()})
    return copy.eval()


def save_snapshot(directory: str | Path, step: int, model: GPT, tokenizer: CharTokenizer, val_loss: float,
                  train_curve: list[tuple[int, float]], info: dict[str, Any]) -> None:
    """Write step's weights (float16), then the index with this snapshot added (atomically, index last)."""
    directory = Path(directory)
    tensors = {k: v.detach().to("cpu", STORED_DTYPE).contiguous() for k, v in model.state_dict().items()}
    atomic_write(directory / snapshot_file(step), lambda tmp: save_tensors(tensors, tmp))
    try:
        known = load_config(directory).get("snapshots", [])
    except CheckpointError:
        known = []
    entries = {int(s["step"]): s for s in known}
    entries[step] = {"step": step, "val_loss": round(val_loss, 4), "file": snapshot_file(step)}
    save_config(directory, {
        "model_type": PACK_TYPE, "model": model.config.to_dict(), "vocab": tokenizer.vocab,
        "snapshots": [entries[k] for k in sorted(entries)],
        "train_curve": [[s, round(loss, 4)] for s, loss in train_curve],
        "info": info,
    })


def load_snapshot_pack(directory: str | Path) -> SnapshotPack:
    """Read and check the index; weights are read later, one snapshot at a time."""
    directory = Path(directory)
    config = load_config(directory)
    try:
        if config.get("model_type") != PACK_TYPE:
            raise ValueError(f"expected model_type {PACK_TYPE!r}, got {config.get('model_type')!r}")
        settings = GPTConfig(**config["model"])
        tokenizer = CharTokenizer(config["vocab"])
        if settings.vocab_size != tokenizer.size:
            raise ValueError(f"vocab_size {settings.vocab_size} != {tokenizer.size} characters in 'vocab'")
        snapshots = [Snapshot(int(s["step"]), float(s["val_loss"]), str(s["file"])) for s in config["snapshots"]]
        if not snapshots:
            raise ValueError("the pack lists no snapshots")
        curve = [(int(s), float(v)) for s, v in config.get("train_curve", [])]
    except (TypeError, ValueError, KeyError) as exc:
        raise CheckpointError(f"{directory / CONFIG_FILE} is not a valid snapshot pack ({exc}); restore it from the repo.") from exc
    return SnapshotPack(directory, settings, tokenizer, sorted(snapshots, key=lambda s: s.step), curve,
                        dict(config.get("info", {})))


def pack_size_bytes(directory: str | Path) -> int:
    return sum(p.stat().st_size for p in Path(directory).glob("step-*.safetensors"))


def describe(pack: SnapshotPack) -> str:
    """One JSON line per snapshot, for the CLI and the card."""
    return "\n".join(json.dumps({"step": s.step, "val_loss": s.val_loss}) for s in pack.snapshots)


CARD_PROMPT = "ROMEO:"
CARD_SAMPLE = {"temperature": 0.8, "top_k": 0, "top_p": 1.0, "max_new_tokens": 120, "seed": 1}


def write_pack_card(directory: str | Path) -> str:
    """README.md for the pack: the run's commands, each snapshot's held-out loss and a sample from it (fixed prompt
    and seed, so the rows show the text sharpening), and the download size. Returns the card."""
    from core.checkpoints import CARD_FILE, atomic_write_text
    from core.gpt.knobs import SamplingKnobs
    from core.gpt.model_card import front_matter
    from core.gpt.sampling import Sampler

    pack = load_snapshot_pack(directory)
    knobs = SamplingKnobs(**CARD_SAMPLE)
    m = pack.model_config
    lines = [
        *front_matter("mit", ["gpt", "char-level", "shakespeare", "training-snapshots"]),
        "# gpt-shakespeare-snapshots: one training run of the shipped GPT's architecture, step by step", "",
        f"{len(pack.snapshots)} snapshots of one run ({m.n_layer} layers, {m.n_head} heads, width {m.n_embd}, window "
        f"{m.context_length}, vocabulary {m.vocab_size}), from the untrained model to the end of the run, in float16 "
        f"({pack_size_bytes(directory) / 2**20:.1f} MB in all). The app's \"GPT learns\" tab and Inside the GPT show them.", "",
        f"- Data: {pack.info.get('data', '?')}; the held-out loss is measured on {pack.info.get('eval_windows', '?')} "
        "windows of the held-out plays, on the float16 weights as stored.",
        f"- Batch {pack.info.get('batch_size', '?')} sequences of {pack.info.get('sequence_length', '?')} characters; "
        f"{pack.info.get('train_minutes', '?')} minutes of step time on one CPU thread.",
        "- Trained with (in order; `--resume` continues the same run):",
        *[f"  - `{c}`" for c in pack.info.get("commands", [])],
        "- This card: `python -m core.gpt.snapshots checkpoints/gpt-shakespeare-snapshots`", "",
        f"## Held-out loss and a sample at each step (prompt `{CARD_PROMPT}`, temperature {knobs.temperature}, seed {knobs.seed})", "",
        "| step | held-out loss (nats/char) | sample |", "|---|---|---|",
    ]
    for snap in pack.snapshots:
        text = Sampler(pack.load_model(snap.step), pack.tokenizer).generate(CARD_PROMPT, knobs)
        shown = (CARD_PROMPT + text).replace("|", "\\|").replace("\n", " ⏎ ")
        lines.append(f"| {snap.step:,} | {snap.val_loss:.3f} | `{shown}` |")
    card = "\n".join(lines) + "\n"
    atomic_write_text(Path(directory) / CARD_FILE, card)
    return card


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m core.gpt.snapshots PACK_DIR  (writes the pack's README.md card)")
    try:
        print(write_pack_card(sys.argv[1]))
    except CheckpointError as exc:
        sys.exit(f"error: {exc}")
