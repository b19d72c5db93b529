"""Fly it yourself, on the Agent tab: the layout and its wiring. Fly starts a stream (one per flight, `fly` event
group) that steps the server's episode at the chosen pace and sends a frame a step to the player (a gr.HTML whose
script, demo/static/fly.js, draws it at the screen's frame rate); the script posts the held keys only when they
change, to their own route beside Gradio's queue (serve/fly_keys.py), and the server applies them at its next
step. Why this design and what a key press costs: serve/flights.py and docs/fly.md."""
from __future__ import annotations

from typing import Any

import gradio as gr

from core.rl.io import LoadedAgent
from demo import fly_render as render
from demo.fly_handlers import FlyHandlers
from demo.i18n import i18n
from demo.shared import queue_group, static_text

CSS = static_text("fly.css")
PLAYER_JS = static_text("fly.js")
PLAYER_TEMPLATE = """<div class="fly-player" data-role="${role}">${role !== 'player' ? '' : (() => {
  const L = labels[document.documentElement.dataset.playgroundLang] || labels.en; return `
  <canvas class="fly-canvas" width="600" height="400" role="img" aria-label="${L.canvas}" tabindex="0"></canvas>
  <div class="fly-side">
    <div class="fly-step">${L.ready}</div>
    <div class="fly-would">${L.agent_would}</div>
    <div class="fly-bars">${[0, 1, 2, 3].map(i => `<div class="fly-bar"><div class="fly-fill" style="width:0%"></div><span class="fly-name">${L.actions[i]}</span><span class="fly-p">-</span></div>`).join('')}</div>
    <div class="fly-numbers"><div title="${L.value_tip}">${L.value} <b class="fly-value">-</b></div><div>${L.return} <b class="fly-return">-</b></div></div>
  </div>
  <div class="fly-touch">
    <button type="button" class="fly-key" data-key="left">${L.left}</button>
    <button type="button" class="fly-key" data-key="main">${L.main}</button>
    <button type="button" class="fly-key" data-key="right">${L.right}</button>
  </div>
  <div class="fly-result"></div>
  <div class="fly-score"></div>`; })()}</div>"""


def build_fly(agent: LoadedAgent, knobs: list[gr.components.Component], handlers: FlyHandlers | None = None) -> FlyHandlers:
    """Lay out Fly it yourself under the Agent tab's player and wire it to the tab's seed, wind and gravity
    (`knobs` in the Agent tab's order: snapshot, seed, temperature, wind, wind_power, gravity)."""
    handlers = handlers or FlyHandlers(agent)
    _, seed, _, wind, wind_power, gravity = knobs
    with gr.Column(elem_id="fly-section"):
        gr.Markdown(i18n("fly.heading"))
        gr.Markdown(i18n("fly.intro"))
        player = gr.HTML(None, html_template=PLAYER_TEMPLATE, js_on_load=PLAYER_JS, labels=render.player_labels(),
                         role="player", elem_id="fly-player", min_height=300, padding=False)
        stream = gr.HTML("", html_template=PLAYER_TEMPLATE, js_on_load=PLAYER_JS, labels={}, role="stream",
                         elem_id="fly-stream")
        with gr.Row(elem_id="fly-controls"):
            pace = gr.Radio([(i18n("fly.pace_real"), "real"), (i18n("fly.pace_half"), "half")], value="real",
                            label=i18n("fly.pace"), elem_id="fly-pace", scale=3)
            start = gr.Button(i18n("fly.start"), variant="primary", elem_id="fly-start", scale=1)
    wire(handlers, start, stream, [seed, wind, wind_power, gravity, pace])
    return handlers


def wire(handlers: FlyHandlers, start: gr.Button, stream: gr.HTML, inputs: list[Any]) -> None:
    """Fly: one stream per flight (its keys go by serve/fly_keys.py, not by an event)."""
    start.click(handlers.fly, inputs, stream, api_name="fly", api_visibility="undocumented", preprocess=False,
                show_progress="hidden", **queue_group("fly"))
