"""Abuse bench: a bounded burst of each hostile class against the app on 127.0.0.1, while a normal user moves an image
slider; reports status codes (500s above all), the normal user's latency, the server's memory and the disk its
generated files take.

    python bench/abuse.py [--seconds 20] [--settle 30] [--checkpoints checkpoints]
    python bench/abuse.py --url http://127.0.0.1:7860/ --server-pid PID --cache-dir DIR   # an app you started

By default it starts `python app.py` (per-address limits on) with GRADIO_TEMP_DIR set to a fresh private folder, so
the disk the app writes is measured alone. The attacker sends from 127.0.0.2 (and, for the sessions burst,
127.0.0.4), the normal user from 127.0.0.3: Linux routes all of 127/8 to this machine, and the app counts each
address as a visitor. Classes, each bounded (see BURSTS):
  * ambiguous content types: duplicate Content-Type headers (multipart first), with a 1 MB body each;
  * oversized bodies: 10 MB prompts to /call/generate (the issue's 12 refusals), some sent chunked;
  * malformed calls: bad fn_index, unknown endpoints, unknown v2 arguments, wrong value counts, /run routes;
  * queue floods: 70 /call/generate in a moment, distinct 64-image grids and 60-frame GIFs, 100 slider images;
  * sessions: new session ids in a loop (each a short regenerate call, which keeps session state).
Targets (exit code 1 if one is missed): 0 responses with status 500; the normal user's image p95 < 500 ms during the
burst, none refused; the server's memory within 50 MB of its baseline --settle s after the burst; generated files
within the documented cap (demo/image_tab.py DISK_CAP_BYTES). Run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.local_app import LOOPBACK, free_port, start_app, with_children  # noqa: E402
from bench.timing import REPORTS  # noqa: E402
from demo.shared import DISK_CAP_BYTES  # noqa: E402

API = "/gradio_api"
ATTACKER, USER, SESSIONS_ADDRESS = "127.0.0.2", "127.0.0.3", "127.0.0.4"
TARGET_IMAGE_P95_MS, TARGET_MEMORY_MB = 500.0, 50.0
BURSTS = {"content_type": 20, "oversized": 12, "malformed_rounds": 5, "generate": 70, "grids": 30, "gifs": 30,
          "images": 100, "sessions": 600}


class Tally:
    """Status codes per class, thread-safe."""

    def __init__(self) -> None:
        self.by_class: dict[str, Counter] = {}
        self.lock = threading.Lock()

    def add(self, cls: str, status: int | str) -> None:
        with self.lock:
            self.by_class.setdefault(cls, Counter())[str(status)] += 1


def http_client(url: str, address: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=timeout, transport=httpx.HTTPTransport(local_address=address))


def finish(http: httpx.Client, name: str, event_id: str) -> dict | None:
    """Read an event's stream to its end; the output data of a completed event (None on error)."""
    event = None
    with http.stream("GET", f"{API}/call/{name}/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event in ("complete", "error"):
                return json.loads(line[6:]) if event == "complete" else None
    return None


def rss_mb(process: psutil.Process, children: bool = True) -> float:
    """Resident memory of the app, with its child processes (the text-stream worker) unless children=False."""
    total = 0
    for each in with_children(process) if children else [process]:
        try:
            total += each.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def disk_mb(folder: Path) -> float:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 2**20


# ----- the normal user -----

def normal_user(url: str, n_inputs: int, stop: threading.Event, latencies: list[float], refused: Counter) -> None:
    """An image-slider drag, one step after another: call, read the stream, download the PNG (what a browser does)."""
    with http_client(url, USER) as http:
        step = 0
        while not stop.is_set():
            step += 1
            data = ["Sneaker", 3, 1.0, (step % 40) / 4 - 5.0] + [0.0] * (n_inputs - 4)
            started = time.perf_counter()
            response = http.post(f"{API}/call/image", json={"data": data, "session_hash": "normal-user"})  # one tab
            if response.status_code != 200:
                refused[str(response.status_code)] += 1
                time.sleep(0.05)
                continue
            output = finish(http, "image", response.json()["event_id"])
            if output is None:
                refused["error"] += 1
                continue
            http.get(output[0]["url"]).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)  # a drag's pace: ~15 moves a second at most


