"""Views drawn the first time their tab is opened, not when the page loads.

Four views sit in tabs a visitor may never open: the Images tab's verdict and grid, its real-or-fake game's first
round and its "Watch it learn" snapshot, and the Agent tab's learning curve. Drawn on the page's load, every page
view cost the server four events, and its browser four of its six connections to the server while a link's restore
waited for one (issue #25). Each is now a hidden button in its tab, which demo/static/first_view.js presses the first
time the tab is selected (a click on its name, a link or a tour step opening it), once per page.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Sequence

import gradio as gr

from demo.shared import head_script

HEAD = head_script("first_view.js")
CLASS = "first-view"  # on every first-view button (tests/test_i18n_complete.py finds the views they draw by it)


def first_view(tab: str, fn: Callable[..., Any], inputs: Sequence[Any] | None, outputs: Sequence[Any], **event: Any) -> Any:
    """Draw `outputs` with fn(inputs) when the main tab `tab` is first opened (call inside that tab). `event` takes
    the rest of Gradio's event arguments (js, queue group, preprocess); the event is private to the page."""
    button = gr.Button("draw", visible="hidden", elem_classes=[CLASS, f"{CLASS}-{tab}"])
    return button.click(fn, inputs, outputs, api_visibility="private", show_progress="hidden", **event)


def open_on_select(tab_id: str, tab: gr.Tab) -> None:
    """Press the tab's first-view buttons when it is first selected (browser-only, no request of its own)."""
    tab.select(None, None, None, js=f"() => {{ window.playgroundFirstViews.open({json.dumps(tab_id)}); return []; }}")


__all__ = ["CLASS", "HEAD", "first_view", "open_on_select"]
