"""The sampling knobs: what they are, the one place they are checked, and what they do to the logits.

Its own module because both the single-stream sampler (core/gpt/sampling.py) and the batched streams
(core/gpt/batched_decode.py) apply the knobs, and the sampler runs its stream through the batched step: with the
knobs here, neither of those two modules has to import the other in a cycle.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from core import limits
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
        raise KnobError("top_p must be above 0 and at most 1 (1 = off); got 0.", "errors.top_p_zero")
    return SamplingKnobs(
        temperature=as_float("temperature", temperature, 0.0, limits.MAX_TEMPERATURE),
        top_k=as_int("top_k", top_k, 0, limits.MAX_TOP_K),
        top_p=top_p_value,
        repetition_penalty=as_float("repetition_penalty", repetition_penalty, limits.MIN_REPETITION_PENALTY, limits.MAX_REPETITION_PENALTY),
        max_new_tokens=as_int("max_new_tokens", max_new_tokens, 1, limits.MAX_NEW_TOKENS),
        seed=as_int("seed", seed, 0, limits.MAX_SEED),
    )


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
