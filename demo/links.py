"""Links that keep their state: every tab's knobs live in the page's URL, so a link opens a view already set up.

How it works, in one place for every tab:
- **Writing.** Each knob a tab registers with `Links.view` gets a browser-only change listener (no request) that
  writes its value into the URL as `?<param>=<value>` (demo/static/links.js, `history.replaceState`), once the visitor
  has acted (Gradio sets every knob while it draws the page); the main tabs' selection writes `tab=<id>`; the
  language switch keeps them all (demo/static/language.js).
- **Opening.** When the page loads with link parameters, links.js presses a hidden button, whose one event (`restore`)
  reads the parameters and sets each knob it can parse; then the page presses the hidden draw button of each view
  whose knobs were in the link (the tab's own draw operation, `Draw`; the views side by side) and, once every draw
  has ended, shows the link's tab. So a tab that redraws itself when shown (Inside the GPT) reads the link's view,
  never racing it. A page without parameters sends nothing.
- **Bad or stale values** (an unknown parameter, a seed out of range, a snapshot that no longer exists) are left out:
  the knob keeps its default and one quiet note under the title names what was ignored. Never an error.
- **The tour** (demo/tour_tab.py) opens a view the same way: `open_link(params)` in the page sets the URL and presses
  the same button, so a tour step and a shared link are one path.

A tab registers in its `wire`: `links.view("image", {"image-seed": (seed, parse_seed), ...}, Draw(fn, inputs, outputs))`.
Parameter names are `<tab id>-<knob>`, so two tabs' prompts never collide.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import parse_qsl

import gradio as gr

from core.validation import KnobError
from demo.i18n import i18n, request_language, text
from demo.shared import queue_group, static_text

Parse = Callable[[str], Any]  # a link's text to the knob's value; raises ValueError / KnobError for a bad one
MAX_QUERY_CHARS = 8_000  # a longer link is read only this far (a prompt is at most a few thousand characters)
TAB_PARAM = "tab"
LANG_PARAM = "lang"  # read by demo/static/language.js before the page starts; known here so it is not "ignored"


@dataclass(frozen=True)
class Draw:
    """A tab's operation that draws its view from its knobs: the same page function, inputs and outputs its own
    events use, run after a link has set the knobs."""

    fn: Callable[..., Any]
    inputs: Sequence[Any]
    outputs: Sequence[Any]
    group: Mapping[str, Any] = field(default_factory=dict)  # queue_group(...) of the tab's own events


@dataclass
class LinkView:
    tab: str
    knobs: dict[str, tuple[Any, Parse]]
    draw: Draw | None


def parse_query(query: str) -> dict[str, str]:
    """A URL's query string ("?a=1&b=2", with or without the "?") as a dict; the last of a repeated name wins."""
    return dict(parse_qsl(str(query or "")[:MAX_QUERY_CHARS].lstrip("?"), keep_blank_values=True))


