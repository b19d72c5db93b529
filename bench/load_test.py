"""Load test: N concurrent gradio_client users against the app on 127.0.0.1 for a fixed time.

    python bench/load_test.py [--users 32] [--seconds 60] [--checkpoints checkpoints] [--port 7872]
    python bench/load_test.py --url http://127.0.0.1:7860/ [--server-pid PID]   # an app you started yourself

By default it starts `python app.py` on 127.0.0.1 as its own process (so the server's memory is measured alone),
warms every endpoint once, then lets --users threads loose for --seconds. Each thread is one user with its own
gradio_client.Client (its own session), opened with one no-op call before the clock starts: the figures are for
users already on the page, not for every session's first call landing in the same instant (in two runs without
this, the first 10 s had an image-slider p95 of ~1.2 s, against ~0.6 s with it). Each user repeats, with a think
time between actions, one of:
  * an image-slider drag: --drag-steps /image calls in a row, a direction slider moving each step (PNG downloaded);
  * a browser-like image user (--page-image-weight): the page draws the image itself (issue #28), so it asks
    GET /image-web/z once for a new (class, seed) (a seed it has seen before: nothing) and then moves --drag-steps
    sliders with no request at all;
  * next-token bars: --bar-steps /next_tokens calls in a row, the temperature moving each step;
  * a text stream: one /generate of --stream-tokens characters, read as it streams (time to first chunk and to the end);
  * an agent episode: one /play_episode (a random snapshot, seed and temperature; the whole episode's JSON returned);
  * a GAN playground session (--toy-gan-weight): /toy_gan_play streams --toy-gan-frames frames (12 a second, 5 training
    steps each), then /toy_gan_pause; the frames a second each session saw are recorded (gradio_client hands a
    stream's outputs over in bursts, so single gaps between frames are not: bench/bench_toy_gan.py times those).
Bounded: at most --max-requests requests in all, each with a --request-timeout, and the run stops --seconds after
the start (requests in flight then finish, or are cut off by the timeout).

It prints, and writes to bench/reports/load_test.json and .md: requests served and failed per endpoint with
p50/p95/p99/max latency, the server's resident memory (RSS) at start, peak and end, and the verdict against the
targets: 0 failed requests, image-slider p95 under 500 ms, RSS growth under 100 MB. Exit code 1 if a target is missed.
The server's memory and CPU include its child processes: the text-stream worker (serve/stream_worker.py).
Only loopback addresses are accepted: this never load-tests a machine that is not yours.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psutil
from gradio_client.client import Job

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.local_app import LOOPBACK, cpu_seconds, local_client, start_app, with_children  # noqa: E402
from bench.timing import REPORTS  # noqa: E402

TARGET_FAILURES, TARGET_IMAGE_P95_MS, TARGET_RSS_GROWTH_MB = 0, 500.0, 100.0
TARGET_TOY_GAN_FPS = 10.0  # the GAN playground's redraws a second while playing (issue #12)
TARGET_FIRST_CHUNK_P95_MS = 1000.0  # a text stream's first characters (issue #14: streams are batched, none waits)
PROMPTS = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", "random"]
WINDOW_S = 10.0  # the report's image-slider p95 per window of the run
FIRST_CHUNK_POLL_S = 0.02  # how often a streaming user looks for its first chunk (see User.wait_for_first_chunk)
ENDPOINT_LABELS = {"/image": "image slider (/image, PNG downloaded)", "/next_tokens": "next-token bars (/next_tokens)",
                   "/generate": "text stream (/generate, whole stream)", "/generate:first": "text stream, first chunk",
                   "/play_episode": "agent plays (/play_episode, whole episode as JSON)",
                   "/toy_gan_play": "GAN playground session (/toy_gan_play stream, then /toy_gan_pause)",
                   "/image-web/z": "image drawn in the page: a new seed's noise (GET /image-web/z)"}
TOY_GAN_POLL_S = 0.01  # how often a playing user looks for a new frame


# ----- the server -----

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_process(url: str, pid: int | None) -> psutil.Process | None:
    """The process listening on the URL's port (or --server-pid), to read its memory; None if it cannot be found."""
    if pid:
        return psutil.Process(pid)
    port = urlparse(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return psutil.Process(conn.pid)
    except psutil.AccessDenied:
        pass
    return None


class MemoryWatch(threading.Thread):
    """Samples the server's RSS (with its child processes': the text-stream worker) every `interval` seconds; keeps
    the peak. The sum counts memory the processes share (torch's libraries) twice, so it errs high."""

    def __init__(self, process: psutil.Process | None, interval: float = 0.5):
        super().__init__(daemon=True)
        self.process, self.interval = process, interval
        self.peak = self.read() or 0
        self.stop = threading.Event()

    def read(self) -> int | None:
        total = 0
        for process in with_children(self.process):
            try:
                total += process.memory_info().rss
            except psutil.Error:  # a child that has just exited
                continue
        return total or None

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.peak = max(self.peak, self.read() or 0)


# ----- the users -----

@dataclass
class Record:
    endpoint: str
    ms: float
    ok: bool
    error: str = ""
    done_at: float = field(default_factory=time.monotonic)  # when the call returned (time.monotonic)


@dataclass
class Shared:
    deadline: float
    max_requests: int
    records: list[Record] = field(default_factory=list)
    sent: int = 0
    busy_sessions: int = 0  # GAN playground Plays answered "Busy" (every training slot taken)
    toy_gan_fps: list[float] = field(default_factory=list)  # frames a second each GAN playground session saw
    page_moves: int = 0  # slider moves the browser-like image users made (each drawn in the page: no request)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """Reserve one request; False once time or the request budget is up."""
        with self.lock:
            if time.monotonic() >= self.deadline or self.sent >= self.max_requests:
                return False
            self.sent += 1
            return True

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)


