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


# The validators' messages, by catalog key; each names the knob ({name}) and shows the values as strings already
# formatted, so the page's translation (demo/locales/errors.py) reads the same numbers.
_MESSAGES = {
    "errors.number": "{name} must be a number from {low} to {high}; got {got}.",
    "errors.number_type": "{name} must be a number from {low} to {high}; got a {kind}.",
    "errors.number_finite": "{name} must be a finite number from {low} to {high}; got {got}.",
    "errors.range": "{name} must be from {low} to {high}; got {got}.",
    "errors.whole_number": "{name} must be a whole number from {low} to {high}; got {got}.",
    "errors.whole_number_type": "{name} must be a whole number from {low} to {high}; got a {kind}.",
    "errors.choice": "{name} must be one of {choices}; got {got}.",
}


def _refused(key: str, name: str, **values: str) -> KnobError:
    """The refusal `key` for the knob `name`, its English message filled in."""
    return KnobError(_MESSAGES[key].format(name=name, **values), key, name=name, **values)


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 14_000 else f"a {value.bit_length()}-bit integer"  # repr refuses > 4300 digits
    return text if len(text) <= 40 else text[:37] + "..."


def as_float(name: str, value: Any, low: float, high: float) -> float:
    """A finite real number in [low, high]."""
    if isinstance(value, bool) or value is None:
        raise _refused("errors.number", name, low=f"{low:g}", high=f"{high:g}", got=_show(value))
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _refused("errors.number", name, low=f"{low:g}", high=f"{high:g}", got=_show(value)) from None
    if not isinstance(value, Real):
        raise _refused("errors.number_type", name, low=f"{low:g}", high=f"{high:g}", kind=type(value).__name__)
    number = float(value) if not abs(value) >= 2**1024 else (math.inf if value > 0 else -math.inf)  # float(10**400) raises
    if math.isnan(number) or math.isinf(number):
        raise _refused("errors.number_finite", name, low=f"{low:g}", high=f"{high:g}", got=str(number))
    if not low <= number <= high:
        raise _refused("errors.range", name, low=f"{low:g}", high=f"{high:g}", got=f"{number:g}")
    return number


def as_int(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in [low, high]; 3.0 is accepted as 3, 3.5 is refused."""
    if isinstance(value, bool) or value is None:
        raise _refused("errors.whole_number", name, low=str(low), high=str(high), got=_show(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise _refused("errors.whole_number", name, low=str(low), high=str(high), got=_show(value)) from None
    if isinstance(value, Real) and not isinstance(value, Integral):
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number != int(number):
            raise _refused("errors.whole_number", name, low=str(low), high=str(high), got=_show(value))
        value = int(number)
    if not isinstance(value, Integral):
        raise _refused("errors.whole_number_type", name, low=str(low), high=str(high), kind=type(value).__name__)
    if not low <= int(value) <= high:
        raise _refused("errors.range", name, low=str(low), high=str(high), got=_show(int(value)))
    return int(value)


def as_choice(name: str, value: Any, choices: list[str]) -> str:
    """One of `choices`, matched case-insensitively, returned in its canonical spelling."""
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    raise _refused("errors.choice", name, choices=", ".join(choices), got=_show(value))
