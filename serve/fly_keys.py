"""The keys of Fly it yourself, on a plain route beside Gradio: `POST /fly/keys` with `{"steering": <the flight's
key>, "a": <action 0-3>, "seq": <the page's key event number>}` answers 204 once the flight holds the action (its
next step applies it), 404 when no flight has that key (it ended), 400 for anything else.

Why not a Gradio event: a key press then waited for Gradio's queue (the join POST, the dispatch to a worker thread)
and took hundreds of ms on a busy machine, where the issue asks for 60 ms. This route answers in the request itself,
with no queue, thread or session: the steering key, a secret the flight's own stream gave its page
(serve/flights.py), is what lets a request steer exactly one flight. An ASGI middleware (inside the HTTP guard,
which still caps what it reads) rather than a FastAPI route, so nothing of Gradio's app is touched."""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from core.validation import KnobError
from serve.asgi import Receive, Send, send_response
from serve.flights import steer
from serve.http_guard import TokenBuckets

PATH = "/fly/keys"
MAX_BODY = 200  # {"steering": "<22 characters>", "a": 2, "seq": 123456}: anything longer is not the page's
# A person changes the held keys a few times a second; a flight's key may send 40 at once and 20 a second after
BUCKET_BURST, BUCKET_RATE = 40, 20.0


class FlyKeysRoute:
    """ASGI middleware: answers POST /fly/keys itself and hands every other request on to `app`."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.buckets = TokenBuckets(BUCKET_BURST, BUCKET_RATE)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("path") != PATH:
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "POST":
            await _answer(send, 405, "POST the held keys: {\"steering\", \"a\", \"seq\"}", [(b"allow", b"POST")])
            return
        body = await _read(receive, MAX_BODY)
        if body is None:
            await _answer(send, 413, f"a key event is at most {MAX_BODY} bytes")
            return
        status, detail = self.keys(body)
        await _answer(send, status, detail)

    def keys(self, body: bytes) -> tuple[int, str]:
        """(HTTP status, what was wrong) for one key event's body."""
        try:
            event = json.loads(body)
            steering, action, seq = event["steering"], event["a"], event["seq"]
        except (ValueError, KeyError, TypeError):
            return 400, "the body must be JSON {\"steering\": <the flight's key>, \"a\": 0-3, \"seq\": <number>}"
        if not isinstance(steering, str) or not self.buckets.take(steering[:64]):
            return 429, "too many key events for this flight; a person changes the held keys a few times a second"
        try:
            return (204, "") if steer(steering, action, seq) else (404, "no flight has this key (it has ended)")
        except KnobError as exc:
            return 400, str(exc)


async def _read(receive: Receive, cap: int) -> bytes | None:
    """The request's body, or None once it passes `cap` bytes."""
    body = b""
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return body
        body += message.get("body", b"")
        if len(body) > cap:
            return None
        if not message.get("more_body"):
            return body


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    content = b"" if status == 204 else json.dumps({"detail": detail}).encode()
    head = [(b"cache-control", b"no-store"), *(headers or [])]
    if content:
        head += [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    await send_response(send, status, head, content)
