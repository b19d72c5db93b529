"""The app as the benchmarks and tests reach it: `python app.py` started on 127.0.0.1, and gradio_client clients
for an app on this machine."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import psutil
from gradio_client import Client

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
START_TIMEOUT_S = 300


def start_app(port: int, checkpoints: str, log: Path | None = None, address_limits: bool = False) -> tuple[subprocess.Popen, float]:
    """Run app.py on 127.0.0.1:port in its own process; return it and the seconds until its page answered.

    log: where its stdout and stderr go (default: discarded). address_limits: keep the per-address limits of the
    HTTP guard (serve/http_guard.py). They are off by default here because a load test's simulated users all come
    from 127.0.0.1, where the guard would count them as one visitor; bench/abuse.py and the security tests turn
    them on and send their clients from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...).
    """
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "PLAYGROUND_ADDRESS_LIMITS": "on" if address_limits else "off"}
    started = time.perf_counter()
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it open
    process = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port), "--checkpoints", checkpoints],
                               cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise SystemExit(f"app.py exited with code {process.returncode} before serving")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"app.py did not answer at {url} within {START_TIMEOUT_S} s")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_client(url: str, **kwargs: Any) -> Client:
    """A gradio_client Client for an app served over plain HTTP on this machine.

    gradio_client makes a fresh httpx request for every join, event stream and file download, and httpx builds a
    TLS context for each one, loading the CA bundle even when the URL is plain http: about 30 ms of CPU apiece on
    this machine, some 90 ms per image call, and most of the CPU of a load test's clients. There is no TLS on
    http://127.0.0.1, so nothing is verified either way; ssl_verify=False only skips loading the certificates.
    """
    parsed = urlparse(url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK:
        raise ValueError(f"local_client is for http:// apps on this machine (127.0.0.1, localhost, ::1); got {url!r}")
    return Client(url, verbose=False, ssl_verify=False, analytics_enabled=False, **kwargs)


def cpu_seconds(process: psutil.Process | None, children: bool = False) -> float:
    """User + system CPU seconds a process has used so far (0 if it cannot be read); with children=True, those of
    its child processes as well: for the app, its text-stream worker (serve/stream_worker.py) is part of it."""
    processes = with_children(process) if children else [process] if process else []
    total = 0.0
    for each in processes:
        try:
            times = each.cpu_times()
        except psutil.Error:  # a child that has just exited
            continue
        total += times.user + times.system
    return total


def with_children(process: psutil.Process | None) -> list[psutil.Process]:
    """The process and its children (empty if it has gone)."""
    try:
        return [process, *process.children(recursive=True)] if process else []
    except psutil.Error:
        return []
