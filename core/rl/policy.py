"""The policy knob, the part temperature plays for the GPT: actions drawn from softmax(logits / T), T = 0 = argmax.

One function (`action_probabilities`) feeds both the action that is taken and the bars the app draws, so the bars
always show the distribution the action really came from.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core.limits import MAX_POLICY_TEMPERATURE
from core.validation import as_float


def validate_temperature(value: Any) -> float:
    """0 (always the most likely action) .. MAX_POLICY_TEMPERATURE (close to uniform); 1 = the policy as trained."""
    return as_float("Policy temperature", value, 0.0, MAX_POLICY_TEMPERATURE)


def action_probabilities(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T) over the last axis; at T = 0 all mass on the argmax (ties: the first, like torch.argmax)."""
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)
    return torch.softmax(logits / temperature, dim=-1)


def choose_actions(probs: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF sampling: action i where the row's cumulative probability first exceeds the row's uniform in
    [0, 1). With one-hot probs (T = 0) this is the argmax whatever the uniform, so T = 0 uses no randomness."""
    cdf = np.cumsum(probs, axis=-1)
    cdf[..., -1] = 1.0 + 1e-9  # rounding can leave the last cumulative a hair under 1
    return (uniforms[..., None] < cdf).argmax(-1)
