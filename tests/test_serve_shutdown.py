"""Ending the app's process while a handler is inside torch: with serve/shutdown.py's close_and_wait the process ends
with status 0; with a bare close it aborts (exit code 134), which is why the app and the tests' server use it.

A small Gradio app in a child process whose handler runs torch for a few seconds; the test's client starts it, the
child closes its server once the handler is at work and returns from main.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys, threading, time
import gradio as gr, torch
from gradio_client import Client
from bench.local_app import free_port
from serve.shutdown import close_and_wait

started = threading.Event()

def busy(seconds: float) -> str:
    started.set()
    a, end = torch.randn(200, 200), time.monotonic() + seconds
    while time.monotonic() < end:
        a = (a @ a).tanh()
    return "done"

with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button().click(busy, gr.Number(value=6, visible=False), box, api_name="busy")
demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
Client(demo.local_url, verbose=False).submit(6, api_name="/busy")
assert started.wait(60)
if sys.argv[1] == "wait":
    print("left", close_and_wait(demo), flush=True)
else:
    demo.close()
    print("closed", flush=True)
"""


def run_child(how: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, how], cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_close_and_wait_lets_a_busy_handler_finish_and_the_process_end_cleanly() -> None:
    done = run_child("wait")
    assert "left []" in done.stdout, (done.stdout, done.stderr[-2000:])
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])


def test_a_bare_close_with_a_handler_inside_torch_aborts_the_exit() -> None:
    """The reason for close_and_wait: should this start passing cleanly (a Gradio or torch change), the wait may go."""
    done = run_child("close")
    assert "closed" in done.stdout, (done.stdout, done.stderr[-2000:])
    if done.returncode == 0:
        pytest.skip("this Gradio/torch no longer aborts a daemon handler thread at exit")
    assert done.returncode in (-6, 134), (done.returncode, done.stderr[-2000:])
