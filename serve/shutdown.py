"""Ending the app's process cleanly: close the server, then wait for the request handlers still at work.

Gradio serves from a daemon thread, and the threads that run its handlers (anyio's worker threads) inherit the flag.
A daemon thread still inside torch when the interpreter shuts down is ended under C++ code and the whole process
aborts (exit code 134, "terminate called without an active exception"). Once the server is closed no new handler
starts, so waiting for the running ones to return is enough; a stream's generator is resumed by the server only, so
each such thread has one step left at most.
"""
from __future__ import annotations

import threading
import time
from typing import Any

HANDLER_THREAD = "AnyIO worker thread"  # anyio's name for the threads that run Gradio's synchronous handlers
WAIT_S = 30.0


def handler_threads() -> list[threading.Thread]:
    """The handler threads alive now (never the calling thread)."""
    me = threading.current_thread()
    return [t for t in threading.enumerate() if t.name.startswith(HANDLER_THREAD) and t is not me and t.is_alive()]


def close_and_wait(demo: Any, timeout_s: float = WAIT_S) -> list[str]:
    """Close the Gradio app, then wait up to timeout_s for its handler threads to end; the names of any still alive."""
    demo.close()
    deadline = time.monotonic() + timeout_s
    for thread in handler_threads():
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t.name for t in handler_threads()]
