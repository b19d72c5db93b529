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


def next_token_probabilities(logits: torch.Tensor, knobs: SamplingKnobs, recent: torch.Tensor | None = None) -> torch.Tensor:
    """Probabilities (vocab,) after repetition penalty, temperature, top-k and top-p, from raw logits (vocab,)."""
    logits = logits.float().clone()
    if knobs.repetition_penalty != 1.0 and recent is not None and recent.numel():
        seen = torch.unique(recent)
        penalised = logits[seen]
        logits[seen] = torch.where(penalised > 0, penalised / knobs.repetition_penalty, penalised * knobs.repetition_penalty)
    if knobs.temperature == 0.0:
        probs = torch.zeros_like(logits)
        probs[torch.argmax(logits)] = 1.0
        return probs
    logits = (logits - logits.max()) / max(knobs.temperature, 1e-30)  # max first: no inf/inf = NaN for tiny temperatures
    if 0 < knobs.top_k < logits.numel():
        kth = torch.topk(logits, knobs.top_k).values[-1]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if knobs.top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True)
        sorted_probs = torch.softmax(sorted_logits, dim=-1)
        drop = sorted_probs.cumsum(dim=-1) - sorted_probs >= knobs.top_p  # mass before this token already >= p
        drop[0] = False  # the most likely token always stays (a top_p below float32's range rounds to 0)
        logits[order[drop]] = float("-inf")
    return torch.softmax(logits, dim=-1)


class Sampler:
    """Streams text from a GPT with a sliding KV cache (or, for tests, by re-running the full model each token)."""

    def __init__(self, model: GPT, tokenizer: CharTokenizer):
        self.model = model.eval()
        self.tokenizer = tokenizer

    def stream(self, prompt: str, knobs: SamplingKnobs, use_cache: bool = True) -> Iterator[str]:
        """Yield each new character. Deterministic for a given seed; the same text with or without the cache."""
        ids = self.tokenizer.encode(validate_prompt(prompt, self.tokenizer))
        window = self.model.config.context_length
        generator = torch.Generator().manual_seed(knobs.seed)
        history = torch.empty(len(ids) + knobs.max_new_tokens, dtype=torch.long)  # preallocated: no per-token growth
        history[: len(ids)] = torch.tensor(ids)
        length = len(ids)
        cache = KVCache(self.model) if use_cache else None

        @torch.inference_mode()  # per call, not around the generator: a stream may be resumed on another thread
        def next_logits(new_from: int) -> torch.Tensor:
            return (cache.forward(history[None, new_from:length]) if cache else self.model(history[None, :length]))[0, -1]

        logits = next_logits(0)
        for produced in range(knobs.max_new_tokens):
            recent = history[max(0, length - window) : length] if knobs.repetition_penalty != 1.0 else None
            token = int(torch.multinomial(next_token_probabilities(logits, knobs, recent), 1, generator=generator))
            yield self.tokenizer.vocab[token]
            if produced + 1 == knobs.max_new_tokens:
                break
            history[length] = token
            length += 1
            logits = next_logits(length - 1)

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
