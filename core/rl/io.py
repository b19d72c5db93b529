"""Load the shipped agent for the app: the final policy, every training snapshot, and the learning curve."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.checkpoints import CheckpointError
from core.rl.model import LOG_FILE, ActorCritic, load_actor_critic, load_snapshots
from core.validation import KnobError


@dataclass
class LoadedAgent:
    model: ActorCritic  # the final policy
    config: dict[str, Any]  # config.json: metrics, snapshots, training settings
    path: Path
    snapshots: dict[str, ActorCritic] = field(default_factory=dict)  # name -> policy, in training order
    curve: list[dict[str, float]] = field(default_factory=list)  # per update: steps, eval and train returns

    @property
    def snapshot_entries(self) -> list[dict[str, Any]]:
        return list(self.config.get("snapshots") or [])

    def policy(self, name: str) -> tuple[dict[str, Any], ActorCritic]:
        """The snapshot called `name`; a KnobError lists the ones that exist."""
        for entry in self.snapshot_entries:
            if entry["name"] == name:
                return entry, self.snapshots[name]
        names = ", ".join(e["name"] for e in self.snapshot_entries) or "(none)"
        raise KnobError(f"Training progress must be one of the saved snapshots: {names}; got {str(name)[:40]!r}.",
                        "errors.rl_snapshot", names=names, got=repr(str(name)[:40]))


def read_curve(path: Path) -> list[dict[str, float]]:
    """The rows of training_log.csv that have a deterministic evaluation: steps, eval mean/std, train mean."""
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                point = {"steps": float(row["global_step"]), "eval": float(row["eval_return_mean"]),
                         "eval_std": float(row["eval_return_std"])}
            except (KeyError, ValueError):
                continue  # an update without an evaluation
            try:
                point["train"] = float(row["train_return_mean"])
            except (KeyError, ValueError):
                pass
            rows.append(point)
    return rows


def load_agent(directory: str | Path) -> LoadedAgent:
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory: pass an agent checkpoint dir such as checkpoints/rl-lander.")
    model, config = load_actor_critic(directory)
    snapshots = {entry["name"]: policy for entry, policy in load_snapshots(directory, config)}
    for policy in [model, *snapshots.values()]:
        for p in policy.parameters():
            p.requires_grad_(False)
    return LoadedAgent(model, config, directory, snapshots, read_curve(directory / LOG_FILE))
