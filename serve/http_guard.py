"""HttpGuard: the ASGI middleware between the internet and Gradio. It refuses, before Gradio reads a byte of the body,
what the playground never needs (uploads, odd or duplicated content types, bodies over a few kB, routes of unused
Gradio features), turns malformed calls into short 4xx answers instead of 500s with tracebacks, caps how many events
one client (one address, and one session) may have waiting or running in each endpoint group so that no visitor can
fill the shared queue, and adds security headers to every response.

Why middleware and not Gradio settings alone: Gradio 6 has no per-client or per-route body limits, reads the last of
two Content-Type headers in one place and the first in another, and answers several malformed bodies with a 500.
Everything here runs on the event loop before Gradio's routes, in O(body) time with the body capped at
GuardConfig.max_body_bytes, so a refusal costs a few microseconds and keeps nothing.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping

from serve import gradio_internals
from serve.gradio_internals import Endpoint

log = logging.getLogger("playground.http_guard")

API = "/gradio_api"
# Gradio routes this app never uses, refused with 404 (why, each): direct calls outside the queue (/run, /api: the
# queue's limits would not apply); uploads (the app has no file inputs); the dev-mode reload stream; the run-history
# page and its Hub-bucket routes; the monitoring dashboard (/monitoring/summary answers anyone with the app's traffic);
# media streaming (no audio/video outputs); the component server (no component here uses server functions); the
# vibe-editing routes; the Spaces file proxy; login/logout (no auth); MCP (off); deep links (no DeepLinkButton).
CLOSED_PREFIXES = tuple(API + p for p in ("/run/", "/api/", "/upload", "/process_recording", "/dev/", "/runs",
                                          "/run-history", "/monitoring", "/stream/", "/component_server", "/vibe-",
                                          "/undo-vibe-edit", "/proxy=", "/mcp", "/deep_link")) + (
    "/monitoring", "/login", "/logout", "/vibe-", "/undo-vibe-edit")
UPLOAD_PREFIXES = (API + "/upload", API + "/process_recording")
REMOTE_FILE = re.compile(r"^/gradio_api/file=(?:[a-z][a-z0-9+.-]*:|//|%2f%2f)", re.IGNORECASE)  # /file=<a URL>: fetched server-side
SESSION_HASH = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
JOIN, CALL, CALL_V2 = API + "/queue/join", API + "/call/", API + "/call/v2/"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# What the browser may load: everything from this origin. Gradio's page has inline scripts and styles, so
# 'unsafe-inline' (its config is an inline script; without it Chromium blocks the app, tests/test_security_browser.py
# shows it), and Gradio 6 builds gr.HTML templates and their js_on_load with Function(), so 'unsafe-eval' (the Agent
# tab's player is a gr.HTML; with 'unsafe-inline' already needed, eval adds no new way in for a script that is not
# the app's own); its theme's fonts are served by the app itself. frame-ancestors lets Hugging Face
# embed the Space and nobody else frame it (clickjacking); X-Frame-Options cannot express that list, so it is not sent.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "font-src 'self' data:; img-src 'self' data: blob:; media-src 'self' data: blob:; "
       "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self' https://huggingface.co")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), usb=(), payment=()")]


@dataclass(frozen=True)
class GroupLimit:
    """Events one client may have waiting or running at once in an endpoint group (a Gradio concurrency_id)."""
    per_session: int
    per_address: int
    total: int  # all clients together: a group can never take the whole queue from the others
    # What a refused visitor is told, for a group whose events run until stopped ("wait for one to finish" would
    # never come true); {who} is "this session", "your address" or "everyone together". "": the general message.
    refusal: str = ""
    # A larger request body for this group's calls alone (a text to train on); None: GuardConfig.max_body_bytes.
    max_body_bytes: int | None = None


@dataclass(frozen=True)
class GuardConfig:
    max_body_bytes: int = 64 * 1024  # a 2 000-character prompt is at most ~12 kB of JSON (\\uXXXX escapes)
    groups: Mapping[str, GroupLimit] = field(default_factory=dict)  # concurrency_id -> limits
    default_group: GroupLimit = GroupLimit(per_session=2, per_address=8, total=16)  # small no-op events (seeds)
    # Gradio keeps memory for every session it sees (less after gradio_internals.slim_sessions, but some),
    # and a call without a session_hash is a session of its own: new sessions per address are a token bucket.
    new_sessions_burst: int = 60
    new_sessions_per_s: float = 1.0
    per_address: bool = True  # off only where many simulated users share one address (bench/load_test.py)
    trust_forwarded_for: bool = False  # behind a proxy that appends the client's address (Hugging Face Spaces)
    # Routes beside Gradio's queue that compute something for each request (a seed's noise for the page-drawn
    # images): path -> (burst, per second), a token bucket per address and path, so no one visitor can keep the
    # server busy with them. Counted only with per_address (bench/load_test.py's users share one address).
    metered_paths: Mapping[str, tuple[int, float]] = field(default_factory=dict)

    def limit(self, group: str) -> GroupLimit:
        return self.groups.get(group, self.default_group)

    def body_limit(self, group: str | None) -> int:
        """The body a call in `group` may send; None: before the group is known (the largest any group allows)."""
        if group is None:
            return max([self.max_body_bytes, *(g.max_body_bytes or 0 for g in self.groups.values())])
        return self.limit(group).max_body_bytes or self.max_body_bytes


def too_large(cap: int, api_name: str | None = None) -> str:
    where = f" for {api_name}" if api_name else ""
    return f"Request bodies{where} are limited to {cap // 1024} kB."


class Refusal(Exception):
    """A request refused before Gradio saw it: HTTP status and a short reason the caller can act on."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class TokenBuckets:
    """One token bucket per key: `burst` tokens, refilled at `rate` a second."""

    def __init__(self, burst: int, rate: float):
        self.burst, self.rate = burst, rate
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self.lock = threading.Lock()

    def take(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, when = self.buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - when) * self.rate)
            if tokens < 1.0:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1.0, now)
            if len(self.buckets) > 10_000:  # forget full buckets: they are the default
                self.buckets = {k: v for k, v in self.buckets.items() if v[0] + (now - v[1]) * self.rate < self.burst}
            return True


