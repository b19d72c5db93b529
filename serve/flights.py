"""The human flights of the browser sessions (Fly it yourself, on the Agent tab): at most one flight per session,
at most `max_flying` at once, each stepped only inside its own stream (no thread of ours, so no orphan flight).

Why a stream and held keys, not one request per step: the server sets the pace (a step every 20 ms at real time,
40 ms at half speed) and applies whatever action the session's keys hold at that moment, so a key press costs one
small request (sent only when the held keys change) and the wait for the next step, whatever the round trip; one
request per step would cost a round trip per frame and fall behind as soon as a round trip outlasts 20 ms.

The keys reach a flight by its steering key, a secret the flight's own stream hands its page (`steer`; the plain
route serve/fly_keys.py, outside Gradio's queue, whose dispatch cost a key press hundreds of ms). A key steers only
the flight it was made for, so one visitor's keys never steer another's flight. A newer flight of the same session
takes over (the older stream ends); a flight whose stream has not stepped for STALE_S is freed, so a closed page
gives its slot back. Each session keeps
its score (you against the agent, seed by seed) for the page's tally.
"""
from __future__ import annotations

import itertools
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from core.rl.episode import Conditions
from core.rl.flight import Flight, validate_action
from core.rl.model import ActorCritic
from core.validation import KnobError, as_int
from core import limits

MAX_FLYING = limits.MAX_FLYING  # flights at once: each a stream holding a worker of the "fly" group (demo/shared.py GROUPS)
MAX_PER_ADDRESS = 2  # of them from one client address
PACES = {"real": 1 / 50, "half": 1 / 25}  # seconds a step: the game's 50 fps, or half that
# Steps sent together: a stream message costs Gradio's page ~15-20 ms of its main thread (50 messages a second left
# it drawing ~10 frames a second) and the server ~3 ms of CPU (docs/fly.md); 6.25 messages a second (8 steps at real
# time, 4 at half speed) leave the page free to draw every frame, played back from a one-message buffer, and keep a
# long flight's server CPU under 2 s. The server still applies keys at every step.
STEPS_PER_MESSAGE = {"real": 8, "half": 4}
STALE_S = 3.0
MAX_SCORES = 20  # flights kept in a session's tally
MAX_SESSIONS = 500


class Busy(KnobError):
    """Every flight slot is taken; the message says to try again."""


@dataclass
class Keys:
    """The action a session's keys hold now, and the number of the key event that set it (newest wins)."""
    action: int = 0
    seq: int = -1
    set_at: float = 0.0  # when the newest key event arrived (the server's clock)
    applied_seq: int = -1  # the newest key event a step has applied


@dataclass
class Session:
    keys: Keys = field(default_factory=Keys)
    token: int = 0  # the stream flying now (0: none)
    steering: str = ""  # the secret its page sends the keys with (serve/fly_keys.py); "" while nothing flies
    address: str = ""
    last_step: float = 0.0
    scores: list[dict[str, Any]] = field(default_factory=list)


_EVERY_FLIGHTS: "weakref.WeakSet[Flights]" = weakref.WeakSet()  # every Flights of the process, for `steer`


def steer(steering: Any, action: Any, seq: Any) -> bool:
    """The held keys of the flight whose steering key this is now hold `action` (key event `seq`); False when no
    flight has that key (it ended, or it never was). A bad action or seq raises KnobError."""
    if not isinstance(steering, str) or not steering:
        return False
    return any(flights.set_action_by_key(steering, action, seq) for flights in list(_EVERY_FLIGHTS))


def validate_pace(value: Any) -> str:
    if value not in PACES:
        raise KnobError(f"Pace must be one of {', '.join(PACES)}; got {str(value)[:20]!r}.")
    return str(value)


