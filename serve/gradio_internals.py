"""Every touch of Gradio's private or undocumented internals, in one place.

The app needs a few things Gradio 6.31 has no public API for: which events are still in the queue (HttpGuard's
per-client limits), which sessions exist, what each event function is, a lighter session, per-argument lines on the
API page, and a script that runs before Gradio's page bundle (the language choice). Each function below names the
private thing it relies on, why no public API does the job, and what breaks if Gradio changes it. tests/test_gradio_internals.py checks each against the installed Gradio (an upgrade that
changes one fails there by name) and that no other module of demo/, serve/ or app.py touches these internals.

In serve/, not demo/: serve/http_guard.py must not import from demo/; demo/ imports from here.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

# The Gradio these internals were read from; tests/test_gradio_internals.py says so when another one is installed.
CHECKED_WITH_GRADIO = "6.31"


# ----- the served Blocks' event functions (HttpGuard; build.py's queue size) -----

@dataclass(frozen=True)
class Endpoint:
    """What HttpGuard needs to know about one event function, read from Gradio's BlockFunction once."""
    index: int
    api_name: str | None  # None: no name (Gradio's api_name may also be False)
    group: str  # its concurrency_id: the endpoint group HttpGuard's limits count in
    input_counts: tuple[int, ...]  # the lengths of `data` Gradio accepts: every input, or only those in the API
    function: Callable[..., Any] | None  # None: a js-only event

    def parameter_names(self) -> list[str]:
        """The Python function's parameter names: what /call/v2/<name> may name (inspect, so not private)."""
        try:
            return [p for p in inspect.signature(self.function).parameters if p != "self"]  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return []


def _endpoint(index: int, fn: Any) -> Endpoint:
    """Relies on BlockFunction's attributes api_name, concurrency_id, inputs and fn, and on each input block's
    skip_api (True for gr.State and the like: the client may leave those out of `data`). Undocumented; if one is
    renamed, building an Endpoint raises AttributeError on the first call, before any event runs."""
    counts = sorted({len(fn.inputs), sum(not block.skip_api for block in fn.inputs)})
    name = fn.api_name if fn.api_name not in (None, False) else None
    return Endpoint(index=index, api_name=name, group=str(fn.concurrency_id), input_counts=tuple(counts),
                    function=fn.fn)


def function_count(blocks: Any) -> int:
    """How many event functions the Blocks has. Relies on Blocks.fns (dict: fn_index -> BlockFunction), which is
    undocumented; the queue's join route names a function by that index and no public API lists them."""
    return len(blocks.fns)


def endpoint_by_index(blocks: Any, index: Any) -> Endpoint | None:
    """The event function a /queue/join names by fn_index, or None. Relies on Blocks.fns keyed by that index (as
    Gradio's own join route reads it); if Gradio re-keys it, every join is refused, which the tests catch."""
    if type(index) is not int or index not in blocks.fns:
        return None
    return _endpoint(index, blocks.fns[index])


def endpoint_by_name(blocks: Any, api_name: str) -> Endpoint | None:
    """The event function a /call/<api_name> names, or None. Relies on Blocks.fns and BlockFunction.api_name, as
    Gradio's call route does; gradio_client's view_api is public but answers over HTTP, not in-process."""
    for index, fn in blocks.fns.items():
        if fn.api_name == api_name and fn.api_name not in (None, False):
            return _endpoint(index, fn)
    return None


def concurrency_groups(blocks: Any) -> set[str]:
    """Every concurrency_id the Blocks' events are in (build.py sizes Gradio's queue from these). Relies on
    Blocks.fns and BlockFunction.concurrency_id; events take concurrency_id publicly but nothing lists them back."""
    return {str(fn.concurrency_id) for fn in blocks.fns.values()}


def make_js_only_events_private(blocks: Any) -> None:
    """Make every event with no Python function (js=... only) private. Gradio leaves such an event "public" when it
    has an api_name, and the API page counts public events but lists only callable ones (it said 11 over a list of
    10). The public way is api_visibility="private" on each such listener; this is the net for all of them at once.
    Relies on writing BlockFunction.api_visibility before the Blocks closes (its config is written then); if Gradio
    stops reading it there, the page's count and list disagree again (tests/test_api_page.py)."""
    for fn in blocks.fns.values():
        if fn.fn is None:
            fn.api_visibility = "private"


# ----- the queue and the sessions (HttpGuard) -----

def event_is_alive(blocks: Any, event_id: str) -> bool:
    """Whether an event is still waiting or running. Relies on Blocks._queue.event_ids_to_events (gradio/queueing.py),
    where Gradio keeps an event from its join until it has finished. No public API tells one event's state to the
    server. If Gradio renames it this raises (a 500 on every queued call, caught by the tests) rather than quietly
    counting nothing, which would lift HttpGuard's per-client limits."""
    return event_id in blocks._queue.event_ids_to_events


def session_is_known(blocks: Any, session_hash: str) -> bool:
    """Whether Gradio already keeps state for this session. Relies on Blocks.state_holder (gradio/state_holder.py
    StateHolder, set at launch) and its __contains__, which does not create the session (its __getitem__ does).
    No public API lists sessions. If it changes, HttpGuard's limit on new sessions per address counts wrongly."""
    return session_hash in blocks.state_holder


