"""Continuous batching: many sampling streams advance together, one batched decode step for all of them.

A decode step of this small model costs about the same for 1 row as for 8 (per-op overhead, not arithmetic), so
streams that run at the same time should share steps, as llama.cpp's server, vLLM and TGI do. Each row of the batch
is one stream with its own position (its own ring-buffer slot, p % window, so every row slides past the context
window on its own), its own knobs, its own torch.Generator and its own stop. A new stream's prompt is prefilled on
its own (KVCache._chunk, written straight into its row) and joins the batch at the next step; a finished or
cancelled stream leaves at once (the last row moves into its place, so active rows are always 0..n-1).

Two layers: `BatchedDecoder` is the arithmetic (rows of a shared KV cache, `step` = one token per row, the block
arithmetic of model.py written for decoding, as KVCache._step is for one row); `StreamBatch` is sampling on top
(knobs vectorised per row through the one `next_token_probabilities_rows`, and one `torch.multinomial` per row
with that row's generator, the very call Sampler.stream makes, so a stream's text does not depend on who else is
streaming). tests/test_gpt_batched_decode.py holds both to the single-stream KVCache and to the full forward.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.gpt.kv_cache import DecodeWeights, KVCache
from core.gpt.model import GPT
from core.gpt.knobs import SamplingKnobs, next_token_probabilities_rows


# The matrix products of a step always take at least this many rows (zero rows added, results dropped): MKL's sgemm
# sums in another order for 1-3 rows than for 4 or more, so a stream's logits would otherwise change with the number
# of streams sharing its step. Padded, a row's logits are equal within float32 rounding (~1e-5) whatever the row count
# and the row's place, and a stream draws the same text alone or batched (tests/test_gpt_batched_decode.py). Padding
# the products, not the attention, keeps the cost to a stream running alone small (docs/performance.md).
MIN_ROWS = 4


class BatchedDecoder:
    """Rows 0..n-1 of a preallocated KV cache, each a sequence at its own position; `step` feeds one token to each.

    The cache is (layers, 2, max_rows, heads, window, head_dim): ~1.2 MB a row for the shipped model.
    """

    def __init__(self, model: GPT, max_rows: int):
        cfg = model.config
        self.model, self.config, self.window = model, cfg, cfg.context_length
        self.max_rows = max_rows
        device = model.embed.weight.device
        self.kv = torch.zeros(cfg.n_layer, 2, max_rows, cfg.n_head, self.window, cfg.head_dim, device=device)
        self.positions = torch.zeros(max_rows, dtype=torch.long, device=device)  # tokens fed so far, per row
        self._slots = torch.arange(self.window, device=device)
        self._row_ids = torch.arange(max_rows, device=device)
        self._weights: DecodeWeights | None = None

    @torch.inference_mode()
    def prefill(self, row: int, ids: torch.Tensor) -> torch.Tensor:
        """Feed a whole prompt (T,) into `row` (its old contents are ignored); logits (vocab,) of its last token."""
        cache = KVCache(self.model, storage=self.kv[:, :, row : row + 1])
        logits = cache.forward(ids[None])[0, -1]
        self.positions[row] = ids.numel()
        return logits

    def move_row(self, source: int, target: int) -> None:
        """Copy a row's cache and position into another row (to keep active rows contiguous)."""
        self.kv[:, :, target] = self.kv[:, :, source]
        self.positions[target] = self.positions[source]

    @torch.inference_mode()
    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (n, vocab) after feeding tokens (n,), one to each of rows 0..n-1 at that row's own position.

        Fewer than MIN_ROWS rows go through the matrix products with zero rows added (see MIN_ROWS). The arithmetic of
        Block.forward for one new token per row: q and k rotated by each row's own RoPE angles, the new key and value
        written to each row's own slot (position % window), attention over the row's filled slots only (slots not
        yet written get -inf), so every row computes exactly the banded sliding-window forward.
        """
        if self._weights is None:
            self._weights = DecodeWeights.for_model(self.model)
        w, cfg = self._weights, self.config
        n, H, D, W = tokens.shape[0], cfg.n_head, cfg.head_dim, self.window
        rows_mm = max(n, MIN_ROWS)  # rows through layer norms and matrix products; padding rows' results are dropped
        pos = self.positions[:n]
        slots, rows = pos % W, self._row_ids[:n]
        cos, sin = w.rotary.tables(int(pos.max()) + 1, tokens.device)
        cos, sin = cos[pos][:, None, None, :], sin[pos][:, None, None, :]  # (n, 1, 1, D/2): q and k, every head
        # a slot holds a key this row may see once it has been written: slot s is filled when s <= pos (before the
        # window is full) and always after; -inf elsewhere, so stale values of a previous stream get weight 0
        bias = torch.zeros(n, W, device=tokens.device).masked_fill_(self._slots[None, :] > pos[:, None], float("-inf"))
        bias = bias[:, None, None, :].expand(n, H, 1, W).reshape(n * H, 1, W)
        x = w.embedding[tokens]  # (n, C)
        y_rows = None
        if rows_mm > n:
            x = torch.cat((x, x.new_zeros(rows_mm - n, cfg.n_embd)))
            y_rows = x.new_zeros(rows_mm, cfg.n_embd)  # attention output of the real rows, zeros below
        for layer, lw in enumerate(w.layers):
            h = F.layer_norm(x, (cfg.n_embd,), lw.ln1_weight, lw.ln1_bias)
            qkv = (h @ lw.qkv)[:n].view(n, 3, H, D)
            x1, x2 = qkv[:, :2].chunk(2, dim=-1)
            qk = torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)  # (n, 2, H, D): model.apply_rotary
            kv = self.kv[layer]  # (2, rows, H, W, D)
            kv[:, rows, :, slots] = torch.stack((qk[:, 1], qkv[:, 2]), dim=1)  # (n, 2, H, D) into each row's slot
            keys = kv[0, :n].reshape(n * H, W, D)
            values = kv[1, :n].reshape(n * H, W, D)
            scores = torch.baddbmm(bias, qk[:, 0].reshape(n * H, 1, D), keys.transpose(1, 2), alpha=w.scale)
            y = torch.bmm(torch.softmax(scores, dim=-1), values).view(n, cfg.n_embd)
            if y_rows is not None:
                y = y_rows.index_copy_(0, rows, y)
            x = torch.addmm(x, y, lw.attn_proj)
            h = F.layer_norm(x, (cfg.n_embd,), lw.ln2_weight, lw.ln2_bias)
            x = torch.addmm(x, F.gelu(torch.addmm(lw.fc_bias, h, lw.fc)), lw.mlp_proj).add_(lw.mlp_proj_bias)
        self.positions[:n] += 1
        return self.model.logits(x)[:n]  # the head on the padded rows too: the same sgemm path


@dataclass
class Row:
    """What a stream carries besides its cache row: its key, knobs, generator and how far it has got."""

    key: object
    knobs: SamplingKnobs
    generator: torch.Generator
    produced: int = 0


class StreamBatch:
    """Sampling streams sharing one BatchedDecoder: `add` prefills a prompt and draws its first token, `step` draws
    the next token of every active stream at once, `remove` frees a row at once.

    Per row: its knobs as tensors (so temperature, top-k, top-p and repetition penalty are applied to all rows in a
    few vectorised ops), a ring of the tokens in its window (slot p % window, like its keys; for the repetition
    penalty) and its generator. A stream draws from exactly the distribution, with exactly the generator calls,
    that Sampler.stream makes, so its text is the same alone or batched (tests/test_gpt_batched_decode.py).
    """

    def __init__(self, model: GPT, max_streams: int):
        self.decoder = BatchedDecoder(model, max_streams)
        self.max_streams, self.vocab_size, self.window = max_streams, model.config.vocab_size, model.config.context_length
        device = model.embed.weight.device
        self.streams: list[Row] = []  # row i is streams[i]
        self.tokens = torch.zeros(max_streams, dtype=torch.long, device=device)  # the last token drawn, fed next
        self.temperature = torch.zeros(max_streams, device=device)
        self.top_k = torch.zeros(max_streams, dtype=torch.long, device=device)
        self.top_p = torch.ones(max_streams, device=device)
        self.repetition_penalty = torch.ones(max_streams, device=device)
        self.recent = torch.full((max_streams, self.window), self.vocab_size, dtype=torch.long, device=device)  # vocab = empty

    def __len__(self) -> int:
        return len(self.streams)

    def keys(self) -> list[object]:
        return [row.key for row in self.streams]

    def add(self, key: object, ids: list[int], knobs: SamplingKnobs) -> tuple[int, bool]:
        """Prefill the prompt in a free row and draw the stream's first token: (token, finished)."""
        if len(self.streams) >= self.max_streams:
            raise RuntimeError(f"all {self.max_streams} rows are in use")
        row = len(self.streams)
        prompt = torch.tensor(ids, dtype=torch.long)
        logits = self.decoder.prefill(row, prompt)
        self.temperature[row], self.top_k[row], self.top_p[row] = knobs.temperature, knobs.top_k, knobs.top_p
        self.repetition_penalty[row] = knobs.repetition_penalty
        self.recent[row] = self.vocab_size
        keep = prompt[-self.window :]
        self.recent[row, torch.arange(len(ids) - keep.numel(), len(ids)) % self.window] = keep
        self.streams.append(Row(key, knobs, torch.Generator().manual_seed(knobs.seed)))
        token = self._draw(logits[None], row, row + 1)[0]
        if self.streams[row].produced == knobs.max_new_tokens:
            self.remove(key)
            return token, True
        return token, False

    def remove(self, key: object) -> bool:
        """Free a stream's row now (finished or cancelled): the last row moves into its place. False if unknown."""
        index = next((i for i, row in enumerate(self.streams) if row.key == key), None)
        if index is None:
            return False
        last = len(self.streams) - 1
        if index != last:
            self.decoder.move_row(last, index)
            for table in (self.tokens, self.temperature, self.top_k, self.top_p, self.repetition_penalty, self.recent):
                table[index] = table[last]
            self.streams[index] = self.streams[last]
        self.streams.pop()
        return True

    def step(self) -> list[tuple[object, int, bool]]:
        """Feed every active stream its last token and draw its next one: [(key, token, finished)], finished streams
        already removed."""
        n = len(self.streams)
        if n == 0:
            return []
        pos = self.decoder.positions[:n]
        self.recent[torch.arange(n), pos % self.window] = self.tokens[:n]  # the fed token enters each row's window
        logits = self.decoder.step(self.tokens[:n])
        tokens = self._draw(logits, 0, n)
        out = [(row.key, token, row.produced == row.knobs.max_new_tokens) for row, token in zip(self.streams, tokens)]
        for key, _, finished in out:
            if finished:
                self.remove(key)
        return out

    def _draw(self, logits: torch.Tensor, start: int, end: int) -> list[int]:
        """One token for each of rows start..end-1 from its own distribution and generator; stored as its next input."""
        penalty = self.repetition_penalty[start:end]
        seen = None
        if bool((penalty != 1.0).any()):
            seen = torch.zeros(end - start, self.vocab_size + 1, dtype=torch.bool).scatter_(1, self.recent[start:end], True)
            seen = seen[:, : self.vocab_size]
        probs = next_token_probabilities_rows(logits, self.temperature[start:end], self.top_k[start:end],
                                              self.top_p[start:end], penalty, seen)
        tokens = [int(torch.multinomial(probs[i], 1, generator=self.streams[start + i].generator)) for i in range(end - start)]
        self.tokens[start:end] = torch.tensor(tokens)
        for i in range(start, end):
            self.streams[i].produced += 1
        return tokens
