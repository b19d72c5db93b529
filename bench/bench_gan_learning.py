"""What "watch it learn" (Images tab) costs the server per step-slider move.

python bench/bench_gan_learning.py [--calls 200] [--checkpoints checkpoints] [--port 7874]

In process (one thread, CPU time of this process), over the shipped checkpoints/gan-fashion-snapshots:
- start-up: loading the snapshots and drawing every step's grid (once per app);
- a slider move that comes back to a step already shown for this seed (the common case: sliding to and fro; the
  image file, the grid file and the curves' SVG are all kept, so only the caption and marker are built);
- a slider move to a (step, seed) not shown before (one generator call for one image, a PNG written);
- the curves alone (caption + the SVG with its marker).
Through `python app.py` as the browser calls it (bench_app.BrowserPath: join the queue, read the result, fetch the
image), server CPU per /learning_snapshot call, sliding over the steps with one seed, beside a no-op event as the floor
(what Gradio's queue costs any event). Target: a few ms of server CPU per move. Writes bench/reports/gan_learning.json
and .md.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psutil
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_app import BrowserPath, percentiles  # noqa: E402
from bench.local_app import local_client, start_app  # noqa: E402
from bench.timing import write_report  # noqa: E402
from core.gan.snapshots import load_snapshot_run  # noqa: E402
from demo.app_state import SNAPSHOTS_NAME  # noqa: E402

TARGET_MS = 5.0  # server CPU per slider move ("a few ms")


def cpu_ms(fn, repeats: int) -> float:
    start = time.process_time()
    for i in range(repeats):
        fn(i)
    return (time.process_time() - start) * 1000 / repeats


def in_process(directory: Path, calls: int) -> dict[str, float]:
    from demo.gan_learning_handlers import LearningHandlers

    torch.set_num_threads(1)
    start = time.process_time()
    handlers = LearningHandlers(load_snapshot_run(directory))
    startup = (time.process_time() - start) * 1000
    steps = handlers.view.steps
    for step in steps:  # the first pass over the steps for seed 0 draws and keeps each image
        handlers.at_step(step, "random", 0)
    return {"startup_ms": round(startup, 1),
            "move_seen_step_ms": round(cpu_ms(lambda i: handlers.at_step(steps[i % len(steps)], "random", 0), calls), 3),
            "move_new_seed_ms": round(cpu_ms(lambda i: handlers.at_step(steps[i % len(steps)], "random", 10_000 + i), calls), 3),
            "curves_ms": round(cpu_ms(lambda i: (handlers.caption(steps[i % len(steps)]), handlers.curves(steps[i % len(steps)])), calls), 3),
            "snapshots": len(steps)}


def through_app(calls: int, checkpoints: str, port: int) -> dict[str, object]:
    process, _ = start_app(port, checkpoints)
    try:
        client = local_client(f"http://127.0.0.1:{port}/")
        server = psutil.Process(process.pid)
        steps = load_snapshot_run(Path(checkpoints) / SNAPSHOTS_NAME).steps
        browser = BrowserPath(f"http://127.0.0.1:{port}", client.config)
        report: dict[str, object] = {}
        floor = next((n for n in ("random_image_seed", "random_seed") if n in browser.fn_index), None)
        if floor:
            report["no_op_floor"] = percentiles(lambda i: browser.call(floor, []), calls, server)
        report["learning_snapshot"] = percentiles(lambda i: browser.call("learning_snapshot", [1 + i % len(steps), "random", 0], True, file_index=1),
                                              calls, server)
        report["learning_snapshot_new_seed"] = percentiles(
            lambda i: browser.call("learning_snapshot", [1 + i % len(steps), "random", 20_000 + i], True, file_index=1), calls, server)
        return report
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--checkpoints", default="checkpoints")
    p.add_argument("--port", type=int, default=7874)
    args = p.parse_args(argv)
    directory = Path(args.checkpoints) / SNAPSHOTS_NAME
    local = in_process(directory, args.calls)
    app = through_app(args.calls, args.checkpoints, args.port)
    seen = local["move_seen_step_ms"]
    lines = [f"# Watch it learn: server cost per step-slider move ({local['snapshots']} snapshots, {args.calls} calls each)", "",
             f"In process, one thread, CPU per call: a move to a step already shown for the seed {seen:.3f} ms (target < "
             f"{TARGET_MS:g} ms: {'met' if seen < TARGET_MS else 'MISSED'}); to a new (step, seed) "
             f"{local['move_new_seed_ms']:.3f} ms (one generator call and a PNG); the caption and curves alone "
             f"{local['curves_ms']:.3f} ms. Start-up (load the snapshots, draw every step's grid): {local['startup_ms']:.0f} ms.", "",
             "Through the app, as the browser calls it (server CPU per call includes Gradio's own work):", "",
             "| call | p50 / p95 round trip | server CPU per call |", "|---|---|---|"]
    labels = {"no_op_floor": "no-op floor (an event that does nothing)", "learning_step": "/learning_step, sliding over the steps, one seed",
              "learning_step_new_seed": "/learning_step, a new seed every call"}
    for key, label in labels.items():
        if key in app:
            r = app[key]
            lines.append(f"| {label} | {r['p50_ms']} / {r['p95_ms']} ms | {r['server_cpu_ms_per_call']} ms |")  # type: ignore[index]
    lines += ["", f"Machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end.", "",
              "Reproduce: `python bench/bench_gan_learning.py`", ""]
    write_report("gan_learning", {"in_process": local, "through_app": app, "target_ms": TARGET_MS}, "\n".join(lines))


if __name__ == "__main__":
    main()
