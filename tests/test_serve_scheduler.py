"""serve/scheduler.py's Scheduler on its own, in this process: no worker process, no app. It runs in a thread over the
shipped GPT (checkpoints/gpt-shakespeare), reading requests from a queue and writing frames into a pipe, as in the
worker. What its docstring promises:

- a stream's text is the one the in-process sampler makes, its pieces then END;
- requests wait their turn in arrival order while every row is taken, and a finished stream frees its row;
- a stream that arrives while others run joins the batch at once (a short one finishes before a long one);
- a stop ends a running or a waiting stream at once (END, no more pieces) and frees its row;
- a prompt it cannot take fails that stream alone (FAILED) and the others go on;
- with nothing to do it sends PING; its input's end (None) ends its loop.
"""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import asdict
from typing import Iterator

import pytest
import torch

from core.gpt.batched_decode import StreamBatch
from core.limits import MAX_NEW_TOKENS
from core.gpt.io import load_gpt
from core.gpt.sampling import Sampler, SamplingKnobs
from serve.framing import END, FAILED, PIECE, PING, read_frame, reply_stream, reply_text
from serve.scheduler import Scheduler
from tests.conftest import CHECKPOINTS, require_checkpoint

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as the worker runs

LONG = SamplingKnobs(temperature=1.0, max_new_tokens=MAX_NEW_TOKENS, seed=1)  # runs until it is stopped or outlasted


@pytest.fixture(scope="module")
def gpt():
    require_checkpoint("gpt-shakespeare")
    loaded = load_gpt(CHECKPOINTS / "gpt-shakespeare")
    return loaded.model.eval(), loaded.tokenizer


class Running:
    """A Scheduler in a thread: `send` a request, `next` reads its next frame as (kind, stream id, text)."""

    def __init__(self, gpt, max_streams: int):
        model, tokenizer = gpt
        self.requests: queue.Queue[dict | None] = queue.Queue()
        read_end, write_end = os.pipe()
        self.replies, out = os.fdopen(read_end, "rb"), os.fdopen(write_end, "wb")
        scheduler = Scheduler(StreamBatch(model, max_streams), tokenizer, self.requests, out)
        self.thread = threading.Thread(target=self._run, args=(scheduler, out), name="scheduler-under-test")
        self.thread.start()

    @staticmethod
    def _run(scheduler: Scheduler, out) -> None:
        try:
            scheduler.run()
        finally:
            out.close()  # the reader sees the end

    def send(self, stream: int, prompt: str = "ROMEO:", knobs: SamplingKnobs = SamplingKnobs(max_new_tokens=20)) -> None:
        self.requests.put({"stream": stream, "prompt": prompt, "knobs": asdict(knobs)})

    def stop(self, stream: int) -> None:
        self.requests.put({"stop": stream})

    def next(self, skip_pings: bool = True) -> tuple[bytes, int | None, str]:
        while True:
            payload = read_frame(self.replies)
            if payload == PING:
                if skip_pings:
                    continue
                return PING, None, ""
            return payload[:1], reply_stream(payload), reply_text(payload)

    def until_end(self, *streams: int) -> list[tuple[bytes, int | None, str]]:
        """Every frame up to the last of `streams` ending (END or FAILED), in the order they came."""
        frames, open_streams = [], set(streams)
        while open_streams:
            frames.append(self.next())
            if frames[-1][0] in (END, FAILED):
                open_streams.discard(frames[-1][1])
        return frames

    def close(self) -> None:
        self.requests.put(None)
        self.thread.join()
        self.replies.close()


@pytest.fixture
def running(gpt) -> Iterator:
    started: list[Running] = []

    def start(max_streams: int = 4) -> Running:
        started.append(Running(gpt, max_streams))
        return started[-1]

    yield start
    for scheduler in started:
        scheduler.close()


def text_of(frames, stream: int) -> str:
    return "".join(text for kind, key, text in frames if kind == PIECE and key == stream)


def kinds_of(frames, stream: int) -> list[bytes]:
    return [kind for kind, key, _ in frames if key == stream]


