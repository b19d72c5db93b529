"""Latency of the GAN image tools, measured in one run: `python bench/bench_gan.py [--checkpoint DIR] [--json FILE]`.

Prints the median (and p90) of: one image for a new seed, a 64-image grid, and one direction-slider update from a
cached latent, each beside its target (one image < 10 ms, 64-grid < 150 ms on 2 cores) as a ratio. Medians are
taken over --repeats runs after warm-up; other processes on the machine slow every figure, so the report records
the load average too. Never asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from bench.timing import call_times_ms, percentile  # noqa: E402
from core.gan.io import load_gan  # noqa: E402
from core.gan.latent import LatentStudio  # noqa: E402

TARGETS_MS = {"one image (new seed)": 10.0, "64-image grid": 150.0, "direction slider update (cached latent)": 10.0}


def timed(fn: Callable[[int], object], repeats: int, warmup: int = 3) -> tuple[float, float]:
    """(median ms, p90 ms) of fn(i) over `repeats` calls; i varies so nothing is trivially cached."""
    times = call_times_ms(fn, repeats, warmup, warmup_from=10_000)
    return statistics.median(times), percentile(times, 0.9)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="checkpoints/gan-fashion")
    p.add_argument("--threads", type=int, default=2, help="torch threads (the targets are for 2 cores)")
    p.add_argument("--repeats", type=int, default=50)
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.add_argument("--markdown", help="also write a markdown table to this file")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    studio = LatentStudio(load_gan(args.checkpoint))
    sliders = len(studio.direction_names)

    def one_image(i: int) -> object:
        return studio.image(studio.knobs("Sneaker", 1_000_000 + i, 0.7))

    def grid(i: int) -> object:
        return studio.grid("random", 64 * i, 64, 1.0)

    studio.image(studio.knobs("Sneaker", 3, 0.7))  # caches the base latent

    def slider(i: int) -> object:
        values = [0.0] * sliders
        values[i % sliders] = -3.0 + 6.0 * (i % 13) / 12
        return studio.image(studio.knobs("Sneaker", 3, 0.7, values))

    figures = {}
    for name, fn, repeats in [("one image (new seed)", one_image, args.repeats), ("64-image grid", grid, max(10, args.repeats // 3)),
                              ("direction slider update (cached latent)", slider, args.repeats)]:
        median, p90 = timed(fn, repeats)
        figures[name] = {"median_ms": round(median, 2), "p90_ms": round(p90, 2), "target_ms": TARGETS_MS[name],
                         "target_over_median": round(TARGETS_MS[name] / median, 1)}
    report = {"checkpoint": args.checkpoint, "threads": args.threads, "torch": torch.__version__,
              "load_average": [round(x, 2) for x in os.getloadavg()], "figures": figures}
    print(f"GAN latency, {args.checkpoint}, torch {torch.__version__}, {args.threads} threads, load average {report['load_average']}")
    print(f"{'':42s}{'median ms':>10s}{'p90 ms':>9s}{'target ms':>11s}{'target/median':>15s}")
    for name, f in figures.items():
        print(f"{name:42s}{f['median_ms']:10.2f}{f['p90_ms']:9.2f}{f['target_ms']:11.0f}{f['target_over_median']:14.1f}x")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        rows = [f"| {n} | {f['median_ms']} | {f['p90_ms']} | {f['target_ms']:g} | {f['target_over_median']}x |" for n, f in figures.items()]
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text("| operation | median ms | p90 ms | target ms | target / median |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return report


if __name__ == "__main__":
    main()
