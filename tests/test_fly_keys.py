"""The keys route of Fly it yourself (serve/fly_keys.py) as the page calls it, through the app's own middleware
stack (the HTTP guard, then the route): a flight's steering key sets its held action at once; anything else gets a
status and a reason, and never reaches Gradio."""
from __future__ import annotations

import httpx
import pytest

from core.rl.episode import Conditions
from demo.app_state import AGENT_NAME
from serve.flights import Flights
from serve.fly_keys import BUCKET_BURST, FlyKeysRoute
from tests.conftest import require_checkpoint
from tests.test_rl_flight import FakeClock


@pytest.fixture(scope="module")
def flying(app_state):
    """A flight of the shipped agent, held open (a stream that is dropped ends its flight), and its steering key."""
    require_checkpoint(AGENT_NAME)
    clock = FakeClock()
    flights = Flights(max_flying=2, clock=clock, sleep=clock.sleep, steps_per_message=1)
    stream = flights.fly("keys-test", app_state.agent.model, 4, Conditions(), "real")
    key = next(stream)["steering"]
    yield flights, stream, key
    stream.close()


def post(app_url: str, body: bytes | str, method: str = "POST") -> httpx.Response:
    return httpx.request(method, f"{app_url}/fly/keys", content=body, headers={"content-type": "application/json"},
                         timeout=10)


def test_a_key_event_sets_the_flights_held_action_at_once(app_url, flying):
    flights, stream, key = flying
    reply = post(app_url, f'{{"steering": "{key}", "a": 3, "seq": 1}}')
    assert reply.status_code == 204 and reply.content == b""
    assert next(stream)["frame"]["act"] == 3  # the next step applied it
    assert post(app_url, f'{{"steering": "{key}", "a": 1, "seq": 0}}').status_code == 204  # late: kept out
    assert next(stream)["frame"]["act"] == 3


@pytest.mark.parametrize(("body", "status", "fragment"), [
    (b"not json", 400, "must be JSON"),
    (b'{"a": 2, "seq": 1}', 400, "must be JSON"),
    (b'{"steering": "nobody", "a": 2, "seq": 1}', 404, "no flight has this key"),
    (b"x" * 201, 413, "at most 200 bytes"),
])
def test_a_bad_key_event_gets_its_status_and_why(app_url, body, status, fragment):
    reply = post(app_url, body)
    assert reply.status_code == status and fragment in reply.json()["detail"]


def test_a_bad_action_is_refused_by_name_and_get_is_not_allowed(app_url, flying):
    _, _, key = flying
    reply = post(app_url, f'{{"steering": "{key}", "a": 7, "seq": 2}}')
    assert reply.status_code == 400 and "action" in reply.json()["detail"].lower()
    assert post(app_url, b"", method="GET").status_code == 405


def test_a_flood_of_key_events_for_one_flight_is_cut_off(flying):
    """A person changes the held keys a few times a second: of 60 events at once for one flight, the first 40 (the
    burst) are taken and the rest get 429 (the route's own answer, called directly so the burst is not spread over
    60 round trips)."""
    _, _, key = flying
    route = FlyKeysRoute(app=None)
    statuses = [route.keys(f'{{"steering": "{key}", "a": 0, "seq": {n + 100}}}'.encode())[0] for n in range(60)]
    assert statuses == [204] * BUCKET_BURST + [429] * (60 - BUCKET_BURST)
