"""Validators shared by every sampler knob: one clear `KnobError` message saying what was wrong and what is accepted.

Accepts Python numbers and numeric strings ("0.8"); refuses bools, NaN, infinities, None and anything else.
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any


class KnobError(ValueError):
    """A user-supplied setting is invalid; the message is safe and useful to show to the user as is.

    `key` and `values` let the page say it in the reader's language: the UI's catalog (demo/locales/errors.py) holds
    the message under `key` in each language, with {name} fields filled from `values`; the English there is this
    message's (tests/test_errors_i18n.py checks that they agree)."""

    def __init__(self, message: str, key: str | None = None, **values: Any):
        super().__init__(message)
        self.key, self.values = key, values


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 14_000 else f"a {value.bit_length()}-bit integer"  # repr refuses > 4300 digits
    return text if len(text) <= 40 else text[:37] + "..."


def as_float(name: str, value: Any, low: float, high: float) -> float:
    """A finite real number in [low, high]."""
    if isinstance(value, bool) or value is None:
        raise KnobError(f"{name} must be a number from {low:g} to {high:g}; got {_show(value)}.")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise KnobError(f"{name} must be a number from {low:g} to {high:g}; got {_show(value)}.") from None
    if not isinstance(value, Real):
        raise KnobError(f"{name} must be a number from {low:g} to {high:g}; got a {type(value).__name__}.")
    number = float(value) if not abs(value) >= 2**1024 else (math.inf if value > 0 else -math.inf)  # float(10**400) raises
    if math.isnan(number) or math.isinf(number):
        raise KnobError(f"{name} must be a finite number from {low:g} to {high:g}; got {number}.")
    if not low <= number <= high:
        raise KnobError(f"{name} must be from {low:g} to {high:g}; got {number:g}.")
    return number


def as_int(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in [low, high]; 3.0 is accepted as 3, 3.5 is refused."""
    if isinstance(value, bool) or value is None:
        raise KnobError(f"{name} must be a whole number from {low} to {high}; got {_show(value)}.")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise KnobError(f"{name} must be a whole number from {low} to {high}; got {_show(value)}.") from None
    if isinstance(value, Real) and not isinstance(value, Integral):
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number != int(number):
            raise KnobError(f"{name} must be a whole number from {low} to {high}; got {_show(value)}.")
        value = int(number)
    if not isinstance(value, Integral):
        raise KnobError(f"{name} must be a whole number from {low} to {high}; got a {type(value).__name__}.")
    if not low <= int(value) <= high:
        raise KnobError(f"{name} must be from {low} to {high}; got {_show(int(value))}.")
    return int(value)


def as_choice(name: str, value: Any, choices: list[str]) -> str:
    """One of `choices`, matched case-insensitively, returned in its canonical spelling."""
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    raise KnobError(f"{name} must be one of {', '.join(choices)}; got {_show(value)}.")
