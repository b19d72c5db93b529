"""Train a GPT on your text, measured (issue #24): memory per training session, the load test's image-slider p95
with and without two trainings running (one app, one run), and the live view's pace: time from the Train click to
the first loss point, and updates a second.

    python bench/bench_own_text.py [--users 16] [--seconds 40] [--skip-load]

(a) Memory: in this process (malloc arenas limited as app.py does), one warm-up training, then 2 sessions train the
    sample text with the most distinct characters (the largest embedding) for --memory-seconds; RSS growth at its
    peak, per session, for each size. Target: < 150 MB a session.
(b) Load: app.py is started once; bench/load_test.py runs against it for --seconds (the baseline), then again while
    2 trainings run (started through the page's own event from 127.0.0.2 and 127.0.0.3, as two visitors; the app
    counts training slots per address). Target: the image-slider p95 grows < 25 %.
(c) Pace: each training's page stream is read as the browser reads it (Gradio's queue/data event stream): seconds
    from the join to the first update (the first loss points), and updates a second, for --quiet-seconds with the
    two trainings alone on the app, then under the load test. Targets: < 2 s, >= 2 a second (alone). A page update
    goes out when the run has moved, so updates a second follow the training's steps a second.

Writes bench/reports/own_text.json and prints the ratios against the targets (exit code 1 if one is missed).
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from serve.memory import limit_malloc_arenas  # noqa: E402

limit_malloc_arenas()  # as app.py does, before torch starts threads

from bench.local_app import free_port, start_app  # noqa: E402
from bench.timing import REPORTS  # noqa: E402

TARGET_MEMORY_MB, TARGET_P95_GROWTH, TARGET_FIRST_POINT_S, TARGET_UPDATES_PER_S = 150.0, 0.25, 2.0, 2.0
VISITORS = ("127.0.0.2", "127.0.0.3")  # Linux routes all of 127/8 here; the app counts each address apart


def memory_per_session(size: str, key: str, seconds: float) -> dict[str, float]:
    """RSS growth per session while 2 sessions train `size` on the sample text `key`."""
    import torch

    from core.gpt.sample_texts import load_sample
    from core.gpt.train_quick import SIZES, prepare_text
    from serve.training_sessions import TrainingSessions

    torch.set_num_threads(1)
    prepared = prepare_text(load_sample(key))
    sessions = TrainingSessions(max_running=3, cap_s=seconds + 5)
    warm = sessions.start("warm", "a", prepared, SIZES[size], 0, prepared.val_text[:8])  # torch's one-time allocations
    time.sleep(2.0)
    sessions.stop("warm"), warm.wait(30)
    sessions.end("warm")
    process = psutil.Process()
    base = process.memory_info().rss
    runs = [sessions.start(f"s{i}", f"b{i}", prepare_text(load_sample(key)), SIZES[size], i, prepared.val_text[:8])
            for i in range(2)]
    peak, end = base, time.monotonic() + seconds
    while time.monotonic() < end:
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.1)
    for i, run in enumerate(runs):
        sessions.stop(f"s{i}"), run.wait(30)
    trim_freed_memory()  # as the app does every few seconds (serve/memory.py)
    kept = process.memory_info().rss
    return {"text": key, "distinct_characters": prepared.tokenizer.size, "params": runs[0].trainer.params,
            "steps": [r.view().steps for r in runs], "per_session_peak_mb": round((peak - base) / 2 / 2**20, 1),
            "per_session_kept_after_stop_mb": round((kept - base) / 2 / 2**20, 1)}


def trim_freed_memory() -> None:
    """Hand freed memory back to the system (glibc's malloc_trim), as serve/memory.py does in the app."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class TrainingStream:
    """One visitor's Train: the page's own event joined from `address`, its event stream read in a thread."""

    def __init__(self, url: str, address: str, fn_index: int, text: str, size: str, seed: int) -> None:
        self.client = httpx.Client(base_url=url, timeout=httpx.Timeout(30.0, read=None),
                                   transport=httpx.HTTPTransport(local_address=address))
        self.session = f"bench-own-text-{address.replace('.', '-')}"
        self.updates: list[float] = []
        self.errors: list[str] = []
        self.joined = time.monotonic()
        answer = self.client.post("/gradio_api/queue/join", json={
            "data": [text, size, seed], "event_data": None, "fn_index": fn_index, "trigger_id": None,
            "session_hash": self.session})
        answer.raise_for_status()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with self.client.stream("GET", "/gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                kind = message.get("msg")
                if kind == "process_generating":
                    self.updates.append(time.monotonic())
                elif kind == "process_completed":
                    if not message.get("success", True):
                        self.errors.append(str(message.get("output"))[:200])
                    return
                elif kind == "close_stream":
                    return

    def stop(self, stop_index: int) -> None:
        self.client.post("/gradio_api/queue/join", json={"data": [], "event_data": None, "fn_index": stop_index,
                                                         "trigger_id": None, "session_hash": self.session})
        self.thread.join(60)

    def rate(self, start: float, end: float) -> float | None:
        """Page updates a second between start and end (monotonic seconds)."""
        inside = [t for t in self.updates if start <= t <= end]
        return round((len(inside) - 1) / (inside[-1] - inside[0]), 2) if len(inside) > 1 and inside[-1] > inside[0] else None

    def pace(self, quiet_end: float, load_end: float) -> dict[str, float | None]:
        """Time to the first update, and updates a second alone on the app (quiet) and under the load test."""
        return {"first_update_s": round(self.updates[0] - self.joined, 2) if self.updates else None,
                "updates_per_s_quiet": self.rate(self.joined, quiet_end),
                "updates_per_s_under_load": self.rate(quiet_end, load_end), "updates": len(self.updates)}


def fn_indices(url: str) -> dict[str, int]:
    config = httpx.get(url + "config", timeout=30).json()
    return {d.get("api_name"): d["id"] for d in config["dependencies"] if d.get("api_name")}


def load_run(url: str, pid: int, users: int, seconds: float, out: Path) -> dict:
    from bench import load_test

    load_test.main(["--url", url, "--server-pid", str(pid), "--users", str(users), "--seconds", str(seconds),
                    "--out", str(out)])
    return json.loads(out.with_suffix(".json").read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=16, help="load test users")
    parser.add_argument("--seconds", type=float, default=40.0, help="each load test run (the trainings' cap is 180 s)")
    parser.add_argument("--memory-seconds", type=float, default=10.0, help="training time of the memory measurement")
    parser.add_argument("--quiet-seconds", type=float, default=10.0, help="the trainings alone before the load")
    parser.add_argument("--size", default="tiny", choices=["tiny", "small"], help="the size the load run trains")
    parser.add_argument("--checkpoints", default="checkpoints")
    parser.add_argument("--skip-load", action="store_true", help="only (a): the memory per session")
    args = parser.parse_args(argv)

    report: dict = {"command": "python bench/bench_own_text.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "machine": {"cpus": os.cpu_count(), "loadavg_start": [round(x, 2) for x in os.getloadavg()]}}
    # English (63 distinct characters) and the sample with the most distinct characters (the largest embedding
    # and logits: 300 Tang poems, 2 579)
    report["memory"] = {f"{size} {key}": memory_per_session(size, key, args.memory_seconds)
                        for size in ("tiny", "small") for key in ("macbeth", "tang300")}
    print("memory per training session:", json.dumps(report["memory"]), flush=True)
    targets = [{"name": f"memory per training session < {TARGET_MEMORY_MB:.0f} MB ({name})",
                "measured": f"{m['per_session_peak_mb']} MB", "met": m["per_session_peak_mb"] < TARGET_MEMORY_MB}
               for name, m in report["memory"].items()]

    if not args.skip_load:
        from core.gpt.sample_texts import load_sample

        port = free_port()
        process, _ = start_app(port, args.checkpoints)
        url = f"http://127.0.0.1:{port}/"
        work = Path(tempfile.mkdtemp(prefix="bench-own-text-"))
        try:
            indices = fn_indices(url)
            baseline = load_run(url, process.pid, args.users, args.seconds, work / "baseline")
            text = load_sample("macbeth")[:60_000]
            trainings = [TrainingStream(url, address, indices["own_text_train"], text, args.size, i)
                         for i, address in enumerate(VISITORS)]
            time.sleep(args.quiet_seconds)  # the two trainings alone on the app: the live view's own pace
            quiet_end = time.monotonic()
            loaded = load_run(url, process.pid, args.users, args.seconds, work / "training")
            load_end = time.monotonic()
            for training in trainings:
                training.stop(indices["own_text_stop"])
        finally:
            process.terminate()
            process.wait(timeout=30)
        p95 = [r["endpoints"]["/image"]["p95_ms"] for r in (baseline, loaded)]
        growth = p95[1] / p95[0] - 1
        paces = [t.pace(quiet_end, load_end) for t in trainings]
        report["load"] = {"users": args.users, "seconds": args.seconds, "training_size": args.size,
                          "image_p95_ms": {"without_training": p95[0], "with_2_trainings": p95[1]},
                          "image_p95_growth": round(growth, 3),
                          "image_p50_ms": [r["endpoints"]["/image"]["p50_ms"] for r in (baseline, loaded)],
                          "failed": [r["totals"]["failed"] for r in (baseline, loaded)],
                          "server_cpu_s": [r["cpu_s_during_load"]["server"] for r in (baseline, loaded)],
                          "trainings": paces, "training_errors": [t.errors for t in trainings]}
        print(f"image-slider p95: {p95[0]:.0f} ms without training, {p95[1]:.0f} ms with 2 trainings "
              f"(x{p95[1] / p95[0]:.2f}); live view: {paces}", flush=True)
        targets.append({"name": f"image-slider p95 grows < {TARGET_P95_GROWTH:.0%} with 2 trainings",
                        "measured": f"{growth:+.1%}", "met": growth < TARGET_P95_GROWTH})
        firsts = [p["first_update_s"] for p in paces]
        rates = [p["updates_per_s_quiet"] for p in paces]
        targets.append({"name": f"Train click to the first loss point < {TARGET_FIRST_POINT_S:g} s",
                        "measured": f"{firsts} s", "met": all(f is not None and f < TARGET_FIRST_POINT_S for f in firsts)})
        targets.append({"name": f"live curve updates >= {TARGET_UPDATES_PER_S:g} a second (2 trainings, no load test)",
                        "measured": f"{rates}", "met": all(r is not None and r >= TARGET_UPDATES_PER_S for r in rates)})
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = targets
    for target in targets:
        print(f"{'met ' if target['met'] else 'MISSED'} {target['name']}: {target['measured']}")
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "own_text.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(t["met"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
