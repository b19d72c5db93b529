"""Continuous batching: many sampling streams advance together, one batched decode step for all of them.

A decode step of this small model costs about the same for 1 row as for 8 (per-op overhead, not arithmetic), so
streams that run at the same time should share steps, as llama.cpp's server, vLLM and TGI do. Each row of the batch
is one stream with its own position (its own ring-buffer slot, p % window, so every row slides past the context
window on its own), its own knobs, its own torch.Generator and its own stop. A new stream's prompt is prefilled on
its own (written straight into its row) and joins the batch at the next step; a finished or cancelled stream leaves
at once (the last row moves into its place, so active rows are always 0..n-1).

Two layers: `BatchedDecoder` is the scheduling of the cache's rows (core/gpt/kv_cache.py's ring; the step itself is
GPT.decode, on ONNX Runtime when it is there: core/gpt/onnx_step.py); `StreamBatch` is sampling on top (knobs
vectorised per row through the one `next_token_probabilities_rows`, and per row the very draw `torch.multinomial` makes
on that row's generator, as Sampler.stream's reference does, so a stream's text does not depend on who else is streaming).
tests/test_gpt_batched_decode.py and tests/test_gpt_onnx.py hold the step to the full forward.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.gpt.knobs import SamplingKnobs, next_token_probabilities_rows
from core.gpt.kv_cache import KVCache
from core.gpt.model import GPT
from core.gpt.onnx_step import Step, decode_step

class BatchedDecoder:
    """Rows 0..n-1 of a preallocated KV cache, each a sequence at its own position; `step` feeds one token to each.

    The cache is 2 * n_layer tensors (rows, heads, window, head_dim): ~1.2 MB a row for the shipped model.

    A row's logits must not depend on how many rows share its step, or a stream's text would change with the number
    of streams. ONNX Runtime's kernels give each row the same bits whatever the batch (tests/test_gpt_onnx.py checks
    it); PyTorch's sgemm summed in another order for 1-3 rows than for 4 or more, so on PyTorch a step always runs
    at least `step.min_rows` rows (spare rows beside the real ones, results dropped).
    """

    def __init__(self, model: GPT, max_rows: int, step: Step | None = None):
        self.model, self.config, self.window, self.max_rows = model, model.config, model.config.context_length, max_rows
        step = step or decode_step(model)
        self.min_rows = step.min_rows
        self.cache = KVCache(model, max(max_rows, self.min_rows), step)
        self.positions = self.cache.positions  # tokens fed so far, per row

    @property
    def engine(self) -> str:
        """"onnxruntime" or "pytorch": what runs the step."""
        return self.cache.step.engine

    def prefill(self, row: int, ids: torch.Tensor) -> torch.Tensor:
        """Feed a whole prompt (T,) into `row` (its old contents are ignored); logits (vocab,) of its last token."""
        self.cache.reset(row)
        return self.cache.feed(ids[None], row)[0, -1]

    def move_row(self, source: int, target: int) -> None:
        """Copy a row's cache and position into another row (to keep active rows contiguous)."""
        self.cache.move_row(source, target)

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (n, vocab) after feeding tokens (n,), one to each of rows 0..n-1 at that row's own position."""
        n = tokens.shape[0]
        if n >= self.min_rows:
            return self.cache.feed(tokens[:, None], 0)[:, -1]
        padded = torch.zeros(self.min_rows, dtype=torch.long)
        padded[:n] = tokens
        self.positions[n : self.min_rows] = 0  # spare rows: a fresh sequence each time, nothing of theirs is kept
        return self.cache.feed(padded[:, None], 0)[:n, -1]


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

    def __init__(self, model: GPT, max_streams: int, step: Step | None = None):
        self.decoder = BatchedDecoder(model, max_streams, step)
        self.max_streams, self.vocab_size, self.window = max_streams, model.config.vocab_size, model.config.context_length
        device = model.embed.weight.device
        self.streams: list[Row] = []  # row i is streams[i]
        self.tokens = torch.zeros(max_streams, dtype=torch.long, device=device)  # the last token drawn, fed next
        self.temperature = torch.zeros(max_streams, device=device)
        self.top_k = torch.zeros(max_streams, dtype=torch.long, device=device)
        self.top_p = torch.ones(max_streams, device=device)
        self.repetition_penalty = torch.ones(max_streams, device=device)
        self.recent = torch.full((max_streams, self.window), self.vocab_size, dtype=torch.long, device=device)  # vocab = empty
        self._rows = torch.arange(max_streams, device=device)

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
        if self._penalised(0, n):  # only a repetition penalty reads the window, and it is a stream's knob for life
            pos = self.decoder.positions[:n]
            self.recent[self._rows[:n], pos % self.window] = self.tokens[:n]  # the fed token enters each row's window
        logits = self.decoder.step(self.tokens[:n])
        tokens = self._draw(logits, 0, n)
        out = [(row.key, token, row.produced == row.knobs.max_new_tokens) for row, token in zip(self.streams, tokens)]
        for key, _, finished in out:
            if finished:
                self.remove(key)
        return out

    def _sample(self, probs: torch.Tensor, start: int) -> list[int]:
        """torch.multinomial(probs[i], 1, generator=row i's generator) for every row, the very same draws: for one
        sample multinomial is argmax(p / q) with q ~ Exp(1) drawn from the generator (ATen's Distributions.cpp), so
        each row draws its q on its own generator and one division and argmax serve all rows (a multinomial call
        per row cost more than the rest of sampling; tests/test_gpt_batched_decode.py holds it to Sampler's)."""
        q = torch.empty_like(probs)
        for i in range(probs.shape[0]):
            q[i].exponential_(1, generator=self.streams[start + i].generator)
        return (probs / q).argmax(dim=-1).tolist()

    def _penalised(self, start: int, end: int) -> bool:
        """Whether any of rows start..end-1 has a repetition penalty (read from the knobs: no tensor op a token)."""
        return any(row.knobs.repetition_penalty != 1.0 for row in self.streams[start:end])

    def _draw(self, logits: torch.Tensor, start: int, end: int) -> list[int]:
        """One token for each of rows start..end-1 from its own distribution and generator; stored as its next input."""
        penalty = self.repetition_penalty[start:end]
        seen = None
        if self._penalised(start, end):
            seen = torch.zeros(end - start, self.vocab_size + 1, dtype=torch.bool).scatter_(1, self.recent[start:end], True)
            seen = seen[:, : self.vocab_size]
        probs = next_token_probabilities_rows(logits, self.temperature[start:end], self.top_k[start:end],
                                              self.top_p[start:end], penalty, seen)
        tokens = self._sample(probs, start)
        self.tokens[start:end] = torch.tensor(tokens)
        for i in range(start, end):
            self.streams[i].produced += 1
        return tokens
