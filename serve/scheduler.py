"""The worker process's scheduler: continuous batching of text streams (as llama.cpp's server, vLLM and TGI do).

Every loop: take the requests that have arrived (new streams, stops), prefill new prompts one by one while a small
time budget lasts (each draws its first character at once and joins the batch), then run ONE batched decode step
for every active stream (core/gpt/batched_decode.py; the step runs on ONNX Runtime, or on PyTorch if onnxruntime
is missing or broken, which the worker says once in its log: core/gpt/onnx_step.py) and send what each stream has made. A finished or stopped
stream leaves its row at once; a stream that arrives mid-batch joins at the next step. Characters go out at most
every SEND_INTERVAL_S per stream, all frames of a loop in one write.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO

import torch
from safetensors.torch import load as load_safetensors

from core.gpt.batched_decode import StreamBatch
from core.gpt.model import GPT, GPTConfig
from core.gpt.sampling import SamplingKnobs, validate_prompt
from core.gpt.tokenizer import CharTokenizer
from serve.framing import END, FAILED, PIECE, PING, READY, frame, read_frame, reply, write_frame

WORKER_NICE = 10  # added to a worker's nice value: under load it gets the CPU the web server leaves
# A stream's characters go out at most every SEND_INTERVAL_S, a few per frame: each frame wakes the web server's
# thread of that stream, and the UI sends the browser an update at most every 30 ms anyway (demo/text_tab.py).
SEND_INTERVAL_S = 0.02
PREFILL_BUDGET_S = 0.02  # new prompts prefilled per loop, at least one: running streams keep advancing meanwhile
HEARTBEAT_S = 0.5  # a PING after this long with nothing else sent: the app's watchdog knows the worker is alive


@dataclass
class Outbox:
    """A stream's characters made since its last frame went out."""

    unsent: list[str] = field(default_factory=list)
    sent_at: float = 0.0


def serve(requests_in: IO[bytes], replies_out: IO[bytes]) -> None:
    """The worker's life: load the model it is sent, then batch every stream it is asked for until its input closes."""
    if hasattr(os, "nice"):
        os.nice(WORKER_NICE)
    torch.set_num_threads(1)  # small matrices: one core (the other serves the web server)
    logging.basicConfig(level=logging.WARNING, format="text-stream worker: %(message)s")  # to the app's stderr
    header = json.loads(read_frame(requests_in))  # gpt_config_dict + {"max_streams": n}
    model = GPT(GPTConfig(**header["model"]))
    model.load_state_dict(load_safetensors(read_frame(requests_in)))
    tokenizer = CharTokenizer(header["vocab"])
    batch = StreamBatch(model.eval(), int(header["max_streams"]))
    write_frame(replies_out, READY)

    requests: queue.Queue[dict | None] = queue.Queue()

    def read_requests() -> None:  # a thread, so requests and stops arrive while streams run
        try:
            while True:
                requests.put(json.loads(read_frame(requests_in)))
        except Exception:  # noqa: BLE001 - WorkerStopped: the app has gone (or sent garbage): end the process
            requests.put(None)

    threading.Thread(target=read_requests, daemon=True).start()
    Scheduler(batch, tokenizer, requests, replies_out).run()


class Scheduler:
    def __init__(self, batch: StreamBatch, tokenizer: CharTokenizer, requests: "queue.Queue[dict | None]", out: IO[bytes]):
        self.batch, self.tokenizer, self.requests, self.out = batch, tokenizer, requests, out
        self.waiting: deque[dict] = deque()  # asked for, not yet prefilled
        self.outboxes: dict[int, Outbox] = {}
        self.frames: list[bytes] = []  # to write at the end of this loop
        self.last_write = time.perf_counter()

    def run(self) -> None:
        while self.take_requests():
            self.prefill_waiting()
            if len(self.batch):
                try:
                    made = self.batch.step()
                except Exception as exc:  # noqa: BLE001 - not expected; end every stream with the reason, keep serving
                    for key in self.batch.keys():
                        self.fail(key, exc)
                    made = []
                for key, token, finished in made:
                    self.emit(key, token, finished)
            self.flush()

    def take_requests(self) -> bool:
        """Handle every request waiting; block (with a heartbeat) only when there is nothing to run. False: exit."""
        idle = not len(self.batch) and not self.waiting
        while True:
            try:
                request = self.requests.get(block=idle, timeout=HEARTBEAT_S if idle else None)
            except queue.Empty:
                if idle:
                    self.frames.append(PING)  # flush() sends it
                return True
            idle = False
            if request is None:
                return False
            if "stop" in request:
                self.stop(request["stop"])
            else:
                self.waiting.append(request)

    def stop(self, stream_id: int) -> None:
        waiting = next((r for r in self.waiting if r["stream"] == stream_id), None)
        if waiting is not None:
            self.waiting.remove(waiting)
        if self.batch.remove(stream_id) or waiting is not None:  # freed at once: the row is free for the next stream
            self.outboxes.pop(stream_id, None)
            self.frames.append(reply(END, stream_id))

    def prefill_waiting(self) -> None:
        deadline = time.perf_counter() + PREFILL_BUDGET_S
        while self.waiting and len(self.batch) < self.batch.max_streams:
            request = self.waiting.popleft()
            stream_id = request["stream"]
            try:
                ids = self.tokenizer.encode(validate_prompt(request["prompt"], self.tokenizer))
                token, finished = self.batch.add(stream_id, ids, SamplingKnobs(**request["knobs"]))
            except Exception as exc:  # noqa: BLE001 - reported to the app, which shows it; the worker keeps serving
                self.fail(stream_id, exc)
            else:
                self.outboxes[stream_id] = Outbox()
                self.emit(stream_id, token, finished, at_once=True)  # the first character goes out at once
            if time.perf_counter() >= deadline:
                break

    def emit(self, stream_id: int, token: int, finished: bool, at_once: bool = False) -> None:
        box = self.outboxes[stream_id]
        box.unsent.append(self.tokenizer.vocab[token])
        now = time.perf_counter()
        if finished or at_once or now - box.sent_at >= SEND_INTERVAL_S:
            self.frames.append(reply(PIECE, stream_id, "".join(box.unsent)))
            box.unsent, box.sent_at = [], now
        if finished:
            del self.outboxes[stream_id]
            self.frames.append(reply(END, stream_id))

    def fail(self, stream_id: int, exc: Exception) -> None:
        self.batch.remove(stream_id)
        self.outboxes.pop(stream_id, None)
        self.frames.append(reply(FAILED, stream_id, f"{type(exc).__name__}: {exc}"))

    def flush(self) -> None:
        """Write this loop's frames at once (one system call), or a PING if nothing has gone out for HEARTBEAT_S."""
        now = time.perf_counter()
        if not self.frames and now - self.last_write >= HEARTBEAT_S:
            self.frames.append(PING)
        if self.frames:
            self.out.write(b"".join(frame(f) for f in self.frames))
            self.out.flush()
            self.frames, self.last_write = [], now
