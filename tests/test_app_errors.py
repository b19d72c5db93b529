"""The one place user mistakes become gr.Error: plain and streaming handlers, messages kept, other errors untouched."""
from __future__ import annotations

import inspect

import gradio as gr
import pytest

from core.checkpoints import CheckpointError
from core.validation import KnobError
from demo.errors import user_errors


@user_errors
def plain(x: int) -> int:
    """doc"""
    if x < 0:
        raise KnobError("x must be >= 0; got -1.")
    if x == 0:
        raise CheckpointError("checkpoints/x/config.json is missing.")
    if x == 1:
        raise RuntimeError("a bug")
    return x


@user_errors
def stream(x: int):
    yield 1
    if x < 0:
        raise KnobError("x must be >= 0; got -1.")


def test_user_errors_become_gr_errors_with_the_same_message():
    with pytest.raises(gr.Error, match=r"x must be >= 0; got -1\."):
        plain(-1)
    with pytest.raises(gr.Error, match="config.json is missing"):
        plain(0)
    assert plain(5) == 5


def test_bugs_are_not_disguised_as_user_errors():
    with pytest.raises(RuntimeError):
        plain(1)


def test_streaming_handlers_stay_generators_and_convert_errors_mid_stream():
    assert inspect.isgeneratorfunction(stream)
    assert list(stream(1)) == [1]
    steps = stream(-1)
    assert next(steps) == 1
    with pytest.raises(gr.Error, match="x must be"):
        next(steps)


def test_signature_is_kept_for_the_api():
    assert list(inspect.signature(plain).parameters) == ["x"]
    assert plain.__doc__ == "doc"
