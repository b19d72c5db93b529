"""Fly it yourself, below the page: core/rl/flight.py (a flight stepped one action at a time, the agent watching)
and serve/flights.py (the sessions' flights: keys by session, slots, pace), on the shipped agent."""
from __future__ import annotations

import pytest
import torch

from core.rl.episode import Conditions, play_episode
from core.rl.flight import Flight, fly_script, validate_action
from core.rl.pilot import fly_pilot, pilot_action
from core.validation import KnobError
from demo.app_state import AGENT_NAME
from serve.flights import Busy, Flights, steer
from tests.conftest import require_checkpoint


@pytest.fixture(scope="module")
def model(app_state):
    require_checkpoint(AGENT_NAME)
    assert app_state.agent is not None, app_state.notes[AGENT_NAME]
    torch.set_num_threads(1)
    return app_state.agent.model


def test_replaying_the_agents_actions_lands_with_its_return(model):
    episode = play_episode(model, 7, 0.0)
    assert episode["landed"]
    flight = fly_script(model, 7, episode["act"])
    assert flight.landed and not flight.crashed
    assert round(flight.total, 1) == episode["return"] and len(flight.actions) == episode["steps"]


def test_a_key_sequence_crashes_the_same_way_every_time(model):
    keys = [2, 0] * 40 + [1] * 30  # main engine half the time, then the left engine: it tumbles into the ground
    first, second = fly_script(model, 3, keys), fly_script(model, 3, keys)
    assert first.crashed and not first.landed
    assert (first.total, first.actions, first.xs, first.values) == (second.total, second.actions, second.xs, second.values)
    other_seed = fly_script(model, 4, keys)
    assert other_seed.xs != first.xs  # the seed sets the terrain and the start


def test_each_state_comes_with_the_agents_probabilities_and_value(model):
    flight = Flight(model, 5)
    frame = flight.step(2)
    assert frame["i"] == 1 and frame["act"] == 2 and len(frame["p"]) == 4
    assert abs(sum(frame["p"]) - 1) < 1e-3 and frame["ret"] == round(flight.total, 1)
    with torch.no_grad():
        _, value = model(torch.as_tensor(flight.obs).unsqueeze(0))
    assert frame["v"] == round(float(value[0]), 2)


def test_the_end_compares_with_the_agent_on_the_same_seed(model):
    flight = fly_script(model, 9, [0] * 200)  # nothing pressed: it falls
    summary = flight.summary(model)
    agent = play_episode(model, 9, 0.0)
    assert summary["agent"]["return"] == agent["return"] and summary["you"]["return"] == round(flight.total, 1)
    assert len(summary["you"]["x"]) == len(flight.actions) + 1
    assert summary["disagree"] and all(m["p_you"] < 0.5 for m in summary["disagree"])
    steps = [m["i"] for m in summary["disagree"]]
    assert steps == sorted(steps) and all(b - a >= 12 for a, b in zip(steps, steps[1:]))


def test_bad_actions_are_refused(model):
    flight = Flight(model, 1)
    for bad in (4, -1, "main", None, 1.5):
        with pytest.raises(KnobError):
            flight.step(bad)
    assert validate_action("2") == 2 and flight.actions == []


def test_the_scripted_pilot_lands_a_calm_moon():
    total, steps, landed = fly_pilot(0)
    assert landed and total > 200 and 0 < steps <= 1000