class User(threading.Thread):
    def __init__(self, index: int, url: str, shared: Shared, args: argparse.Namespace, n_directions: int, downloads: Path):
        super().__init__(name=f"user-{index}", daemon=True)
        self.rng = random.Random(args.seed * 1000 + index)
        self.shared, self.args, self.n_directions = shared, args, n_directions
        self.downloads = downloads / f"user-{index}"
        self.client = local_client(url, download_files=str(self.downloads))
        self.client.predict(api_name="/random_image_seed")  # open the session before the clock starts (see the docstring)
        self.http = httpx.Client(base_url=url, timeout=args.request_timeout)
        self.noise: set[tuple[str, int]] = set()  # the (class, seed) noise this user's page already holds

    def call(self, endpoint: str, *inputs: object, check=None) -> bool:
        if not self.shared.take():
            return False
        started = time.perf_counter()
        try:
            result = self.client.submit(*inputs, api_name=endpoint).result(timeout=self.args.request_timeout)
            if check is not None:
                check(result)
            self.shared.add(Record(endpoint, (time.perf_counter() - started) * 1000, True))
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            self.shared.add(Record(endpoint, (time.perf_counter() - started) * 1000, False, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return True

    def drag_image_slider(self) -> bool:
        class_name, seed, psi = self.rng.choice(CLASSES), self.rng.randrange(2**32), round(self.rng.uniform(0.5, 1.2), 2)
        slider, value = self.rng.randrange(self.n_directions), self.rng.uniform(-5, 0)
        for _ in range(self.args.drag_steps):
            directions = [0.0] * self.n_directions
            directions[slider] = round(value, 1)
            if not self.call("/image", class_name, seed, psi, *directions, check=self.check_png):
                return False
            value += self.rng.uniform(0.2, 1.0)
        return True

    def draw_image_in_page(self) -> bool:
        """A page that draws the image itself: one GET /image-web/z for a new (class, seed), then --drag-steps moves
        that ask the server nothing (a seed seen before asks nothing at all)."""
        class_name, seed = self.rng.choice(CLASSES), self.rng.randrange(64) if self.rng.random() < 0.3 else self.rng.randrange(2**32)
        if (class_name, seed) not in self.noise:
            if not self.shared.take():
                return False
            started = time.perf_counter()
            try:
                answer = self.http.get("/image-web/z", params={"class": class_name, "seed": seed})
                answer.raise_for_status()
                if len(answer.json()["z"]) < 1:
                    raise ValueError("/image-web/z returned no noise")
                self.noise.add((class_name, seed))
                self.shared.add(Record("/image-web/z", (time.perf_counter() - started) * 1000, True))
            except Exception as exc:  # noqa: BLE001
                self.shared.add(Record("/image-web/z", (time.perf_counter() - started) * 1000, False, f"{type(exc).__name__}: {str(exc)[:200]}"))
        with self.shared.lock:
            self.shared.page_moves += self.args.drag_steps
        time.sleep(self.args.drag_steps * 0.03)  # the drag itself, drawn in the page
        return True

    @staticmethod
    def check_png(path: object) -> None:
        with open(str(path), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                raise ValueError(f"/image returned something that is not a PNG: {path}")
        os.unlink(str(path))  # keep the disk bounded: thousands of images are downloaded

    @staticmethod
    def check_bars(bars: object) -> None:
        if not (isinstance(bars, dict) and bars.get("confidences")):
            raise ValueError(f"/next_tokens returned no bars: {str(bars)[:100]}")

    def move_temperature(self) -> bool:
        prompt, temperature = self.rng.choice(PROMPTS), self.rng.uniform(0.2, 1.0)
        for _ in range(self.args.bar_steps):
            if not self.call("/next_tokens", prompt, round(temperature, 2), 40, 0.95, check=self.check_bars):
                return False
            temperature += 0.1
        return True

    @staticmethod
    def wait_for_first_chunk(job: Job, deadline: float) -> float | None:
        """When the stream's first chunk arrived (to FIRST_CHUNK_POLL_S), or None if it ended or timed out first.

        Not `for _ in job`: gradio_client's Job iterator checks for new output every millisecond, and with a couple
        of dozen users queued for a text stream that spinning alone took most of the load generator's CPU, on the
        same two cores as the server it was measuring."""
        while not job.outputs():
            if job.done() or time.perf_counter() >= deadline:
                return None
            time.sleep(FIRST_CHUNK_POLL_S)
        return time.perf_counter()

    def stream_text(self) -> bool:
        if not self.shared.take():
            return False
        prompt = self.rng.choice(PROMPTS)
        started = time.perf_counter()
        try:
            job = self.client.submit(prompt, 0.8, 40, 0.95, self.args.stream_tokens, self.rng.randrange(2**32), api_name="/generate")
            first = self.wait_for_first_chunk(job, started + self.args.request_timeout)
            text = job.result(timeout=max(0.0, started + self.args.request_timeout - time.perf_counter()))
            if not (isinstance(text, str) and text.startswith(prompt) and len(text) == len(prompt) + self.args.stream_tokens):
                raise ValueError(f"stream ended with {len(text) if isinstance(text, str) else text!r} characters")
            end = time.perf_counter()
            self.shared.add(Record("/generate", (end - started) * 1000, True))
            self.shared.add(Record("/generate:first", ((first or end) - started) * 1000, True))
        except Exception as exc:  # noqa: BLE001
            self.shared.add(Record("/generate", (time.perf_counter() - started) * 1000, False, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return True

    def play_agent(self) -> bool:
        snapshot = self.rng.choice(self.args.agent_snapshots)
        return self.call("/play_episode", snapshot, self.rng.randrange(100_000), self.rng.choice([0.0, 1.0]), False, 15.0, -10.0,
                         check=self.check_episode)

    def play_toy_gan(self) -> bool:
        """The GAN playground: Play (one stream: 5 training steps and a redraw a frame), read --toy-gan-frames frames,
        Pause. Beyond the server's limit of sessions training at once, Play answers "Busy" in its status line and
        ends: not a failure, counted apart (busy_sessions)."""
        if not self.shared.take():
            return False
        started = time.perf_counter()
        deadline = started + self.args.request_timeout
        try:
            job = self.client.submit("ring", "non-saturating", "adam", 0.001, 0.001, 1, 5, api_name="/toy_gan_play")
            arrived: list[float] = []
            while len(arrived) < self.args.toy_gan_frames and not job.done() and time.perf_counter() < deadline:
                arrived += [time.perf_counter()] * (len(job.outputs()) - len(arrived))
                time.sleep(TOY_GAN_POLL_S)
            self.client.predict(api_name="/toy_gan_pause")
            job.result(timeout=max(0.0, deadline - time.perf_counter()))
            if len(arrived) <= 1 and "Busy" in str(job.outputs()[-1:]):
                with self.shared.lock:
                    self.shared.busy_sessions += 1
                return True
            if len(arrived) < self.args.toy_gan_frames:
                raise ValueError(f"the Play stream ended after {len(arrived)} frames")
            span = arrived[-1] - arrived[0]
            if span > 0:  # frames that all came in one burst (one poll) give no rate: the session is served, unrated
                with self.shared.lock:
                    self.shared.toy_gan_fps.append((len(arrived) - 1) / span)
            self.shared.add(Record("/toy_gan_play", (time.perf_counter() - started) * 1000, True))
        except Exception as exc:  # noqa: BLE001
            self.shared.add(Record("/toy_gan_play", (time.perf_counter() - started) * 1000, False, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return True

    @staticmethod
    def check_episode(result: object) -> None:
        if not (isinstance(result, str) and result.startswith("{") and '"return"' in result):
            raise ValueError(f"/play_episode returned no episode: {str(result)[:100]}")

    def run(self) -> None:
        actions = [(self.drag_image_slider, self.args.mix[0]), (self.move_temperature, self.args.mix[1]), (self.stream_text, self.args.mix[2]),
                   (self.play_agent, self.args.mix[3] if self.args.agent_snapshots else 0.0),
                   (self.play_toy_gan, self.args.toy_gan_weight if self.args.toy_gan else 0.0),
                   (self.draw_image_in_page, self.args.page_image_weight)]
        try:
            while time.monotonic() < self.shared.deadline:
                action = self.rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]
                if not action():
                    break
                pause = self.rng.uniform(0.5, 1.5) * self.args.think
                if pause:
                    time.sleep(min(pause, max(0.0, self.shared.deadline - time.monotonic())))
        finally:
            self.client.close()
            self.http.close()


# ----- the report -----

def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(0, math.ceil(q / 100 * len(sorted_values)) - 1)]


def summarise(records: list[Record]) -> dict[str, dict[str, float | int]]:
    table = {}
    for endpoint in ENDPOINT_LABELS:
        mine = [r for r in records if r.endpoint == endpoint]
        if not mine:
            continue
        times = sorted(r.ms for r in mine if r.ok)
        row: dict[str, float | int] = {"requests": len(mine), "failures": sum(not r.ok for r in mine)}
        if times:
            row.update({f"p{q}_ms": round(percentile(times, q), 1) for q in (50, 95, 99)})
            row.update(max_ms=round(times[-1], 1), mean_ms=round(statistics.fmean(times), 1))
        table[endpoint] = row
    return table


def image_p95_by_window(records: list[Record], load_started: float, run_s: float, window_s: float = WINDOW_S) -> list[dict[str, float | int]]:
    """Image-slider p95 per window of the run, by when each call started. All users act at once in the first seconds,
    before some of them queue for a text stream, so the windows show whether the p95 is the start or the whole run."""
    windows: dict[int, list[float]] = {}
    for r in records:
        if r.endpoint == "/image" and r.ok:
            windows.setdefault(int((r.done_at - r.ms / 1000 - load_started) // window_s), []).append(r.ms)
    return [{"from_s": w * window_s, "to_s": min((w + 1) * window_s, run_s), "requests": len(ms), "p95_ms": round(percentile(sorted(ms), 95), 1)}
            for w, ms in sorted(windows.items())]


def markdown(report: dict) -> str:
    cfg, mem = report["config"], report["memory_mb"]
    lines = [f"# Load test: {cfg['users']} concurrent users for {cfg['seconds']} s (gradio_client, 127.0.0.1)", "",
             f"Command: `{report['command']}`", "",
             "| endpoint | requests | failed | p50 | p95 | p99 | max |", "|---|---:|---:|---:|---:|---:|---:|"]
    for endpoint, row in report["endpoints"].items():
        cells = [f"{row[k]:.0f} ms" if k in row else "-" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
        lines.append(f"| {ENDPOINT_LABELS[endpoint]} | {row['requests']} | {row['failures']} | " + " | ".join(cells) + " |")
    total = report["totals"]
    lines += ["", f"Requests served: {total['served']} ({total['per_second']:.1f}/s), failed: {total['failed']}. "
              "A text stream counts once (its first-chunk row is the same request).", "",
              f"Server resident memory, the app and its text-stream worker process together: {mem['start']} MB at start "
              f"(after one warm-up call per endpoint), peak {mem['peak']} MB, {mem['end']} MB at the end: growth {mem['growth']} MB.", "",
              f"CPU used during the load: the server (with its worker) {report['cpu_s_during_load']['server']} s, these {cfg['users']} clients "
              f"{report['cpu_s_during_load']['load_test_clients']} s, of {report['cpu_s_during_load']['machine_capacity']} "
              "core-seconds the machine had (other processes used the rest).", "",
              *([f"GAN playground: {report['toy_gan']['sessions']} sessions played (and {report['toy_gan']['busy_sessions']} Plays "
                 "answered Busy: every training slot taken); frames a second each session saw: min "
                 f"{report['toy_gan']['frames_per_s']['min']}, median {report['toy_gan']['frames_per_s']['median']}, max "
                 f"{report['toy_gan']['frames_per_s']['max']}.", ""] if report.get("toy_gan", {}).get("frames_per_s") else []),
              *([f"Images drawn in the page: {report['page_image']['moves_drawn_in_page']} slider moves asked the server nothing; "
                 f"{report['page_image']['noise_requests']} new seeds asked for their noise once each (/image-web/z).", ""]
                if report.get("page_image", {}).get("moves_drawn_in_page") else []),
              "Image-slider p95 by when the call started: " + ", ".join(
                  f"{w['from_s']:.0f}-{w['to_s']:.0f} s {w['p95_ms']:.0f} ms ({w['requests']})" for w in report["image_p95_by_window"]) + ".", "",
              f"Floor, before the load: a no-op call (/random_image_seed) takes {report['no_op_floor_ms']['p50']} ms p50, "
              f"{report['no_op_floor_ms']['p95']} ms p95 (queue + gradio_client round trip, no model work).", "",
              "| target | measured | met |", "|---|---|---|"]
    for target in report["targets"]:
        lines.append(f"| {target['name']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |")
    lines += ["", f"Each user repeats, with a think time of {cfg['think']} s x U(0.5, 1.5) between actions and weights "
              f"{'/'.join(f'{w:g}' for w in cfg['mix'])}: an image-slider drag ({cfg['drag_steps']} /image calls, one "
              f"direction slider moving), next-token bars ({cfg['bar_steps']} /next_tokens calls, the temperature moving) or a "
              f"text stream of {cfg['stream_tokens']} characters or an agent episode (/play_episode), and with weight "
              f"{cfg.get('page_image_weight', 0):g} a browser-like image user (one /image-web/z per new seed, then "
              f"{cfg['drag_steps']} moves drawn in the page, no request), with weight "
              f"{cfg.get('toy_gan_weight', 0):g} a GAN playground session (/toy_gan_play read for {cfg.get('toy_gan_frames', 0)} frames of 5 steps, then /toy_gan_pause). Machine: {report['machine']['cpus']} CPUs, load average "
              f"{report['machine']['loadavg_start']} at the start (other work running on it counts against these figures); "
              f"server thread settings {report['server_threads']}.", ""]
    if report["errors"]:
        lines += ["First errors:", "", *[f"- `{e}`" for e in report["errors"]], ""]
    return "\n".join(lines)


def parse_mix(text: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in text.split(",")]
    if len(parts) not in (3, 4) or any(p < 0 for p in parts) or not sum(parts):
        raise argparse.ArgumentTypeError("--mix takes three or four non-negative weights: image,bars,stream[,agent] (e.g. 5,3,2,1)")
    return parts[0], parts[1], parts[2], (parts[3] if len(parts) == 4 else 0.0)


def bounded(low: float, high: float, kind=int):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}; got {text}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=bounded(1, 256), default=32, help="concurrent users, each a thread with its own client")
    parser.add_argument("--seconds", type=bounded(1, 3600, float), default=60.0, help="how long the load lasts")
    parser.add_argument("--url", help="an app already running on this machine (loopback only); default: start app.py")
    parser.add_argument("--server-pid", type=int, help="its process id, for the memory figures (default: found by port)")
    parser.add_argument("--checkpoints", default="checkpoints", help="for the app this starts")
    parser.add_argument("--port", type=int, default=0, help="for the app this starts (default: a free port)")
    parser.add_argument("--max-requests", type=bounded(1, 10**6), default=100_000, help="hard cap on requests in all")
    parser.add_argument("--request-timeout", type=bounded(1, 600, float), default=60.0, help="seconds before a request counts as failed")
    parser.add_argument("--mix", type=parse_mix, default=(5.0, 3.0, 2.0, 1.0), help="weights of image drag, bars, text stream, agent episode")
    parser.add_argument("--page-image-weight", type=bounded(0, 100, float), default=5.0,
                        help="weight of a browser-like image user (one /image-web/z per new seed, moves drawn in the page) beside --mix")
    parser.add_argument("--toy-gan-weight", type=bounded(0, 100, float), default=1.0, help="weight of a GAN playground session (play, frames, pause) beside --mix")
    parser.add_argument("--toy-gan-frames", type=bounded(2, 1000), default=36, help="frames a GAN playground session reads before Pause (12 a second)")
    parser.add_argument("--think", type=bounded(0, 60, float), default=1.0, help="mean pause between a user's actions, seconds")
    parser.add_argument("--drag-steps", type=bounded(1, 100), default=8)
    parser.add_argument("--bar-steps", type=bounded(1, 100), default=4)
    parser.add_argument("--stream-tokens", type=bounded(1, 1000), default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(REPORTS / "load_test"), help="report path without extension (.json and .md)")
    args = parser.parse_args(argv)

    process = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK:
            parser.error(f"--url must be on this machine (127.0.0.1, localhost or ::1); got {host!r}")
        url = args.url.rstrip("/") + "/"
    else:
        port = args.port or free_port()
        print(f"starting app.py on 127.0.0.1:{port} ...", flush=True)
        process, _ = start_app(port, args.checkpoints)
        url = f"http://127.0.0.1:{port}/"
    downloads = Path(tempfile.mkdtemp(prefix="load-test-"))
    try:
        server = psutil.Process(process.pid) if process else server_process(url, args.server_pid)
        probe = local_client(url, download_files=str(downloads / "probe"))
        api = probe.view_api(return_format="dict", print_info=False)["named_endpoints"]
        missing = {"/image", "/next_tokens", "/generate"} - set(api)
        if missing:
            raise SystemExit(f"the app has no {sorted(missing)} endpoint(s): are both checkpoints under --checkpoints?")
        n_directions = len(api["/image"]["parameters"]) - 3
        # warm-up: one call per endpoint, so lazy start-up work is not counted as growth or latency
        probe.predict("Bag", 1, 1.0, *[0.0] * n_directions, api_name="/image")
        probe.predict(PROMPTS[0], 0.8, 40, 0.95, api_name="/next_tokens")
        probe.predict(PROMPTS[0], 0.8, 40, 0.95, 5, 0, api_name="/generate")
        # The agent is optional (its checkpoint may be missing): its snapshots are the Training progress dropdown's choices.
        args.agent_snapshots = api.get("/play_episode", {}).get("parameters", [{}])[0].get("type", {}).get("enum", [])
        if args.agent_snapshots:
            probe.predict(args.agent_snapshots[-1], 0, 0.0, False, 15.0, -10.0, api_name="/play_episode")
        elif args.mix[3]:
            print("the app has no /play_episode endpoint (no agent checkpoint): agent episodes are left out of the mix", flush=True)
        args.toy_gan = any(e.api_name == "/toy_gan_play" and e.is_valid for e in probe.endpoints.values())  # page-only: not in view_api
        if args.toy_gan:
            job = probe.submit("ring", "non-saturating", "adam", 0.001, 0.001, 1, 5, api_name="/toy_gan_play")
            User.wait_for_first_chunk(job, time.perf_counter() + 30)  # its first frame (or its end, or 30 s)
            probe.predict(api_name="/toy_gan_pause")
            job.result(timeout=30)
        floor = []  # what a call costs before any model work (queue + gradio_client round trip), before the load
        for _ in range(20):
            t0 = time.perf_counter()
            probe.predict(api_name="/random_image_seed")
            floor.append((time.perf_counter() - t0) * 1000)
        floor.sort()
        probe.close()
        users_ready = time.monotonic()
        shared = Shared(deadline=float("inf"), max_requests=args.max_requests)
        users = [User(i, url, shared, args, n_directions, downloads) for i in range(args.users)]
        print(f"{len(users)} users connected in {time.monotonic() - users_ready:.1f} s; load for {args.seconds:g} s ...", flush=True)
        watch = MemoryWatch(server)
        rss_start = watch.read()
        loadavg_start = [round(x, 2) for x in os.getloadavg()]
        cpu_server_start, cpu_clients_start = cpu_seconds(server, children=True), cpu_seconds(psutil.Process())
        watch.start()
        started = time.monotonic()
        shared.deadline = started + args.seconds
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=max(0.0, shared.deadline + args.request_timeout + 30 - time.monotonic()))
        elapsed = time.monotonic() - started
        cpu_server = round(cpu_seconds(server, children=True) - cpu_server_start, 1) if server else None
        cpu_clients = round(cpu_seconds(psutil.Process()) - cpu_clients_start, 1)
        stragglers = sum(user.is_alive() for user in users)
        time.sleep(2.0)  # let the server settle (finished streams, freed buffers) before the final reading
        watch.stop.set()
        rss_end = watch.read()
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(downloads, ignore_errors=True)

    records = list(shared.records)
    endpoints = summarise(records)
    counted = [r for r in records if r.endpoint != "/generate:first"]
    failed = sum(not r.ok for r in counted) + stragglers
    mb = lambda b: round(b / 2**20, 1) if b else None  # noqa: E731
    growth = round((rss_end - rss_start) / 2**20, 1) if rss_start and rss_end else None
    image_p95 = endpoints.get("/image", {}).get("p95_ms")
    targets = [
        {"name": "failed requests = 0", "measured": str(failed), "met": failed == TARGET_FAILURES},
        {"name": f"image-slider p95 < {TARGET_IMAGE_P95_MS:.0f} ms", "measured": f"{image_p95} ms",
         "met": image_p95 is not None and image_p95 < TARGET_IMAGE_P95_MS},
        {"name": f"server RSS growth < {TARGET_RSS_GROWTH_MB:.0f} MB", "measured": f"{growth} MB",
         "met": growth is not None and growth < TARGET_RSS_GROWTH_MB},
    ]
    if args.mix[2]:  # text streams in the mix
        first_p95 = endpoints.get("/generate:first", {}).get("p95_ms")
        targets.append({"name": f"text stream first chunk p95 < {TARGET_FIRST_CHUNK_P95_MS:.0f} ms", "measured": f"{first_p95} ms",
                        "met": first_p95 is not None and first_p95 < TARGET_FIRST_CHUNK_P95_MS})
    fps = sorted(shared.toy_gan_fps)
    toy_gan = {"sessions": len(fps), "busy_sessions": shared.busy_sessions,
               "frames_per_s": {"min": round(fps[0], 1), "median": round(statistics.median(fps), 1), "max": round(fps[-1], 1)} if fps else None}
    if fps:
        targets.append({"name": f"GAN playground redraws a second while playing, median session >= {TARGET_TOY_GAN_FPS:g}",
                        "measured": f"{toy_gan['frames_per_s']['median']}", "met": statistics.median(fps) >= TARGET_TOY_GAN_FPS})
    command = "python bench/load_test.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(argv if argv is not None else sys.argv[1:]))
    report = {
        "command": command,
        "config": {"users": args.users, "seconds": args.seconds, "mix": list(args.mix), "page_image_weight": args.page_image_weight, "toy_gan_weight": args.toy_gan_weight if args.toy_gan else 0.0, "toy_gan_frames": args.toy_gan_frames, "think": args.think, "drag_steps": args.drag_steps,
                   "bar_steps": args.bar_steps, "stream_tokens": args.stream_tokens, "max_requests": args.max_requests,
                   "request_timeout": args.request_timeout, "url": "started app.py" if process else url},
        "machine": {"cpus": os.cpu_count(), "loadavg_start": loadavg_start, "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "server_threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")} if process else "unknown",
        "no_op_floor_ms": {"p50": round(percentile(floor, 50), 1), "p95": round(percentile(floor, 95), 1), "calls": len(floor)},
        "elapsed_s": round(elapsed, 1),
        "cpu_s_during_load": {"server": cpu_server, "load_test_clients": cpu_clients,
                              "machine_capacity": round((os.cpu_count() or 1) * elapsed, 1)},
        "totals": {"served": sum(r.ok for r in counted), "failed": failed, "stragglers": stragglers,
                   "per_second": sum(r.ok for r in counted) / max(elapsed, 1e-9)},
        "endpoints": endpoints,
        "image_p95_by_window": image_p95_by_window(records, started, args.seconds),
        "toy_gan": toy_gan,
        "page_image": {"moves_drawn_in_page": shared.page_moves, "noise_requests": endpoints.get("/image-web/z", {}).get("requests", 0),
                       "requests_per_move": 0},
        "memory_mb": {"start": mb(rss_start), "peak": mb(watch.peak), "end": mb(rss_end), "growth": growth},
        "targets": targets,
        "errors": sorted({r.error for r in records if not r.ok})[:10],
    }
    text = markdown(report)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(text)
    return 0 if all(t["met"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
