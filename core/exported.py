"""What the exported models (the GPT's decode step, the image panel) share: how a model's weights are recognised,
and the folder their ONNX files are cached in.

Two ways to recognise weights, for two questions:
- `weights_stamp`: have these modules' weights changed since I last looked? Cheap enough to ask every call (torch's
  version counters and storage addresses, no bytes read), so a model trained or loaded in place is noticed.
- `content_digest`: which file was built from exactly these weights? A hash of their bytes (and whatever else shapes
  the graph), the name of the file's folder, so an unchanged checkpoint is never exported twice and a changed one
  never uses a stale file.

The cache (runs/onnx/<digest>/) gets a new folder for every set of weights a process exports: the trained GPTs of
"Your own text" and each snapshot add one. `cache_entry` marks a folder used and prunes the folders nobody has used
for a while beyond the newest KEEP, so a long-running Space does not fill its disk.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Iterable

import torch
from torch import nn

CACHE_DIR = Path(__file__).resolve().parents[1] / "runs" / "onnx"
KEEP = 16  # folders kept whatever their age: the shipped models' and the newest trained ones'
IDLE_S = 3600.0  # a folder beyond the newest KEEP is removed once unused this long (an open session keeps its file)


def weights_stamp(*modules: nn.Module) -> tuple:
    """Changes when any parameter or buffer of the modules is replaced or changed in place (an optimizer step,
    load_state_dict, a BatchNorm update)."""
    return tuple((t.data_ptr(), t._version) for m in modules for t in (*m.parameters(), *m.buffers()))


def content_digest(salts: Iterable[str | bytes], modules: Iterable[nn.Module | None], extra: torch.Tensor | None = None,
                   length: int = 32) -> str:
    """A hex hash over the salts (a format, a version, a config, a source file), every module's type and state
    (names, shapes, dtypes and bytes; None counts too) and `extra`."""
    digest = hashlib.sha256()
    for salt in salts:
        digest.update(salt if isinstance(salt, bytes) else salt.encode())
    for module in modules:
        digest.update(b"|none|" if module is None else type(module).__name__.encode())
        for name, tensor in (module.state_dict().items() if module is not None else ()):
            t = tensor.detach().cpu().contiguous()
            digest.update(f"{name}{tuple(t.shape)}{t.dtype}".encode())
            digest.update(t.numpy().tobytes())
    if extra is not None:
        digest.update(extra.detach().cpu().float().contiguous().numpy().tobytes())
    return digest.hexdigest()[:length]


def cache_entry(cache_dir: Path | str, digest: str) -> Path:
    """cache_dir/<digest>/, made if missing and marked used now; the folders idle too long are pruned."""
    directory = Path(cache_dir) / digest
    directory.mkdir(parents=True, exist_ok=True)
    os.utime(directory)
    prune(Path(cache_dir))
    return directory


def prune(cache_dir: Path, keep: int = KEEP, idle_s: float = IDLE_S) -> list[Path]:
    """Remove the folders beyond the `keep` most recently used that nobody has used for `idle_s`; the removed."""
    try:
        folders = sorted((p for p in cache_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:  # another process pruned at once, or the folder is gone
        return []
    removed = []
    now = time.time()
    for folder in folders[keep:]:
        try:
            if now - folder.stat().st_mtime > idle_s:
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:
            continue
    return removed


__all__ = ["CACHE_DIR", "KEEP", "cache_entry", "content_digest", "prune", "weights_stamp"]
