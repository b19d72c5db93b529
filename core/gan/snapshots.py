"""Snapshots of the generator during training ("watch it learn") and the loss log beside them.

A training run (core.gan.train, --snapshots N) writes N model dirs of its EMA generator (batch norm re-measured, no
GANSpace directions: those are computed only at export) at evenly spaced steps from 0 (the untrained net) to the
last step, `<state-dir>/snapshots/step-0000000/` ..., each loadable with core.gan.io.load_gan (~2.4 MB each), and
`<state-dir>/losses.jsonl`: one JSON line per --log-every steps with D's and G's mean losses and the mean D(x),
D(G(z)) over that window. `python -m core.gan.evaluate --snapshots <state-dir>/snapshots` measures each one's FD.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.gan.io import LoadedGAN, load_gan

SNAPSHOT_PREFIX = "step-"
LOSSES_FILE = "losses.jsonl"


def snapshot_steps(total_steps: int, count: int) -> list[int]:
    """`count` evenly spaced steps from 0 to total_steps (both ends included; fewer if the run is that short)."""
    if count <= 0 or total_steps <= 0:
        return []
    if count == 1:
        return [total_steps]
    return sorted({round(total_steps * k / (count - 1)) for k in range(count)})


def snapshot_dir(root: str | Path, step: int) -> Path:
    return Path(root) / f"{SNAPSHOT_PREFIX}{step:07d}"


def list_snapshots(root: str | Path) -> list[tuple[int, Path]]:
    """(step, dir) of every snapshot under root, in step order."""
    found = []
    for path in Path(root).glob(f"{SNAPSHOT_PREFIX}*"):
        suffix = path.name[len(SNAPSHOT_PREFIX):]
        if path.is_dir() and suffix.isdigit() and (path / "config.json").is_file():
            found.append((int(suffix), path))
    return sorted(found)


def load_snapshots(root: str | Path) -> list[tuple[int, LoadedGAN]]:
    return [(step, load_gan(path)) for step, path in list_snapshots(root)]


def read_losses(path: str | Path) -> list[dict[str, Any]]:
    """The loss log's records in step order; after a resume, a step logged twice keeps its last record."""
    path = Path(path)
    if not path.is_file():
        return []
    records: dict[int, dict[str, Any]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[int(record["step"])] = record
    return [records[s] for s in sorted(records)]


def truncate_losses(path: str | Path, last_step: int) -> None:
    """On resume: drop records past the step the run resumes from (they will be computed again)."""
    path = Path(path)
    if path.is_file():
        kept = [r for r in read_losses(path) if r["step"] <= last_step]
        path.write_text("".join(json.dumps(r) + "\n" for r in kept), "utf-8")
