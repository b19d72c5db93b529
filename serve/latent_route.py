"""What the page needs to draw the Images tab's slider panel itself (issue #28), on plain GET routes beside Gradio:

- `GET /image-web/z?class=<class or random>&seed=<0..MAX_SEED>`: the seed's noise z exactly as the server makes it
  (torch.Generator, core/gan/latent.py seed_to_z) and the class it is drawn as. The page asks once per
  (class, seed) and caches it; every slider move after that is arithmetic and an ONNX run in the page.
- `GET /image-web/meta.json`: where the panel's .onnx is (named by the weights' hash) and its shape.
- `GET /image-web/panel-<hash>.onnx`: the panel (core/gan/export_onnx.py), exported on first use and cached.
- `GET /image-web/ort/<file>`: ONNX Runtime Web's JS and WebAssembly, vendored in demo/static/vendor/ (only the two
  files the single-threaded WebAssembly path loads), with their right content types (application/wasm).

Why not Gradio events: a new seed would wait in Gradio's queue like a slider move did; these answer in the request
itself, with no queue, thread or session, in well under a millisecond of CPU (the export runs once, off the event
loop). An ASGI middleware inside the HTTP guard, like serve/fly_keys.py, so nothing of Gradio's app is touched.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

import torch

from core.gan.data import CLASS_NAMES
from core.gan.export_onnx import CACHE_DIR, PanelFile, panel_file
from core.gan.latent import LatentStudio, class_index, seed_to_z, validate_class, validate_seed
from core.limits import MAX_PSI
from core.validation import KnobError
from serve.asgi import Receive, Send, send_response

PREFIX = "/image-web/"
Z_PATH, META_PATH, ORT_PREFIX = PREFIX + "z", PREFIX + "meta.json", PREFIX + "ort/"
# /image-web/z per address (HttpGuard's metered paths): a page asks once per new (class, seed), so a seed slider
# dragged end to end asks a few dozen at once and then a handful a second; a script asking faster gets 429
Z_BURST, Z_PER_S = 60, 20.0
VENDOR = Path(__file__).resolve().parent.parent / "demo" / "static" / "vendor" / "onnxruntime-web"
# The only runtime files the page loads: the WebAssembly build's ES module (its Emscripten glue bundled in) and
# the .wasm it instantiates. Anything else under ort/ is a 404, so no path from a URL ever reaches the disk.
ORT_FILES = {"ort.wasm.bundle.min.mjs": "text/javascript; charset=utf-8", "ort-wasm-simd-threaded.wasm": "application/wasm"}
MAX_QUERY = 200  # class=Ankle%20boot&seed=4294967295 is ~40 characters
IMMUTABLE = b"public, max-age=31536000, immutable"  # named by content (hash, pinned version): never stale


@dataclass
class _Offer:
    studio: LatentStudio
    discriminator: Any
    classifier: Any
    cache_dir: Path
    panel: PanelFile | None = None
    error: str = ""
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)  # one export, however many ask at once


_offer: _Offer | None = None


def offer(studio: LatentStudio, discriminator: Any = None, classifier: Any = None, cache_dir: Path | str = CACHE_DIR,
          build_now: bool = True) -> None:
    """Make this studio's panel the one the routes serve (the Images tab calls it while the page is built). With
    `build_now`, the .onnx is exported in a background thread at once, so the first visitor does not wait for it."""
    global _offer
    _offer = _Offer(studio, discriminator, classifier, Path(cache_dir))
    if build_now:  # the export, then the runtime's files compressed: the first visitor waits for neither
        # Not a daemon: the export runs inside torch, and a daemon thread still there at the interpreter's exit aborts
        # the process (serve/shutdown.py); an exit during start-up waits the few seconds the export takes instead.
        threading.Thread(target=lambda: (ready_panel(), [ort_body(name, True) for name in ORT_FILES]),
                         name="image-panel-onnx").start()


def ready_panel() -> tuple[PanelFile | None, str]:
    """(the panel file, "") once exported, or (None, why not); the first caller exports it, the others wait."""
    o = _offer
    if o is None:
        return None, "no GAN is loaded"
    with o.lock:
        if not o.done:
            try:
                o.panel = panel_file(o.studio.generator, o.studio.directions, o.discriminator, o.classifier, o.cache_dir)
            except Exception as exc:  # noqa: BLE001 - the page falls back to the server path; meta.json says why
                o.error = f"{type(exc).__name__}: {exc}"
            o.done = True
    return o.panel, o.error


_bodies: dict[tuple[str, bool], bytes] = {}  # the runtime's files, read (and gzipped) once
_bodies_lock = threading.Lock()


def ort_body(name: str, gzipped: bool) -> bytes:
    """A vendored runtime file's bytes (name from ORT_FILES), gzipped if asked: 14 MB of .wasm is 3.6 MB so."""
    with _bodies_lock:
        if (name, gzipped) not in _bodies:
            raw = (VENDOR / name).read_bytes()
            _bodies[(name, gzipped)] = gzip.compress(raw, 6) if gzipped else raw
        return _bodies[(name, gzipped)]