# ----- the attacker's classes -----

def ambiguous_content_types(url: str, tally: Tally) -> None:
    body = b"-" * 2**20
    with http_client(url, ATTACKER) as http:
        for i in range(BURSTS["content_type"]):
            route = (f"{API}/component_server", f"{API}/queue/join", f"{API}/upload", f"{API}/call/generate")[i % 4]
            headers = [("Content-Type", "multipart/form-data; boundary=x"), ("Content-Type", "application/json")]
            try:
                tally.add("ambiguous content type", http.post(route, content=body, headers=headers).status_code)
            except httpx.TransportError as exc:  # refused before the body was read: the server may close early
                tally.add("ambiguous content type", type(exc).__name__)


def oversized(url: str, tally: Tally) -> None:
    prompt = "ROMEO:\n" + "a" * (10 * 2**20)
    payload = json.dumps({"data": [prompt, 0.8, 40, 0.95, 5, 1]}).encode()

    def chunks():
        for i in range(0, len(payload), 2**20):
            yield payload[i:i + 2**20]

    with http_client(url, ATTACKER) as http:
        for i in range(BURSTS["oversized"]):
            content = payload if i % 2 == 0 else chunks()  # announced length, or chunked with none
            try:
                status = http.post(f"{API}/call/generate", content=content, headers={"Content-Type": "application/json"}).status_code
            except httpx.TransportError as exc:
                status = type(exc).__name__
            tally.add("oversized body", status)


def malformed(url: str, n_inputs: int, tally: Tally) -> None:
    bodies = [("/queue/join", {"data": [], "fn_index": fi, "session_hash": "abc"}) for fi in (999, -1, 2**63)]
    bodies += [("/call/no-such-endpoint", {"data": []}), ("/call/v2/generate", {"zzz": 1}),
               ("/run/image", {"data": [1]}), ("/call/image", {"data": [1]}), ("/call/grid", {"data": "x"}),
               ("/api/generate", {"data": ["ROMEO:\n", 0.8, 40, 0.95, 5, 1]}), ("/queue/join", [1, 2, 3])]
    with http_client(url, ATTACKER) as http:
        for _ in range(BURSTS["malformed_rounds"]):
            for route, body in bodies:
                tally.add("malformed call", http.post(API + route, json=body).status_code)