def test_a_stream_is_the_samplers_text_then_end(running, gpt) -> None:
    scheduler, knobs = running(), SamplingKnobs(temperature=0.9, top_k=20, max_new_tokens=60, seed=7)
    scheduler.send(1, "JULIET:", knobs)
    frames = scheduler.until_end(1)
    assert text_of(frames, 1) == Sampler(*gpt).generate("JULIET:", knobs)
    assert kinds_of(frames, 1)[-1] == END and set(kinds_of(frames, 1)[:-1]) == {PIECE}


def test_streams_wait_their_turn_in_arrival_order_while_every_row_is_taken(running) -> None:
    scheduler = running(max_streams=1)
    for stream in (1, 2, 3):
        scheduler.send(stream)
    frames = scheduler.until_end(1, 2, 3)
    order = [key for kind, key, _ in frames]
    # one row: each stream starts only after the one before it has ended (its END frees the row)
    assert order == sorted(order), order
    assert [kind for kind, key, _ in frames if kind == END] == [END] * 3


def test_a_stream_that_arrives_while_another_runs_joins_at_once(running) -> None:
    scheduler = running(max_streams=2)
    scheduler.send(1, knobs=LONG)
    assert scheduler.next()[:2] == (PIECE, 1)  # stream 1 is running
    scheduler.send(2, knobs=SamplingKnobs(max_new_tokens=10))
    frames = scheduler.until_end(2)
    assert kinds_of(frames, 2)[-1] == END and len(text_of(frames, 2)) == 10
    assert END not in kinds_of(frames, 1)  # stream 2 did not wait for stream 1's 1 000 characters
    scheduler.stop(1)
    assert kinds_of(scheduler.until_end(1), 1)[-1] == END


def test_a_stop_ends_a_running_stream_and_frees_its_row(running) -> None:
    scheduler = running(max_streams=1)
    scheduler.send(1, knobs=LONG)
    scheduler.send(2, knobs=SamplingKnobs(max_new_tokens=10))  # waits: the only row is stream 1's
    assert scheduler.next()[:2] == (PIECE, 1)
    scheduler.stop(1)
    frames = scheduler.until_end(1, 2)
    ended = frames.index((END, 1, ""))
    assert all(key == 1 for _, key, _ in frames[:ended])  # stream 2 got nothing before stream 1's row was freed
    assert 1 not in [key for _, key, _ in frames[ended + 1:]]  # nothing for stream 1 after its END
    assert len(text_of(frames, 1)) < LONG.max_new_tokens  # stopped, not finished
    assert len(text_of(frames, 2)) == 10 and kinds_of(frames, 2)[-1] == END


def test_a_stop_ends_a_waiting_stream_before_it_starts(running) -> None:
    scheduler = running(max_streams=1)
    scheduler.send(1, knobs=LONG)
    assert scheduler.next()[:2] == (PIECE, 1)
    scheduler.send(2)
    scheduler.stop(2)
    frames = scheduler.until_end(2)
    assert kinds_of(frames, 2) == [END]  # ended without a single character
    scheduler.stop(1)
    scheduler.until_end(1)


def test_a_prompt_it_cannot_take_fails_that_stream_alone(running, gpt) -> None:
    scheduler = running(max_streams=2)
    scheduler.send(1, "ROMEO:", SamplingKnobs(max_new_tokens=30, seed=3))
    scheduler.send(2, "\u2603 snowman")  # a character the model has never seen
    scheduler.send(3, "")
    frames = scheduler.until_end(1, 2, 3)
    assert kinds_of(frames, 2) == [FAILED] and kinds_of(frames, 3) == [FAILED]
    assert next(text for kind, key, text in frames if key == 2 and kind == FAILED)  # says why
    assert text_of(frames, 1) == Sampler(*gpt).generate("ROMEO:", SamplingKnobs(max_new_tokens=30, seed=3))


def test_an_idle_scheduler_sends_pings_and_its_input_end_stops_it(running) -> None:
    scheduler = running()
    assert scheduler.next(skip_pings=False)[0] == PING
    scheduler.requests.put(None)
    scheduler.thread.join(timeout=60)
    assert not scheduler.thread.is_alive()
