"""What the tabs share, each stated once: the limits of every event group, fresh seeds, the store of generated
files, and the tabs' CSS and scripts read from demo/static/ (see docs/development.md, "How to add a tab")."""
from __future__ import annotations

import os
import random
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable

from serve.gradio_internals import cache_folder

from core import limits
from core.gpt.train_quick import MAX_TEXT_CHARS
from serve.http_guard import GroupLimit
from serve.stream_worker import MAX_STREAMS

STATIC = Path(__file__).parent / "static"


# The delimiters of LaTeX in a gr.Markdown (latex_delimiters=LATEX): $$display$$ and $inline$, in every view's prose
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def static_text(name: str) -> str:
    """A tab's CSS or script, read from demo/static/ when the page is built (build.py joins them into the page's
    css= and head=, so the page still loads nothing from another origin)."""
    return (STATIC / name).read_text("utf-8")


def random_seed() -> int:
    """A fresh seed for the randomise buttons (every seed in one range: core/limits.py MAX_SEED)."""
    return random.randint(0, limits.MAX_SEED)


@dataclass(frozen=True)
class EventGroup:
    """The limits of one group of events (their concurrency_id): `workers` run at once (Gradio's concurrency_limit),
    and HttpGuard lets `waiting` (per browser session, per client address, for all clients together) be queued or
    running; None: the guard's default group."""

    workers: int
    waiting: GroupLimit | None = None


# The group totals, not Gradio's single max_size, are what bind, so one visitor's flood of text streams or GIFs cannot
# take the slots of slider images (see serve/http_guard.py). Two CPU cores: few workers, except where an event mostly
# waits (a text stream on the batched worker process, a Play stream sleeping between frames).
GROUPS: dict[str, EventGroup] = {
    # text streams (generate, regenerate): each waits on the worker process, which batches up to MAX_STREAMS
    "gpt": EventGroup(MAX_STREAMS, GroupLimit(per_session=4, per_address=6, total=32)),
    "text-stop": EventGroup(4),  # Stop: sets a flag
    "bars": EventGroup(4, GroupLimit(per_session=2, per_address=8, total=48)),  # next-token bars, prompt check: cheap
    # slider images: cheap. A link (or a tour step) sets class, seed and psi at once: its draw, the new noise's event
    # and, while the page's own drawing loads, the server's move all arrive together, hence 3 a session
    "gan-image": EventGroup(4, GroupLimit(per_session=3, per_address=8, total=48)),
    "gan-heavy": EventGroup(1, GroupLimit(per_session=2, per_address=4, total=16)),  # grids and GIFs: the slowest
    "gan-verdict": EventGroup(2, GroupLimit(per_session=2, per_address=16, total=48)),  # D's verdict beside the image
    "gan-game": EventGroup(2, GroupLimit(per_session=2, per_address=8, total=16)),  # real-or-fake rounds
    "gan-learning": EventGroup(2, GroupLimit(per_session=2, per_address=8, total=32)),  # watch it learn: a step move
    # GPT learns: a step move (a cache hit once seen), or a prompt continued at every snapshot (seconds of CPU)
    "gpt-learning": EventGroup(2, GroupLimit(per_session=2, per_address=8, total=32)),
    # the 2-D GAN's Play: one stream while it plays, a worker per training slot and two more to answer "Busy" at once;
    # one address may hold 2 of the training slots (a stream that is never read still trains, up to the cap per
    # session, so the slots are what an address could take from others)
    "toy-gan-play": EventGroup(limits.MAX_TOY_GAN_PLAYING + 2, GroupLimit(
        per_session=2, per_address=2, total=12,
        refusal="The GAN playground is already training as often as it may from {who} (a playground trains until "
                "paused): pause it in another tab or window, then press Play again.")),
    "toy-gan": EventGroup(limits.MAX_TOY_GAN_PLAYING, GroupLimit(per_session=4, per_address=8, total=24)),  # its clicks, knobs
    "inside": EventGroup(4, GroupLimit(per_session=2, per_address=16, total=32)),  # Inside the GPT: a click; a new trace more
    "agent": EventGroup(2),  # an episode of the lander
    # Fly it yourself: a worker per flight (each stream sleeps between its steps) and as many again, so a refused Fly
    # or a session's newer flight (which takes over its older one) is answered while every slot flies; the keys go by
    # their own route (serve/fly_keys.py), not by this group
    "fly": EventGroup(2 * limits.MAX_FLYING, GroupLimit(per_session=6, per_address=12, total=64)),
    # Train a GPT on your text: Train and Continue stream a run's live view for as long as it trains (the run itself is
    # a thread of serve/training_sessions.py, which holds the 2 slots, 1 per address and the cap per session, and says
    # so by the buttons); workers for both slots and two more, so a third Train is answered at once. The text is up to
    # train_quick.MAX_TEXT_CHARS characters, 6 bytes each as JSON \uXXXX escapes, plus the rest of the request.
    "gpt-train": EventGroup(4, GroupLimit(per_session=2, per_address=2, total=8, max_body_bytes=6 * MAX_TEXT_CHARS + 64 * 1024)),
    "gpt-train-click": EventGroup(4, GroupLimit(per_session=2, per_address=8, total=32)),  # Stop, a sample's text
    "gan-invert": EventGroup(2, GroupLimit(per_session=2, per_address=2, total=8)),  # inversions (repair, sharpen, draw): ~2 s of a core each
    "links": EventGroup(2, GroupLimit(per_session=2, per_address=8, total=32)),  # a link or tour step sets the knobs
}
GROUP_LIMITS = {name: group.waiting for name, group in GROUPS.items() if group.waiting is not None}


