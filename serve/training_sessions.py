"""The visitors' training runs: one small GPT per browser session, trained on its text in a background thread.

Training is the heaviest thing the app does (a whole CPU core while it runs), so it has slots of its own:
`max_running` runs at once in the whole app and `per_address` from one client address; each browser session may
train `cap_s` seconds in all (Train and Continue together). A run ends when Stop is pressed, the session's time is
used up, or the page closes (`end`). The thread runs at the lowest CPU priority (nice 19) with torch on one thread, so
the web server's own threads (images, text, bars) come first on a busy machine.

The page does not drive the training: it only reads `TrainingRun.view()` a few times a second, so a slow or closed
page never slows the run, and a run whose page is gone still ends at its cap. When a run ends, `on_end(session,
run)` is called from its thread (the app registers the visitor's model there, see demo/own_text_handlers.py).
"""
from __future__ import annotations

import atexit
import os
import threading
import weakref
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import torch
from cachetools import TTLCache

from core.gpt.train_quick import PreparedText, QuickSize, QuickTrainer
from core.validation import KnobError

MAX_RUNNING = 2  # trainings at once in the whole app (two CPU cores; each run takes one)
PER_ADDRESS = 1  # trainings at once from one client address
CAP_S = 180.0  # training seconds per browser session, Train and Continue together
EVAL_EVERY_S = 0.5  # held-out loss at least this far apart (and at least 4x its own cost apart: see _due)
SAMPLE_EVERY_S = 3.0  # a new sample from the same prompt and seed at least this far apart
FIRST_SAMPLE_S = 1.0  # the first sample after this much training: the first loss points come first
SAMPLE_CHARS = 160
KEPT_TRAINERS = 8  # stopped runs kept so that Continue can resume them (a trainer holds its optimiser: a few MB)
KEPT_HOURS = 1.0
NICE = 19
EXIT_WAIT_S = 10.0  # how long the interpreter's exit waits for the running trainings to stop


class TrainingRefused(KnobError):
    """A training that cannot start now (slots, the cap, nothing to continue); the message says what to do."""


@dataclass(frozen=True)
class RunView:
    """What the page shows of a run at one moment (copied under the run's lock: the thread goes on meanwhile)."""
    state: str  # "running", "stopped", "capped" (the session's time is used up) or "failed"
    steps: int
    seconds: float  # this session's training time so far, every run included
    cap_s: float
    steps_per_s: float
    train: tuple[tuple[int, float], ...]  # (step, training loss) of every step
    held_out: tuple[tuple[int, float], ...]  # (step, held-out loss), step 0 first
    best_val: float
    best_step: int
    prompt: str
    sample: str  # the best model's continuation of prompt so far ("" before the first)
    sample_step: int
    version: int  # grows with every change: the page sends an update only when it grew