class FakeClock:
    """Time that moves only when the flight sleeps: pace tests without waiting."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def test_keys_from_one_session_never_steer_another(model):
    clock = FakeClock()
    flights = Flights(max_flying=4, clock=clock, sleep=clock.sleep, steps_per_message=1)
    a = flights.fly("alice", model, 11, Conditions(), "real")
    b = flights.fly("bob", model, 11, Conditions(), "real")
    next(a), next(b)  # both take off
    flights.set_action("alice", 2, 0)  # alice holds the main engine; bob presses nothing
    alice = [next(a)["frame"] for _ in range(30)]
    bob = [next(b)["frame"] for _ in range(30)]
    assert all(f["act"] == 2 and f["seq"] == 0 for f in alice)
    assert all(f["act"] == 0 and f["seq"] == -1 for f in bob)
    assert alice[-1]["y"] > bob[-1]["y"]
    flights.set_action("bob", 3, 5)
    flights.set_action("bob", 1, 4)  # an older key event arriving late is ignored
    first = next(b)["frame"]
    assert first["act"] == 3 and first["kw"] is not None and next(a)["frame"]["act"] == 2


def test_a_steering_key_steers_its_own_flight_only_and_only_while_it_flies(model):
    clock = FakeClock()
    flights = Flights(max_flying=4, clock=clock, sleep=clock.sleep, steps_per_message=1)
    a = flights.fly("alice", model, 11, Conditions(), "real")
    b = flights.fly("bob", model, 11, Conditions(), "real")
    key_a, key_b = next(a)["steering"], next(b)["steering"]
    assert len(key_a) >= 20 and key_a != key_b  # a secret per flight, given to its own stream alone
    assert steer(key_a, 2, 0) and not steer("not-a-flight", 2, 0) and not steer(None, 2, 0)
    assert next(a)["frame"]["act"] == 2 and next(b)["frame"]["act"] == 0
    with pytest.raises(KnobError):
        steer(key_b, 9, 1)  # an action the lander has not
    again = flights.fly("alice", model, 12, Conditions(), "real")  # alice starts over: the old key steers no more
    key_again = next(again)["steering"]
    assert key_again != key_a and not steer(key_a, 1, 1) and steer(key_again, 1, 1)
    again.close()  # the flight's stream ended: its key is gone with it
    assert not steer(key_again, 2, 2)


def test_pace_and_slots(model):
    clock = FakeClock()
    flights = Flights(max_flying=1, clock=clock, sleep=clock.sleep)
    half = flights.fly("s1", model, 2, Conditions(), "half")
    next(half)
    t0 = clock.t
    messages = [next(half) for _ in range(5)]
    assert [len(m["frames"]) for m in messages] == [4] * 5  # half speed: four steps a message
    assert abs(clock.t - t0 - 20 / 25) < 1e-9  # and a step every 40 ms
    with pytest.raises(Busy):
        next(flights.fly("s2", model, 2, Conditions(), "real"))
    again = flights.fly("s1", model, 2, Conditions(), "real")  # the same session may start over: the newer one flies
    next(again)
    assert list(half) == []
    half.close()
    clock.t += 10  # the flight's stream stopped stepping: its slot is free again
    next(flights.fly("s2", model, 2, Conditions(), "real"))


def test_a_whole_flight_ends_with_its_summary_and_the_sessions_score(model):
    clock = FakeClock()
    flights = Flights(max_flying=2, clock=clock, sleep=clock.sleep)
    events = list(flights.fly("s", model, 9, Conditions(), "real", on_end=lambda f: f.summary(model)))
    assert events[0]["kind"] == "start" and events[-1]["kind"] == "end"
    end = events[-1]
    assert end["scores"] == [{"seed": 9, "you": end["summary"]["you"]["return"], "agent": end["summary"]["agent"]["return"]}]
    assert flights.scores("s") == end["scores"] and flights.scores("other") == []
    assert pilot_action  # the pilot's action function is what core.rl.pilot's CLI flies


def test_one_address_holds_at_most_two_flights(model):
    clock = FakeClock()
    flights = Flights(max_flying=4, clock=clock, sleep=clock.sleep)
    held = [flights.fly(sid, model, 1, Conditions(), "real", address="10.0.0.1") for sid in ("a", "b")]
    for stream in held:  # kept referenced: a stream that is dropped ends its flight and frees its slot
        next(stream)
    with pytest.raises(Busy):
        next(flights.fly("c", model, 1, Conditions(), "real", address="10.0.0.1"))
    next(flights.fly("d", model, 1, Conditions(), "real", address="10.0.0.2"))