class Links:
    """The registry of linkable knobs (filled by the tabs while the page is built) and their wiring (`wire`)."""

    def __init__(self) -> None:
        self.views: list[LinkView] = []
        self.tab_ids: list[str] = []

    def view(self, tab: str, knobs: Mapping[str, tuple[Any, Parse]], draw: Draw | None = None) -> None:
        """Register a tab's (or section's) knobs by parameter name, and the operation that draws it from them."""
        taken = {name for v in self.views for name in v.knobs} | {TAB_PARAM, LANG_PARAM}
        twice = taken & set(knobs)
        if twice:
            raise ValueError(f"link parameters named twice: {sorted(twice)}")
        self.views.append(LinkView(tab, dict(knobs), draw))

    def tab(self, tab_id: str) -> None:
        """A tab the `tab=` parameter may select."""
        self.tab_ids.append(tab_id)

    @property
    def params(self) -> dict[str, tuple[Any, Parse]]:
        return {name: knob for v in self.views for name, knob in v.knobs.items()}

    def restore(self, query: str, lang: str) -> tuple[Any, ...]:
        """The updates a link makes: each knob (gr.skip() where the link has no good value), the note, which views
        to draw (a JSON list of their indexes, read by the chained draws) and the tab to show ("" for none)."""
        params = parse_query(query)
        ignored: list[str] = []
        tab = params.get(TAB_PARAM, "")
        if tab and tab not in self.tab_ids:
            ignored.append(TAB_PARAM)
            tab = ""
        updates: list[Any] = []
        linked: list[int] = []
        for index, view in enumerate(self.views):
            for name, (_, parse) in view.knobs.items():
                if name not in params:
                    updates.append(gr.skip())
                    continue
                try:
                    updates.append(parse(params[name]))
                    if index not in linked:
                        linked.append(index)
                except (KnobError, ValueError, TypeError, OverflowError):
                    updates.append(gr.skip())
                    ignored.append(name)
        known = set(self.params) | {TAB_PARAM, LANG_PARAM}
        ignored += sorted(name[:40] for name in params if name not in known)
        note = text("links.ignored", lang, names=", ".join(ignored)) if ignored else ""
        return (*updates, gr.Markdown(note, visible=bool(note)), json.dumps(linked), tab)

    def wire(self) -> None:
        """The page's link machinery, after every tab has registered: the hidden restore button and its chain, and the
        browser-only listeners that write each knob into the URL (links.js writes the tab: the main gr.Tabs needs the
        elem_id "main-tabs"). Called inside the Blocks.

        The tab is shown after the knobs are set and the views drawn, by a click on its name in the page (links.js
        `showTab`), so a tab that redraws when it is selected (Inside the GPT) reads the link's view, not the one
        before it."""
        query = gr.Textbox(visible=False, elem_id="link-query")
        linked = gr.Textbox(visible=False, elem_id="link-linked")
        tab = gr.Textbox(visible=False, elem_id="link-tab")
        button = gr.Button("restore", visible="hidden", elem_id="link-restore")
        components = [component for view in self.views for component, _ in view.knobs.values()]

        def restore(query_text: str, request: gr.Request) -> tuple[Any, ...]:
            return self.restore(query_text, request_language(request))

        # a hidden button pressed by code: every press counts (trigger_mode "once", a button's default, drops a press
        # while the last one's chain is still pending, and a link or tour step would then never open)
        event = button.click(restore, [query], [*components, self.note, linked, tab], js="() => [window.playgroundLinks.take()]",
                             api_visibility="private", show_progress="hidden", trigger_mode="multiple", **queue_group("links"))
        # then, in the page: press the draw button of each view the link set, then show the tab (links.js `draw`)
        event.then(None, [linked, tab], None, js="(linked, tab) => { window.playgroundLinks.draw(linked, tab); return []; }")
        for index, view in enumerate(self.views):
            if view.draw is None:
                continue
            # a view's draw runs only when the link set its knobs, beside the others' (each in its own event group);
            # once every drawn view has ended, links.js shows the tab and stamps the view complete
            draw_button = gr.Button("draw", visible="hidden", elem_id=f"link-draw-{index}", elem_classes=["link-draw"])
            draw_button.click(view.draw.fn, list(view.draw.inputs), list(view.draw.outputs), api_visibility="private",
                              show_progress="hidden", trigger_mode="multiple", **dict(view.draw.group)) \
                .then(None, None, None, js=f"() => {{ window.playgroundLinks.drawn({index}); return []; }}")
        for name, (component, _) in self.params.items():
            component.change(None, [component], None, trigger_mode="multiple",
                             js=f"(v) => {{ window.playgroundLinks.set({json.dumps(name)}, v); return []; }}")

    def note_box(self) -> gr.Markdown:
        """The quiet note under the title naming what a link had that was ignored; made where build.py lays it out."""
        self.note = gr.Markdown("", visible=False, elem_id="link-note", elem_classes=["field-note"])
        return self.note


def copy_link_button() -> gr.Button:
    """A button that copies the page's link (its state included) to the clipboard; browser-only (links.js)."""
    button = gr.Button(i18n("links.copy"), size="sm", elem_id="copy-link", variant="secondary")
    button.click(None, None, None, js="() => { window.playgroundLinks.copy(); return []; }")
    return button


HEAD = f"<script>{static_text('links.js')}</script>"
CSS = static_text("links.css")
