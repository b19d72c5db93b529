"""A preallocated, sliding KV cache for incremental decoding.

Each layer keeps the rotated keys and the values of the last `context_length` positions in a ring buffer: position
p lives in slot p % window. Because RoPE makes attention depend only on distances, old keys never need
re-rotating and the window simply slides; the cost per new token is flat however long the text gets. The result
equals a full forward with the banded sliding-window mask (GPT.forward), which the tests check.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.gpt.model import GPT, sliding_window_mask


class DecodeWeights:
    """The model's weights laid out for one-token decoding: one copy per model (~10 MB), shared by every stream.

    Matrices are stored (in, out) and contiguous: a single row x @ W then reads W in memory order, faster on CPU
    than nn.Linear's (out, in) layout for this model (docs/performance.md). `for_model` rebuilds the copy whenever a
    parameter has changed since (an optimizer step, load_state_dict), so it never decodes with stale weights.
    """

    _shared: "weakref.WeakKeyDictionary[GPT, tuple[tuple[int, ...], DecodeWeights]]" = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    @classmethod
    def for_model(cls, model: GPT) -> "DecodeWeights":
        versions = tuple(p._version for p in model.parameters())  # bumped by every in-place change of a parameter
        with cls._lock:
            cached = cls._shared.get(model)
            if cached is None or cached[0] != versions:
                cached = (versions, cls(model))
                cls._shared[model] = cached
            return cached[1]

    @dataclass
    class Layer:
        ln1_weight: torch.Tensor
        ln1_bias: torch.Tensor
        qkv: torch.Tensor
        attn_proj: torch.Tensor
        ln2_weight: torch.Tensor
        ln2_bias: torch.Tensor
        fc: torch.Tensor
        fc_bias: torch.Tensor
        mlp_proj: torch.Tensor
        mlp_proj_bias: torch.Tensor

    def __init__(self, model: GPT):
        def t(linear: torch.nn.Linear) -> torch.Tensor:
            return linear.weight.detach().t().contiguous()

        cfg = model.config
        self.embedding = model.embed.weight.detach()
        self.layers = [
            DecodeWeights.Layer(b.ln1.weight.detach(), b.ln1.bias.detach(), t(b.attn.qkv), t(b.attn.proj),
                                b.ln2.weight.detach(), b.ln2.bias.detach(), t(b.mlp.fc), b.mlp.fc.bias.detach(),
                                t(b.mlp.proj), b.mlp.proj.bias.detach())
            for b in model.blocks
        ]
        self.rotary = model.rotary
        self.scale = cfg.head_dim**-0.5
        self._half = cfg.head_dim // 2
        self._diagonal = torch.arange(self._half)
        self._template = torch.zeros(3, cfg.head_dim, cfg.head_dim, device=self.embedding.device)
        self._template[2] = torch.eye(cfg.head_dim)  # v is not rotated

    def rotation(self, pos: int) -> torch.Tensor:
        """(3, D, D) right-multipliers for q, k, v at position pos: RoPE's rotation (scaled by 1/sqrt(D) for q),
        and the identity for v. x @ R rotates each feature pair (i, i + D/2) exactly as model.apply_rotary."""
        cos, sin = self.rotary.tables(pos + 1, self.embedding.device)
        cos, sin = cos[pos], sin[pos]
        half, i = self._half, self._diagonal
        rotate = self._template.clone()
        rotate[:2, i, i] = cos
        rotate[:2, i + half, i + half] = cos
        rotate[:2, i + half, i] = -sin
        rotate[:2, i, i + half] = sin
        rotate[0] *= self.scale
        return rotate


class KVCache:
    def __init__(self, model: GPT, batch_size: int = 1, storage: torch.Tensor | None = None):
        """storage: an existing (layers, 2, batch, heads, window, head_dim) tensor to keep the keys and values in
        (core/gpt/batched_decode.py prefills a prompt straight into its row of the shared batch cache this way);
        whatever it holds is ignored until written, since only slots in slot_positions are ever read."""
        cfg = model.config
        self.model = model
        self.window = cfg.context_length
        device = model.embed.weight.device
        shape = (cfg.n_layer, 2, batch_size, cfg.n_head, self.window, cfg.head_dim)
        if storage is not None and tuple(storage.shape) != shape:
            raise ValueError(f"KV storage must have shape {shape}; got {tuple(storage.shape)}")
        kv = torch.zeros(shape, device=device) if storage is None else storage
        self.keys, self.values = kv[:, 0], kv[:, 1]  # (layers, batch, heads, window, head_dim) views
        self.slot_positions = torch.full((self.window,), -1, dtype=torch.long, device=device)
        self.length = 0  # tokens seen so far = absolute position of the next token
        self._layer_kv = [kv[layer, :, 0] for layer in range(cfg.n_layer)]  # (2, heads, window, head_dim), batch 1
        self._decode: DecodeWeights | None = None  # fetched on the first one-token step

    @torch.inference_mode()
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab) for tokens idx (B, T) that follow everything fed so far; the cache advances by T."""
        return self._step(idx) if idx.shape[1] == 1 else self._chunk(idx)

    def _step(self, idx: torch.Tensor) -> torch.Tensor:
        """One new token of one sequence: the arithmetic of CausalSelfAttention and MLP, written for decoding.

        At one token per step a small model is bound by per-op overhead and by reading its weights, not by
        arithmetic, so this path (a) uses weight matrices stored (in, out), read in memory order by a single row
        (DecodeWeights), (b) rotates q (pre-scaled by 1/sqrt(d)), k and v (by the identity) in one batched matmul,
        which also puts k and v side by side for a single cache write, and (c) fuses each residual add into its
        matmul (addmm). bench/bench_gpt.py measures the effect; the tests hold it to the full forward.
        """
        if idx.shape[0] != 1:
            return self._chunk(idx)
        if self._decode is None:
            self._decode = DecodeWeights.for_model(self.model)
        w, cfg, pos = self._decode, self.model.config, self.length
        slot, filled = pos % self.window, min(pos + 1, self.window)
        rotate = w.rotation(pos)
        x = w.embedding[idx[0]]  # (1, C)
        for layer, lw in enumerate(w.layers):
            kv = self._layer_kv[layer]  # (2, H, window, D)
            h = F.layer_norm(x, (cfg.n_embd,), lw.ln1_weight, lw.ln1_bias)
            qkv = torch.bmm((h @ lw.qkv).view(3, cfg.n_head, cfg.head_dim), rotate)
            kv[:, :, slot] = qkv[1:]
            weights = torch.softmax(torch.bmm(kv[0, :, :filled], qkv[0].unsqueeze(-1)), dim=1)  # (H, filled, 1)
            y = torch.bmm(weights.transpose(1, 2), kv[1, :, :filled]).view(1, cfg.n_embd)
            x = torch.addmm(x, y, lw.attn_proj)
            h = F.layer_norm(x, (cfg.n_embd,), lw.ln2_weight, lw.ln2_bias)
            x = torch.addmm(x, F.gelu(torch.addmm(lw.fc_bias, h, lw.fc)), lw.mlp_proj).add_(lw.mlp_proj_bias)
        self.slot_positions[slot] = pos
        self.length += 1
        return self.model.logits(x)[None]

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
