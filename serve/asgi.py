"""The ASGI pieces the app's own routes beside Gradio share (serve/fly_keys.py, serve/latent_route.py): the types of
`receive` and `send`, and one whole response."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def send_response(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """One HTTP response: its start (status and headers), then its whole body."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
