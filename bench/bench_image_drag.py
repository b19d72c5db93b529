"""How far the Images tab's picture trails a ψ drag, measured in Chromium: the target is the image within 150 ms of
the slider's input during a continuous drag (issue #23), and the final value shown soon after the last input.

A drag moves ψ one step every --step-ms; a MutationObserver stamps the time each image arrives, and the file name
says which ψ it shows (dress-seed0-psi1.05.png). Lag of a shown image = its arrival - when the slider first held
that ψ. Prints p50 / p95 / max of that lag, the final value's lag, and the ratio to the target.

    python bench/bench_image_drag.py            # starts app.py on a free port
    python bench/bench_image_drag.py --url http://127.0.0.1:7860
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_app import ROOT, free_port, start_app  # noqa: E402

TARGET_MS = 150.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
WATCH = """() => { window.__shown = []; const box = document.querySelector('#gan-image');
  new MutationObserver(() => { const img = box.querySelector('img'); const src = img && decodeURIComponent(img.src);
    if (src && (!window.__shown.length || window.__shown[window.__shown.length - 1][1] !== src)) window.__shown.push([performance.now(), src]); })
    .observe(box, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']}); }"""


def drag(page, steps: int, step_ms: float) -> tuple[list[tuple[float, float]], list[tuple[float, str]]]:
    """Drag ψ across `steps` positions; return (time each new value was first seen, the images shown)."""
    slider = page.locator("#gan-psi input[type=range]")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.evaluate(WATCH)
    inputs: list[tuple[float, float]] = []
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    for i in range(steps):
        page.mouse.move(box["x"] + box["width"] * (0.25 + 0.5 * i / steps), y)
        value = float(slider.input_value())
        if not inputs or inputs[-1][1] != value:
            inputs.append((page.evaluate("performance.now()"), value))
        page.wait_for_timeout(step_ms)
    page.mouse.up()
    final = inputs[-1][1]
    page.wait_for_function("(f) => window.__shown.some(([t, s]) => s.includes('psi' + f))", arg=_psi_text(final), timeout=10_000)
    return inputs, page.evaluate("window.__shown")


def _psi_text(psi: float) -> str:
    text = f"{psi:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def lags(inputs: list[tuple[float, float]], shown: list[tuple[float, str]]) -> tuple[list[float], float]:
    """Per value the slider held: how long after it was first held its image arrived (values skipped by the
    newest-wins rule have no image and no lag); and the same for the drag's final value."""
    first_held = {value: t for t, value in reversed(inputs)}
    arrived: dict[float, float] = {}
    for t, src in shown:
        match = re.search(r"psi([0-9.]+)\.png", src)
        value = float(match.group(1)) if match else None
        if value in first_held and t >= first_held[value] and value not in arrived:
            arrived[value] = t
    out = [arrived[v] - first_held[v] for v in arrived]
    final = inputs[-1][1]
    return out, arrived.get(final, float("nan")) - first_held[final]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="an app already running (default: start app.py here)")
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--step-ms", type=float, default=30.0, help="ms between pointer moves (30: a brisk drag)")
    p.add_argument("--drags", type=int, default=3)
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--report", default=str(ROOT / "bench" / "reports" / "image_drag.json"))
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    process = None
    url = args.url
    if url is None:
        port = free_port()
        process, _ = start_app(port, str(ROOT / "checkpoints"))
        url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": 900})
            page.goto(url)
            page.get_by_role("tab", name=re.compile("Images")).click()
            page.locator("#gan-image img").wait_for()
            page.wait_for_timeout(1000)
            all_lags, finals = [], []
            for _ in range(args.drags):
                inputs, shown = drag(page, args.steps, args.step_ms)
                during, final = lags(inputs, shown)
                all_lags += during
                finals.append(final)
                page.wait_for_timeout(1500)
            browser.close()
    finally:
        if process is not None:
            process.terminate()
    all_lags.sort()
    q = lambda f: all_lags[min(len(all_lags) - 1, int(f * len(all_lags)))]  # noqa: E731
    report = {"images_shown": len(all_lags), "lag_ms_p50": round(statistics.median(all_lags), 1), "lag_ms_p95": round(q(0.95), 1),
              "lag_ms_max": round(all_lags[-1], 1), "final_value_lag_ms": [round(f, 1) for f in finals], "target_ms": TARGET_MS,
              "step_ms": args.step_ms, "steps": args.steps, "width": args.width}
    print(json.dumps(report, indent=1))
    print(f"p95 lag / target: {report['lag_ms_p95'] / TARGET_MS:.2f}x ({'met' if report['lag_ms_p95'] <= TARGET_MS else 'missed'})")
    Path(args.report).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
