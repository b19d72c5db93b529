"""What the GAN playground and the discriminator's verdict cost the server.

python bench/bench_toy_gan.py [--steps 2000] [--calls 100] [--checkpoints checkpoints] [--port 7873]

In process (one thread, CPU time of this process): one training step of the 2-D GAN (core/gan/toy2d.py: one D
update and one G update, batch 64) and one redraw (Toy2DGAN.view() and its JSON: points, D's 24x24 surface, the
gradient arrows, the curves). Targets: a step under 1 ms, a redraw under 15 ms.
Through `python app.py` as the browser calls it (bench_app.BrowserPath), server CPU per call: a timer tick of the
playground at 1 and at 5 steps a frame (a tick = steps + redraw + Gradio's own work), and, for the Images tab, a
slider move's /image beside the /image_verdict event this release adds to it (before: /image alone; after: both).
Writes bench/reports/toy_gan.json and .md.
"""
from __future__ import annotations

import argparse
import json
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
from core.gan.toy2d import DATASETS, Toy2DGAN, ToyKnobs  # noqa: E402

STEP_TARGET_MS, REDRAW_TARGET_MS = 1.0, 15.0


def cpu_ms(fn, repeats: int) -> float:
    start = time.process_time()
    for _ in range(repeats):
        fn()
    return (time.process_time() - start) * 1000 / repeats


def in_process(steps: int) -> dict[str, dict[str, float]]:
    torch.set_num_threads(1)
    out = {}
    for data in DATASETS:
        for loss in ("non-saturating", "least-squares"):
            gan = Toy2DGAN(ToyKnobs(data=data, loss=loss), seed=0)
            gan.train(50)  # warm-up
            step = cpu_ms(gan.step, steps)
            redraw = cpu_ms(lambda: json.dumps(gan.view(), allow_nan=False, separators=(",", ":")), max(20, steps // 20))
            out[f"{data}/{loss}"] = {"step_ms": round(step, 3), "redraw_ms": round(redraw, 3),
                                     "json_bytes": len(json.dumps(gan.view(), separators=(",", ":")))}
    return out


def through_app(calls: int, checkpoints: str, port: int) -> dict[str, object]:
    process, _ = start_app(port, checkpoints)
    try:
        client = local_client(f"http://127.0.0.1:{port}/")
        server = psutil.Process(process.pid)
        endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        knobs = ["ring", "non-saturating", "adam", 0.001, 0.001, 1]
        report: dict[str, object] = {}
        for speed in (1, 5):
            browser = BrowserPath(f"http://127.0.0.1:{port}", client.config)  # a session of its own
            browser.call("toy_gan_play", knobs)
            report[f"tick_{speed}_steps"] = percentiles(lambda i: browser.call("toy_gan_tick", [*knobs, speed]), calls, server)
            browser.call("toy_gan_pause", [])
        browser = BrowserPath(f"http://127.0.0.1:{port}", client.config)
        report["no_op_floor"] = percentiles(lambda i: browser.call("random_image_seed", []), calls, server)
        if "/image" in endpoints:
            n = len(endpoints["/image"]["parameters"]) - 3
            move = lambda i: ["Sneaker", 3, 1.0, (i % 41) * 0.25 - 5.0, *[0.0] * (n - 1)]  # noqa: E731
            report["image"] = percentiles(lambda i: browser.call("image", move(i), True), calls, server)
            if "/image_verdict" in endpoints:
                report["image_verdict"] = percentiles(lambda i: browser.call("image_verdict", move(i)), calls, server)
        return report
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--checkpoints", default="checkpoints")
    p.add_argument("--port", type=int, default=7873)
    args = p.parse_args(argv)
    local = in_process(args.steps)
    app = through_app(args.calls, args.checkpoints, args.port)
    worst_step = max(r["step_ms"] for r in local.values())
    worst_redraw = max(r["redraw_ms"] for r in local.values())
    rows = ["| data / loss | CPU per step | CPU per redraw (view + JSON) | JSON per frame |", "|---|---|---|---|"]
    rows += [f"| {k} | {r['step_ms']:.3f} ms | {r['redraw_ms']:.3f} ms | {r['json_bytes'] / 1024:.1f} kB |" for k, r in local.items()]
    lines = [f"# GAN playground and D's verdict: server cost ({args.steps} steps in process; {args.calls} calls each through `python app.py`)", "",
             f"In process, one thread: worst step {worst_step:.3f} ms (target < {STEP_TARGET_MS:g} ms: "
             f"{'met' if worst_step < STEP_TARGET_MS else 'MISSED'}), worst redraw {worst_redraw:.3f} ms "
             f"(target < {REDRAW_TARGET_MS:g} ms: {'met' if worst_redraw < REDRAW_TARGET_MS else 'MISSED'}).", "", *rows, "",
             "Through the app, as the browser calls it (server CPU per call includes Gradio's own work):", "",
             "| call | p50 / p95 round trip | server CPU per call |", "|---|---|---|"]
    labels = {"no_op_floor": "no-op floor (/random_image_seed)", "tick_1_steps": "playground tick, 1 step a frame",
              "tick_5_steps": "playground tick, 5 steps a frame (default)", "image": "slider move: /image + PNG (before)",
              "image_verdict": "slider move: /image_verdict (added beside /image)"}
    for key, label in labels.items():
        if key in app:
            r = app[key]
            lines.append(f"| {label} | {r['p50_ms']} / {r['p95_ms']} ms | {r['server_cpu_ms_per_call']} ms |")  # type: ignore[index]
    if "image" in app and "image_verdict" in app:
        before = app["image"]["server_cpu_ms_per_call"]  # type: ignore[index]
        after = before + app["image_verdict"]["server_cpu_ms_per_call"]  # type: ignore[index]
        lines += ["", f"A slider move: server CPU {before} ms before, {after:.1f} ms with the verdict ({after / before:.2f}x)."]
    lines += ["", f"Machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end.", "",
              "Reproduce: `python bench/bench_toy_gan.py`", ""]
    text = "\n".join(lines)
    write_report("toy_gan", {"in_process": local, "through_app": app}, text)


if __name__ == "__main__":
    main()
