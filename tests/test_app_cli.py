"""app.py's flags and the environment variables that give their defaults (Spaces set GRADIO_SERVER_NAME/PORT), and
what it prints as it starts (run as a subprocess): one line of its own for where it is served and, with --share, one
for the public link or why there is none, instead of Gradio's advice and download instructions."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_serve_the_shipped_checkpoints_on_localhost(monkeypatch):
    for name in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "PLAYGROUND_CHECKPOINTS", "PLAYGROUND_HUB_REPO"):
        monkeypatch.delenv(name, raising=False)
    args = app.parse_args([])
    assert (args.host, args.port, args.share, args.checkpoints, args.hub_repo) == ("127.0.0.1", 7860, False, "checkpoints", None)


def test_environment_variables_set_the_defaults_and_flags_win(monkeypatch):
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7000")
    monkeypatch.setenv("PLAYGROUND_HUB_REPO", "user/models")
    args = app.parse_args([])
    assert (args.host, args.port, args.hub_repo) == ("0.0.0.0", 7000, "user/models")
    args = app.parse_args(["--port", "7001", "--hub-repo", "other/repo", "--share", "--checkpoints", "elsewhere"])
    assert (args.port, args.hub_repo, args.share, args.checkpoints) == (7001, "other/repo", True, "elsewhere")


# ----- what `python app.py` prints as it starts -----

START_TIMEOUT_S = 600  # a cold start on a busy two-core machine (the app is ready in ~15 s when idle)


def start_output(tmp_path: Path, *flags: str) -> str:
    """Run app.py (with the shipped checkpoints) until it says it is ready, stop it, and return all it printed.

    With --share there is never a network here: the proxy variables point at a closed local port, so Gradio's
    request for a tunnel fails at once, as it does offline, and HF_HOME is empty, so its tunnel binary is missing
    (the case where Gradio explains how to download one)."""
    from bench.local_app import free_port
    from tests.conftest import CHECKPOINTS

    port, log = free_port(), tmp_path / "app.log"
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "HTTPS_PROXY": closed, "HTTP_PROXY": closed, "ALL_PROXY": closed, "NO_PROXY": "127.0.0.1,localhost",
           "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--checkpoints", str(CHECKPOINTS), *flags],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while "Ready in" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=60)
    text = log.read_text()
    assert "Ready in" in text, text[-3000:]
    return text


def test_a_normal_start_prints_one_line_for_where_it_is_served_and_no_gradio_advice(tmp_path):
    text = start_output(tmp_path)
    served = [line for line in text.splitlines() if "http://127.0.0.1:" in line]
    assert len(served) == 1 and served[0].startswith("* Running on http://127.0.0.1:"), text
    assert "share=True" not in text and "launch()" not in text, text


def test_share_offline_prints_one_line_that_says_so(tmp_path):
    text = start_output(tmp_path, "--share")
    about_share = [line for line in text.splitlines() if "share" in line.lower() or "public" in line.lower()]
    assert len(about_share) == 1 and about_share[0].startswith("* --share: no public link"), text
    for gradio_says in ("frpc", "Missing file", "Download this file", "share=True", "Could not create share link"):
        assert gradio_says not in text, (gradio_says, text)
    assert "serving only on http://127.0.0.1:" in about_share[0]
