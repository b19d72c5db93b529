"""The live 2-D GANs of the browser sessions: one Toy2DGAN per session, trained only inside that session's own
requests (its Play stream, or One step): no thread of ours, so no orphan training.

`play` takes one of `max_playing` training slots (beyond that: Busy, "try again") and returns a stream that trains
the session's current `speed` steps and yields the view, one frame every `frame_s` seconds: the server sets the pace,
so the page redraws 12 times a second whatever the round trip (a browser timer asking for each frame gets half that
once a round trip outlasts its interval). Knobs sent while it plays (`set_knobs`) apply at once. The stream ends when
the session pauses, ends (the page closed), plays again (the newer stream takes over) or reaches `max_steps`; when
the page's connection drops, Gradio stops iterating it, and a slot whose stream has not produced a frame for STALE_S
is freed. A client that starts a stream and never reads it keeps it training up to `max_steps`: the slots, and the
HTTP guard's per-address share of them (demo/build.py), bound what that can take from others. Idle sessions are
dropped after IDLE_TTL_S, the oldest first beyond `max_sessions`.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Generator
from typing import Any

import torch

from core import limits
from core.gan.toy2d import Toy2DGAN, ToyKnobs
from core.validation import KnobError, as_int

FRAME_S = 1 / 12  # 12 frames a second: the page is to redraw at least 10 times a second, with room for a late frame
STALE_S = 3.0  # a playing slot whose stream has not produced a frame for this long is freed
IDLE_TTL_S = 900.0
MAX_STEPS_PER_FRAME = 20

View = dict[str, Any]


class Busy(KnobError):
    """Too many sessions are training at once; the message says to try again."""


class ToySessions:
    def __init__(self, max_playing: int, max_steps: int, max_sessions: int = 500) -> None:
        self.max_playing, self.max_steps, self.max_sessions = max_playing, max_steps, max_sessions
        self._gans: OrderedDict[str, Toy2DGAN] = OrderedDict()  # session -> its GAN, least recently used first
        self._seen: dict[str, float] = {}
        self._speed: dict[str, int] = {}  # session -> steps per frame
        self._playing: dict[str, tuple[int, float]] = {}  # session -> (its stream's token, time of its last frame)
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)

    # ----- bookkeeping -----
    def _forget_stale(self, now: float) -> None:
        for sid, (_, last) in list(self._playing.items()):
            if now - last > STALE_S:
                del self._playing[sid]
        for sid in [s for s, t in self._seen.items() if now - t > IDLE_TTL_S and s not in self._playing]:
            self._drop(sid)
        while len(self._gans) > self.max_sessions:
            self._drop(next(iter(self._gans)))

    def _drop(self, sid: str) -> None:
        for table in (self._gans, self._seen, self._speed, self._playing, self._locks):
            table.pop(sid, None)

    def _gan(self, sid: str, knobs: ToyKnobs, seed: int | None = None) -> tuple[Toy2DGAN, threading.Lock]:
        """The session's GAN (made with `knobs` if new, or if `seed` asks for a fresh one) and its lock."""
        if not isinstance(sid, str) or not sid:
            raise KnobError("This needs a browser session; reload the page.", "errors.toy_session")
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

    def _cap_reached(self) -> KnobError:
        return KnobError(f"This GAN has trained its {self.max_steps} steps (the cap per session): press Reset.",
                         "errors.toy_cap", steps=self.max_steps)

    def playing_count(self) -> int:
        with self._lock:
            self._forget_stale(time.monotonic())
            return len(self._playing)

    # ----- what the UI calls -----
    def play(self, sid: str, knobs: ToyKnobs, speed: Any, frame_s: float = FRAME_S) -> Generator[View, None, str]:
        """Take a training slot (Busy if none is free) and return the stream of frames (see the module's docstring).
        The stream's return value says why it ended: "paused" (pause, end, a newer play or a stale slot) or "cap"."""
        speed = as_int("steps per frame", speed, 1, MAX_STEPS_PER_FRAME)
        gan, lock = self._gan(sid, knobs)
        with lock:
            gan.set_knobs(knobs)
        with self._lock:
            if sid not in self._playing and len(self._playing) >= self.max_playing:
                raise Busy(f"Busy: {self.max_playing} sessions are training a GAN right now (the limit on this "
                           "server). Try again in a moment, or use 'One step'.", "errors.toy_busy", count=self.max_playing)
            if gan.steps >= self.max_steps:
                raise self._cap_reached()
            token = next(self._tokens)
            self._playing[sid], self._speed[sid] = (token, time.monotonic()), speed
        return self._frames(sid, token, frame_s)

    def _frames(self, sid: str, token: int, frame_s: float) -> Generator[View, None, str]:
        next_frame = time.monotonic()
        try:
            while True:
                with self._lock:
                    if self._playing.get(sid, (None, 0.0))[0] != token or sid not in self._gans:
                        return "paused"
                    now = time.monotonic()
                    self._playing[sid], self._seen[sid] = (token, now), now
                    gan, lock, speed = self._gans[sid], self._locks[sid], self._speed.get(sid, 1)  # Reset may swap the GAN
                with lock:
                    gan.train(min(speed, self.max_steps - gan.steps))
                    view, capped = gan.view(), gan.steps >= self.max_steps
                yield view
                if capped:
                    return "cap"
                next_frame = max(next_frame + frame_s, time.monotonic())  # late: the next frame comes at once, no burst
                time.sleep(max(0.0, next_frame - time.monotonic()))
        finally:  # ended, or closed by the server: free the slot unless a newer stream holds it
            with self._lock:
                if self._playing.get(sid, (None, 0.0))[0] == token:
                    del self._playing[sid]

    def set_knobs(self, sid: str, knobs: ToyKnobs, speed: Any) -> View:
        """Apply knobs now (a playing stream trains with them from its next frame) and return the view."""
        speed = as_int("steps per frame", speed, 1, MAX_STEPS_PER_FRAME)
        gan, lock = self._gan(sid, knobs)
        with lock:
            gan.set_knobs(knobs)
            self._speed[sid] = speed
            return gan.view()

    def pause(self, sid: str) -> None:
        with self._lock:
            self._playing.pop(sid, None)

    def step(self, sid: str, knobs: ToyKnobs) -> View:
        """One step (knobs.d_steps D updates, one G update), without a slot: it is one click's worth of work."""
        gan, lock = self._gan(sid, knobs)
        with lock:
            gan.set_knobs(knobs)
            if gan.steps >= self.max_steps:
                raise self._cap_reached()
            gan.step()
            return gan.view()

    def reset(self, sid: str, knobs: ToyKnobs, seed: Any) -> View:
        seed = as_int("seed", seed, 0, limits.MAX_SEED)
        gan, lock = self._gan(sid, knobs, seed=seed)
        with lock:
            return gan.view()

    def end(self, sid: str) -> None:
        """The browser session ended: drop its GAN and its slot (its stream stops at its next frame)."""
        with self._lock:
            self._drop(sid)
