"""How fast "GPT learns" switches to a snapshot already visited, measured in Chromium, against issue #24's targets:
p95 under 300 ms from the click on the slider to the new step's view in the page, and under 50 ms of server CPU
per switch.

The page first visits every snapshot once (each continues the prompt: a model run), then clicks the slider at
random snapshots --switches times. A MutationObserver stamps when the curve's marker shows each step; the time of a
switch is that stamp minus the click's. Server CPU per switch is the app process's CPU time (psutil: Gradio's queue,
the event's HTTP and the handler together) over the measured switches, divided by their number; beside it, the
handler's own CPU for a cache hit (time.process_time around GptLearningHandlers.at_step in this process).

    python bench/bench_gpt_snapshot_switch.py                 # starts app.py on a free port
    python bench/bench_gpt_snapshot_switch.py --width 390     # a phone-sized page
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from bench.local_app import ROOT, cpu_seconds, free_port, start_app  # noqa: E402
from bench.timing import percentile, write_report  # noqa: E402

TARGET_P95_MS, TARGET_CPU_MS = 300.0, 50.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MARK = "document.querySelector('#gpt-learning-mark')?.dataset.step"
WATCH = """() => { window.__marks = []; const box = document.querySelector('#gpt-learning-curve');
  new MutationObserver(() => { const m = document.querySelector('#gpt-learning-mark'); const s = m && m.dataset.step;
    if (s && (!window.__marks.length || window.__marks[window.__marks.length - 1][1] !== s)) window.__marks.push([performance.now(), s]); })
    .observe(box, {subtree: true, childList: true, attributes: true, characterData: true}); }"""


def click_snapshot(page, number: int, count: int) -> int:
    """Click the slider's track where snapshot `number` (1..count) sits; return the number it took."""
    slider = page.locator("#gpt-learning-step input[type=range]")
    box = slider.bounding_box()
    thumb = 16  # the browser maps the track between half a thumb from each end onto min..max
    x = box["x"] + thumb / 2 + (box["width"] - thumb) * (number - 1) / max(1, count - 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)
    return int(slider.input_value())


def switch_ms(page, number: int, steps: list[int]) -> float:
    """One switch to snapshot `number`: from the click to its step's marker in the page, in ms."""
    before = page.evaluate("window.__marks.length")
    clicked = page.evaluate("performance.now()")
    taken = click_snapshot(page, number, len(steps))
    step = str(steps[taken - 1])
    page.wait_for_function(f"(s) => {MARK} === s", arg=step, timeout=30_000)
    arrived = page.evaluate("(n) => window.__marks.slice(n)", before)
    return next(t for t, s in arrived if s == step) - clicked


def handler_cpu_ms(repeats: int = 200) -> tuple[list[int], float]:
    """The handler's own CPU for a cache hit, in this process: (steps, mean ms per switch)."""
    from demo.app_state import load_app_state
    from demo.gpt_learning_handlers import DEFAULT_PROMPT, GptLearningHandlers
    from demo.gpt_models import GptModels

    state = load_app_state(ROOT / "checkpoints")
    handlers = GptLearningHandlers(GptModels(state.gpt, state.gpt_snapshots))
    for step in handlers.steps:
        handlers.at_step(step, DEFAULT_PROMPT)
    started = time.process_time()
    for i in range(repeats):
        handlers.at_step(handlers.steps[i % len(handlers.steps)], DEFAULT_PROMPT)
    return handlers.steps, (time.process_time() - started) / repeats * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--switches", type=int, default=40)
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    steps, handler_ms = handler_cpu_ms()
    port = free_port()
    process, _ = start_app(port, str(ROOT / "checkpoints"))
    server = psutil.Process(process.pid)
    rng = random.Random(args.seed)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}")
            page.get_by_role("tab", name="GPT learns").click()
            page.locator("#gpt-learning-mark").wait_for(state="attached")
            page.locator("#gpt-learning-step").scroll_into_view_if_needed()
            page.evaluate(WATCH)
            for number in range(1, len(steps) + 1):  # visit each snapshot once: the model runs for the prompt
                switch_ms(page, number, steps)
            cpu_before = cpu_seconds(server)
            times = []
            current = int(page.locator("#gpt-learning-step input[type=range]").input_value())
            for _ in range(args.switches):
                number = rng.choice([n for n in range(1, len(steps) + 1) if n != current])
                times.append(switch_ms(page, number, steps))
                current = number
            server_ms = (cpu_seconds(server) - cpu_before) / args.switches * 1000
            browser.close()
    finally:
        process.terminate()
    times.sort()
    figures = {"switches": args.switches, "width": args.width, "steps": steps,
               "switch_ms_p50": round(statistics.median(times), 1), "switch_ms_p95": round(percentile(times, 0.95), 1),
               "switch_ms_max": round(times[-1], 1), "server_cpu_ms_per_switch": round(server_ms, 2),
               "handler_cpu_ms_per_switch": round(handler_ms, 3), "target_p95_ms": TARGET_P95_MS,
               "target_cpu_ms": TARGET_CPU_MS}
    p95_ratio, cpu_ratio = figures["switch_ms_p95"] / TARGET_P95_MS, server_ms / TARGET_CPU_MS
    markdown = "\n".join([
        f"# GPT learns: switching to a snapshot already visited ({args.switches} switches, {args.width} px, "
        f"{len(steps)} snapshots)", "",
        "| measure | value | target | ratio |", "|---|---|---|---|",
        f"| click to view, p50 | {figures['switch_ms_p50']} ms | | |",
        f"| click to view, p95 | {figures['switch_ms_p95']} ms | {TARGET_P95_MS:g} ms | {p95_ratio:.2f}x "
        f"({'met' if p95_ratio <= 1 else 'missed'}) |",
        f"| server CPU per switch (app process) | {figures['server_cpu_ms_per_switch']} ms | {TARGET_CPU_MS:g} ms | "
        f"{cpu_ratio:.2f}x ({'met' if cpu_ratio <= 1 else 'missed'}) |",
        f"| the handler's own CPU per switch | {figures['handler_cpu_ms_per_switch']} ms | | |"])
    write_report("gpt_snapshot_switch", figures, markdown)


if __name__ == "__main__":
    main()
