"""Sampling from the GPT: the prompt's validation, the streaming sampler and the next-token candidates.

The knobs, their validation and `next_token_probabilities` live in core/gpt/knobs.py (re-exported here, where most
callers import them): one function turns logits into the distribution both the sampler draws from and the UI's
next-token bars show, so the bars always tell the truth about what Generate would do.
"""
from __future__ import annotations

import threading
from typing import Any, Iterator

import torch
from cachetools import LRUCache, cachedmethod

from core import limits
from core.gpt.batched_decode import StreamBatch
from core.gpt.knobs import SamplingKnobs, next_token_probabilities, next_token_probabilities_rows, validate_knobs
from core.gpt.kv_cache import KVCache
from core.gpt.model import GPT
from core.gpt.tokenizer import CharTokenizer
from core.validation import KnobError

__all__ = ["NextTokenExplorer", "Sampler", "SamplingKnobs", "next_token_probabilities", "next_token_probabilities_rows",
           "validate_knobs", "validate_prompt"]


def validate_prompt(prompt: Any, tokenizer: CharTokenizer) -> str:
    """A non-empty string of known characters, at most MAX_PROMPT_CHARS long (refused, never truncated)."""
    if not isinstance(prompt, str):
        raise KnobError(f"The prompt must be text; got a {type(prompt).__name__}.", "errors.prompt_type",
                        kind=type(prompt).__name__)
    if not prompt:
        raise KnobError("The prompt is empty; type at least one character, for example 'ROMEO:'.", "errors.prompt_empty")
    if len(prompt) > limits.MAX_PROMPT_CHARS:
        raise KnobError(f"The prompt has {len(prompt):,} characters; the limit is {limits.MAX_PROMPT_CHARS:,}. Shorten it.",
                        "errors.prompt_long", count=f"{len(prompt):,}", limit=f"{limits.MAX_PROMPT_CHARS:,}")
    tokenizer.encode(prompt)  # raises UnknownCharactersError listing the characters the model does not know
    return prompt


class Sampler:
    """Streams text from a GPT: one stream through the batched decode step (or, for tests, re-running the full
    model every token)."""

    def __init__(self, model: GPT, tokenizer: CharTokenizer):
        self.model = model.eval()
        self.tokenizer = tokenizer

    def stream(self, prompt: str, knobs: SamplingKnobs, use_cache: bool = True) -> Iterator[str]:
        """Yield each new character. Deterministic for a given seed; the same text with or without the cache.

        With the cache this is a batch of one stream (core/gpt/batched_decode.py) on the model's exported step
        (ONNX Runtime, or PyTorch if it is missing: core/gpt/onnx_step.py), the very path the text-stream worker runs
        many streams through at once, so a stream's text is the same here, alone in the worker or batched."""
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
        self._logits: LRUCache[str, tuple[torch.Tensor, torch.Tensor]] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()  # the app serves every user from one explorer
        self.model_runs = 0  # how many times the model actually ran (tests check the cache works)

    @cachedmethod(lambda self: self._logits, lock=lambda self: self._lock)
    def _raw_logits(self, prompt: str) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits of the next token, the ids the repetition penalty looks at); the model runs outside the lock."""
        ids = torch.tensor(self.tokenizer.encode(prompt), dtype=torch.long)
        logits = KVCache(self.model).forward(ids[None])[0, -1]
        with self._lock:
            self.model_runs += 1
        return logits, ids[-self.model.config.context_length :]

    def candidates(self, prompt: str, knobs: SamplingKnobs, top: int = limits.NEXT_TOKEN_CANDIDATES) -> list[tuple[str, float]]:
        """The `top` most likely (character, probability) pairs after the knobs, most likely first; zeros left out."""
        logits, recent = self._raw_logits(validate_prompt(prompt, self.tokenizer))
        probs = next_token_probabilities(logits, knobs, recent)
        values, indices = torch.topk(probs, min(top, probs.numel()))
        return [(self.tokenizer.vocab[i], float(p)) for p, i in zip(values.tolist(), indices.tolist()) if p > 0]