class PendingEvents:
    """Event ids each (group, key) has in Gradio's queue, plus joins still being answered (reserved), so that 70
    joins sent at once are counted before any of them gets an event id."""

    def __init__(self, is_alive: Callable[[str], bool]):
        self.is_alive = is_alive
        self.events: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.reserved: dict[tuple[str, str], int] = defaultdict(int)
        self.lock = threading.Lock()

    def count(self, key: tuple[str, str]) -> int:
        live = {e for e in self.events.get(key, ()) if self.is_alive(e)}
        if live:
            self.events[key] = live
        else:
            self.events.pop(key, None)
        return len(live) + self.reserved.get(key, 0)

    def reserve(self, keys: list[tuple[str, str]], limits: list[int]) -> str | None:
        """Reserve a slot under every key, or none: returns which key was full ('session', 'address', 'total')."""
        with self.lock:
            for key, limit in zip(keys, limits):
                if self.count(key) >= limit:
                    return key[1].split(":", 1)[0]
            for key in keys:
                self.reserved[key] += 1
        return None

    def settle(self, keys: list[tuple[str, str]], event_id: str | None) -> None:
        with self.lock:
            for key in keys:
                self.reserved[key] -= 1
                if self.reserved[key] <= 0:
                    del self.reserved[key]
                if event_id is not None:
                    self.events[key].add(event_id)


