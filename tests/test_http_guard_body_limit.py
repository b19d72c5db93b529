"""One endpoint group may take a larger request body (the text a visitor trains a GPT on) while every other request
keeps the strict default (serve/http_guard.py GroupLimit.max_body_bytes), checked through the guard in front of a
real gr.Blocks: the body is refused by its size before Gradio sees it, and only once the body names its group."""
from __future__ import annotations

import asyncio
import json

import gradio as gr
import pytest

from serve.http_guard import JOIN, GroupLimit, GuardConfig, HttpGuard

BIG = 1024 * 1024


@pytest.fixture(scope="module")
def blocks() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, echo = gr.Textbox(), gr.Textbox()
        text.submit(lambda s: s, text, echo, api_name="echo")  # fn_index 0: the default group
        text.change(lambda s: s, text, echo, api_name="train", concurrency_id="train")  # fn_index 1: the large one
    return demo


async def downstream(scope, receive, send) -> None:
    body = json.dumps({"event_id": "e1"}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def post(guard: HttpGuard, path: str, fn_index: int, text: str, declare_length: bool = True) -> tuple[int, bytes]:
    body = json.dumps({"fn_index": fn_index, "data": [text], "session_hash": "s1"}).encode()
    headers = [(b"content-type", b"application/json")]
    if declare_length:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "client": ("192.0.2.1", 5000), "headers": headers}
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
    messages = iter([{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(HttpGuard.__call__(guard, scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.fixture()
def guard(blocks: gr.Blocks) -> HttpGuard:
    limits = {"train": GroupLimit(per_session=4, per_address=4, total=8, max_body_bytes=BIG)}
    return HttpGuard(downstream, blocks, GuardConfig(groups=limits, per_address=False))


@pytest.mark.parametrize("declare_length", [True, False])  # Content-Length given, or a chunked body counted as it comes
def test_the_large_group_takes_a_body_past_the_default(guard: HttpGuard, declare_length: bool) -> None:
    status, _ = post(guard, JOIN, 1, "x" * (300 * 1024), declare_length)
    assert status == 200


@pytest.mark.parametrize("declare_length", [True, False])
def test_every_other_group_keeps_the_default(guard: HttpGuard, declare_length: bool) -> None:
    status, body = post(guard, JOIN, 0, "x" * (300 * 1024), declare_length)
    assert status == 413 and b"limited to 64 kB" in body and b"echo" in body
    assert post(guard, JOIN, 0, "x" * 1000, declare_length)[0] == 200


def test_the_large_group_has_its_own_cap(guard: HttpGuard) -> None:
    status, body = post(guard, JOIN, 1, "x" * (BIG + 10))
    assert status == 413 and b"limited to 1024 kB" in body


def test_requests_that_are_not_queue_calls_keep_the_default(guard: HttpGuard) -> None:
    status, body = post(guard, "/gradio_api/info", 1, "x" * (300 * 1024))
    assert status == 413 and b"limited to 64 kB" in body


def test_without_a_large_group_the_default_binds_everywhere(blocks: gr.Blocks) -> None:
    guard = HttpGuard(downstream, blocks, GuardConfig(per_address=False))
    assert post(guard, JOIN, 1, "x" * (300 * 1024))[0] == 413
