"""What the GAN playground and the discriminator's verdict cost the server.

python bench/bench_toy_gan.py [--steps 2000] [--calls 100] [--frames 60] [--checkpoints checkpoints] [--port 7873]

In process (one thread, CPU time of this process): one training step of the 2-D GAN (core/gan/toy2d.py: one D
update and one G update, batch 64) and one redraw (Toy2DGAN.view() and its JSON: points, D's 24x24 surface, the
gradient arrows, the curves). Targets: a step under 1 ms, a redraw under 15 ms.
Through `python app.py` as the browser calls it (bench_app.BrowserPath): the playground's Play stream at 1 and at 5
steps a frame, read for --frames frames (frames a second, the gaps between frames, and the server's CPU per frame:
steps + redraw + Gradio's own work), and, for the Images tab, server CPU per call of a slider move's /image beside
the /image_verdict event next to it (before: /image alone; after: both).
Writes bench/reports/toy_gan.json and .md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psutil
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_app import BrowserPath, percentiles  # noqa: E402
from bench.local_app import cpu_seconds, local_client, start_app  # noqa: E402
from bench.timing import percentile, write_report  # noqa: E402
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


def play_stream(browser: BrowserPath, knobs: list, speed: int, frames: int, server: psutil.Process) -> dict[str, float]:
    """Press Play as the page does, read `frames` frames off the session's event stream, then Pause (the stream ends
    at its next frame). Frames a second and the gaps between frames from the first frame on, and the server's CPU
    per frame over the same span."""
    play_id = browser.join("toy_gan_play", [*knobs, speed])
    arrived: list[float] = []
    cpu_start = cpu_end = 0.0
    with browser.http.stream("GET", "/queue/data", params={"session_hash": browser.session}) as stream:
        for line in stream.iter_lines():
            message = json.loads(line[5:]) if line.startswith("data:") else {}
            if message.get("event_id") != play_id:
                continue
            if message.get("msg") == "process_generating":
                arrived.append(time.perf_counter())
                if len(arrived) == 1:
                    cpu_start = cpu_seconds(server, children=True)
                if len(arrived) == frames + 1:
                    cpu_end = cpu_seconds(server, children=True)
                    browser.join("toy_gan_pause", [])
            elif message.get("msg") == "process_completed":
                break
    if len(arrived) <= frames:
        raise RuntimeError(f"the Play stream ended after {len(arrived)} frames: {message}")
    gaps = sorted((b - a) * 1000 for a, b in zip(arrived, arrived[1:frames + 1]))
    return {"frames_per_s": round(frames / (arrived[frames] - arrived[0]), 2), "gap_p50_ms": round(statistics.median(gaps), 1),
            "gap_p95_ms": round(percentile(gaps, 0.95), 1), "gap_max_ms": round(max(gaps), 1),
            "server_cpu_ms_per_frame": round((cpu_end - cpu_start) * 1000 / frames, 2), "frames": frames}


def through_app(calls: int, frames: int, checkpoints: str, port: int) -> dict[str, object]:
    process, _ = start_app(port, checkpoints)
    try:
        client = local_client(f"http://127.0.0.1:{port}/")
        server = psutil.Process(process.pid)
        endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        knobs = ["ring", "non-saturating", "adam", 0.001, 0.001, 1]
        report: dict[str, object] = {}
        for speed in (1, 5):
            browser = BrowserPath(f"http://127.0.0.1:{port}", client.config)  # a session of its own
            report[f"play_{speed}_steps"] = play_stream(browser, knobs, speed, frames, server)
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
    p.add_argument("--frames", type=int, default=60, help="frames of the Play stream read at each speed")
    p.add_argument("--checkpoints", default="checkpoints")
    p.add_argument("--port", type=int, default=7873)
    args = p.parse_args(argv)
    local = in_process(args.steps)
    app = through_app(args.calls, args.frames, args.checkpoints, args.port)
    worst_step = max(r["step_ms"] for r in local.values())
    worst_redraw = max(r["redraw_ms"] for r in local.values())
    rows = ["| data / loss | CPU per step | CPU per redraw (view + JSON) | JSON per frame |", "|---|---|---|---|"]
    rows += [f"| {k} | {r['step_ms']:.3f} ms | {r['redraw_ms']:.3f} ms | {r['json_bytes'] / 1024:.1f} kB |" for k, r in local.items()]
    lines = [f"# GAN playground and D's verdict: server cost ({args.steps} steps in process; {args.calls} calls each through `python app.py`)", "",
             f"In process, one thread: worst step {worst_step:.3f} ms (target < {STEP_TARGET_MS:g} ms: "
             f"{'met' if worst_step < STEP_TARGET_MS else 'MISSED'}), worst redraw {worst_redraw:.3f} ms "
             f"(target < {REDRAW_TARGET_MS:g} ms: {'met' if worst_redraw < REDRAW_TARGET_MS else 'MISSED'}).", "", *rows, "",
             f"Through the app, as the browser calls it: the Play stream ({args.frames} frames at each speed; the server sends "
             "12 a second, the target is at least 10):", "",
             "| Play stream | frames a second | gap between frames p50 / p95 / max | server CPU per frame |", "|---|---|---|---|"]
    for speed in (1, 5):
        r = app[f"play_{speed}_steps"]
        lines.append(f"| {speed} step{'s' if speed > 1 else ''} a frame{' (default)' if speed == 5 else ''} | {r['frames_per_s']} | "  # type: ignore[index]
                     f"{r['gap_p50_ms']} / {r['gap_p95_ms']} / {r['gap_max_ms']} ms | {r['server_cpu_ms_per_frame']} ms |")  # type: ignore[index]
    lines += ["", "Server CPU per call (Gradio's own work included):", "", "| call | p50 / p95 round trip | server CPU per call |", "|---|---|---|"]
    labels = {"no_op_floor": "no-op floor (/random_image_seed)", "image": "slider move: /image + PNG (before)",
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
