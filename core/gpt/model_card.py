"""The GPT checkpoint's model card (README.md in the checkpoint dir), written from its config.json metrics."""
from __future__ import annotations

from pathlib import Path

from core.checkpoints import CARD_FILE, atomic_write_text, load_config


def front_matter(licence: str, tags: list[str]) -> list[str]:
    """The Hub model card's YAML header lines, shared by every GPT card (shipped, snapshot pack, a visitor's model)."""
    return ["---", f"license: {licence}", "library_name: pytorch", f"tags: [{', '.join(tags)}]", "---", ""]


SAMPLE_COMMAND = 'python -m core.gpt.sample --prompt "ROMEO:" --temperature 0.8 --top-k 40 --seed 1'


def write_gpt_card(directory: str | Path, sample: str | None = None) -> None:
    """(Re)write README.md from config.json: settings, the training command, metrics and an optional sample."""
    config = load_config(directory)
    m, metrics, training = config["model"], config.get("metrics", {}), config.get("training", {})
    commands, source = training.get("commands", []), training.get("data", "?")
    lines = [
        *front_matter("mit", ["gpt", "char-level", "shakespeare", "playground"]),
        "# gpt-shakespeare: a character-level GPT", "",
        f"A decoder-only transformer ({m['n_layer']} layers, {m['n_head']} heads, width {m['n_embd']}, rotary positions, "
        f"sliding attention window of {m['context_length']} characters, tied output head), "
        f"{metrics.get('parameters', 0):,} parameters, vocabulary of {m['vocab_size']} characters.", "",
        f"- Data: {source}. Cleaned: `**NAME**` speaker tags become `NAME:` lines; `_` and heading marks dropped.",
        "- Validation holds out whole plays, so the loss measures text the model never saw.",
        "- Trained with (in order; `--resume` continues the same run):", *[f"  - `{c}`" for c in commands],
        f"- Training: {metrics.get('step', '?')} steps, {metrics.get('train_minutes', '?')} minutes of wall-clock step time "
        "on a 2-core CPU machine (shared with other jobs); sequences twice the window long with the sliding-window mask.", "",
        "## Metrics (held-out plays, nats per character)", "",
        "| metric | value |", "|---|---|",
    ]
    for key, label in [("val_loss_sliding", "validation loss, sliding window"), ("val_loss_cropped_windows", "validation loss, cropped windows"),
                       ("bits_per_char", "bits per character"), ("perplexity", "perplexity"), ("val_loss_windows", "validation loss during training (200 windows)")]:
        if key in metrics:
            lines.append(f"| {label} | {metrics[key]} |")
    lines += ["", "Reproduce: `python -m core.gpt.evaluate checkpoints/gpt-shakespeare`", ""]
    if sample:
        lines += [f"## Sample (`{SAMPLE_COMMAND}`)", "", "```", sample.rstrip(), "```", ""]
    atomic_write_text(Path(directory) / CARD_FILE, "\n".join(lines))
