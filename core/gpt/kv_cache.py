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

import torch

from core.gpt.model import GPT
from core.gpt.onnx_step import Step, TorchStep


class KVCache:
    """Rows 0..batch_size-1, each a sequence at its own position (`positions`), with a window of cached keys."""

    def __init__(self, model: GPT, batch_size: int = 1, step: Step | None = None):
        cfg = model.config
        self.model, self.window, self.batch_size = model, cfg.context_length, batch_size
        self.step = step or TorchStep(model)
        device = model.embed.weight.device
        # (2 * n_layer, rows, heads, window, head_dim): layer 0's keys, its values, layer 1's keys, ... Each kind's
        # rows 0..n-1 are one contiguous block, which an exported step reads where it lies (GPT.decode)
        self.storage = torch.zeros(2 * cfg.n_layer, batch_size, cfg.n_head, self.window, cfg.head_dim, device=device)
        self.past = list(self.storage)
        self.positions = torch.zeros(batch_size, dtype=torch.long, device=device)  # tokens fed so far, per row
        self._row_ids = torch.arange(batch_size, device=device)

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
        n, T = idx.shape
        rows = slice(first_row, first_row + n)
        start = self.positions[rows]
        logits, new = self.step(idx, start, [p[rows] for p in self.past])
        keep = min(T, self.window)  # only the last `window` new positions can ever be attended to again
        slots = (start[:, None] + torch.arange(T - keep, T, device=start.device)[None, :]) % self.window  # (n, keep)
        new = new.flatten(1, 2)[:, :, :, T - keep :].permute(0, 3, 1, 2, 4)  # (n, keep, 2 * n_layer, H, D)
        self.storage[:, self._row_ids[rows, None], :, slots] = new  # every layer's keys and values in one write
        self.positions[rows] += T
        return logits

    def reset(self, row: int) -> None:
        """Start row over (its old keys are ignored from now on: only slots below its position are attended)."""
        self.positions[row] = 0

    def move_row(self, source: int, target: int) -> None:
        """Copy a row's cache and position into another row (to keep active rows contiguous)."""
        self.storage[:, target] = self.storage[:, source]
        self.positions[target] = self.positions[source]
