"""A preallocated, sliding KV cache for incremental decoding.

Each layer keeps the rotated keys and the values of the last `context_length` positions in a ring buffer: position
p lives in slot p % window. Because RoPE makes attention depend only on distances, old keys never need
re-rotating and the window simply slides; the cost per new token is flat however long the text gets. The result
equals a full forward with the banded sliding-window mask (GPT.forward), which the tests check.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from core.gpt.model import GPT, apply_rotary, sliding_window_mask


class KVCache:
    def __init__(self, model: GPT, batch_size: int = 1):
        cfg = model.config
        self.model = model
        self.window = cfg.context_length
        shape = (cfg.n_layer, batch_size, cfg.n_head, self.window, cfg.head_dim)
        device = model.embed.weight.device
        self.keys = torch.zeros(shape, device=device)
        self.values = torch.zeros(shape, device=device)
        self.slot_positions = torch.full((self.window,), -1, dtype=torch.long, device=device)
        self.length = 0  # tokens seen so far = absolute position of the next token
        if batch_size == 1:  # per-layer (heads, window, head_dim) views for the one-token fast path
            self._layer_keys = [self.keys[layer, 0] for layer in range(cfg.n_layer)]
            self._layer_values = [self.values[layer, 0] for layer in range(cfg.n_layer)]

    @torch.inference_mode()
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab) for tokens idx (B, T) that follow everything fed so far; the cache advances by T."""
        return self._step(idx) if idx.shape[1] == 1 else self._chunk(idx)

    def _step(self, idx: torch.Tensor) -> torch.Tensor:
        """One new token: write its key/value into its slot, attend over the filled slots (all within the window).

        The same arithmetic as CausalSelfAttention, written for one token of one sequence with as few tensor ops
        as possible: per-token op dispatch, not arithmetic, is what limits a small model's decoding speed."""
        if idx.shape[0] != 1:
            return self._chunk(idx)
        model, pos, cfg = self.model, self.length, self.model.config
        slot, filled = pos % self.window, min(pos + 1, self.window)
        cos, sin = model.rotary.tables(pos + 1, idx.device)
        cos, sin = cos[pos], sin[pos]
        scale = cfg.head_dim**-0.5
        x = model.embed(idx[0])  # (1, C)
        for layer, block in enumerate(model.blocks):
            keys, values = self._layer_keys[layer], self._layer_values[layer]
            q, k, v = block.attn.qkv(block.ln1(x)).view(3, cfg.n_head, cfg.head_dim)
            q, k = apply_rotary(torch.stack((q, k)), cos, sin)
            keys[:, slot] = k
            values[:, slot] = v
            weights = torch.softmax(torch.bmm(keys[:, :filled], q.unsqueeze(-1)).squeeze(-1) * scale, dim=-1)
            y = torch.bmm(weights.unsqueeze(1), values[:, :filled]).view(1, cfg.n_embd)
            x = x + block.attn.proj(y)
            x = x + block.mlp(block.ln2(x))
        self.slot_positions[slot] = pos
        self.length += 1
        return model.logits(x)[None]

    def _chunk(self, idx: torch.Tensor) -> torch.Tensor:
        """Several tokens (a prompt): attend over cached keys + the chunk's own keys with the banded mask."""
        model, start, T = self.model, self.length, idx.shape[1]
        cos, sin = model.rotary.tables(start + T, idx.device)
        cos, sin = cos[start : start + T], sin[start : start + T]
        new_positions = torch.arange(start, start + T, device=idx.device)
        cached = self.slot_positions >= 0
        key_positions = torch.cat([self.slot_positions[cached], new_positions])
        mask = sliding_window_mask(new_positions, key_positions, self.window)
        keep = min(T, self.window)  # only the last `window` new positions can ever be attended to again
        slots = new_positions[-keep:] % self.window
        x = model.embed(idx)
        for layer, block in enumerate(model.blocks):
            attn = block.attn
            q, k, v = attn.project(block.ln1(x), cos, sin)
            keys = torch.cat([self.keys[layer][:, :, cached], k], dim=2)
            values = torch.cat([self.values[layer][:, :, cached], v], dim=2)
            y = F.scaled_dot_product_attention(q, keys, values, attn_mask=mask)
            x = x + attn.proj(y.transpose(1, 2).reshape(x.shape))
            x = x + block.mlp(block.ln2(x))
            self.keys[layer][:, :, slots] = k[:, :, -keep:]
            self.values[layer][:, :, slots] = v[:, :, -keep:]
        self.slot_positions[slots] = new_positions[-keep:]
        self.length += T
        return model.logits(x)