class Flights:
    def __init__(self, max_flying: int = MAX_FLYING, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, steps_per_message: int | None = None) -> None:
        self.max_flying, self.steps_per_message = max_flying, steps_per_message
        self.clock, self.sleep = clock, sleep
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._steering: dict[str, str] = {}  # steering key -> session id, while its flight flies
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)
        _EVERY_FLIGHTS.add(self)

    def _session(self, sid: str) -> Session:
        session = self._sessions.get(sid)
        if session is None:
            session = self._sessions[sid] = Session()
            while len(self._sessions) > MAX_SESSIONS:
                oldest = next(iter(self._sessions))
                if self._sessions[oldest].token:
                    break
                del self._sessions[oldest]
        self._sessions.move_to_end(sid)
        return session

    def flying(self) -> int:
        now = self.clock()
        return sum(1 for s in self._sessions.values() if s.token and now - s.last_step <= STALE_S)

    def set_action(self, sid: str, action: Any, seq: Any) -> None:
        """The session's keys now hold `action` (key event number `seq`; an older event arriving late is ignored)."""
        action, seq = validate_action(action), as_int("Key event", seq, 0, 2**53)
        with self._lock:
            keys = self._session(sid).keys
            if seq > keys.seq:
                keys.action, keys.seq, keys.set_at = action, seq, self.clock()

    def set_action_by_key(self, steering: str, action: Any, seq: Any) -> bool:
        """set_action for the session whose flight this steering key belongs to; False when none of ours has it."""
        with self._lock:
            sid = self._steering.get(steering)
        if sid is None:
            return False
        self.set_action(sid, action, seq)
        return True

    def scores(self, sid: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._session(sid).scores)

    def _take_slot(self, sid: str, address: str) -> int:
        with self._lock:
            session = self._session(sid)
            now = self.clock()
            others = [s for k, s in self._sessions.items() if k != sid and s.token and now - s.last_step <= STALE_S]
            if len(others) >= self.max_flying:
                raise Busy(f"{len(others)} people are flying now, as many as may at once; try again in a few seconds.",
                           "fly.busy", n=len(others))
            if address and sum(s.address == address for s in others) >= MAX_PER_ADDRESS:
                raise Busy(f"{MAX_PER_ADDRESS} flights from your address are flying now; land one, then try again.",
                           "fly.busy_address", n=MAX_PER_ADDRESS)
            self._steering.pop(session.steering, None)  # a newer flight of this session: the older key steers no more
            session.token, session.last_step, session.keys, session.address = next(self._tokens), now, Keys(), address
            session.steering = secrets.token_urlsafe(16)
            self._steering[session.steering] = sid
            return session.token

    def fly(self, sid: str, model: ActorCritic, seed: int, conditions: Conditions, pace: str,
            on_end: Callable[[Flight], dict[str, Any]] | None = None, address: str = "") -> Generator[dict[str, Any], None, None]:
        """Take a slot (or raise Busy), then step the session's flight at `pace`, yielding the terrain (and the
        flight's steering key, for its keys: `steer`) first, then the frames a few steps at a time (each with `seq`, the newest key event applied, and `kw`, the ms that event
        waited for its step), then the summary `on_end` makes of the flight."""
        dt = PACES[validate_pace(pace)]
        batch = self.steps_per_message or STEPS_PER_MESSAGE[pace]
        flight = Flight(model, seed, conditions)
        token = self._take_slot(sid, address)
        session = self._sessions[sid]
        try:
            yield {"kind": "start", **flight.terrain(), "flight": token, "steering": session.steering, "pace": pace,
                   "batch": batch, "frame": {**flight.frame(), "seq": -1}}
            next_t, frames = self.clock(), []
            while not flight.done:
                next_t += dt
                wait = next_t - self.clock()
                if wait > 0:
                    self.sleep(wait)
                else:
                    next_t = self.clock()  # behind (a slow yield): go on from now rather than rush to catch up
                with self._lock:
                    if session.token != token:
                        return  # a newer flight of this session took over
                    keys, now = session.keys, self.clock()
                    action, seq, session.last_step = keys.action, keys.seq, now
                    waited = round(1000 * (now - keys.set_at), 1) if seq > keys.applied_seq else None
                    keys.applied_seq = seq
                frames.append({**flight.step(action), "seq": seq, "kw": waited})
                if len(frames) >= batch or flight.done:
                    yield {"kind": "frames", "frames": frames, "frame": frames[-1]}
                    frames = []
            summary = on_end(flight) if on_end else {}
            with self._lock:
                session.scores = (session.scores + [{"seed": flight.seed, "you": round(flight.total, 1),
                                                     "agent": summary.get("agent", {}).get("return")}])[-MAX_SCORES:]
                scores = list(session.scores)
            yield {"kind": "end", "summary": summary, "scores": scores}
        finally:
            with self._lock:
                if session.token == token:
                    self._steering.pop(session.steering, None)
                    session.token, session.steering = 0, ""
