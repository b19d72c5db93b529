"""Keep the server's heap close to what it uses, so memory returns near its baseline after a burst of requests.

glibc keeps freed pages in per-thread malloc arenas, and Gradio runs handlers on a pool of ~40 threads, each of which
may get an arena of its own. Trimming the heap now and then is not enough while there are many arenas, and an arena
limit set once threads already run comes too late for them: so app.py calls limit_malloc_arenas before torch and
Gradio start any thread (what MALLOC_ARENA_MAX=2 in the environment gives), and the trimmer returns what the burst
left (bench/abuse.py measures it; the figures of each variant are in docs/performance.md).
Where there is no glibc (macOS, Windows) both calls do nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number for the arena limit (malloc.h)
_trimmer: threading.Thread | None = None


def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - both exist only in glibc
        return libc
    except (OSError, AttributeError):
        return None


def limit_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` malloc arenas for threads made from now on: call before any thread starts."""
    if (libc := _libc()) is not None:
        libc.mallopt(M_ARENA_MAX, arenas)


def return_freed_memory(every_s: float = 10.0) -> None:
    """Limit the arenas (if not done yet) and, every `every_s` seconds, hand freed memory back to the system
    (malloc_trim: about a millisecond)."""
    global _trimmer
    libc = _libc()
    if libc is None or _trimmer is not None:
        return
    limit_malloc_arenas()
    trim = libc.malloc_trim

    def loop() -> None:
        while True:
            time.sleep(every_s)
            trim(0)

    _trimmer = threading.Thread(target=loop, name="malloc-trim", daemon=True)
    _trimmer.start()
