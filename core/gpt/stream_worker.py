"""Text streams in a worker process of their own, so the web server's Python (one thread at a time, the GIL) stays
free for slider events.

A decode step is some 70 small torch calls with Python in between, and Python holds the GIL there. In the app's
own process two text streams slowed every image and next-token event of every other user (bench/load_test.py;
numbers in the README). `StreamWorker` instead runs the streams in one `python -m core.gpt.stream_worker` process,
which gets the model's config and weights when it starts, runs the same `Sampler.stream` and sends the text back
as it grows: the same text as in-process sampling for the same seed (tests/test_gpt_stream_worker.py). The worker runs at
a lower CPU priority (WORKER_NICE), so on a busy machine the CPU goes to interactive events first. One process, not
one per stream: each costs ~170 MB of memory of its own (torch), and the machine has two cores anyway.

Both pipes carry frames: a 4-byte big-endian length, then the payload; no pickle. To the worker: the config (JSON,
as in config.json), the weights (safetensors bytes), then requests {"stream": id, "prompt", "knobs"} and
{"stop": id} (JSON). From the worker: READY once the model is loaded, then kind + stream id + payload: PIECE + the
next characters, END, or FAILED + a message.
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import struct
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Iterator

import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from core.gpt.io import gpt_config_dict
from core.gpt.model import GPT, GPTConfig
from core.gpt.sampling import Sampler, SamplingKnobs
from core.gpt.tokenizer import CharTokenizer

ROOT = Path(__file__).resolve().parents[2]  # where `python -m core.gpt.stream_worker` finds the core package
WORKER_NICE = 10  # added to a worker's nice value: under load it gets the CPU the web server leaves
# A stream's characters go out at most every SEND_INTERVAL_S, a few per frame: a frame per character cost the web
# server a thread wake-up per character (~7 % of its Python time under the load test).
SEND_INTERVAL_S = 0.01
READY, PIECE, END, FAILED = b"r", b"p", b"e", b"!"
_LENGTH = struct.Struct(">I")  # frame length
_STREAM_ID = struct.Struct(">Q")  # in every reply after READY, after its kind byte


class StreamWorkerError(RuntimeError):
    """A worker process failed or stopped; the message says so in words a user can act on."""


class WorkerStopped(Exception):
    """The worker's pipe closed: its process has exited."""


def write_frame(pipe: IO[bytes], payload: bytes) -> None:
    pipe.write(_LENGTH.pack(len(payload)) + payload)
    pipe.flush()


def read_frame(pipe: IO[bytes]) -> bytes:
    header = pipe.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise WorkerStopped
    (length,) = _LENGTH.unpack(header)
    payload = pipe.read(length)
    if len(payload) < length:
        raise WorkerStopped
    return payload


# ----- the worker process -----

def serve(requests_in: IO[bytes], replies_out: IO[bytes]) -> None:
    """The worker's life: load the model it is sent, then run every stream it is asked for until its input closes.

    Streams take turns, one character each: two users streaming at once each get half the worker, and neither
    waits for the other to finish. Each stream has its own KV cache and random generator, so its text does not
    depend on what else is running."""
    if hasattr(os, "nice"):
        os.nice(WORKER_NICE)
    torch.set_num_threads(1)  # like the app: small matrices, one core
    header = json.loads(read_frame(requests_in))  # gpt_config_dict: the model's settings and vocabulary
    model = GPT(GPTConfig(**header["model"]))
    model.load_state_dict(load_safetensors(read_frame(requests_in)))
    sampler = Sampler(model.eval(), CharTokenizer(header["vocab"]))
    write_frame(replies_out, READY)

    requests: queue.Queue[dict | None] = queue.Queue()

    def read_requests() -> None:  # a thread, so requests and stops arrive while streams run
        try:
            while True:
                requests.put(json.loads(read_frame(requests_in)))
        except Exception:  # noqa: BLE001 - WorkerStopped: the app has gone (or sent garbage): end the process
            requests.put(None)

    threading.Thread(target=read_requests, daemon=True).start()
    running: dict[int, RunningStream] = {}
    while True:
        try:
            while True:  # take every request waiting; sleep here only when no stream is running
                request = requests.get(block=not running)
                if request is None:
                    return
                if "stop" in request:
                    if running.pop(request["stop"], None) is not None:
                        write_frame(replies_out, reply(END, request["stop"]))
                else:
                    pieces = sampler.stream(request["prompt"], SamplingKnobs(**request["knobs"]))
                    running[request["stream"]] = RunningStream(pieces)
        except queue.Empty:
            pass
        for stream_id, stream in list(running.items()):
            try:
                stream.unsent.append(next(stream.pieces))
                if time.perf_counter() - stream.sent_at >= SEND_INTERVAL_S:
                    write_frame(replies_out, reply(PIECE, stream_id, stream.take()))
            except StopIteration:
                del running[stream_id]
                if stream.unsent:
                    write_frame(replies_out, reply(PIECE, stream_id, stream.take()))
                write_frame(replies_out, reply(END, stream_id))
            except Exception as exc:  # noqa: BLE001 - reported to the app, which shows it; the worker keeps serving
                del running[stream_id]
                write_frame(replies_out, reply(FAILED, stream_id, f"{type(exc).__name__}: {exc}"))


