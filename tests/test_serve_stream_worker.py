"""The text-stream worker process: the same text as in-process sampling, streams batched together stay independent
(40 at once all finish), a stream closed early is stopped and frees its slot, one beyond the limit is refused at
once, and a worker that dies or freezes (SIGSTOP) gives a clear error and is replaced.

A tiny random-init GPT (the code paths are the shipped ones); the worker is a real `python -m serve.stream_worker`.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

import psutil
import pytest
import torch

from core.gpt.model import GPT, GPTConfig
from core.gpt.sampling import Sampler, SamplingKnobs
from core.gpt.tokenizer import CharTokenizer
from serve.scheduler import WORKER_NICE
from serve.stream_worker import StreamWorker, StreamWorkerBusy, StreamWorkerError

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\nJULIET:\nAy me!\n"


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as the app and its worker run


@pytest.fixture(scope="module")
def sampler() -> Sampler:
    torch.manual_seed(0)
    tokenizer = CharTokenizer.from_text(TEXT)
    return Sampler(GPT(GPTConfig(tokenizer.size, context_length=16, n_layer=2, n_head=2, n_embd=32)).eval(), tokenizer)


@pytest.fixture(scope="module")
def worker(sampler: Sampler):
    worker = StreamWorker(sampler.model, sampler.tokenizer)
    yield worker
    worker.close()


def test_the_worker_streams_the_same_text_as_the_in_process_sampler(worker: StreamWorker, sampler: Sampler) -> None:
    for knobs in (SamplingKnobs(max_new_tokens=60, seed=1),  # past the 16-token window: the cache slides
                  SamplingKnobs(temperature=0.0, max_new_tokens=20),
                  SamplingKnobs(temperature=1.3, top_k=5, top_p=0.7, repetition_penalty=1.5, max_new_tokens=40, seed=2**32 - 1)):
        text = "".join(worker.stream("ROMEO:", knobs))
        assert len(text) == knobs.max_new_tokens
        assert text == sampler.generate("ROMEO:", knobs)


def test_streams_running_at_once_each_get_their_own_text(worker: StreamWorker, sampler: Sampler) -> None:
    prompts = ["ROMEO:", "JULIET:\n", "But soft", "Ay me!"]
    results: dict[int, str] = {}

    def stream(i: int) -> None:
        results[i] = "".join(worker.stream(prompts[i], SamplingKnobs(temperature=1.0, max_new_tokens=80, seed=i)))

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(len(prompts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {i: sampler.generate(prompts[i], SamplingKnobs(temperature=1.0, max_new_tokens=80, seed=i))
                       for i in range(len(prompts))}


def test_a_stream_closed_early_stops_and_the_next_one_is_whole(worker: StreamWorker, sampler: Sampler) -> None:
    pieces = worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=1000, seed=3))
    first = next(pieces)  # the first character goes out at once
    pieces.close()
    assert first == sampler.generate("ROMEO:", SamplingKnobs(max_new_tokens=1, seed=3))
    with worker._lock:
        assert worker._streams == {}  # nothing left waiting for the closed stream's characters
    knobs = SamplingKnobs(max_new_tokens=30, seed=4)
    assert "".join(worker.stream("JULIET:", knobs)) == sampler.generate("JULIET:", knobs)


def test_a_worker_that_dies_fails_its_stream_clearly_and_is_replaced(sampler: Sampler) -> None:
    worker = StreamWorker(sampler.model, sampler.tokenizer)
    try:
        pieces = worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=1000, seed=5))
        next(pieces)
        first_pid = worker.process.pid
        os.kill(first_pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        with pytest.raises(StreamWorkerError, match="worker process stopped .*Please try again"):
            for _ in pieces:
                pass
        knobs = SamplingKnobs(max_new_tokens=30, seed=6)
        assert "".join(worker.stream("ROMEO:", knobs)) == sampler.generate("ROMEO:", knobs)
        assert worker.process.pid != first_pid
    finally:
        worker.close()
    assert worker.process.poll() is not None  # close() ended it


def test_a_failing_stream_is_reported_and_the_worker_keeps_serving(worker: StreamWorker, sampler: Sampler) -> None:
    with pytest.raises(StreamWorkerError, match="The text generator failed: UnknownCharactersError"):
        list(worker.stream("☃", SamplingKnobs(max_new_tokens=5)))  # the app validates first; the worker checks too
    knobs = SamplingKnobs(max_new_tokens=10, seed=7)
    assert "".join(worker.stream("ROMEO:", knobs)) == sampler.generate("ROMEO:", knobs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice values are read through /proc")
def test_the_worker_runs_at_a_lower_cpu_priority(worker: StreamWorker) -> None:
    list(worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=1)))  # loaded, so the worker has set its priority
    assert psutil.Process(worker.process.pid).nice() == min(19, psutil.Process().nice() + WORKER_NICE)


def test_forty_streams_at_once_all_finish_with_their_own_text(sampler: Sampler) -> None:
    """Continuous batching: 40 streams of different lengths, knobs and prompts started together all finish, each
    with the text it gets alone."""
    worker = StreamWorker(sampler.model, sampler.tokenizer, max_streams=40)
    prompts = ["ROMEO:", "JULIET:\n", "But soft", "Ay me!", "R"]
    jobs = [(prompts[i % 5], SamplingKnobs(temperature=0.5 + (i % 4) / 2, top_k=i % 7, top_p=1.0 - (i % 3) / 4,
                                           repetition_penalty=1.0 + (i % 2) / 2, max_new_tokens=10 + 7 * i, seed=i))
            for i in range(40)]
    results: dict[int, str] = {}
    start = threading.Barrier(len(jobs))

    def stream(i: int) -> None:
        start.wait()
        results[i] = "".join(worker.stream(*jobs[i]))

    try:
        threads = [threading.Thread(target=stream, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert results == {i: sampler.generate(*job) for i, job in enumerate(jobs)}
        assert worker.active_streams() == 0
    finally:
        worker.close()


def test_beyond_the_limit_a_stream_is_refused_at_once_with_a_busy_message(sampler: Sampler) -> None:
    worker = StreamWorker(sampler.model, sampler.tokenizer, max_streams=2)
    try:
        running = [worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=1000, seed=s)) for s in range(2)]
        for pieces in running:
            next(pieces)
        # Refused, not left waiting: a stream that waited for a slot would start once one was free and yield a piece.
        with pytest.raises(StreamWorkerBusy, match="All 2 text streams are in use right now; please try again in a moment"):
            next(worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=5)))
        running[0].close()  # a stream cancelled mid-batch frees its slot (and its row) at once
        knobs = SamplingKnobs(max_new_tokens=20, seed=9)
        assert "".join(worker.stream("JULIET:", knobs)) == sampler.generate("JULIET:", knobs)
        running[1].close()
    finally:
        worker.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP to freeze the worker")
@pytest.mark.timeout(120)
def test_a_frozen_worker_is_noticed_its_streams_end_clearly_and_a_new_one_takes_over(sampler: Sampler) -> None:
    worker = StreamWorker(sampler.model, sampler.tokenizer, watchdog_s=2.0)
    try:
        pieces = worker.stream("ROMEO:", SamplingKnobs(max_new_tokens=1000, seed=5))
        next(pieces)
        frozen_pid = worker.process.pid
        os.kill(frozen_pid, signal.SIGSTOP)
        # The watchdog's own message: noticed by the watchdog (the test's timeout catches a worker never noticed).
        with pytest.raises(StreamWorkerError, match="stopped answering for 2 s and was replaced. Please try again"):
            for _ in pieces:
                pass
        assert not psutil.pid_exists(frozen_pid) or psutil.Process(frozen_pid).status() == psutil.STATUS_ZOMBIE
        assert worker.process.pid != frozen_pid  # a new worker took over without waiting for the next stream
        knobs = SamplingKnobs(max_new_tokens=30, seed=6)
        assert "".join(worker.stream("ROMEO:", knobs)) == sampler.generate("ROMEO:", knobs)
    finally:
        worker.close()
