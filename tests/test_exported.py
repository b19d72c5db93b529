"""core/exported.py: how the exported models recognise their weights, and the ONNX cache that must not grow forever."""
from __future__ import annotations

import os
import time
from pathlib import Path

import torch
from torch import nn

from core.exported import cache_entry, content_digest, prune, weights_stamp


def _folders(root: Path, ages_s: list[float]) -> list[Path]:
    """Folders root/f0, f1, ... last used ages_s[i] seconds ago."""
    now = time.time()
    made = []
    for i, age in enumerate(ages_s):
        folder = root / f"f{i}"
        folder.mkdir()
        (folder / "step.onnx").write_bytes(b"x")
        os.utime(folder, (now - age, now - age))
        made.append(folder)
    return made


def test_prune_keeps_the_newest_and_the_recently_used(tmp_path: Path) -> None:
    fresh, newest, old, older = _folders(tmp_path, [10, 5, 7200, 9000])
    removed = prune(tmp_path, keep=2, idle_s=3600)
    assert sorted(removed) == sorted([old, older])
    assert fresh.exists() and newest.exists()
    recent = tmp_path / "recent"
    recent.mkdir()
    _folders(recent, [1, 2, 60])  # beyond `keep` but used within idle_s: kept (another process may open it now)
    assert prune(recent, keep=1, idle_s=3600) == []
    assert len(list(recent.iterdir())) == 3


def test_using_a_folder_saves_it_from_the_next_prune(tmp_path: Path) -> None:
    first, second, third = _folders(tmp_path, [7200, 8000, 9000])
    assert cache_entry(tmp_path, "f2") == third  # the oldest, used again now
    assert sorted(prune(tmp_path, keep=1, idle_s=3600)) == [first, second]
    assert [p.name for p in tmp_path.iterdir()] == ["f2"]
    made = cache_entry(tmp_path, "new")  # a new folder: made, and the others stay while KEEP (16) allows
    assert made.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["f2", "new"]


def test_the_stamp_and_the_digest_follow_the_weights() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    stamp, digest = weights_stamp(model), content_digest(["v1"], [model])
    assert weights_stamp(model) == stamp and content_digest(["v1"], [model]) == digest
    assert content_digest(["v2"], [model]) != digest  # another format or version: another file
    with torch.no_grad():
        model[0].weight[0, 0] += 1.0
    assert weights_stamp(model) != stamp and content_digest(["v1"], [model]) != digest
    stamp = weights_stamp(model)
    model.train()(torch.randn(4, 3))  # a BatchNorm statistic updated in place
    assert weights_stamp(model) != stamp
    assert content_digest(["v1"], [model, None]) != content_digest(["v1"], [model])
