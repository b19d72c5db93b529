"""The one place user mistakes become messages: handlers raise core's KnobError / CheckpointError, and

* for API endpoints, `user_errors` turns them into `gr.Error`s with their message as is (no traceback), so the server
  keeps serving and the caller knows what to fix;
* for the page, `field_note` shows a message once, beside the field it concerns (a toast per slider event would
  stack, and a raised error would wipe the output the user was reading). A refusal names its field (FieldError,
  raised inside `about(field)`), and `FieldNotes.on_page` turns any handler into its page adapter: its outputs with
  every note cleared, or, on a refusal, the outputs left as they are and one note by that field."""
from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

import gradio as gr

from core.checkpoints import CheckpointError
from core.validation import KnobError
from demo.locales import CATALOG, tr
from serve.stream_worker import StreamWorkerError

USER_ERRORS = (KnobError, CheckpointError, StreamWorkerError)  # UnknownCharactersError is a KnobError

F = TypeVar("F", bound=Callable[..., Any])


def refusal(key: str, **values: Any) -> KnobError:
    """A refusal stated in the catalog (demo/locales/): its English message, and its key and values so the page can
    show it in the reader's language (`localized`)."""
    return KnobError(tr(key, "en", **values), key, **values)


def localized(exc: Exception, lang: str) -> str:
    """A refusal's message in `lang`: from the catalog when it has the refusal's key, else its message as it is."""
    key = getattr(exc, "key", None)
    if key and key in CATALOG:
        try:
            return tr(key, lang, **exc.values)  # type: ignore[attr-defined]
        except (KeyError, IndexError, ValueError):  # a field the catalog's text names but the refusal lacks
            return str(exc)
    return str(exc)


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


def note_box(elem_id: str) -> gr.Markdown:
    """The small message component under a field, hidden until a value of that field is refused (field_note)."""
    return gr.Markdown("", visible=False, elem_id=elem_id, elem_classes=["field-note"])


def field_note(message: str = "") -> Any:
    """The update for a small message component under a field (gr.Markdown(visible=False, elem_classes="field-note")):
    shown with the message, hidden when there is none."""
    return gr.Markdown(value=message, visible=bool(message))


class FieldError(KnobError):
    """A refusal that names the page field it concerns; still a KnobError, so the API raises it as any other."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@contextmanager
def about(field: str) -> Iterator[None]:
    """Refusals raised inside concern `field` (a FieldError raised further in keeps its own field)."""
    try:
        yield
    except FieldError:
        raise
    except USER_ERRORS as exc:
        raise FieldError(field, str(exc)) from None


class FieldNotes:
    """The notes of a view, one per field a refusal can concern, in `fields` order; one shows at a time.

    A page update ends with one update per note; `fallback` is the field of a refusal that names none."""

    def __init__(self, fields: Sequence[str], fallback: str, tails: dict[str, str] | None = None):
        self.fields, self.fallback, self.tails = tuple(fields), fallback, tails or {}

    def show(self, field: str | None = None, message: str = "") -> tuple[Any, ...]:
        """`field`'s note shows `message`, every other one hides (no field: all hide)."""
        return tuple(field_note(message if name == field else "") for name in self.fields)

    def refusal(self, exc: Exception) -> tuple[Any, ...]:
        """The notes for a refusal: its message by its field (with that field's tail, if any)."""
        field = exc.field if isinstance(exc, FieldError) and exc.field in self.fields else self.fallback
        return self.show(field, str(exc) + self.tails.get(field, ""))

    @property
    def skip(self) -> tuple[Any, ...]:
        """Every note left as it is."""
        return (gr.skip(),) * len(self.fields)

    def on_page(self, fn: F, outputs: int) -> F:
        """The page adapter of a handler returning `outputs` values: (*its values, *notes cleared), or on a refusal
        (*gr.skip() for each, *one note by its field), so the last good view stays. The signature stays fn's, so
        Gradio still passes event data (a click's index) by its type."""

        @functools.wraps(fn)
        def page(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
            try:
                return (*fn(*args, **kwargs), *self.show())
            except USER_ERRORS as exc:
                return (*(gr.skip(),) * outputs, *self.refusal(exc))

        return page  # type: ignore[return-value]


def missing_model_notice(model: str, train_command: str, note: str, elem_id: str) -> None:
    """What a tab shows instead of its controls when its checkpoint could not be loaded (the app still starts)."""
    gr.Markdown(f"### The {model} is not available\n\n{note}\n\nTrain it with `{train_command}` "
                "or start the app with `--hub-repo user/name`.", elem_id=elem_id)
