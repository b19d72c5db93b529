"""The one place user mistakes become messages: handlers raise core's KnobError / CheckpointError, and

* for API endpoints, `user_errors` turns them into `gr.Error`s with their message as is (no traceback), so the server
  keeps serving and the caller knows what to fix;
* for the page, `field_note` shows a message once, beside the field it concerns (a toast per slider event would
  stack, and a raised error would wipe the output the user was reading)."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

import gradio as gr

from core.checkpoints import CheckpointError
from core.validation import KnobError
from serve.stream_worker import StreamWorkerError

USER_ERRORS = (KnobError, CheckpointError, StreamWorkerError)  # UnknownCharactersError is a KnobError

F = TypeVar("F", bound=Callable[..., Any])


def _as_gr_error(exc: Exception) -> gr.Error:
    return gr.Error(str(exc), print_exception=False)


def user_errors(fn: F) -> F:
    """Wrap a handler (plain or generator) so USER_ERRORS reach the browser as gr.Error with their message.

    functools.wraps keeps the signature Gradio reads for the API, and a generator stays a generator function so
    Gradio still streams it.
    """
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except USER_ERRORS as exc:
                raise _as_gr_error(exc) from None

        return stream  # type: ignore[return-value]

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise _as_gr_error(exc) from None

    return call  # type: ignore[return-value]


def field_note(message: str = "") -> Any:
    """The update for a small message component under a field (gr.Markdown(visible=False, elem_classes="field-note")):
    shown with the message, hidden when there is none."""
    return gr.Markdown(value=message, visible=bool(message))


def missing_model_notice(model: str, train_command: str, note: str, elem_id: str) -> None:
    """What a tab shows instead of its controls when its checkpoint could not be loaded (the app still starts)."""
    gr.Markdown(f"### The {model} is not available\n\n{note}\n\nTrain it with `{train_command}` "
                "or start the app with `--hub-repo user/name`.", elem_id=elem_id)
