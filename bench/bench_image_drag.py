"""The Images tab's sliders drawn in the page (issue #28), measured in Chromium at desktop and phone sizes:

- slider input -> new pixels on the canvas (image_web.js stamps the oldest input not yet drawn and the moment the
  canvas holds the new pixels, and the next animation frame after it): targets p50 < 16 ms, p95 < 33 ms;
- the first image after the page opens (?tab=image, a fresh browser cache: the runtime's download included):
  target < 1.5 s, from the navigation's start to the first pixels on the canvas;
- server requests during the drags (queue joins and /image-web/): target 0 per move (a psi drag's release still
  redraws the previews, grid and GIF on the server: one event per drag, counted apart);
- the server CPU of one /image-web/z answer (in this process, through the route's ASGI code): target < 5 ms.

    python bench/bench_image_drag.py            # starts app.py on a free port
    python bench/bench_image_drag.py --url http://127.0.0.1:7860

Writes bench/reports/image_drag.json. Not a test: the figures depend on the machine and its load (printed).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_app import ROOT, free_port, start_app  # noqa: E402

TARGET_P50_MS, TARGET_P95_MS, TARGET_FIRST_MS, TARGET_Z_CPU_MS = 16.0, 33.0, 1500.0, 5.0
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SLIDERS = ["#gan-psi", "#gan-direction-0", "#gan-direction-3", "#gan-direction-7"]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drag(page, selector: str, steps: int, step_ms: float) -> None:
    """Drag a slider's thumb from 20 % to 80 % of its width, one pointer move every step_ms."""
    box = page.locator(f"{selector} input[type=range]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.6 * i / steps), y)
        page.wait_for_timeout(step_ms)
    page.mouse.up()


def measure_size(browser, url: str, size: str, drags: int, steps: int, step_ms: float) -> dict:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=size == "phone")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/?tab=image")
    page.wait_for_function("() => window.ganWeb && window.ganWeb.state.firstPaintAt > 0")
    first = page.evaluate("""() => { const s = window.ganWeb.state;
      return {first: s.firstPaintAt, start: s.startAt, ready: s.readyAt}; }""")  # ms since navigation start
    asked: list[str] = []  # one queue join per server event; the page's own routes
    page.on("request", lambda r: asked.append(r.url) if ("/gradio_api/queue/join" in r.url or "/image-web/" in r.url) else None)
    page.evaluate("() => { window.ganWeb.state.times.length = 0; window.ganWeb.state.frames.length = 0; }")
    during = {"direction": 0, "psi": 0}
    for i in range(drags):
        selector = SLIDERS[i % len(SLIDERS)]
        page.locator(selector).scroll_into_view_if_needed()
        before = len(asked)
        drag(page, selector, steps, step_ms)
        settled = -1
        while settled != len(asked):  # a psi drag's release starts the previews, then the grid, then the GIF
            settled = len(asked)
            page.wait_for_timeout(1500)
        during["psi" if selector == "#gan-psi" else "direction"] += len(asked) - before
    times, frames = page.evaluate("() => [window.ganWeb.state.times, window.ganWeb.state.frames]")
    context.close()
    psi_drags = sum(1 for i in range(drags) if SLIDERS[i % len(SLIDERS)] == "#gan-psi")
    return {"first_image_ms": round(first["first"], 1),
            "first_image_parts_ms": {"page_until_runtime_starts": round(first["start"], 1),
                                     "runtime_and_model_load": round(first["ready"] - first["start"], 1),
                                     "noise_and_first_draw": round(first["first"] - first["ready"], 1)},
            "draws": len(times),
            "input_to_pixels_ms": {"p50": round(statistics.median(times), 1), "p95": round(quantile(times, 0.95), 1),
                                   "max": round(max(times), 1)},
            "input_to_frame_ms": {"p50": round(statistics.median(frames), 1), "p95": round(quantile(frames, 0.95), 1)},
            # direction drags ask nothing; a psi drag's release redraws the previews, grid and GIF on the server
            # (one event, after the drag: not per move)
            "requests_during_direction_drags": during["direction"], "server_events_per_psi_drag": round(during["psi"] / max(psi_drags, 1), 2)}


def z_route_cpu_ms(calls: int = 2000) -> float:
    """Server CPU per GET /image-web/z, through LatentRoute's ASGI code, in this process (one thread)."""
    import torch

    from core.gan.io import load_gan
    from core.gan.latent import LatentStudio
    from serve import latent_route

    torch.set_num_threads(1)
    latent_route.offer(LatentStudio(load_gan(ROOT / "checkpoints" / "gan-fashion")), build_now=False)
    route = latent_route.LatentRoute(None)  # type: ignore[arg-type]

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        return None

    async def many() -> None:
        for i in range(calls):
            scope = {"type": "http", "method": "GET", "path": "/image-web/z", "headers": [],
                     "query_string": f"class=random&seed={i * 7919}".encode()}
            await route(scope, receive, send)

    started = time.process_time()
    asyncio.run(many())
    return (time.process_time() - started) * 1000 / calls


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="an app already running (default: start app.py here)")
    p.add_argument("--drags", type=int, default=8)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--step-ms", type=float, default=30.0, help="ms between pointer moves (30: a brisk drag)")
    p.add_argument("--report", default=str(ROOT / "bench" / "reports" / "image_drag.json"))
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    load_start = [round(x, 2) for x in os.getloadavg()]
    process, url = None, args.url
    if url is None:
        port = free_port()
        process, _ = start_app(port, str(ROOT / "checkpoints"))
        url = f"http://127.0.0.1:{port}"
    url = url.rstrip("/")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            sizes = {size: measure_size(browser, url, size, args.drags, args.steps, args.step_ms) for size in SIZES}
            browser.close()
    finally:
        if process is not None:
            process.terminate()
    z_cpu = round(z_route_cpu_ms(), 3)
    targets = []
    for size, row in sizes.items():
        targets += [{"name": f"{size}: input -> pixels p50 < {TARGET_P50_MS:g} ms", "measured": row["input_to_pixels_ms"]["p50"],
                     "met": row["input_to_pixels_ms"]["p50"] < TARGET_P50_MS},
                    {"name": f"{size}: input -> pixels p95 < {TARGET_P95_MS:g} ms", "measured": row["input_to_pixels_ms"]["p95"],
                     "met": row["input_to_pixels_ms"]["p95"] < TARGET_P95_MS},
                    {"name": f"{size}: first image < {TARGET_FIRST_MS:g} ms", "measured": row["first_image_ms"],
                     "met": row["first_image_ms"] < TARGET_FIRST_MS},
                    {"name": f"{size}: requests during direction drags = 0", "measured": row["requests_during_direction_drags"],
                     "met": row["requests_during_direction_drags"] == 0}]
    targets.append({"name": f"/image-web/z server CPU < {TARGET_Z_CPU_MS:g} ms", "measured": z_cpu, "met": z_cpu < TARGET_Z_CPU_MS})
    report = {"command": "python bench/bench_image_drag.py" + "".join(f" {a}" for a in sys.argv[1:]), "sizes": sizes,
              "z_route_server_cpu_ms": z_cpu, "drags": args.drags, "steps": args.steps, "step_ms": args.step_ms,
              "machine": {"cpus": os.cpu_count(), "loadavg_start": load_start, "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
              "targets": targets}
    print(json.dumps(report, indent=1))
    for t in targets:
        print(f"{'met   ' if t['met'] else 'MISSED'} {t['name']}: {t['measured']}")
    Path(args.report).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
