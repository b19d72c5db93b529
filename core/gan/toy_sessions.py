"""The live 2-D GANs of the browser sessions: one Toy2DGAN per session, trained only inside that session's own
requests (a timer tick trains a few steps and returns the view), so nothing trains when nobody is watching: no
thread, no orphan. A session counts as playing from its play request until it pauses, ends, or stops ticking for
ACTIVE_WINDOW_S; at most `max_playing` play at once (beyond that: Busy, "try again"), and each session trains at
most `max_steps` steps before it must reset. Idle sessions are dropped after IDLE_TTL_S, the oldest first beyond
`max_sessions`.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

import torch

from core.gan.toy2d import Toy2DGAN, ToyKnobs
from core.validation import KnobError, as_int

ACTIVE_WINDOW_S = 3.0  # a playing session that has not ticked for this long (tab closed, network gone) frees its slot
IDLE_TTL_S = 900.0
MAX_STEPS_PER_TICK = 20


class Busy(KnobError):
    """Too many sessions are training at once; the message says to try again."""


class ToySessions:
    def __init__(self, max_playing: int, max_steps: int, max_sessions: int = 500) -> None:
        self.max_playing, self.max_steps, self.max_sessions = max_playing, max_steps, max_sessions
        self._gans: OrderedDict[str, Toy2DGAN] = OrderedDict()  # session -> its GAN, least recently used first
        self._seen: dict[str, float] = {}
        self._playing: dict[str, float] = {}  # session -> last tick time
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # ----- bookkeeping -----
    def _forget_stale(self, now: float) -> None:
        for sid, last in list(self._playing.items()):
            if now - last > ACTIVE_WINDOW_S:
                del self._playing[sid]
        for sid in [s for s, t in self._seen.items() if now - t > IDLE_TTL_S and s not in self._playing]:
            self._drop(sid)
        while len(self._gans) > self.max_sessions:
            self._drop(next(iter(self._gans)))

    def _drop(self, sid: str) -> None:
        self._gans.pop(sid, None), self._seen.pop(sid, None), self._playing.pop(sid, None), self._locks.pop(sid, None)

    def _gan(self, sid: str, knobs: ToyKnobs, seed: int | None = None) -> tuple[Toy2DGAN, threading.Lock]:
        """The session's GAN (made if new or if `seed` asks for a fresh one) and its lock; knobs applied."""
        if not isinstance(sid, str) or not sid:
            raise KnobError("This needs a browser session; reload the page.")
        knobs = knobs.validated()
        now = time.monotonic()
        with self._lock:
            self._forget_stale(now)
            lock = self._locks.setdefault(sid, threading.Lock())
            gan = self._gans.get(sid)
            self._seen[sid] = now
        if gan is None or seed is not None:
            with torch.no_grad():
                gan = Toy2DGAN(knobs, seed=0 if seed is None else seed)
            with self._lock:
                self._gans[sid] = gan
        with self._lock:
            self._gans.move_to_end(sid)
        return gan, lock

    def playing_count(self) -> int:
        with self._lock:
            self._forget_stale(time.monotonic())
            return len(self._playing)

    # ----- what the UI calls -----
    def play(self, sid: str, knobs: ToyKnobs) -> dict[str, Any]:
        """Take a training slot (Busy if none is free) and return the view."""
        gan, lock = self._gan(sid, knobs)
        with self._lock:
            if sid not in self._playing and len(self._playing) >= self.max_playing:
                raise Busy(f"Busy: {self.max_playing} sessions are training a GAN right now (the limit on this "
                           "server). Try again in a moment, or use 'One step'.")
            if gan.steps >= self.max_steps:
                raise KnobError(f"This GAN has trained its {self.max_steps} steps (the cap per session): press Reset.")
            self._playing[sid] = time.monotonic()
        with lock:
            return gan.view()

    def pause(self, sid: str) -> None:
        with self._lock:
            self._playing.pop(sid, None)

    def tick(self, sid: str, knobs: ToyKnobs, steps: Any) -> tuple[dict[str, Any], bool]:
        """Train `steps` steps (knobs applied first) if this session holds a slot; (view, still playing)."""
        steps = as_int("steps per frame", steps, 1, MAX_STEPS_PER_TICK)
        gan, lock = self._gan(sid, knobs)
        with self._lock:
            playing = sid in self._playing or len(self._playing) < self.max_playing
            if playing:
                self._playing[sid] = time.monotonic()
        if not playing:
            raise Busy(f"Busy: {self.max_playing} sessions are training a GAN right now. Try again in a moment.")
        with lock:
            gan.set_knobs(knobs)
            gan.train(min(steps, self.max_steps - gan.steps))
            view = gan.view()
        if gan.steps >= self.max_steps:
            self.pause(sid)
            return view, False
        return view, True

    def step(self, sid: str, knobs: ToyKnobs) -> dict[str, Any]:
        """One step (knobs.d_steps D updates, one G update), without a slot: it is one click's worth of work."""
        gan, lock = self._gan(sid, knobs)
        with lock:
            gan.set_knobs(knobs)
            if gan.steps >= self.max_steps:
                raise KnobError(f"This GAN has trained its {self.max_steps} steps (the cap per session): press Reset.")
            gan.step()
            return gan.view()

    def reset(self, sid: str, knobs: ToyKnobs, seed: Any) -> dict[str, Any]:
        seed = as_int("seed", seed, 0, 2**31 - 1)
        gan, lock = self._gan(sid, knobs, seed=seed)
        with lock:
            return gan.view()

    def view(self, sid: str, knobs: ToyKnobs) -> dict[str, Any]:
        gan, lock = self._gan(sid, knobs)
        with lock:
            return gan.view()

    def end(self, sid: str) -> None:
        """The browser session ended: drop its GAN and its slot."""
        with self._lock:
            self._drop(sid)