def slim_sessions() -> None:
    """Make Gradio's new sessions start without a copy of every component's config.

    Relies on gradio.state_holder.SessionState.__init__ setting `config_values`: a copy of every component's config
    (~0.3 MB a session in this app) read only by the /gradio_api/deep_link route, which this app does not use and
    HttpGuard closes; what a session changes is still recorded there by Gradio. No public setting skips that copy
    (state_session_capacity only bounds the number of sessions). Wrapping __init__ (not rewriting it) keeps every
    other part of a session as Gradio makes it. If Gradio renames the attribute, the patch does nothing and memory
    per session grows again (tests/test_security_requests.py measures it); if a new reader appears, it sees {}."""
    from gradio import state_holder

    original = state_holder.SessionState.__init__
    if getattr(original, "slim", False):
        return

    def __init__(self: Any, blocks: Any) -> None:
        original(self, blocks)
        self.config_values = {}

    __init__.slim = True  # type: ignore[attr-defined]
    state_holder.SessionState.__init__ = __init__


# ----- the API page's lines per argument (demo/api_docs.py) -----

def describe_api_slots(dependency: Any, arguments: Sequence[str], returns: Sequence[tuple[dict[str, Any], str]]) -> None:
    """Write a line for each argument and each returned value of a gr.api endpoint, where the API page reads them.

    Relies on gr.api's slots being gradio.components.api_component.Api blocks whose private `_api_info` is the JSON
    schema the page shows: an argument's line is its "additional_description", a returned value's its "description"
    (Blocks.get_api_info). Found through gradio.context.get_blocks_context(), the Blocks being built. Gradio 6.31 has
    no public way: api_description is one line for the whole endpoint, and a docstring's Args: section feeds only
    the MCP server's schema. If Gradio changes this the lines vanish from the API page (the endpoints still work);
    tests/test_gradio_internals.py reads them back from get_api_info.
    `returns` pairs a schema (replacing the slot's, where the type hint cannot say it; {} keeps it) with a line."""
    from gradio.context import get_blocks_context

    context = get_blocks_context()
    if context is None:
        raise RuntimeError("describe_api_slots runs inside a gr.Blocks, right after gr.api")
    blocks = context.blocks
    for line, block_id in zip(arguments, dependency["inputs"], strict=True):
        slot = blocks[block_id]
        slot._api_info = {**slot._api_info, "additional_description": line}
    for (schema, line), block_id in zip(returns, dependency["outputs"], strict=True):
        slot = blocks[block_id]
        slot._api_info = {**(schema or slot._api_info), "description": line}


# ----- Gradio's file cache (the generated-file store) -----

def cache_folder() -> str:
    """The folder Gradio serves generated files from without copying them: GRADIO_TEMP_DIR, or <tmp>/gradio.
    Relies on gradio.utils.get_upload_folder, an undocumented helper; the environment variable is documented but
    not its default. If Gradio moves its cache, files written here are copied into the cache again (twice the disk)."""
    from gradio.utils import get_upload_folder

    return get_upload_folder()


# ----- the page's HTML (the language chosen before Gradio's bundle runs: demo/static/language.js) -----

# The routes that answer Gradio's page (its index.html template): the app is one page at "/" (no multipage routes).
PAGE_PATHS = frozenset({"/"})
_HEAD_TAG = re.compile(rb"<head(\s[^>]*)?>", re.IGNORECASE)


def insert_in_head(html: bytes, script: bytes) -> bytes:
    """The page's HTML with `script` as the first thing in its <head>, once (a page that has it is returned as is).

    Relies on Gradio's frontend/index.html template: a <head> element whose module scripts (the bundle that reads
    navigator.language to pick its locale, in setupi18n) come after its opening tag, and inline scripts allowed there.
    Gradio 6.31 has no public hook that runs before its bundle: launch(head=...) is inserted by the bundle itself.
    If the template loses its <head>, the page is served unchanged and picks the browser's language (the switch then
    does nothing); tests/test_gradio_internals.py fails first, by name."""
    if script in html:
        return html
    match = _HEAD_TAG.search(html)
    if match is None:
        return html
    return html[:match.end()] + b"\n" + script + html[match.end():]


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")


def page_html_sender(scope: dict[str, Any], send: Callable[..., Any], script: str) -> Callable[..., Any]:
    """An ASGI `send` that puts `script` first in the head of Gradio's page (a GET of a PAGE_PATHS route answered with
    uncompressed text/html) and fixes its Content-Length; every other response goes to `send` untouched.
    The page (Gradio puts its whole config in it: under 1 MB here) is held in memory until its last chunk; other
    routes are never held."""
    if not script or scope.get("method") != "GET" or scope.get("path") not in PAGE_PATHS:
        return send
    encoded = script.encode("utf-8")
    start: dict[str, Any] | None = None
    chunks: list[bytes] = []

    async def sender(message: dict[str, Any]) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            if _header(headers, b"content-type").startswith(b"text/html") and not _header(headers, b"content-encoding"):
                start = message
                return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = insert_in_head(b"".join(chunks), encoded)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return sender
