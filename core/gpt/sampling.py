"""Sampling from the GPT: knobs, their validation, the streaming sampler and the next-token distribution.

One function, `next_token_probabilities`, turns logits into the distribution both the sampler draws from and the
UI's next-token bars show, so the bars always tell the truth about what Generate would do.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator

import torch

from core import limits
from core.gpt.kv_cache import KVCache
from core.gpt.model import GPT
from core.gpt.tokenizer import CharTokenizer
from core.validation import KnobError, as_float, as_int


@dataclass(frozen=True)
class SamplingKnobs:
    temperature: float = 0.8  # 0 = greedy (always the most likely character)
    top_k: int = 40  # 0 = off
    top_p: float = 0.95  # 1 = off
    repetition_penalty: float = 1.0  # 1 = off; >1 discourages characters already in the window
    max_new_tokens: int = 300
    seed: int = 0


def validate_knobs(temperature: Any = 0.8, top_k: Any = 40, top_p: Any = 0.95, repetition_penalty: Any = 1.0,
                   max_new_tokens: Any = 300, seed: Any = 0) -> SamplingKnobs:
    """The one place knobs are checked; raises KnobError saying what was wrong and what is accepted."""
    top_p_value = as_float("top_p", top_p, 0.0, 1.0)
    if top_p_value == 0.0:
        raise KnobError("top_p must be above 0 and at most 1 (1 = off); got 0.")
    return SamplingKnobs(
        temperature=as_float("temperature", temperature, 0.0, limits.MAX_TEMPERATURE),
        top_k=as_int("top_k", top_k, 0, limits.MAX_TOP_K),
        top_p=top_p_value,
        repetition_penalty=as_float("repetition_penalty", repetition_penalty, limits.MIN_REPETITION_PENALTY, limits.MAX_REPETITION_PENALTY),
        max_new_tokens=as_int("max_new_tokens", max_new_tokens, 1, limits.MAX_NEW_TOKENS),
        seed=as_int("seed", seed, 0, limits.MAX_SEED),
    )


def validate_prompt(prompt: Any, tokenizer: CharTokenizer) -> str:
    """A non-empty string of known characters, at most MAX_PROMPT_CHARS long (refused, never truncated)."""
    if not isinstance(prompt, str):
        raise KnobError(f"The prompt must be text; got a {type(prompt).__name__}.")
    if not prompt:
        raise KnobError("The prompt is empty; type at least one character, for example 'ROMEO:'.")
    if len(prompt) > limits.MAX_PROMPT_CHARS:
        raise KnobError(f"The prompt has {len(prompt):,} characters; the limit is {limits.MAX_PROMPT_CHARS:,}. Shorten it.")
    tokenizer.encode(prompt)  # raises UnknownCharactersError listing the characters the model does not know
    return prompt


def next_token_probabilities_rows(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor, top_p: torch.Tensor,
                                  repetition_penalty: torch.Tensor, seen: torch.Tensor | None = None) -> torch.Tensor:
    """Probabilities (rows, vocab) from raw logits (rows, vocab), each row with its own knobs (tensors of shape (rows,)):
    repetition penalty on the characters `seen` (rows, vocab) marks, then temperature, top-k and top-p.

    The one definition of the knob arithmetic: the single-stream `next_token_probabilities` is this with one row,
    and the batched streams (core/gpt/batched_decode.py) call it for all their rows at once. Every op works along
    a row on its own, so a row's probabilities do not depend on the other rows.
    """
    logits = logits.float().clone()
    rows, vocab = logits.shape
    if seen is not None:
        penalty = repetition_penalty[:, None]
        logits = torch.where(seen & (penalty != 1.0), torch.where(logits > 0, logits / penalty, logits * penalty), logits)
    greedy = temperature == 0.0
    # max first: no inf/inf = NaN for tiny temperatures; 1e-30 stands in for 0 (greedy rows are one-hot below)
    scaled = (logits - logits.max(dim=-1, keepdim=True).values) / temperature.clamp_min(1e-30)[:, None]
    k_on, p_on = (top_k > 0) & (top_k < vocab), top_p < 1.0
    any_k, any_p = bool(k_on.any()), bool(p_on.any())
    if any_k or any_p:  # one sort serves both: masking the tail below the k-th value keeps the order
        sorted_logits, order = torch.sort(scaled, dim=-1, descending=True, stable=True)
    if any_k:
        kth = sorted_logits.gather(1, (top_k.clamp(1, vocab) - 1)[:, None])
        scaled = scaled.masked_fill(k_on[:, None] & (scaled < kth), float("-inf"))
        sorted_logits = sorted_logits.masked_fill(k_on[:, None] & (sorted_logits < kth), float("-inf"))
    if any_p:
        sorted_probs = torch.softmax(sorted_logits, dim=-1)
        drop = sorted_probs.cumsum(dim=-1) - sorted_probs >= top_p[:, None]  # mass before this token already >= p
        drop[:, 0] = False  # the most likely token always stays (a top_p below float32's range rounds to 0)
        drop &= p_on[:, None]
        scaled = scaled.masked_fill(torch.zeros_like(drop).scatter_(1, order, drop), float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    if bool(greedy.any()):
        one_hot = torch.zeros_like(probs).scatter_(1, logits.argmax(dim=-1, keepdim=True), 1.0)
        probs = torch.where(greedy[:, None], one_hot, probs)
    return probs


def next_token_probabilities(logits: torch.Tensor, knobs: SamplingKnobs, recent: torch.Tensor | None = None) -> torch.Tensor:
    """Probabilities (vocab,) after repetition penalty, temperature, top-k and top-p, from raw logits (vocab,);
    `recent` holds the token ids the repetition penalty applies to. One row of next_token_probabilities_rows."""
    seen = None
    if knobs.repetition_penalty != 1.0 and recent is not None and recent.numel():
        seen = torch.zeros(1, logits.numel(), dtype=torch.bool)
        seen[0, recent] = True
    def one(value: float, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.tensor([value], dtype=dtype)
    return next_token_probabilities_rows(logits[None], one(knobs.temperature), one(knobs.top_k, torch.long),
                                         one(knobs.top_p), one(knobs.repetition_penalty), seen)[0]


class Sampler:
    """Streams text from a GPT: one stream through the batched decode step (or, for tests, re-running the full
    model every token)."""

    def __init__(self, model: GPT, tokenizer: CharTokenizer):
        self.model = model.eval()
        self.tokenizer = tokenizer

    def stream(self, prompt: str, knobs: SamplingKnobs, use_cache: bool = True) -> Iterator[str]:
        """Yield each new character. Deterministic for a given seed; the same text with or without the cache.

        With the cache this is a batch of one stream (core/gpt/batched_decode.py), the very path the text-stream
        worker runs many streams through at once, so a stream's text is the same here, alone in the worker or
        batched with others."""
        ids = self.tokenizer.encode(validate_prompt(prompt, self.tokenizer))
        if use_cache:
            yield from self._stream_batched(ids, knobs)
            return
        window = self.model.config.context_length
        generator = torch.Generator().manual_seed(knobs.seed)
        history = list(ids)
        for _ in range(knobs.max_new_tokens):
            with torch.inference_mode():  # per call, not around the generator: a stream may be resumed on another thread
                logits = self.model(torch.tensor([history]))[0, -1]
            recent = torch.tensor(history[-window:]) if knobs.repetition_penalty != 1.0 else None
            token = int(torch.multinomial(next_token_probabilities(logits, knobs, recent), 1, generator=generator))
            yield self.tokenizer.vocab[token]
            history.append(token)

    def _stream_batched(self, ids: list[int], knobs: SamplingKnobs) -> Iterator[str]:
        from core.gpt.batched_decode import StreamBatch  # it imports this module (next_token_probabilities_rows)

        batch = StreamBatch(self.model, 1)
        token, finished = batch.add(0, ids, knobs)
        yield self.tokenizer.vocab[token]
        while not finished:
            ((_, token, finished),) = batch.step()
            yield self.tokenizer.vocab[token]

    def generate(self, prompt: str, knobs: SamplingKnobs, use_cache: bool = True) -> str:
        return "".join(self.stream(prompt, knobs, use_cache))


class NextTokenExplorer:
    """Next-character candidates for a prompt. Raw logits are cached per prompt (LRU), so moving temperature,
    top-k or top-p re-applies the knobs to cached logits without running the model again."""

    def __init__(self, model: GPT, tokenizer: CharTokenizer, cache_size: int = 256):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.cache_size = cache_size
        self._logits: OrderedDict[str, tuple[torch.Tensor, torch.Tensor]] = OrderedDict()
        self._lock = threading.Lock()
        self.model_runs = 0  # how many times the model actually ran (tests check the cache works)

    def _raw_logits(self, prompt: str) -> tuple[torch.Tensor, torch.Tensor]:
        with self._lock:
            if prompt in self._logits:
                self._logits.move_to_end(prompt)
                return self._logits[prompt]
        ids = torch.tensor(self.tokenizer.encode(prompt), dtype=torch.long)
        logits = KVCache(self.model).forward(ids[None])[0, -1]
        recent = ids[-self.model.config.context_length :]
        with self._lock:
            self.model_runs += 1
            self._logits[prompt] = (logits, recent)
            while len(self._logits) > self.cache_size:
                self._logits.popitem(last=False)
        return logits, recent

    def candidates(self, prompt: str, knobs: SamplingKnobs, top: int = limits.NEXT_TOKEN_CANDIDATES) -> list[tuple[str, float]]:
        """The `top` most likely (character, probability) pairs after the knobs, most likely first; zeros left out."""
        logits, recent = self._raw_logits(validate_prompt(prompt, self.tokenizer))
        probs = next_token_probabilities(logits, knobs, recent)
        values, indices = torch.topk(probs, min(top, probs.numel()))
        return [(self.tokenizer.vocab[i], float(p)) for p, i in zip(values.tolist(), indices.tolist()) if p > 0]