@dataclass
class RunningStream:
    """A stream in the worker: its characters, and those made since the last frame went out."""

    pieces: Iterator[str]
    unsent: list[str] = field(default_factory=list)
    sent_at: float = 0.0

    def take(self) -> str:
        text, self.unsent, self.sent_at = "".join(self.unsent), [], time.perf_counter()
        return text


def reply(kind: bytes, stream_id: int, text: str = "") -> bytes:
    return kind + _STREAM_ID.pack(stream_id) + text.encode()


# ----- the app's side -----

class StreamWorker:
    """The worker process, seen from the app: `stream()` may be called from many threads at once.

    The process starts with the object and loads the model in the background (the first stream waits for it). One
    thread reads every reply and hands it to the stream it belongs to. If the process dies, its streams end with a
    StreamWorkerError and the next stream starts a new process.
    """

    def __init__(self, model: GPT, tokenizer: CharTokenizer):
        self.model, self.tokenizer = model, tokenizer
        self._lock = threading.Lock()  # guards the process, the stream table and writes to the pipe
        self._ids = itertools.count(1)
        self._processes: list[subprocess.Popen] = []  # the running one, for close() and the finalizer
        self._start()
        weakref.finalize(self, _close_all, self._processes)  # when the app is garbage-collected or exits

    def _start(self) -> None:
        _close_all(self._processes)  # a process that died
        self.process = subprocess.Popen([sys.executable, "-m", "core.gpt.stream_worker"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._processes.append(self.process)
        self._streams: dict[int, queue.Queue[bytes]] = {}
        self._failure: str | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._run, args=(self.process, self._streams), daemon=True).start()

    def _run(self, process: subprocess.Popen, streams: dict[int, queue.Queue[bytes]]) -> None:
        """Hand the model over, then route replies to their streams until the process ends.

        The weights (~10 MB) fill the pipe before the worker has imported torch: sent here, building the app does
        not wait for the worker."""
        try:
            write_frame(process.stdin, json.dumps(gpt_config_dict(self.model, self.tokenizer)).encode())
            weights = {name: tensor.detach().contiguous() for name, tensor in self.model.state_dict().items()}
            write_frame(process.stdin, save_safetensors(weights))
            if read_frame(process.stdout) != READY:
                raise WorkerStopped
            self._ready.set()
            while True:
                frame = read_frame(process.stdout)
                stream = streams.get(_STREAM_ID.unpack_from(frame, 1)[0])
                if stream is not None:
                    stream.put(frame)
        except (WorkerStopped, OSError, ValueError):  # ValueError: close() closed the pipe under us
            try:
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            with self._lock:
                self._failure = f"the text generator's worker process stopped (exit code {code})"
                for stream in streams.values():
                    stream.put(FAILED)
            self._ready.set()

    def stream(self, prompt: str, knobs: SamplingKnobs) -> Iterator[str]:
        """The new text, a few characters at a time: the same text as Sampler(model, tokenizer).stream. Closing the
        generator early stops the stream in the worker too."""
        with self._lock:
            if self._failure is not None:  # the last process died: start another
                self._start()
        self._ready.wait()  # the first stream waits for the model to load
        replies: queue.Queue[bytes] = queue.Queue()
        stream_id = next(self._ids)
        finished = False
        try:
            self._send({"stream": stream_id, "prompt": prompt, "knobs": asdict(knobs)}, stream_id, replies)
            while True:
                frame = replies.get()
                if frame[:1] == PIECE:
                    yield frame[1 + _STREAM_ID.size:].decode()
                    continue
                finished = True
                if frame == FAILED:  # the process died
                    raise StreamWorkerError(f"The text stream stopped: {self._failure}. Please try again.")
                if frame[:1] == FAILED:
                    raise StreamWorkerError(f"The text generator failed: {frame[1 + _STREAM_ID.size:].decode()}")
                return
        finally:
            if not finished:
                self._send({"stop": stream_id})
            with self._lock:
                self._streams.pop(stream_id, None)

    def _send(self, message: dict, stream_id: int | None = None, replies: queue.Queue[bytes] | None = None) -> None:
        with self._lock:
            if self._failure is not None:
                if replies is None:
                    return  # a stop for a process that has gone
                raise StreamWorkerError(f"The text stream could not start: {self._failure}. Please try again.")
            if replies is not None:
                self._streams[stream_id] = replies
            try:
                write_frame(self.process.stdin, json.dumps(message).encode())
            except (OSError, ValueError):  # BrokenPipeError: the process has exited; the reader thread reports it
                pass

    def close(self) -> None:
        """End the process: it exits when its input closes (killed if it has not within 5 s)."""
        _close_all(self._processes)


def _close_all(processes: list[subprocess.Popen]) -> None:
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
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print goes to the log, not into the protocol
    try:
        serve(sys.stdin.buffer, protocol_out)
    except (BrokenPipeError, WorkerStopped):  # the app has gone
        pass
