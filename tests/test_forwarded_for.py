"""The client's address, which the HTTP guard's per-address caps count by (serve/http_guard.py).

On a Hugging Face Space every request arrives from the proxy, which appends the address it saw to X-Forwarded-For;
whatever a client wrote into that header itself comes before it. So on a Space (SPACE_ID set: demo/build.py
guard_config) the guard takes the LAST entry, and off a Space, where no proxy adds one, it ignores the header: a
client that forges it must not get a fresh address (and with it a fresh share of every queue) per request.

Checked on the guard's address function and end to end through the guard in front of a real gr.Blocks, where the
address decides whether a new session is let in (a token bucket per address).
"""
from __future__ import annotations

import asyncio
import json

import gradio as gr
import pytest

from demo.build import guard_config
from serve.http_guard import JOIN, GuardConfig, HttpGuard

PROXY = ("10.0.0.1", 40000)  # where every request comes from on a Space
VISITOR, OTHER_VISITOR = "203.0.113.7", "198.51.100.2"


def forwarded(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", value.encode())]


def address(trust: bool, headers: list[tuple[bytes, bytes]], client: tuple[str, int] = PROXY) -> str:
    guard = HttpGuard(app=None, blocks=None, config=GuardConfig(trust_forwarded_for=trust))
    return guard._client_address({"client": client}, headers)


@pytest.mark.parametrize("header", [VISITOR,  # no forgery: the proxy's entry alone
                                    f"1.2.3.4, {VISITOR}",  # a forged entry before the proxy's
                                    f"1.2.3.4,5.6.7.8 ,  {VISITOR}",
                                    f"{OTHER_VISITOR}, {VISITOR}"])  # a forged entry that names another visitor
def test_on_a_space_the_address_is_the_entry_the_proxy_appended(header: str) -> None:
    assert address(True, forwarded(header)) == VISITOR


def test_on_a_space_a_forged_header_line_before_the_proxys_does_not_count() -> None:
    # Two header lines, the client's own and then the one the proxy wrote: the last line's last entry counts.
    assert address(True, forwarded("1.2.3.4") + forwarded(f"5.6.7.8, {VISITOR}")) == VISITOR


def test_on_a_space_without_the_header_the_connection_address_is_used() -> None:
    assert address(True, []) == PROXY[0]


@pytest.mark.parametrize("header", ["1.2.3.4", f"1.2.3.4, {VISITOR}", "not an address"])
def test_off_a_space_the_header_is_ignored(header: str) -> None:
    assert address(False, forwarded(header), client=("127.0.0.1", 5000)) == "127.0.0.1"


def test_guard_config_trusts_the_header_only_on_a_space(monkeypatch) -> None:
    monkeypatch.delenv("SPACE_ID", raising=False)
    assert not guard_config().trust_forwarded_for
    monkeypatch.setenv("SPACE_ID", "user/playground")
    assert guard_config().trust_forwarded_for


# ---- through the guard: one new session per address, so the second join from the same address is refused ----------

@pytest.fixture(scope="module")
def blocks() -> gr.Blocks:
    with gr.Blocks() as demo:
        text, echo = gr.Textbox(), gr.Textbox()
        text.submit(lambda s: s, text, echo, api_name="echo")
    return demo


async def downstream(scope, receive, send) -> None:
    """Stands for Gradio's join route: it answers every join it is handed with an event id."""
    body = json.dumps({"event_id": "e1"}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def join_status(guard: HttpGuard, headers: list[tuple[bytes, bytes]], client: tuple[str, int] = PROXY) -> int:
    """POST a join without a session_hash (a new session each) through the guard; the response's status."""
    body = json.dumps({"fn_index": 0, "data": ["hi"], "session_hash": None}).encode()
    scope = {"type": "http", "method": "POST", "path": JOIN, "client": client,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]}
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def one_session_per_address(blocks: gr.Blocks, trust: bool) -> HttpGuard:
    config = GuardConfig(new_sessions_burst=1, new_sessions_per_s=1e-9, trust_forwarded_for=trust)
    return HttpGuard(downstream, blocks, config)


def test_on_a_space_a_forged_entry_does_not_buy_a_visitor_a_new_address(blocks: gr.Blocks) -> None:
    guard = one_session_per_address(blocks, trust=True)
    assert join_status(guard, forwarded(f"1.1.1.1, {VISITOR}")) == 200
    assert join_status(guard, forwarded(f"2.2.2.2, {VISITOR}")) == 429  # same visitor, another forged entry
    assert join_status(guard, forwarded(VISITOR)) == 429
    assert join_status(guard, forwarded(f"{VISITOR}, {OTHER_VISITOR}")) == 200  # another visitor (forging the first)


def test_off_a_space_a_forged_header_does_not_buy_a_new_address(blocks: gr.Blocks) -> None:
    guard = one_session_per_address(blocks, trust=False)
    client = ("192.0.2.9", 5000)
    assert join_status(guard, forwarded("1.1.1.1"), client) == 200
    assert join_status(guard, forwarded("2.2.2.2"), client) == 429
    assert join_status(guard, [], client) == 429
    assert join_status(guard, forwarded("2.2.2.2"), ("192.0.2.10", 5000)) == 200  # another connection address


# ---- the metered route beside Gradio: a seed's noise for the page-drawn images, a token bucket per address ---------

async def answers_200(scope, receive, send) -> None:
    """Stands for LatentRoute: every request it is handed gets a 200."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


def get_status(guard: HttpGuard, path: str, client: tuple[str, int]) -> tuple[int, bytes]:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"class=Dress&seed=1", "client": client,
             "headers": []}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_seeds_noise_is_metered_per_address(monkeypatch) -> None:
    from serve.latent_route import META_PATH, Z_BURST, Z_PATH

    monkeypatch.delenv("SPACE_ID", raising=False)
    guard = HttpGuard(answers_200, None, guard_config())  # the app's own limits
    visitor, other = ("192.0.2.20", 5000), ("192.0.2.21", 5000)
    statuses = [get_status(guard, Z_PATH, visitor)[0] for _ in range(Z_BURST)]
    assert statuses == [200] * Z_BURST  # a seed slider dragged end to end fits in the burst
    status, body = get_status(guard, Z_PATH, visitor)
    assert status == 429 and Z_PATH in json.loads(body)["detail"]
    assert get_status(guard, Z_PATH, other)[0] == 200  # another visitor is not held back
    assert get_status(guard, META_PATH, visitor)[0] == 200  # only the noise route is metered
    unmetered = HttpGuard(answers_200, None, guard_config(per_address=False))  # the load test's shared address
    assert {get_status(unmetered, Z_PATH, visitor)[0] for _ in range(Z_BURST + 5)} == {200}