class TrainingRun:
    """One run of a QuickTrainer in a thread; `view()` is what the page reads."""

    def __init__(self, trainer: QuickTrainer, prompt: str, sample_seed: int, used_s: float, cap_s: float) -> None:
        self.trainer, self.prompt, self.sample_seed, self.cap_s = trainer, prompt, sample_seed, cap_s
        self.used_s = used_s  # the session's training seconds before and during this run
        self.train: list[tuple[int, float]] = []
        self.held_out: list[tuple[int, float]] = [(0, trainer.start_val)]
        self.sample, self.sample_step = "", -1
        self.state, self.version = "running", 0
        self.error = ""
        self.started_steps, self.run_seconds = trainer.steps, 0.0
        self.lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.thread: threading.Thread | None = None

    # ----- the thread -----
    def train_until_stopped(self) -> None:
        """Step, measure and sample until Stop or the cap (the thread's body)."""
        lower_priority()
        torch.set_num_threads(1)  # already so in the app (demo/app_state.py); a test may have more
        trainer, started = self.trainer, time.monotonic()
        last_eval, last_sample = started, started - SAMPLE_EVERY_S + FIRST_SAMPLE_S  # the first points come first
        eval_cost = sample_cost = 0.0
        try:
            while not self.stop_requested.is_set() and self.used_s < self.cap_s:
                began = time.monotonic()
                loss = trainer.step()
                now = time.monotonic()
                measured = None
                if _due(now - last_eval, EVAL_EVERY_S, eval_cost):
                    measured = trainer.evaluate()
                    last_eval, eval_cost = time.monotonic(), time.monotonic() - now
                with self.lock:
                    self.train.append((trainer.steps, loss))
                    if measured is not None:
                        self.held_out.append((trainer.steps, measured))
                    self.used_s += time.monotonic() - began
                    self.run_seconds = time.monotonic() - started
                    self.version += 1
                if _due(time.monotonic() - last_sample, SAMPLE_EVERY_S, sample_cost):
                    began = time.monotonic()
                    self._sample()
                    last_sample, sample_cost = time.monotonic(), time.monotonic() - began
                    with self.lock:
                        self.used_s += sample_cost
            self._finish("capped" if self.used_s >= self.cap_s else "stopped")
        except Exception as exc:  # noqa: BLE001 - a run must end with a state the page can show, whatever went wrong
            with self.lock:
                self.state, self.error, self.version = "failed", f"{type(exc).__name__}: {exc}", self.version + 1

    def _finish(self, state: str) -> None:
        """The last held-out loss and sample (the best weights' own), then the state the page shows."""
        if self.trainer.steps > (self.held_out[-1][0] if self.held_out else 0):
            measured = self.trainer.evaluate()
            with self.lock:
                self.held_out.append((self.trainer.steps, measured))
        self._sample()
        with self.lock:
            self.state, self.version = state, self.version + 1

    def _sample(self) -> None:
        text = self.trainer.sample(self.prompt, SAMPLE_CHARS, self.sample_seed)
        with self.lock:
            self.sample, self.sample_step, self.version = text, self.trainer.best_step, self.version + 1

    # ----- what the page reads -----
    @property
    def running(self) -> bool:
        return self.state == "running"

    def view(self) -> RunView:
        with self.lock:
            steps = self.trainer.steps
            rate = (steps - self.started_steps) / self.run_seconds if self.run_seconds > 0 else 0.0
            return RunView(self.state, steps, self.used_s, self.cap_s, rate, tuple(self.train), tuple(self.held_out),
                           self.trainer.best_val, self.trainer.best_step, self.prompt, self.sample, self.sample_step,
                           self.version)

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


def _due(since: float, every: float, cost: float) -> bool:
    """Whether a periodic measurement is due: `every` seconds apart, and at least 4x its own cost apart, so that a
    slow evaluation (a larger model, a busy machine) never takes more than a fifth of the training time."""
    return since >= max(every, 4 * cost)


def lower_priority() -> None:
    """This thread at nice NICE (Linux: a thread's id is a process id to setpriority), so that the server's other
    threads come first when the cores are busy; elsewhere it stays as it is."""
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except OSError:
            pass


@dataclass
class _Session:
    run: TrainingRun | None = None
    address: str = ""


