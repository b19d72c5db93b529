"""A decoder-only GPT in one readable file (in the spirit of nanoGPT's model.py).

Token embedding -> N pre-LayerNorm blocks [causal multi-head self-attention, GELU MLP] -> LayerNorm -> head tied to
the embedding. Positions are rotary (RoPE): attention then depends only on how far apart two tokens are, so a KV
cache can slide past the context window. Every token attends to the previous `context_length` tokens at every
layer (sliding-window attention, as in Mistral); a full forward over a longer text uses the matching banded mask.

`GPT.decode` is the same blocks over a fixed-size ring cache of the last `context_length` keys and values (position p
in slot p % window, each row of a batch at its own position): the cache and the positions go in, the logits and the
new keys and values come out, so the step is a pure function that core/gpt/onnx_step.py exports to ONNX. Training,
the full forward, Inside the GPT's trace and decoding all run the one Block below.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int
    context_length: int = 128
    n_layer: int = 6
    n_head: int = 6
    n_embd: int = 192
    dropout: float = 0.0
    rope_base: float = 10000.0

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head or (self.n_embd // self.n_head) % 2:
            raise ValueError("n_embd must split into n_head heads of even size (RoPE rotates pairs of features).")

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)


class RotaryEmbedding(nn.Module):
    """cos/sin tables for absolute positions, computed in float64 so far positions stay exact, grown on demand."""

    def __init__(self, head_dim: int, base: float):
        super().__init__()
        self.head_dim = head_dim
        self.inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
        self.cos = torch.empty(0)
        self.sin = torch.empty(0)

    def tables(self, end: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin of shape (>= end, head_dim // 2)."""
        if self.cos.shape[0] < end or self.cos.device != device:
            size = max(end, 2 * self.cos.shape[0], 1024)
            with torch.inference_mode(False), torch.no_grad():  # plain tensors, usable later for training too
                angles = torch.arange(size, dtype=torch.float64)[:, None] * self.inv_freq[None, :]
                self.cos = angles.cos().float().to(device)
                self.sin = angles.sin().float().to(device)
        return self.cos, self.sin


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate feature pairs (first half, second half) of x (B, H, T, D) by the angles of each position (T, D/2)."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


def sliding_window_mask(q_pos: torch.Tensor, k_pos: torch.Tensor, window: int) -> torch.Tensor:
    """True where a query at q_pos may attend to a key at k_pos: the key is at most window-1 tokens back."""
    distance = q_pos[:, None] - k_pos[None, :]
    return (distance >= 0) & (distance < window)


def ring_mask(positions: torch.Tensor, length: int, window: int) -> torch.Tensor:
    """(B, length, window + length) True where query t of row b (at positions[b] + t) may attend: to ring slot s,
    which holds the latest position before positions[b] that is s modulo window (none if negative), and to the
    chunk's own keys; both at most window-1 tokens back, never ahead (sliding_window_mask for a ring)."""
    q_pos = positions[:, None] + torch.arange(length, device=positions.device)[None, :]  # (B, T)
    last = positions[:, None] - 1
    slot_pos = last - torch.remainder(last - torch.arange(window, device=positions.device)[None, :], window)  # (B, W)
    key_pos = torch.cat((slot_pos, q_pos), dim=1)  # (B, W + T)
    distance = q_pos[:, :, None] - key_pos[:, None, :]
    cached = torch.cat((slot_pos >= 0, torch.ones_like(q_pos, dtype=torch.bool)), dim=1)[:, None, :]
    return cached & (distance >= 0) & (distance < window)