def flood(url: str, tally: Tally, name: str, make_data, count: int, pause_s: float = 0.0) -> None:
    """`count` calls as fast as they go (threads of 10), results not read: the queue does the work or refuses."""
    def send(indices: range) -> None:
        with http_client(url, ATTACKER) as http:
            for i in indices:
                try:
                    tally.add(f"flood /{name}", http.post(f"{API}/call/{name}", json={"data": make_data(i)}).status_code)
                except httpx.TransportError as exc:
                    tally.add(f"flood /{name}", type(exc).__name__)
                time.sleep(pause_s)

    threads = [threading.Thread(target=send, args=(range(k, count, 10),)) for k in range(min(10, count))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def sessions(url: str, tally: Tally) -> None:
    """New session ids in a loop: a short regenerate in each (it keeps the session's state, and skips the work)."""
    with http_client(url, SESSIONS_ADDRESS) as http:
        for i in range(BURSTS["sessions"]):
            body = {"data": ["ROMEO:\n", 0.8, 40, 0.95, 1, 1], "session_hash": f"abuse-session-{i}"}
            status = http.post(f"{API}/call/regenerate", json=body).status_code
            tally.add("new sessions", status)
            if status == 429:
                time.sleep(0.02)


def burst(url: str, n_inputs: int, tally: Tally, seconds: float) -> None:
    """Every class at once, then the floods again until `seconds` have passed (each class still bounded)."""
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < seconds and rounds < 4:
        base = rounds * 1000
        jobs = [lambda: ambiguous_content_types(url, tally), lambda: oversized(url, tally),
                lambda: malformed(url, n_inputs, tally), lambda: sessions(url, tally) if rounds == 0 else None,
                lambda: flood(url, tally, "generate", lambda i: ["ROMEO:\n", 0.9, 40, 0.95, 1000, base + i], BURSTS["generate"]),
                lambda: flood(url, tally, "grid", lambda i: ["random", base + i * 64, 64, 1.0], BURSTS["grids"], 0.05),
                lambda: flood(url, tally, "interpolate", lambda i: [base + i, base + i + 7, "random", 60, 1.0], BURSTS["gifs"], 0.05),
                lambda: flood(url, tally, "image", lambda i: ["Bag", base + i, 1.0] + [0.0] * (n_inputs - 3), BURSTS["images"])]
        threads = [threading.Thread(target=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rounds += 1


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values[0] if values else float("nan"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="burst length (at most 4 rounds of every class)")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds after the burst before memory is read again")
    parser.add_argument("--checkpoints", default="checkpoints")
    parser.add_argument("--url", help="an app already running on this machine (else app.py is started)")
    parser.add_argument("--server-pid", type=int, help="with --url: the app's process, for its memory")
    parser.add_argument("--cache-dir", help="with --url: the app's GRADIO_TEMP_DIR, for its disk")
    parser.add_argument("--out", default=str(REPORTS / "abuse"), help="report path without extension (.json, .md)")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 120 or not 0 <= args.settle <= 300:
        parser.error("--seconds must be 1-120 and --settle 0-300")
    process = None
    if args.url:
        url = args.url.rstrip("/")
        if urlparse(url).hostname not in LOOPBACK:
            parser.error("only an app on this machine (127.0.0.1) may be abused")
        server = psutil.Process(args.server_pid) if args.server_pid else None
        cache = Path(args.cache_dir) if args.cache_dir else None
    else:
        cache = Path(tempfile.mkdtemp(prefix="abuse-gradio-cache-"))
        os.environ["GRADIO_TEMP_DIR"] = str(cache)
        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="abuse-log-")) / "app.log"
        process, startup = start_app(port, args.checkpoints, log=log, address_limits=True)
        print(f"app.py up in {startup:.1f} s (log: {log})", flush=True)
        url, server = f"http://127.0.0.1:{port}", psutil.Process(process.pid)
    try:
        n_inputs = len(httpx.get(f"{url}{API}/info", timeout=30).json()["named_endpoints"]["/image"]["parameters"])
        # Warm every path once at its largest size: the baseline is a server that has served each kind of request
        # (torch keeps per-shape kernels and buffers), so what the burst leaves on top is what the burst kept.
        with http_client(url, USER) as http:
            for name, data in (("image", ["Bag", 1, 1.0] + [0.0] * (n_inputs - 3)), ("grid", ["Bag", 0, 64, 1.0]),
                               ("interpolate", [0, 1, "Bag", 60, 1.0]), ("generate", ["ROMEO:\n", 0.8, 40, 0.95, 1000, 1])):
                finish(http, name, http.post(f"{API}/call/{name}", json={"data": data}).json()["event_id"])
        time.sleep(2)
        baseline = rss_mb(server) if server else float("nan")
        baseline_main = rss_mb(server, children=False) if server else float("nan")
        disk_before = disk_mb(cache) if cache else float("nan")
        tally, latencies, refused = Tally(), [], Counter()
        stop = threading.Event()
        user = threading.Thread(target=normal_user, args=(url, n_inputs, stop, latencies, refused))
        peak = {"rss": baseline, "disk": disk_before}

        def watch() -> None:
            while not stop.is_set():
                if server:
                    peak["rss"] = max(peak["rss"], rss_mb(server))
                if cache:
                    peak["disk"] = max(peak["disk"], disk_mb(cache))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch)
        user.start(), watcher.start()
        started = time.monotonic()
        burst(url, n_inputs, tally, args.seconds)
        burst_s = time.monotonic() - started
        time.sleep(2)  # the user keeps dragging while the accepted work drains
        stop.set()
        user.join(), watcher.join()
        after_burst = rss_mb(server) if server else float("nan")
        print(f"burst done in {burst_s:.1f} s; waiting {args.settle:g} s for memory to settle ...", flush=True)
        time.sleep(args.settle)
        settled = rss_mb(server) if server else float("nan")
        settled_main = rss_mb(server, children=False) if server else float("nan")
        disk_end = disk_mb(cache) if cache else float("nan")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)

    statuses = Counter()
    for counts in tally.by_class.values():
        statuses.update(counts)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    targets = [
        {"name": "responses with status 500 = 0", "value": statuses.get("500", 0), "met": statuses.get("500", 0) == 0},
        {"name": f"normal user's image p95 < {TARGET_IMAGE_P95_MS:.0f} ms, none refused", "value": round(p95, 1),
         "met": p95 < TARGET_IMAGE_P95_MS and not refused},
        {"name": f"memory within {TARGET_MEMORY_MB:.0f} MB of baseline {args.settle:g} s after", "value": round(settled - baseline, 1),
         "met": settled - baseline < TARGET_MEMORY_MB},
        {"name": f"generated files within the {DISK_CAP_BYTES / 2**20:.0f} MB cap", "value": round(peak["disk"], 1),
         "met": peak["disk"] <= DISK_CAP_BYTES / 2**20 + 20},  # + Gradio's own start-up files in the cache
    ]
    report = {"config": {"seconds": args.seconds, "settle": args.settle, "bursts": BURSTS, "cpu_count": os.cpu_count()},
              "statuses_by_class": {k: dict(v) for k, v in tally.by_class.items()}, "burst_s": round(burst_s, 1),
              "normal_user": {"images": len(latencies), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                              "max_ms": round(max(latencies), 1) if latencies else None, "refused": dict(refused)},
              "memory_mb": {"baseline": round(baseline, 1), "peak": round(peak["rss"], 1), "after_burst": round(after_burst, 1),
                            "settled": round(settled, 1), "main_process_baseline": round(baseline_main, 1),
                            "main_process_settled": round(settled_main, 1)},
              "disk_mb": {"before": round(disk_before, 2), "peak": round(peak["disk"], 2), "end": round(disk_end, 2),
                          "cap": DISK_CAP_BYTES / 2**20},
              "targets": targets}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# Abuse burst: {burst_s:.0f} s against app.py on 127.0.0.1 ({os.cpu_count()} CPU cores)", "",
             "| class | responses by status |", "|---|---|"]
    lines += [f"| {cls} | {', '.join(f'{s}: {n}' for s, n in sorted(c.items()))} |" for cls, c in tally.by_class.items()]
    lines += ["", f"Normal user (image slider, from another address): {len(latencies)} images, p50 {p50:.0f} ms, "
                  f"p95 {p95:.0f} ms, refused {dict(refused) or 0}.",
              f"Server memory (RSS, with its worker): baseline {baseline:.0f} MB, peak {peak['rss']:.0f} MB, "
              f"{args.settle:g} s after the burst {settled:.0f} MB (the app's main process alone: {baseline_main:.0f} -> "
              f"{settled_main:.0f} MB; the rest is its text-stream worker).",
              f"Generated files on disk: {disk_before:.1f} MB before, peak {peak['disk']:.1f} MB, end {disk_end:.1f} MB "
              f"(cap {DISK_CAP_BYTES / 2**20:.0f} MB).", "", "| target | value | met |", "|---|---|---|"]
    lines += [f"| {t['name']} | {t['value']} | {'yes' if t['met'] else 'NO'} |" for t in targets]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(t["met"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
