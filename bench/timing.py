"""What the benchmarks share: the timing loop (warm up, time each call, sorted milliseconds), its percentile, and
writing a report to bench/reports/<name>.json and .md."""
from __future__ import annotations

import json
import time
from pathlib import Path
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


REPORTS = Path(__file__).resolve().parent / "reports"


def write_report(name: str, figures: object, markdown: str) -> None:
    """Print the Markdown report and write it with its figures to bench/reports/<name>.md and <name>.json."""
    print(markdown)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    (REPORTS / f"{name}.md").write_text(markdown.rstrip("\n") + "\n")