def cached_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, past_k: torch.Tensor, past_v: torch.Tensor,
                     mask: torch.Tensor) -> torch.Tensor:
    """SDPA over the cached keys followed by the chunk's own (mask (B, 1, T, S + T)), without joining them: the
    cache is read where it lies, never copied (a step that concatenated it copied the whole cache every layer)."""
    S = past_k.shape[-2]
    scores = torch.cat((q @ past_k.transpose(-1, -2), q @ k.transpose(-1, -2)), dim=-1) * q.shape[-1] ** -0.5
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return weights[..., :S] @ past_v + weights[..., S:] @ v


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head, self.head_dim = config.n_head, config.head_dim
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.dropout = config.dropout

    def project(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """q, k, v of shape (B, H, T, D), with q and k rotated to their positions."""
        B, T, C = x.shape
        qkv = self.qkv(x).view(B, T, 3, self.n_head, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k = apply_rotary(qkv[:2], cos, sin)  # q and k rotated in one go: fewer ops per decoded token
        return q, k, qkv[2]

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor | None,
                trace: dict | None = None, kv: dict | None = None) -> torch.Tensor:
        """kv (decoding): {"past_k", "past_v"} (B, H, S, D), the cached keys and values attended before this chunk's
        own (the mask then covers both); the chunk's new k and v are put back in it for the caller's cache."""
        B, T, C = x.shape
        q, k, v = self.project(x, cos, sin)
        if kv is None:
            dropout = self.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None, dropout_p=dropout)
        else:
            kv.update(k=k, v=v)
            y = cached_attention(q, k, v, kv["past_k"], kv["past_v"], mask)
        if trace is not None:  # core/gpt/inspect.py: SDPA returns no weights, so hand over what it attended with
            trace.update(q=q, k=k, v=v, heads=y)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor | None,
                trace: dict | None = None, kv: dict | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), cos, sin, mask, trace, kv)
        if trace is None:
            return x + self.mlp(self.ln2(x))
        mlp = self.mlp(self.ln2(x))
        trace.update(after_attention=x, mlp=mlp, residual=x + mlp)
        return trace["residual"]


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.rotary = RotaryEmbedding(config.head_dim, config.rope_base)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: scale residual projections by depth
            if name.endswith("proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        """The output head, tied to the token embedding."""
        return F.linear(self.ln_f(h), self.embed.weight)

    def forward(self, idx: torch.Tensor, start_pos: int = 0, trace: list[dict] | None = None) -> torch.Tensor:
        """Logits (B, T, vocab) for every position of idx (B, T) placed at start_pos, start_pos+1, ...

        Texts up to context_length use the plain causal mask; longer ones the banded sliding-window mask, which is
        exactly what the sliding KV cache computes. A `trace` list receives the embedding and, per block, the
        tensors core/gpt/inspect.py shows (q, k, v, each stage's output); nothing is recorded without it.
        """
        T = idx.shape[1]
        cos, sin = self.rotary.tables(start_pos + T, idx.device)
        cos, sin = cos[start_pos : start_pos + T], sin[start_pos : start_pos + T]
        mask = None
        if T > self.config.context_length:
            pos = torch.arange(T, device=idx.device)
            mask = sliding_window_mask(pos, pos, self.config.context_length)
        x = self.drop(self.embed(idx))
        if trace is not None:
            trace.append({"embedding": x, "mask": mask})
        for block in self.blocks:
            record: dict | None = None
            if trace is not None:
                trace.append(record := {})
            x = block(x, cos, sin, mask, record)
        return self.logits(x)

    def rope(self, positions: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin (B, length, D/2) of each row's positions[b] .. positions[b]+length-1, from the exact tables."""
        cos, sin = self.rotary.tables(int(positions.max()) + length, positions.device)
        at = positions[:, None] + torch.arange(length, device=positions.device)[None, :]
        return cos[at], sin[at]

    def decode(self, idx: torch.Tensor, positions: torch.Tensor, past: list[torch.Tensor], cos: torch.Tensor | None = None,
               sin: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, T, vocab) of idx (B, T), row b's tokens at positions[b], positions[b]+1, ..., and their new keys
        and values (B, n_layer, 2, H, T, D), which the caller writes into its ring (position p in slot p % window).

        past: 2 * n_layer tensors (B, H, window, D), layer 0's keys, its values, layer 1's keys, ...: the ring of every
        earlier token's rotated key and value, one tensor each so that an exported step reads them where they lie
        (slicing one big cache copies it in ONNX Runtime). Only slots that hold one of the row's last window-1
        positions are attended (ring_mask), so stale slots (a previous stream's, a fresh row's zeros) never count.
        The cache is read-only here: copying it in and out of an exported step each token cost more than the step
        (issue #27). cos, sin (B, T, D/2): the rotary tables at those positions (GPT.rope); the exported step takes
        them as inputs, as the tables are computed in float64.
        """
        B, T = idx.shape
        if cos is None or sin is None:
            cos, sin = self.rope(positions, T)
        cos, sin = cos[:, None], sin[:, None]  # (B, 1, T, D/2): every head
        mask = ring_mask(positions, T, past[0].shape[-2])[:, None]  # (B, 1, T, window + T)
        x = self.embed(idx)
        new = []
        for layer, block in enumerate(self.blocks):
            kv = {"past_k": past[2 * layer], "past_v": past[2 * layer + 1]}
            x = block(x, cos, sin, mask, kv=kv)
            new.append(torch.stack((kv["k"], kv["v"]), dim=1))  # (B, 2, H, T, D)
        return self.logits(x), torch.stack(new, dim=1)

    def loss(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        logits = self(idx)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