def queue_group(name: str) -> dict[str, Any]:
    """The event arguments that put an event in group `name` with the group's one worker limit (GROUPS)."""
    return {"concurrency_id": name, "concurrency_limit": GROUPS[name].workers}


# All the disk one file store may use by default, whatever clients ask: slider PNGs (~2 kB), grids (up to ~0.3 MB) and
# GIFs (up to ~1 MB). Past it the oldest files are deleted.
DISK_CAP_BYTES = 256 * 2**20
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class GeneratedFiles:
    """The files a tab hands Gradio (images, grids, GIFs, heatmaps), in one private folder inside Gradio's cache, at most cap_bytes in all.

    Private: the folder is made by mkdtemp (mode 0700, unpredictable name) and every file is created new with
    O_EXCL | O_NOFOLLOW under a random name (`write`), or under a name that says what it is inside a new folder of
    its own with a random name (`write_named`, made by mkdir, which never follows a link either), so a link planted
    by another local user is never followed or served. Inside Gradio's cache: Gradio serves such files as they are,
    instead of hashing and copying each into the cache (which stored every GIF twice). Bounded: the oldest files go
    once the total passes cap_bytes; Gradio's delete_cache (build.py) removes what is an hour old as well.
    """

    def __init__(self, cap_bytes: int = DISK_CAP_BYTES, parent: str | Path | None = None):
        self.cap_bytes = cap_bytes
        parent = Path(parent or cache_folder())
        parent.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="gan-", dir=parent))
        self._sizes: OrderedDict[Path, int] = OrderedDict()  # oldest first
        self._keys: dict[str, Path] = {}  # knobs -> the file already made for them (repeated clicks add nothing)
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._total

    def find(self, key: str) -> str | None:
        """The file made earlier for `key`, if it is still there."""
        path = self._keys.get(key)
        return str(path) if path is not None and path in self._sizes and path.is_file() else None

    def write(self, prefix: str, suffix: str, fill: Callable[[IO[bytes]], object], key: str | None = None) -> str:
        """A new file `prefix-<random><suffix>` written by fill(file), complete before its path is returned."""
        return self._write(self.dir / f"{prefix}-{secrets.token_hex(8)}{suffix}", fill, key)

    def write_named(self, name: str, fill: Callable[[IO[bytes]], object], key: str | None = None) -> str:
        """A new file `<random folder>/<name>`: the download keeps the name, the path stays unguessable."""
        if not name or "/" in name or name.startswith(".") or "\0" in name:
            raise ValueError(f"a plain file name is needed; got {name!r}")
        folder = self.dir / secrets.token_hex(8)
        try:
            os.mkdir(folder, 0o700)  # fails on anything already there, a planted link included
        except FileNotFoundError:  # the folder was removed (Gradio's hourly cache clean-up): make it again, private
            os.makedirs(self.dir, mode=0o700, exist_ok=True)
            os.mkdir(folder, 0o700)
        return self._write(folder / name, fill, key)

    def _write(self, path: Path, fill: Callable[[IO[bytes]], object], key: str | None) -> str:
        try:
            fd = os.open(path, WRITE_FLAGS, 0o600)
        except FileNotFoundError:  # the folder was removed (Gradio's hourly cache clean-up): make it again, private
            os.makedirs(self.dir, mode=0o700, exist_ok=True)
            fd = os.open(path, WRITE_FLAGS, 0o600)
        with os.fdopen(fd, "wb") as file:
            fill(file)
            size = file.tell()
        with self._lock:
            self._sizes[path] = size
            self._total += size
            if key is not None:
                self._keys[key] = path
            while self._total > self.cap_bytes and len(self._sizes) > 1:
                old, old_size = self._sizes.popitem(last=False)
                self._total -= old_size
                old.unlink(missing_ok=True)
                if old.parent != self.dir:  # a write_named folder: it held this file only
                    try:
                        old.parent.rmdir()
                    except OSError:
                        pass
            if len(self._keys) > 2 * len(self._sizes):  # forget keys of deleted files
                self._keys = {k: v for k, v in self._keys.items() if v in self._sizes}
        return str(path)


def head_script(name: str, **values: object) -> str:
    """A script from demo/static/ as a <script> element for the page's head=, each {{NAME}} in it replaced by
    values[NAME] (a constant the Python side states once, such as knob_release.py's KEY_RELEASE_MS)."""
    text = static_text(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    return f"<script>\n{text.rstrip()}\n</script>"