class TrainingSessions:
    """Every browser session's training run, the slots and the cap (see the module's docstring)."""

    def __init__(self, max_running: int = MAX_RUNNING, per_address: int = PER_ADDRESS, cap_s: float = CAP_S,
                 on_end: Callable[[str, TrainingRun], None] | None = None, kept: int = KEPT_TRAINERS) -> None:
        self.max_running, self.per_address, self.cap_s, self.on_end, self.kept = max_running, per_address, cap_s, on_end, kept
        self._sessions: OrderedDict[str, _Session] = OrderedDict()  # least recently started first
        self._used: TTLCache[str, float] = TTLCache(maxsize=100_000, ttl=KEPT_HOURS * 3600 * 4)  # seconds per session
        self._lock = threading.Lock()

    def _running(self) -> list[tuple[str, _Session]]:
        return [(sid, s) for sid, s in self._sessions.items() if s.run is not None and s.run.running]

    def running_count(self) -> int:
        with self._lock:
            return len(self._running())

    def used_seconds(self, sid: str) -> float:
        with self._lock:
            return self._used.get(sid, 0.0)

    def _check_slot(self, sid: str, address: str) -> None:
        """Refuse a run this session may not start now (called under the lock)."""
        if not sid:
            raise TrainingRefused("Training needs a browser session; reload the page.")
        running = self._running()
        if any(other == sid for other, _ in running):
            raise TrainingRefused("Your model is already training: press Stop first (Continue then goes on from there).")
        if self._used.get(sid, 0.0) >= self.cap_s:
            raise TrainingRefused(f"This session has used its {self.cap_s:.0f} s of training (the cap per visitor). "
                                  "Your model stays: use it in the Text tab, or download it.")
        if sum(1 for _, s in running if s.address == address) >= self.per_address:
            raise TrainingRefused("A training from your address is already running (one at a time per address): stop "
                                  "it in your other tab or window, then press Train again.")
        if len(running) >= self.max_running:
            raise TrainingRefused(f"Busy: {self.max_running} visitors are training a model right now (the limit on "
                                  "this server). Try again in a minute.")

    def start(self, sid: str, address: str, prepared: PreparedText, size: QuickSize, seed: int, prompt: str) -> TrainingRun:
        """A new model on `prepared`, trained in a thread from now on; TrainingRefused when no slot is free."""
        with self._lock:
            self._check_slot(sid, address)  # before the model is made: a refusal costs nothing
        return self._launch(sid, address, QuickTrainer(prepared, size, seed), prompt, seed)

    def resume(self, sid: str, address: str) -> TrainingRun:
        """Go on training this session's last model (Continue); TrainingRefused when there is none or no slot."""
        with self._lock:
            session = self._sessions.get(sid)
            if session is None or session.run is None:
                raise TrainingRefused("There is no model to continue in this session: press Train first.")
            last = session.run
        return self._launch(sid, address, last.trainer, last.prompt, last.sample_seed, last)

    def _launch(self, sid: str, address: str, trainer: QuickTrainer, prompt: str, seed: int,
                previous: TrainingRun | None = None) -> TrainingRun:
        with self._lock:
            self._check_slot(sid, address)  # again, with the slot taken in the same breath
            run = TrainingRun(trainer, prompt, seed, self._used.get(sid, 0.0), self.cap_s)
            if previous is not None:  # the curve goes on from where it stopped
                run.train, run.held_out = list(previous.train), list(previous.held_out)
                run.sample, run.sample_step = previous.sample, previous.sample_step
            self._sessions[sid] = _Session(run, address)
            self._sessions.move_to_end(sid)
            self._forget_old()
        run.thread = threading.Thread(target=self._run, args=(sid, run), name=f"train-{sid[:8]}", daemon=True)
        _LIVE_RUNS.add(run)
        run.thread.start()
        return run

    def _run(self, sid: str, run: TrainingRun) -> None:
        run.train_until_stopped()
        with self._lock:
            self._used[sid] = run.used_s
        if self.on_end is not None and run.state != "failed":
            self.on_end(sid, run)

    def _forget_old(self) -> None:
        """Drop the oldest stopped runs past `kept` (called under the lock); running ones stay."""
        stopped = [sid for sid, s in self._sessions.items() if s.run is not None and not s.run.running]
        for sid in stopped[:max(0, len(self._sessions) - self.kept)]:
            del self._sessions[sid]

    def run(self, sid: str) -> TrainingRun | None:
        with self._lock:
            session = self._sessions.get(sid)
            return session.run if session is not None else None

    def stop(self, sid: str) -> TrainingRun | None:
        """Stop this session's run at its next step (its model is then registered by on_end)."""
        run = self.run(sid)
        if run is not None:
            run.stop_requested.set()
        return run

    def end(self, sid: str) -> None:
        """The page closed: stop its run and forget it (its model, once registered, stays for the Text tab)."""
        run = self.stop(sid)
        if run is not None:
            run.wait(5.0)
        with self._lock:
            self._sessions.pop(sid, None)


# A daemon thread still inside torch when the interpreter shuts down is ended under C++ code, and the process aborts
# ("terminate called without an active exception", exit code 134): a thread looping on torch ops and a main thread
# that returns are enough to show it. So at exit every running training is asked to stop, and waited for.
_LIVE_RUNS: "weakref.WeakSet[TrainingRun]" = weakref.WeakSet()


@atexit.register
def _stop_runs_at_exit() -> None:
    runs = list(_LIVE_RUNS)
    for run in runs:
        run.stop_requested.set()
    deadline = time.monotonic() + EXIT_WAIT_S
    for run in runs:
        run.wait(max(0.0, deadline - time.monotonic()))
