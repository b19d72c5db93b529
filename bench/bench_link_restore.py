"""How long a shared link takes to open its view, measured in Chromium, against issue #25's target: the view complete
within 1.5 s locally.

For each link (one set-up view per tab, the kind the tour and a teacher send), a fresh page opens it --repeats times;
the time is from the navigation's start (performance.timeOrigin) to the moment the restore and every draw it chained
have finished (demo/static/links.js `restored`, stamped when the last linked view's draw ends: a text stream has
ended, the image and D's verdict, the episode, the traced text are in the page). Beside it, what a link cannot
beat: the page's DOMContentLoaded and the moment Gradio's page is ready (links.js presses the restore button), and
the link's own part (restore and draws) after that.

    python bench/bench_link_restore.py              # starts app.py on a free port, desktop page
    python bench/bench_link_restore.py --width 390  # a phone-sized page
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_app import ROOT, free_port, start_app  # noqa: E402
from bench.timing import write_report  # noqa: E402

TARGET_MS = 1500.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LINKS = {
    "text": "?tab=text&text-prompt=ROMEO%3A&text-temperature=0.3&text-max-new=120&text-seed=7",
    "inside": "?tab=inside&inside-prompt=hello%20world&inside-layer=1&inside-head=2",
    "learn": "?tab=learn&learn-step=400",
    "image": "?tab=image&image-class=Sneaker&image-seed=3&image-psi=0.7",
    "toy-gan": "?tab=toy-gan&toy-gan-data=ring&toy-gan-loss=least-squares",
    "agent": "?tab=agent&agent-seed=5&agent-wind=true&agent-wind-power=15",
}


def open_link(browser, url: str, width: int) -> tuple[float, float, float]:
    """(ms from navigation start to the restored view, to DOMContentLoaded, to Gradio's page being ready: the moment
    links.js could press the restore button) for one fresh page."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_function("() => document.documentElement.dataset.linkRestored", timeout=60_000)
        done = page.evaluate("() => window.playgroundLinks.restoredAt")
        loaded = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        return done, loaded, page.evaluate("() => window.playgroundLinks.pressedAt")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an app already running (default: start app.py on a free port)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    app = None
    url = args.url
    if url is None:
        port = free_port()
        app, _ = start_app(port, str(ROOT / "checkpoints"))
        url = f"http://127.0.0.1:{port}/"
    lines = [f"# Opening a link to a set-up view (width {args.width} px, {args.repeats} fresh pages each)", "",
             "| view | link | median ms | max ms | DOMContentLoaded ms | Gradio's page ready ms | the link's own part ms | target |",
             "|---|---|---|---|---|---|---|---|"]
    worst = 0.0
    figures: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            open_link(browser, url + LINKS["text"], args.width)  # warm: the first page compiles Gradio's bundle
            for name, link in LINKS.items():
                runs = [open_link(browser, url + link, args.width) for _ in range(args.repeats)]
                done = [d for d, _, _ in runs]
                ready = [r for _, _, r in runs]
                worst = max(worst, max(done))
                figures[name] = {"median_ms": statistics.median(done), "max_ms": max(done),
                                 "dom_content_loaded_ms": statistics.median(l for _, l, _ in runs),
                                 "page_ready_ms": statistics.median(ready),
                                 "link_part_ms": statistics.median(d - r for d, r in zip(done, ready))}
                row = figures[name]
                lines.append(f"| {name} | `{link}` | {row['median_ms']:.0f} | {row['max_ms']:.0f} | "
                             f"{row['dom_content_loaded_ms']:.0f} | {row['page_ready_ms']:.0f} | {row['link_part_ms']:.0f} | "
                             f"{TARGET_MS:.0f} |")
            browser.close()
    finally:
        if app is not None:
            app.terminate()
    lines += ["", f"Slowest view: {worst:.0f} ms, {worst / TARGET_MS:.2f}x the {TARGET_MS:.0f} ms target."]
    write_report(f"link_restore_{args.width}", {"width": args.width, "target_ms": TARGET_MS, "views": figures},
                 "\n".join(lines))


if __name__ == "__main__":
    main()
