"""A preallocated, sliding KV cache for incremental decoding: scheduling only, the maths is GPT.decode's.

Each layer keeps the rotated keys and the values of the last `context_length` positions in a ring buffer: position
p of a row lives in slot p % window. Because RoPE makes attention depend only on distances, old keys never need
re-rotating and the window simply slides; the cost per new token is flat however long the text gets. Each row has
its own position, so rows of one cache are independent sequences (core/gpt/batched_decode.py). The result equals a
full forward with the banded sliding-window mask (GPT.forward), which the tests check.

The step itself is pluggable (core/gpt/onnx_step.py): PyTorch's GPT.decode by default, the same graph on ONNX
Runtime for the samplers. This file only keeps the ring: what goes in, and where the new keys and values go.
"""
from __future__ import annotations

import numpy as np
import torch

from core.gpt.model import GPT
from core.gpt.onnx_step import Step, TorchStep


class KVCache:
    """Rows 0..batch_size-1, each a sequence at its own position (`positions`), with a window of cached keys."""

    def __init__(self, model: GPT, batch_size: int = 1, step: Step | None = None):
        cfg = model.config
        self.model, self.window, self.batch_size = model, cfg.context_length, batch_size
        self.step = step or TorchStep(model)
        # (2 * n_layer, rows, heads, window, head_dim): layer 0's keys, its values, layer 1's keys, ... Each kind's
        # rows 0..n-1 are one contiguous block, which an exported step reads where it lies (GPT.decode). The ring
        # and the positions are numpy arrays, the step's own form (Step.run); `storage` and `positions` are torch
        # views of the same memory for callers that read them as tensors
        self.ring = np.zeros((2 * cfg.n_layer, batch_size, cfg.n_head, self.window, cfg.head_dim), dtype=np.float32)
        self.storage = torch.from_numpy(self.ring)
        self._positions = np.zeros(batch_size, dtype=np.int64)  # tokens fed so far, per row
        self.positions = torch.from_numpy(self._positions)
        self._row_ids = np.arange(batch_size)
        self._past: dict[tuple[int, int], list[np.ndarray]] = {}  # (first row, rows) -> each kind's view of them

    @property
    def length(self) -> int:
        """Tokens fed to row 0 so far (the absolute position of its next token)."""
        return int(self.positions[0])

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab) for tokens idx (B, T) that follow everything fed so far to rows 0..B-1."""
        return self.feed(idx, 0)

    def feed(self, idx: torch.Tensor, first_row: int) -> torch.Tensor:
        """Logits (n, T, vocab) of tokens idx (n, T) fed to rows first_row..first_row+n-1, each at its own position;
        their keys and values are written to each row's ring and each row's position advances by T."""
        return torch.from_numpy(self.feed_numpy(idx.numpy(), first_row))

    def feed_numpy(self, idx: np.ndarray, first_row: int) -> np.ndarray:
        """`feed` on numpy arrays (int64 idx), as the decode loop calls it: logits (n, T, vocab)."""
        n, T = idx.shape
        rows = slice(first_row, first_row + n)
        start = self._positions[rows].copy()  # the step's input, not a view of what is advanced below
        logits, new = self.step.run(idx, start, self._past_views(first_row, n))
        keep = min(T, self.window)  # only the last `window` new positions can ever be attended to again
        if T == 1:  # the decode loop: one slot per row
            slots = start[:, None] % self.window
        else:
            slots = (start[:, None] + np.arange(T - keep, T)[None, :]) % self.window  # (n, keep)
        new = new.reshape(n, -1, *new.shape[3:])[:, :, :, T - keep :].transpose(0, 3, 1, 2, 4)  # (n, keep, 2L, H, D)
        self.ring[:, self._row_ids[rows, None], :, slots] = new  # every layer's keys and values in one write
        self._positions[rows] += T
        return logits

    def _past_views(self, first_row: int, n: int) -> list[np.ndarray]:
        """Each kind's rows first_row..first_row+n-1 of the ring, made once per (first row, rows): views, not copies."""
        views = self._past.get((first_row, n))
        if views is None:
            views = self._past[(first_row, n)] = [kind[first_row : first_row + n] for kind in self.ring]
        return views

    def reset(self, row: int) -> None:
        """Start row over (its old keys are ignored from now on: only slots below its position are attended)."""
        self._positions[row] = 0

    def move_row(self, source: int, target: int) -> None:
        """Copy a row's cache and position into another row (to keep active rows contiguous)."""
        self.ring[:, target] = self.ring[:, source]
        self._positions[target] = self._positions[source]
