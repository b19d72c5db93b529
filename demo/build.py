"""build_demo(): the three tabs in one gr.Blocks with the queue set up; launch_demo(): launch with the app's CSS and
no file access beyond what the app generates."""
from __future__ import annotations

import json
import os
from typing import Any, Awaitable, Callable

import gradio as gr
from starlette.middleware import Middleware

from demo.about_tab import build_about_tab
from demo.app_state import GAN_NAME, GPT_NAME, AppState
from demo.image_tab import build_image_tab
from demo.text_tab import build_text_tab

TITLE = "GPT + GAN playground"
# Browsers smooth enlarged images; the GAN's 32x32 pixels should stay crisp squares.
CSS = "#gan-image img, #gan-grid img, #gan-interpolation img { image-rendering: pixelated; }"
QUEUE_SIZE = 64  # waiting requests beyond this are refused with "queue full" rather than piling up


def build_demo(state: AppState) -> gr.Blocks:
    """Lay out the tabs from models loaded once at start-up (state); handlers never load weights."""
    with gr.Blocks(title=TITLE, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(f"# {TITLE}\nMove a knob and watch a character-level GPT write Shakespeare and a conditional "
                    "DCGAN paint Fashion-MNIST clothes, live, on a CPU.")
        with gr.Tabs():
            with gr.Tab("Text (GPT)", id="text"):
                build_text_tab(state.gpt, state.notes.get(GPT_NAME, ""))
            with gr.Tab("Images (GAN)", id="image"):
                build_image_tab(state.gan, state.notes.get(GAN_NAME, ""))
            with gr.Tab("About", id="about"):
                build_about_tab(state)
    # Gradio's queue keeps a record of the last GRADIO_ANALYTICS_MAX_EVENTS events (default 10 000) for its monitoring
    # page and, by default, rebuilds a pandas summary of all of them after every event: at 10 000 records that is
    # tens of ms of CPU per slider move, on a worker thread, and ~50 MB held. The app shows no monitoring page, so
    # keep 1 000 records and summarise them once per 1 000 events (read when the queue is created, just below).
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    # Default limit 2 (two CPU cores); each event group sets its own via concurrency_id.
    demo.queue(default_concurrency_limit=2, max_size=QUEUE_SIZE)
    return demo


UPLOAD_ROUTES = ("/upload", "/process_recording")  # Gradio's file and screen-recording upload routes


class RefuseUploads:
    """ASGI middleware: the app has no file inputs, so Gradio's upload routes and any multipart body are refused
    (otherwise anyone could store files on the server, fill its disk, or have the app serve them back)."""

    def __init__(self, app: Callable[..., Awaitable[None]]):
        self.app = app

    @staticmethod
    def _is_upload(scope: dict[str, Any]) -> bool:
        if scope["path"].rstrip("/").endswith(UPLOAD_ROUTES):
            return True
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        return content_type.lower().startswith(b"multipart/")

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http" and self._is_upload(scope):
            body = json.dumps({"detail": "This app takes no file uploads."}).encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def launch_demo(demo: gr.Blocks, **kwargs: Any) -> Any:
    """demo.launch with the app's CSS. allowed_paths stays empty and uploads are refused, so the app serves only
    files it generated."""
    kwargs.setdefault("show_error", False)
    return demo.launch(css=CSS, allowed_paths=[], app_kwargs={"middleware": [Middleware(RefuseUploads)]}, **kwargs)
