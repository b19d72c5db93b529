"""App benchmark: what a person feels when moving a knob, measured through the running app with gradio_client.

python bench/bench_app.py [--calls 100] [--checkpoints checkpoints] [--port 7871]

Starts `python app.py` as its own process and times how long until the page answers (start-up), then times the round
trip of an image-slider update (/image with a moving direction, the PNG downloaded as the browser would) and of the
next-token bars (/next_tokens with a moving temperature) and of Inside the GPT's clicks (a character, then a head, over
a 300-character text: every panel and the model-view PNG) over --calls calls each; prints p50/p95 against the targets
(p50 under 100 ms, p95 under 250 ms) and writes bench/reports/app.json and .md.

Each is also timed the way the browser calls it (POST /queue/join, read the event stream, fetch the PNG over a
kept-alive connection), which shows what the app itself costs: gradio_client adds a thread hop, polls for results
every 50 ms and opens a new connection per request (see bench/local_app.py for why its clients skip loading TLS
certificates on plain http). A no-op endpoint (a random seed) is timed both ways as the floor before any model work.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.local_app import cpu_seconds, local_client, start_app  # noqa: E402
from bench.timing import call_times_ms, percentile, write_report  # noqa: E402

# Inside the GPT: a 300-character text after the prompt; clicks move over its characters and over the 6 x 6 heads.
INSIDE_PROMPT = "ROMEO:\n"
INSIDE_TEXT = INSIDE_PROMPT + ("But soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"
                               "Arise, fair sun, and kill the envious moon,\nWho is already sick and pale with grief,\n"
                               "That thou her maid art far more fair than she:\nBe not her maid, since she is envious;\n"
                               "Her vestal livery is but sick and green")[:300]
INSIDE_KNOBS = [0.8, 40, 0.95]
INSIDE_HEAD_STEP = 150  # the step whose heads are clicked; the model view then spans 48 characters
TARGET_P50_MS, TARGET_P95_MS = 100.0, 250.0


class BrowserPath:
    """Calls an event the way the page does: join the queue, read the server-sent events until the result."""

    def __init__(self, base_url: str, config: dict[str, Any]):
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/gradio_api", timeout=60)
        self.fn_index = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}
        self.session = uuid.uuid4().hex

    def join(self, api_name: str, data: list[Any], event_data: Any = None) -> str:
        """Put an event in the queue as the page does; its answer comes on this session's event stream. The event's id."""
        body = {"data": data, "fn_index": self.fn_index[api_name], "session_hash": self.session, "event_data": event_data, "trigger_id": None}
        response = self.http.post("/queue/join", json=body)
        response.raise_for_status()
        return response.json()["event_id"]

    def call(self, api_name: str, data: list[Any], fetch_file: bool = False, event_data: Any = None, file_index: int = 0) -> None:
        """event_data: what the page sends with a click (a select event's index); file_index: which output is the file."""
        self.join(api_name, data, event_data)
        with self.http.stream("GET", "/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:") and '"process_completed"' in line:
                    message = json.loads(line[5:])
                    break
        if not message.get("success"):
            raise RuntimeError(f"{api_name} failed: {message}")
        if fetch_file:
            self.http.get(message["output"]["data"][file_index]["url"]).raise_for_status()


def percentiles(call: Callable[[int], object], calls: int, server: psutil.Process, warmup: int = 5) -> dict[str, float]:
    """p50/p95/mean in milliseconds of call(i) for i in range(calls), after a few warm-up calls, and the server's
    CPU per call (user + system, warm-up calls included): what each call costs the machine, not just the wait."""
    cpu_before = cpu_seconds(server, children=True)
    times = call_times_ms(call, calls, warmup)
    server_cpu_ms = (cpu_seconds(server, children=True) - cpu_before) * 1000 / (calls + warmup)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "mean_ms": round(statistics.fmean(times), 1), "server_cpu_ms_per_call": round(server_cpu_ms, 1), "calls": calls}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--checkpoints", default="checkpoints")
    parser.add_argument("--port", type=int, default=7871)
    args = parser.parse_args(argv)

    process, startup_s = start_app(args.port, args.checkpoints)
    report: dict[str, object] = {"startup_s": round(startup_s, 2), "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS}}
    try:
        client = local_client(f"http://127.0.0.1:{args.port}/")
        endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        browser = BrowserPath(f"http://127.0.0.1:{args.port}", client.config)
        floor = next((name for name in ("/random_image_seed", "/random_seed") if name in endpoints), None)
        calls: dict[str, tuple[str, Callable[[int], list[Any]], bool]] = {}
        # (api_name, data, event_data, index of the output file) where the page calls another event than the client
        as_page: dict[str, tuple[str, Callable[[int], list[Any]], Callable[[int], Any], int]] = {}
        if floor:
            calls["no_op_floor"] = (floor, lambda i: [], False)
        if "/image" in endpoints:
            n = len(endpoints["/image"]["parameters"]) - 3  # class, seed, psi, then one value per direction
            calls["image_slider"] = ("/image", lambda i: ["Sneaker", 3, 1.0, (i % 41) * 0.25 - 5.0, *[0.0] * (n - 1)], True)
        if "/next_tokens" in endpoints:
            calls["next_token_bars"] = ("/next_tokens", lambda i: ["ROMEO:\nWhat light", 0.1 + (i % 40) * 0.05, 40, 0.95], False)
            as_page["next_token_bars"] = ("page_next_tokens", calls["next_token_bars"][1], lambda i: None, 0)  # the page's own event
        if any(e.api_name == "/inside_view" and e.is_valid for e in client.endpoints.values()):  # page-only (not in view_api); the page sends a click's index with the select event; clients name the step
            def char_step(i: int) -> int:
                return len(INSIDE_PROMPT) + (i * 7) % (len(INSIDE_TEXT) - len(INSIDE_PROMPT))

            def head_pixel(i: int) -> list[int]:  # the centre of heatmap (layer, head) in the 6 x (48 + 4) x 2 px view
                return [(i % 6) * 104 + 52, ((i // 6) % 6) * 104 + 52]

            base = [INSIDE_PROMPT, INSIDE_TEXT, *INSIDE_KNOBS]
            calls["inside_char_click"] = ("/inside_view", lambda i: [*base, char_step(i), 3, "2"], True)
            as_page["inside_char_click"] = ("inside_pick_char", lambda i: [*base, 3, "2"],
                                            lambda i: {"index": char_step(i), "value": None}, 3)
            calls["inside_head_click"] = ("/inside_view", lambda i: [*base, INSIDE_HEAD_STEP, 1 + (i // 6) % 6, str(1 + i % 6)], True)
            as_page["inside_head_click"] = ("inside_pick_head", lambda i: [*base, INSIDE_HEAD_STEP],
                                            lambda i: {"index": head_pixel(i), "value": None}, 4)
        if "/generate" in endpoints:  # the text-stream worker loads its model after start-up: let it finish first, or
            # its CPU would count against the calls measured (serve/stream_worker.py)
            client.predict("ROMEO:\n", 0.8, 40, 0.95, 5, 0, api_name="/generate")
        server = psutil.Process(process.pid)
        for key, (api_name, data, is_file) in calls.items():
            page_name, page_data, event, file_index = as_page.get(key, (api_name.lstrip("/"), data, lambda i: None, 0))
            report[key] = {
                "gradio_client": percentiles(lambda i: client.predict(*data(i), api_name=api_name), args.calls, server),
                "browser_path": percentiles(lambda i: browser.call(page_name, page_data(i), is_file, event(i), file_index),
                                            args.calls, server),
            }
    finally:
        process.terminate()
        process.wait(timeout=30)

    def cell(r: dict[str, Any]) -> str:
        ok = r["p50_ms"] < TARGET_P50_MS and r["p95_ms"] < TARGET_P95_MS
        return f"{r['p50_ms']} / {r['p95_ms']} ms ({'within' if ok else 'OUTSIDE'} targets)"

    table = ["| measurement (p50 / p95) | gradio_client | as the browser calls it | server CPU per call (gradio_client / browser) |",
             "|---|---|---|---|", f"| app start-up, until the page answers | {startup_s:.1f} s | | |"]
    for key, label in (("no_op_floor", "floor: a no-op endpoint (a random seed)"),
                       ("image_slider", "image-slider update (/image + PNG)"), ("next_token_bars", "next-token bars (/next_tokens)"),
                       ("inside_char_click", "Inside the GPT: click a character (/inside_view; page: /inside_pick_char) + PNG"),
                       ("inside_head_click", "Inside the GPT: click a head (/inside_view; page: /inside_pick_head) + PNG")):
        r = report.get(key)
        table.append(f"| {label} | {cell(r['gradio_client'])} | {cell(r['browser_path'])} | "  # type: ignore[index]
                     f"{r['gradio_client']['server_cpu_ms_per_call']} / {r['browser_path']['server_cpu_ms_per_call']} ms |" if r  # type: ignore[index]
                     else f"| {label} | not measured (no checkpoint) | | |")
    text = "\n".join([f"# App round trips ({args.calls} calls each against `python app.py`; targets p50 < 100 ms, p95 < 250 ms)",
                      "", *table, "", f"Machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end.",
                      "", "Reproduce: `python bench/bench_app.py`", ""])
    write_report("app", report, text)


if __name__ == "__main__":
    main()