def latent(query: str) -> dict[str, Any]:
    """The answer to /image-web/z for a query string; KnobError (said as a 400) for a bad class or seed."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    if set(params) - {"class", "seed"} or "seed" not in params:
        raise KnobError("ask as /image-web/z?class=<a class or random>&seed=<0 to 2**32-1>")
    class_name = validate_class(params.get("class", "random"))
    seed = validate_seed(params["seed"])
    o = _offer
    if o is None:
        raise LookupError("no GAN is loaded")
    z = seed_to_z(seed, o.studio.z_dim)
    label = class_index(class_name, seed)
    # float32 values as JSON numbers: Python writes the shortest text that reads back as the same double, and the
    # page's Float32Array turns it back into the very same float32, so the page's z is the server's bit for bit.
    return {"class": class_name, "seed": seed, "label": label, "drawn_as": CLASS_NAMES[label],
            "z": [float(v) for v in z.to(torch.float32).tolist()]}


def meta(panel: PanelFile) -> dict[str, Any]:
    o = _offer
    assert o is not None
    return {"model": f"{PREFIX}panel-{panel.digest}.onnx", "ort": ORT_PREFIX, "z_dim": o.studio.z_dim,
            "directions": len(o.studio.direction_names), "ranges": [float(r) for r in o.studio.direction_ranges],
            "max_psi": MAX_PSI, "classes": CLASS_NAMES, "judges": panel.has_judges}


class LatentRoute:
    """ASGI middleware: answers GET /image-web/... itself and hands every other request on to `app`."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self._panel_bytes: tuple[str, bytes] | None = None  # (digest, the .onnx's bytes), read once

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD"):
            await _answer(send, 405, _json({"detail": "these routes answer GET only"}), [(b"allow", b"GET, HEAD")])
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if len(query) > MAX_QUERY:
            await _answer(send, 400, _json({"detail": f"the query is at most {MAX_QUERY} characters"}))
        elif path == Z_PATH:
            await self._z(send, query)
        elif path == META_PATH:
            panel, why = await asyncio.to_thread(ready_panel)
            if panel is None:
                await _answer(send, 503, _json({"detail": f"the image model is not available in the page: {why}"}))
            else:
                await _answer(send, 200, _json(meta(panel)), [(b"cache-control", b"no-cache")])
        elif path.startswith(PREFIX + "panel-") and path.endswith(".onnx"):
            await self._panel(send, path)
        elif path.startswith(ORT_PREFIX) and path[len(ORT_PREFIX):] in ORT_FILES:
            await self._ort(send, path[len(ORT_PREFIX):], _accepts_gzip(scope))
        else:
            await _answer(send, 404, _json({"detail": "not found"}))

    async def _z(self, send: Send, query: str) -> None:
        try:
            body = _json(latent(query))
        except KnobError as exc:
            await _answer(send, 400, _json({"detail": str(exc)}))
            return
        except LookupError as exc:
            await _answer(send, 503, _json({"detail": str(exc)}))
            return
        await _answer(send, 200, body, [(b"cache-control", b"private, max-age=86400")])

    async def _panel(self, send: Send, path: str) -> None:
        panel, why = await asyncio.to_thread(ready_panel)
        if panel is None or path != f"{PREFIX}panel-{panel.digest}.onnx":
            await _answer(send, 404, _json({"detail": why or "no panel with these weights (ask meta.json for its name)"}))
            return
        if self._panel_bytes is None or self._panel_bytes[0] != panel.digest:
            self._panel_bytes = panel.digest, await asyncio.to_thread(panel.path.read_bytes)
        await _answer(send, 200, self._panel_bytes[1], [(b"cache-control", IMMUTABLE)], b"application/octet-stream")

    async def _ort(self, send: Send, name: str, gzip_ok: bool) -> None:
        extra = [(b"cache-control", IMMUTABLE), (b"vary", b"accept-encoding")]
        data = await asyncio.to_thread(ort_body, name, gzip_ok)
        if gzip_ok:
            extra.append((b"content-encoding", b"gzip"))
        await _answer(send, 200, data, extra, ORT_FILES[name].encode())


def _accepts_gzip(scope: dict[str, Any]) -> bool:
    return any(k == b"accept-encoding" and b"gzip" in v.lower() for k, v in scope.get("headers", []))


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


async def _answer(send: Send, status: int, content: bytes, headers: list[tuple[bytes, bytes]] | None = None,
                  content_type: bytes = b"application/json") -> None:
    head = [*(headers or [(b"cache-control", b"no-store")]), (b"content-type", content_type),
            (b"content-length", str(len(content)).encode())]
    await send_response(send, status, head, content)
