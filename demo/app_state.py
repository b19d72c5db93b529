"""What the app loads at start-up, once: each model from checkpoints/ or a Hub repo, or a note saying why not.

A missing or broken checkpoint never stops the app: its tab shows the note instead (the app starts with what it has).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from core.checkpoints import CARD_FILE, CheckpointError, resolve_checkpoint
from core.gan.io import LoadedGAN, load_gan
from core.gan.judge import DISCRIMINATOR_NAME, Judges, load_judges
from core.gan.real_sample import SAMPLE_DIR, RealSample, load_sample_or_note
from core.gan.snapshots import SnapshotRun, load_snapshot_run
from core.gpt.io import LoadedGPT, load_gpt
from core.gpt.snapshots import SnapshotPack, load_snapshot_pack
from core.rl.io import LoadedAgent, load_agent

GPT_NAME = "gpt-shakespeare"
GAN_NAME = "gan-fashion"
CLASSIFIER_NAME = "fashion-classifier"
AGENT_NAME = "rl-lander"
SNAPSHOTS_NAME = "gan-fashion-snapshots"  # "watch it learn": one run's generator snapshots and losses
GPT_SNAPSHOTS_NAME = "gpt-shakespeare-snapshots"  # "GPT learns": one GPT training run's snapshots and losses


@dataclass
class AppState:
    gpt: LoadedGPT | None = None
    gan: LoadedGAN | None = None
    agent: LoadedAgent | None = None  # optional like the others: its tab shows a note when missing
    judges: Judges | None = None  # the GAN's discriminator and the classifier: the verdict beside the image, the game
    real_sample: RealSample | None = None  # real test images for the real-or-fake game
    learning: SnapshotRun | None = None  # one training run's generator snapshots, losses and FD ("watch it learn")
    gpt_snapshots: SnapshotPack | None = None  # one GPT training run's snapshots and losses (weights read on first use)
    notes: dict[str, str] = field(default_factory=dict)  # checkpoint name -> where it came from or why it is missing
    cards: dict[str, str] = field(default_factory=dict)  # checkpoint name -> model card markdown (README.md)
    dirs: dict[str, Path] = field(default_factory=dict)  # checkpoint name -> the dir it was loaded from


def _card(directory: Path) -> str | None:
    path = directory / CARD_FILE
    return path.read_text("utf-8") if path.is_file() else None


def load_app_state(checkpoints: str | Path = "checkpoints", hub_repo: str | None = None) -> AppState:
    """Load the GPT, the GAN, both models' training snapshots and the RL agent once; the classifier is only read for
    its model card (its metrics back the GAN's). The GPT snapshot pack is read as its index here; each snapshot's
    weights are read the first time a view asks for them (demo/gpt_models.py keeps them)."""
    torch.set_num_threads(1)  # small models, many concurrent requests: one core each beats two fighting threads
    state = AppState()
    attributes = {GPT_NAME: "gpt", GAN_NAME: "gan", AGENT_NAME: "agent", SNAPSHOTS_NAME: "learning",
                  GPT_SNAPSHOTS_NAME: "gpt_snapshots"}
    for name, loader in ((GPT_NAME, load_gpt), (GAN_NAME, load_gan), (AGENT_NAME, load_agent),
                         (SNAPSHOTS_NAME, load_snapshot_run), (GPT_SNAPSHOTS_NAME, load_snapshot_pack),
                         (CLASSIFIER_NAME, None)):
        path, note = resolve_checkpoint(name, checkpoints, hub_repo)
        if path is not None and loader is not None:
            try:
                loaded = loader(path)
            except CheckpointError as exc:
                note, loaded = f"{name}: {exc}", None
            setattr(state, attributes[name], loaded)
        if path is not None and (card := _card(path)) is not None:
            state.cards[name], state.dirs[name] = card, path
        state.notes[name] = note
    state.judges, state.notes[DISCRIMINATOR_NAME] = load_judges(checkpoints, hub_repo)
    state.real_sample, state.notes[SAMPLE_DIR.name] = load_sample_or_note(checkpoints)
    return state
