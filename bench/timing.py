"""The timing loop the latency benchmarks share: warm up, time each call, report sorted milliseconds."""
from __future__ import annotations

import time
from typing import Callable


def call_times_ms(call: Callable[[int], object], calls: int, warmup: int, warmup_from: int = 0) -> list[float]:
    """Sorted milliseconds of call(i) for i in range(calls), after `warmup` untimed calls of call(warmup_from + i)
    (a warmup_from far from 0 keeps the timed inputs out of any cache the warm-up fills)."""
    for i in range(warmup):
        call(warmup_from + i)
    times = []
    for i in range(calls):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def percentile(sorted_ms: list[float], q: float) -> float:
    """The q-quantile (0..1) of already sorted values, by index q * (n - 1) rounded down."""
    return sorted_ms[int(q * (len(sorted_ms) - 1))]
