"""The one place user mistakes become messages: handlers raise core's KnobError / CheckpointError, and

* for API endpoints, `user_errors` turns them into `gr.Error`s with their message as is, in English (no traceback), so
  the server keeps serving and the caller knows what to fix;
* for the page, `field_note` shows a message once, beside the field it concerns (a toast per slider event would
  stack, and a raised error would wipe the output the user was reading). A refusal names its field (FieldError,
  raised inside `about(field)`), and `FieldNotes.on_page` turns any handler into its page adapter: its outputs with
  every note cleared, or, on a refusal, the outputs left as they are and one note by that field, in the page's
  language (`localized`: a refusal's catalog key and values, demo/locales/errors.py)."""
from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

import gradio as gr
from gradio import utils as gr_utils

from core.checkpoints import CheckpointError
from core.validation import KnobError
from demo.i18n import i18n, request_language
from demo.locales import CATALOG, tr
from demo.locales.errors import MISSING_MODELS, knob_name
from serve.stream_worker import StreamWorkerError

USER_ERRORS = (KnobError, CheckpointError, StreamWorkerError)  # UnknownCharactersError is a KnobError

F = TypeVar("F", bound=Callable[..., Any])


def refusal(key: str, **values: Any) -> KnobError:
    """A refusal stated in the catalog (demo/locales/): its English message, and its key and values so the page can
    show it in the reader's language (`localized`)."""
    return KnobError(tr(key, "en", **values), key, **values)


def localized(exc: Exception, lang: str) -> str:
    """A refusal's message in `lang`: from the catalog when it has the refusal's key (the knob's {name} said in `lang`
    too, demo/locales/errors.py knob_name), else its message as it is."""
    key = getattr(exc, "key", None)
    if key and key in CATALOG:
        values = dict(getattr(exc, "values", {}))
        if isinstance(values.get("name"), str):
            values["name"] = knob_name(values["name"], lang)
        try:
            return tr(key, lang, **values)
        except (KeyError, IndexError, ValueError):  # a field the catalog's text names but the refusal lacks
            return str(exc)
    return str(exc)


def _as_gr_error(exc: Exception) -> gr.Error:
    return gr.Error(str(exc), print_exception=False)


def user_errors(fn: F) -> F:
    """Wrap a handler (plain or generator) so USER_ERRORS reach the browser as gr.Error with their message.

    functools.wraps keeps the signature Gradio reads for the API, and a generator stays a generator function so
    Gradio still streams it. The API answers in English whatever the caller's Accept-Language: its callers are
    programs, which match a stable message (the command line says the same); the page's notes are translated.
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
    """A refusal that names the page field it concerns; still a KnobError, so the API raises it as any other. It keeps
    the refusal's catalog key and values, so the page can say it in the reader's language."""

    def __init__(self, field: str, message: str, key: str | None = None, **values: Any):
        super().__init__(message, key, **values)
        self.field = field


@contextmanager
def about(field: str) -> Iterator[None]:
    """Refusals raised inside concern `field` (a FieldError raised further in keeps its own field)."""
    try:
        yield
    except FieldError:
        raise
    except USER_ERRORS as exc:
        raise FieldError(field, str(exc), getattr(exc, "key", None), **getattr(exc, "values", {})) from None


Tail = str | Callable[[str], str]  # text after a field's notes: as it is, or made for a language


class FieldNotes:
    """The notes of a view, one per field a refusal can concern, in `fields` order; one shows at a time.

    A page update ends with one update per note; `fallback` is the field of a refusal that names none; `tails` adds a
    line after a field's notes (a function of the language gives it in the page's)."""

    def __init__(self, fields: Sequence[str], fallback: str, tails: dict[str, Tail] | None = None):
        self.fields, self.fallback, self.tails = tuple(fields), fallback, tails or {}

    def show(self, field: str | None = None, message: str = "") -> tuple[Any, ...]:
        """`field`'s note shows `message`, every other one hides (no field: all hide)."""
        return tuple(field_note(message if name == field else "") for name in self.fields)

    def refusal(self, exc: Exception, lang: str = "en") -> tuple[Any, ...]:
        """The notes for a refusal: its message in `lang` by its field (with that field's tail, if any)."""
        field = exc.field if isinstance(exc, FieldError) and exc.field in self.fields else self.fallback
        tail = self.tails.get(field, "")
        return self.show(field, localized(exc, lang) + (tail(lang) if callable(tail) else tail))

    @property
    def skip(self) -> tuple[Any, ...]:
        """Every note left as it is."""
        return (gr.skip(),) * len(self.fields)

    def on_page(self, fn: F, outputs: int) -> F:
        """The page adapter of a handler returning `outputs` values: (*its values, *notes cleared), or on a refusal
        (*gr.skip() for each, *one note by its field, in the page's language), so the last good view stays.

        The signature stays fn's, so Gradio still passes event data (a click's index) by its type; the note's language
        comes from the request: fn's own `request: gr.Request` if it has one (passed on to it), else one the adapter
        adds to its signature (Gradio passes a gr.Request to the parameter annotated with it) and keeps to itself."""
        own = request_parameter(fn)
        signature = inspect.signature(fn) if own else with_request(inspect.signature(fn))

        @functools.wraps(fn)
        def page(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
            bound = signature.bind_partial(*args, **kwargs)
            request = bound.arguments.get(own) if own else bound.arguments.pop(ADDED_REQUEST, None)
            try:
                values = fn(*args, **kwargs) if own else fn(*bound.args, **bound.kwargs)
                return (*values, *self.show())
            except USER_ERRORS as exc:
                return (*(gr.skip(),) * outputs, *self.refusal(exc, request_language(request)))

        if not own:
            page.__signature__ = signature  # type: ignore[attr-defined]
            page.__annotations__ = {**getattr(fn, "__annotations__", {}), ADDED_REQUEST: gr.Request}
        return page  # type: ignore[return-value]


ADDED_REQUEST = "request"  # the parameter FieldNotes.on_page adds for Gradio's gr.Request when the handler has none


def request_parameter(fn: Callable[..., Any]) -> str | None:
    """The name of fn's parameter that Gradio fills with the request (annotated gr.Request, resolved as Gradio does,
    in fn's module), or None."""
    hints = gr_utils.get_type_hints(fn)
    for name in inspect.signature(fn).parameters:
        if hints.get(name) in (gr.Request, Optional[gr.Request]):
            return name
    return None


def with_request(signature: inspect.Signature) -> inspect.Signature:
    """`signature` with a last positional parameter `request: gr.Request = None` (None: a test calls without it), which
    Gradio fills as it fills a handler's own. A handler taking *args keeps its signature: a parameter after it could
    not be passed by position."""
    params = list(signature.parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params) or ADDED_REQUEST in signature.parameters:
        return signature
    at = next((i for i, p in enumerate(params) if p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD)), len(params))
    added = inspect.Parameter(ADDED_REQUEST, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)
    return signature.replace(parameters=[*params[:at], added, *params[at:]])


def missing_model_notice(model: str, train_command: str, note: str, elem_id: str) -> None:
    """What a tab shows instead of its controls when its checkpoint could not be loaded (the app still starts): the
    heading and how to get the model, in the page's language (one catalog entry per model and its command), then why,
    as the loader said it (it names the files)."""
    key = MISSING_MODELS.get((model, train_command))
    how = i18n(key) if key else i18n("errors.missing_model") + f"\n\n`{train_command}`"
    gr.Markdown(f"{how}\n\n{note}", elem_id=elem_id)
