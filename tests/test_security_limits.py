"""The queue's limits against `python app.py`, with clients on distinct loopback addresses (127.0.0.2, .3, ...: Linux
routes all of 127/8 to this machine): one visitor's flood is capped per address, per session and per endpoint group,
the others keep being served, and a slider image does not wait behind a queue of grids.
"""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from demo.build import GROUP_LIMITS

API = "/gradio_api"
HEAVY, GPT, TOY_PLAY = GROUP_LIMITS["gan-heavy"], GROUP_LIMITS["gpt"], GROUP_LIMITS["toy-gan-play"]


def client(url: str, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url + API, timeout=120, transport=httpx.AsyncHTTPTransport(local_address=address))


async def call(http: httpx.AsyncClient, name: str, data: list, **extra) -> tuple[int, str]:
    response = await http.post(f"/call/{name}", json={"data": data, **extra})
    return response.status_code, response.json().get("event_id") or response.json()["detail"]


async def result(http: httpx.AsyncClient, name: str, event_id: str) -> str:
    """The final SSE event's kind ('complete' or 'error') once the event has finished (a failure after 60 s)."""
    return await asyncio.wait_for(_result(http, name, event_id), 60)


async def _result(http: httpx.AsyncClient, name: str, event_id: str) -> str:
    kind = None
    async with http.stream("GET", f"/call/{name}/{event_id}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line[len("event: "):]
                if kind in ("complete", "error"):
                    return kind
    return str(kind)


def run(scenario) -> None:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


@pytest.fixture(scope="module")
def url(app_process) -> str:
    return app_process[0]


@pytest.fixture(scope="module")
def image_data(url) -> list:
    n = len(httpx.get(f"{url}{API}/info", timeout=10).json()["named_endpoints"]["/image"]["parameters"])
    return ["Bag", 3, 1.0] + [0.0] * (n - 3)


GRID = ["random", 0, 64, 1.0]  # the biggest grid: ~0.1-0.3 s, and the group runs one at a time
_gif_seeds = iter(range(10**6, 2 * 10**6))


def gif() -> list:
    """A distinct 60-frame GIF each time (~0.3 s or more; same knobs would reuse the file): a flood's slow work,
    slow enough that a burst of requests all arrives before the first is done."""
    return [0, next(_gif_seeds), "random", 60, 1.0]


def test_one_address_gets_its_share_of_gifs_and_another_address_is_still_served(url, image_data):
    async def scenario():
        async with client(url, "127.0.0.2") as flood, client(url, "127.0.0.3") as other:
            sent = await asyncio.gather(*[call(flood, "interpolate", gif()) for _ in range(12)])
            accepted = [e for status, e in sent if status == 200]
            refused = [e for status, e in sent if status == 429]
            assert len(accepted) == HEAVY.per_address and len(refused) == 12 - HEAVY.per_address, sent
            assert "your address" in refused[0]
            status, grid_event = await call(other, "grid", GRID)  # another visitor's grid is accepted
            assert status == 200
            status, image_event = await call(other, "image", image_data)
            assert status == 200
            # The image finishes while GIFs are still queued: it is not in their line (gan-heavy vs gan-image).
            image_done = asyncio.create_task(result(other, "image", image_event))
            grids_done = [asyncio.create_task(result(flood, "interpolate", e)) for e in accepted]
            assert await image_done == "complete"
            assert not all(task.done() for task in grids_done)
            assert await asyncio.gather(*grids_done) == ["complete"] * len(accepted)
            assert await result(other, "grid", grid_event) == "complete"
            # Finished events free the slots: the same address may queue again.
            status, again = await call(flood, "grid", GRID)
            assert status == 200 and await result(flood, "grid", again) == "complete"

    run(scenario)


def test_one_session_may_not_queue_more_than_its_share(url):
    async def scenario():
        async with client(url, "127.0.0.4") as http:
            sent = [await call(http, "interpolate", gif(), session_hash="one-session") for _ in range(HEAVY.per_session + 2)]
            assert [s for s, _ in sent].count(200) == HEAVY.per_session and "this session" in sent[-1][1], sent
            # Not read back: one session's event stream carries all its events' messages, so the first reader would
            # take the others'. Two GIFs take about a second; the group must be idle for the next test.
            await asyncio.sleep(4)

    run(scenario)


def test_all_addresses_together_cannot_take_a_whole_group(url):
    addresses = [f"127.0.0.{i}" for i in range(10, 10 + HEAVY.total // HEAVY.per_address + 2)]

    async def scenario():
        clients = [client(url, a) for a in addresses]
        try:
            sent = await asyncio.gather(*[call(c, "interpolate", gif()) for c in clients for _ in range(HEAVY.per_address)])
            accepted = [(c, e) for c, (status, e) in zip([c for c in clients for _ in range(HEAVY.per_address)], sent) if status == 200]
            assert len(accepted) == HEAVY.total and any("everyone together" in str(e) for _, e in sent), sent
            await asyncio.gather(*[result(c, "interpolate", e) for c, e in accepted])
        finally:
            for c in clients:
                await c.aclose()

    run(scenario)


def test_a_flood_of_text_streams_is_capped_and_other_visitors_still_get_bars(url):
    """The issue's flood: 70 /call/generate in a moment from one client used to fill the shared queue for minutes."""
    async def scenario():
        async with client(url, "127.0.0.20") as flood, client(url, "127.0.0.21") as other:
            sent = await asyncio.gather(*[call(flood, "generate", ["ROMEO:\n", 0.8, 40, 0.95, 200, i]) for i in range(70)])
            accepted = [e for status, e in sent if status == 200]
            assert len(accepted) == GPT.per_address and sum(s == 429 for s, _ in sent) == 70 - GPT.per_address
            status, bars = await call(other, "next_tokens", ["ROMEO:\n", 0.8, 40, 0.95])
            assert status == 200 and await result(other, "next_tokens", bars) == "complete"
            await asyncio.gather(*[result(flood, "generate", e) for e in accepted])

    run(scenario)


def test_direct_run_routes_that_skip_the_queue_are_closed(url, image_data):
    for route in ("run", "api"):
        response = httpx.post(f"{url}{API}/{route}/image", json={"data": image_data}, timeout=10)
        assert response.status_code == 404 and json.loads(response.text)["detail"]


async def first_status(http: httpx.AsyncClient, name: str, event_id: str) -> str:
    """The first data line of a streaming event that carries a status message ("Training..." or "Busy...")."""
    async with http.stream("GET", f"/call/{name}/{event_id}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: ") and ("Training" in line or "Busy" in line):
                return line
    return ""


def test_one_address_cannot_hold_every_gan_playground_slot(url):
    """A Play stream trains whether or not anyone reads it (up to the cap per session), so one address may hold only
    some of the training slots: another visitor still gets one."""
    knobs = ["ring", "non-saturating", "adam", 0.001, 0.001, 1, 1]

    async def scenario():
        async with client(url, "127.0.0.30") as flood, client(url, "127.0.0.31") as other:
            sessions = [f"toy-flood-{i}" for i in range(TOY_PLAY.per_address + 1)]
            sent = [await call(flood, "toy_gan_play", knobs, session_hash=s) for s in sessions]
            assert [s for s, _ in sent].count(200) == TOY_PLAY.per_address and "your address" in sent[-1][1], sent
            assert "pause it in another tab" in sent[-1][1]  # what to do, not "wait for one to finish" (it never does)
            status, event = await call(other, "toy_gan_play", knobs, session_hash="toy-other")
            assert status == 200
            assert "Training" in await asyncio.wait_for(first_status(other, "toy_gan_play", event), 60)  # not "Busy"
            for session in [*sessions[:TOY_PLAY.per_address], "toy-other"]:
                assert (await call(flood if session != "toy-other" else other, "toy_gan_pause", [], session_hash=session))[0] == 200
            for (status, e), session in zip(sent, sessions):
                if status == 200:
                    assert await result(flood, "toy_gan_play", e) == "complete"  # paused: the stream ends

    run(scenario)