def _json_response(status: int, detail: str, extra_headers: list[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    body = json.dumps({"detail": detail}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         *extra_headers, *SECURITY_HEADERS]}
    return start, {"type": "http.response.body", "body": body}


class HttpGuard:
    """ASGI middleware; `blocks` is the gr.Blocks being served (its functions name the endpoint groups)."""

    def __init__(self, app: Callable[..., Awaitable[None]], blocks: Any, config: GuardConfig | None = None,
                 page_script: str = ""):
        self.app, self.blocks, self.config = app, blocks, config or GuardConfig()
        # A <script> put first in the page's head (the language choice, demo/i18n.py PAGE_SCRIPT): it must run before
        # Gradio's bundle, which no Gradio hook allows; "" leaves the page as Gradio made it.
        self.page_script = page_script
        self.pending = PendingEvents(self._is_alive)
        self.new_sessions = TokenBuckets(self.config.new_sessions_burst, self.config.new_sessions_per_s)
        self.metered = {path: TokenBuckets(burst, rate) for path, (burst, rate) in self.config.metered_paths.items()}

    # ----- what the served Blocks knows (read through serve/gradio_internals.py, the one module that may) -----
    def _is_alive(self, event_id: str) -> bool:
        return gradio_internals.event_is_alive(self.blocks, event_id)

    def _is_new_session(self, session: str | None) -> bool:
        return session is None or not gradio_internals.session_is_known(self.blocks, session)

    def _fn_by_index(self, fn_index: Any) -> Endpoint:
        endpoint = gradio_internals.endpoint_by_index(self.blocks, fn_index)
        if endpoint is None:
            last = gradio_internals.function_count(self.blocks) - 1
            raise Refusal(422, f"fn_index must be one of this app's function indices (0 to {last})")
        return endpoint

    def _fn_by_name(self, api_name: str) -> Endpoint:
        endpoint = gradio_internals.endpoint_by_name(self.blocks, api_name)
        if endpoint is None:
            raise Refusal(404, f"No endpoint named {api_name[:64]!r}; the app's endpoints are listed at /gradio_api/info")
        return endpoint

    # ----- the checks -----
    def _client_address(self, scope: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> str:
        if self.config.trust_forwarded_for:
            forwarded = [v for k, v in headers if k == b"x-forwarded-for"]
            if forwarded:  # the proxy appends the address it saw: the last entry is the one a client cannot forge
                return forwarded[-1].decode("latin-1").split(",")[-1].strip()
        client = scope.get("client")
        return client[0] if client else "unknown"

    def _check_head(self, scope: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
        path = scope["path"]
        if path.startswith(UPLOAD_PREFIXES):
            raise Refusal(403, "This app takes no file uploads.")
        content_types = [v.strip().lower() for k, v in headers if k == b"content-type"]
        if any(b"multipart/" in v for v in content_types):
            raise Refusal(403, "This app takes no file uploads (multipart bodies are refused).")
        if path.startswith(CLOSED_PREFIXES) or REMOTE_FILE.match(path):
            raise Refusal(404, "Not found (this route is turned off in this app).")
        if len(content_types) > 1:
            raise Refusal(400, "Send one Content-Type header, not several.")
        if scope["method"] in BODY_METHODS and content_types and content_types[0].split(b";")[0].strip() != b"application/json":
            raise Refusal(415, "Request bodies must be JSON (Content-Type: application/json).")
        lengths = [v for k, v in headers if k == b"content-length"]
        if len(lengths) > 1:
            raise Refusal(400, "Send one Content-Length header, not several.")
        cap = self._body_cap(scope)
        if lengths and (not lengths[0].strip().isdigit() or int(lengths[0]) > cap):
            raise Refusal(413, too_large(cap))

    def _check_meter(self, scope: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
        """A metered route's request takes a token from its address's bucket (GuardConfig.metered_paths)."""
        bucket = self.metered.get(scope["path"])
        if bucket is not None and self.config.per_address and not bucket.take(self._client_address(scope, headers)):
            raise Refusal(429, f"Too many requests to {scope['path']} from your address; wait a second and try again.")

    def _body_cap(self, scope: dict[str, Any]) -> int:
        """A queue call's body may be as large as its group allows (checked again once the body names the group);
        every other request keeps the strict default."""
        path = scope["path"]
        is_call = scope["method"] == "POST" and (path == JOIN or path.startswith(CALL))
        return self.config.body_limit(None) if is_call else self.config.max_body_bytes

    async def _read_body(self, receive: Callable[..., Any], cap: int) -> tuple[bytes, list[dict]]:
        """The whole body, counted as it streams (chunked or not), refused once past `cap`; the messages are
        replayed to Gradio unchanged."""
        chunks, size, messages = [], 0, []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise Refusal(413, too_large(cap))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), messages

    def _group_of_call(self, path: str, body: bytes) -> tuple[Endpoint, str | None]:
        """The function a queue call names and the session it comes from (None: no session given)."""
        try:
            payload = json.loads(body) if body else None
        except (ValueError, RecursionError):
            raise Refusal(400, "The body is not valid JSON.") from None
        if not isinstance(payload, dict):
            raise Refusal(422, "The body must be a JSON object.")
        session = payload.get("session_hash")
        if session is not None and (not isinstance(session, str) or not SESSION_HASH.match(session)):
            raise Refusal(422, "session_hash must be 1 to 64 letters, digits, '-' or '_'.")
        if path == JOIN:
            fn = self._fn_by_index(payload.get("fn_index"))
        else:
            name = path[len(CALL_V2):] if path.startswith(CALL_V2) else path[len(CALL):]
            fn = self._fn_by_name(name.strip("/"))
        if len(body) > (cap := self.config.body_limit(fn.group)):  # before its arguments: the size is refused first
            raise Refusal(413, too_large(cap, fn.api_name))
        if path.startswith(CALL_V2):
            known = set(fn.parameter_names())
            unknown = sorted(set(payload) - known - {"session_hash", "oauth_token"})
            if unknown:
                raise Refusal(422, f"Unknown argument(s) {unknown[:5]}; {fn.api_name} takes {sorted(known)}")
            return fn, session
        data = payload.get("data")
        # Gradio checks the count only when the event runs, in the queue, and logs a traceback for each bad one.
        if not isinstance(data, list) or len(data) not in fn.input_counts:
            raise Refusal(422, f"data must be a list of {' or '.join(map(str, fn.input_counts))} input values for "
                               f"{fn.api_name or 'this function'}")
        return fn, session

    def _limit_keys(self, fn: Endpoint, session: str | None, address: str) -> tuple[list[tuple[str, str]], list[int]]:
        group = fn.group
        limit = self.config.limit(group)
        keys, limits = [(group, "total:")], [limit.total]
        if self.config.per_address:
            keys.append((group, f"address:{address}")); limits.append(limit.per_address)
        if session is not None:
            keys.append((group, f"session:{session}")); limits.append(limit.per_session)
        return keys, limits

    # ----- ASGI -----
    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        send = gradio_internals.page_html_sender(scope, send, self.page_script)  # the page alone; others untouched

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in SECURITY_HEADERS if h[0] not in present)]}
            await send(message)

        headers = list(scope.get("headers") or [])
        keys: list[tuple[str, str]] | None = None
        try:
            self._check_head(scope, headers)
            self._check_meter(scope, headers)
            if scope["method"] in BODY_METHODS:
                body, messages = await self._read_body(receive, self._body_cap(scope))
                path = scope["path"]
                if scope["method"] == "POST" and (path == JOIN or path.startswith(CALL)):
                    fn, session = self._group_of_call(path, body)
                    address = self._client_address(scope, headers)
                    keys, limits = self._limit_keys(fn, session, address)
                    full = self.pending.reserve(keys, limits)
                    if full is not None:
                        keys = None
                        who = {"session": "this session", "address": "your address"}.get(full, "everyone together")
                        refusal = self.config.limit(fn.group).refusal
                        raise Refusal(429, refusal.format(who=who) if refusal else
                                      f"Too many requests waiting for {fn.api_name or 'this function'} from {who}; "
                                      "wait for one to finish and try again.")
                    if self.config.per_address and self._is_new_session(session) and not self.new_sessions.take(address):
                        self.pending.settle(keys, None)
                        keys = None
                        raise Refusal(429, "Too many new sessions from your address; reuse a session_hash "
                                           "(gradio_client does) or wait a few seconds.")
                replay = iter(messages)

                async def receive_replayed() -> dict:
                    message = next(replay, None)
                    return message if message is not None else await receive()

                downstream_receive = receive_replayed
            else:
                downstream_receive = receive
        except Refusal as refusal:
            for message in _json_response(refusal.status, refusal.reason,
                                          [(b"retry-after", b"1")] if refusal.status == 429 else []):
                await send(message)
            return

        if keys is None:
            await self._forward(scope, downstream_receive, send_with_headers, lambda: started)
            return
        captured: list[bytes] = []

        async def send_capturing(message: dict) -> None:
            if message["type"] == "http.response.body" and len(captured) < 16:
                captured.append(message.get("body", b""))
            await send_with_headers(message)

        try:
            await self._forward(scope, downstream_receive, send_capturing, lambda: started)
        finally:
            event_id = None
            try:
                event_id = json.loads(b"".join(captured)).get("event_id")
            except (ValueError, AttributeError):
                pass
            self.pending.settle(keys, event_id if isinstance(event_id, str) else None)

    async def _forward(self, scope: dict, receive: Callable, send: Callable, started: Callable[[], bool]) -> None:
        """Gradio, with a last net: an exception from a malformed request that its routes do not catch becomes a 400
        and one log line, not a 500 and a traceback (tests/test_security_requests.py finds such requests)."""
        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - every escaping exception is answered, none is hidden: logged below
            log.warning("refused a malformed request to %s: %s: %.200s", scope.get("path"), type(exc).__name__, exc)
            if started():
                return
            reason = f"Malformed request ({type(exc).__name__}: {str(exc)[:200]})" if isinstance(exc, (TypeError, ValueError, KeyError, IndexError)) \
                else "Malformed request."
            for message in _json_response(400, reason):
                await send(message)
