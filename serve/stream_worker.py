"""Text streams in a worker process of their own, so the web server's Python (one thread at a time, the GIL) stays
free for slider events; inside it, all streams advance together, one batched decode step each (serve/scheduler.py).

`StreamWorker` is the app's side: it starts one `python -m serve.stream_worker` process, which gets the model's
config and weights when it starts and sends each stream's text back as it grows: the same text as
`Sampler.stream` for the same seed (tests/test_serve_stream_worker.py). One process, not one per stream: each
costs ~170 MB of memory of its own (torch), and batching is what makes many streams cheap. The worker decodes on
ONNX Runtime (the model's step exported once per checkpoint into runs/onnx/, core/gpt/onnx_step.py): if
onnxruntime is missing or broken it says so once in its log (this process's stderr) and decodes in PyTorch.

Up to `max_streams` streams run at once, each starting at once; one more is refused at once with StreamWorkerBusy
("try again in a moment"), never left waiting silently. A watchdog restarts a worker that has sent nothing (not
even its heartbeat, serve/scheduler.py's PING) for WATCHDOG_S: its streams end with a clear message and a new
process takes over. So does a worker that dies.
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

from safetensors.torch import save as save_safetensors

from core.gpt.io import gpt_config_dict
from core.gpt.model import GPT
from core.gpt.sampling import SamplingKnobs
from core.gpt.tokenizer import CharTokenizer
from serve.framing import FAILED, PIECE, PING, READY, WorkerStopped, read_frame, reply_stream, reply_text, write_frame

ROOT = Path(__file__).resolve().parents[1]  # where `python -m serve.stream_worker` finds the packages
# Streams served at once, each starting at once: 32 rows still share one cheap batched step (bench/bench_gpt.py;
# figures in docs/performance.md). Why not more: every live
# stream holds one of Gradio's worker threads while it waits for its next characters (40 by default, shared with
# every other event), and the HTTP guard lets the "gpt" group have 32 events at once (demo/shared.py GROUPS),
# so the 33rd is refused there, with a "try again" message, before it reaches the worker.
MAX_STREAMS = 32
WATCHDOG_S = 4.0  # a worker silent this long (it PINGs every 0.5 s when idle) is frozen: it is killed and replaced
LOAD_TIMEOUT_S = 120.0  # a worker that has not loaded the model by then is replaced (importing torch and loading the model is slow on a busy machine)


class StreamWorkerError(RuntimeError):
    """A worker process failed or stopped; the message says so in words a user can act on."""


class StreamWorkerBusy(StreamWorkerError):
    """Every stream slot is taken: try again in a moment."""


class StreamWorker:
    """The worker process, seen from the app: `stream()` may be called from many threads at once.

    The process starts with the object and loads the model in the background (the first stream waits for it). One
    thread reads every reply and hands it to the stream it belongs to; another (the watchdog) kills a process that
    has stopped answering. If the process dies, its streams end with a StreamWorkerError and a new one starts.
    """

    def __init__(self, model: GPT, tokenizer: CharTokenizer, max_streams: int = MAX_STREAMS, watchdog_s: float = WATCHDOG_S):
        self.model, self.tokenizer, self.max_streams, self.watchdog_s = model, tokenizer, max_streams, watchdog_s
        self._lock = threading.Lock()  # guards the process, the stream table and writes to the pipe
        self._ids = itertools.count(1)
        self._processes: list[subprocess.Popen] = []  # the running one, for close() and the finalizer
        # Set by close() and by the finalizer: a process that ends then is not replaced. Were it replaced at exit, the
        # reader thread (a daemon) would be inside torch, serialising the weights for the new process, while the
        # interpreter shuts down, and the process would abort ("terminate called without an active exception").
        self._closed = threading.Event()
        self._start()
        weakref.finalize(self, _close_all, self._processes, self._closed)  # when the app is garbage-collected or exits

    def _start(self) -> None:
        """A new process (the caller holds the lock, or nothing else runs yet)."""
        _close_all(self._processes)  # a process that died
        self.process = subprocess.Popen([sys.executable, "-m", "serve.stream_worker"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._processes.append(self.process)
        self._streams: dict[int, queue.Queue[bytes | str]] = {}  # replies; a str: the process has gone, and why
        self._failure: str | None = None
        self._ready = threading.Event()
        self._heard = time.monotonic()  # when the process last sent anything
        self._frozen = threading.Event()  # set by the watchdog when it kills the process
        # The model as bytes, made here and not on the reader thread: a daemon thread still inside torch when the
        # interpreter exits is ended under C++ code, which aborts the process (the reader only writes bytes).
        header = json.dumps({**gpt_config_dict(self.model, self.tokenizer), "max_streams": self.max_streams}).encode()
        weights = save_safetensors({name: tensor.detach().contiguous() for name, tensor in self.model.state_dict().items()})
        threading.Thread(target=self._run, args=(self.process, self._streams, self._frozen, header, weights), daemon=True,
                         name="stream-worker-reader").start()
        threading.Thread(target=self._watch, args=(self.process, self._frozen), daemon=True,
                         name="stream-worker-watchdog").start()

    def _run(self, process: subprocess.Popen, streams: dict[int, queue.Queue[bytes | str]], frozen: threading.Event,
             header: bytes, weights: bytes) -> None:
        """Hand the model over, then route replies to their streams until the process ends.

        The weights (~10 MB) fill the pipe before the worker has imported torch: sent here, building the app does
        not wait for the worker."""
        was_ready = False
        try:
            write_frame(process.stdin, header)
            write_frame(process.stdin, weights)
            if read_frame(process.stdout) != READY:
                raise WorkerStopped
            self._heard, was_ready = time.monotonic(), True
            self._ready.set()
            while True:
                payload = read_frame(process.stdout)
                self._heard = time.monotonic()
                if payload == PING:
                    continue
                stream = streams.get(reply_stream(payload))
                if stream is not None:
                    stream.put(payload)
        except (WorkerStopped, OSError, ValueError):  # ValueError: close() closed the pipe under us
            try:
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            with self._lock:
                if process is not self.process:
                    return
                if frozen.is_set():
                    self._failure = (f"the text generator's worker process stopped answering for {self.watchdog_s:g} s "
                                     "and was replaced")
                else:
                    self._failure = f"the text generator's worker process stopped (exit code {code})"
                for stream in streams.values():
                    stream.put(self._failure)
                self._ready.set()
                if was_ready and not self._closed.is_set():  # it was serving: a new one takes over now, not at the next stream
                    self._start()
                    self._failure = None

    def _watch(self, process: subprocess.Popen, frozen: threading.Event) -> None:
        """Kill the process once it has been silent too long (frozen, stopped, stuck): the reader then reports it."""
        while process.poll() is None:
            time.sleep(min(0.25, self.watchdog_s / 4))
            limit = self.watchdog_s if self._ready.is_set() else LOAD_TIMEOUT_S
            if process.poll() is None and time.monotonic() - self._heard > limit:
                frozen.set()
                process.kill()  # SIGKILL ends a SIGSTOPped process too
                return

    def active_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    def stream(self, prompt: str, knobs: SamplingKnobs) -> Iterator[str]:
        """The new text, a few characters at a time: the same text as Sampler(model, tokenizer).stream. Closing the
        generator early stops the stream in the worker too (its row is freed at once)."""
        with self._lock:
            if self._failure is not None:  # the last process died before it had served: start another
                self._start()
        self._ready.wait()  # the first stream waits for the model to load
        replies: queue.Queue[bytes | str] = queue.Queue()
        stream_id = next(self._ids)
        finished = False
        try:
            self._send({"stream": stream_id, "prompt": prompt, "knobs": asdict(knobs)}, stream_id, replies)
            while True:
                payload = replies.get()
                if isinstance(payload, bytes) and payload[:1] == PIECE:
                    yield reply_text(payload)
                    continue
                finished = True
                if isinstance(payload, str):
                    raise StreamWorkerError(f"The text stream stopped: {payload}. Please try again.")
                if payload[:1] == FAILED:
                    raise StreamWorkerError(f"The text generator failed: {reply_text(payload)}")
                return
        finally:
            if not finished:
                self._send({"stop": stream_id})
            with self._lock:
                self._streams.pop(stream_id, None)

    def _send(self, message: dict, stream_id: int | None = None, replies: queue.Queue[bytes | str] | None = None) -> None:
        with self._lock:
            if self._failure is not None:
                if replies is None:
                    return  # a stop for a process that has gone
                raise StreamWorkerError(f"The text stream could not start: {self._failure}. Please try again.")
            if replies is not None:
                if len(self._streams) >= self.max_streams:
                    raise StreamWorkerBusy(f"All {self.max_streams} text streams are in use right now; "
                                           "please try again in a moment.")
                self._streams[stream_id] = replies
            try:
                write_frame(self.process.stdin, json.dumps(message).encode())
            except (OSError, ValueError):  # BrokenPipeError: the process has exited; the reader thread reports it
                pass

    def close(self) -> None:
        """End the process: it exits when its input closes (killed if it has not within 5 s)."""
        _close_all(self._processes, self._closed)


def _close_all(processes: list[subprocess.Popen], closed: threading.Event | None = None) -> None:
    """End the processes (killed if one has not exited within 5 s of its input closing); `closed` first, if given."""
    if closed is not None:
        closed.set()
    while processes:
        process = processes.pop()
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            process.stdout.close()


if __name__ == "__main__":
    from serve.scheduler import serve

    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print goes to the log, not into the protocol
    try:
        serve(sys.stdin.buffer, protocol_out)
    except (BrokenPipeError, WorkerStopped):  # the app has gone
        pass
