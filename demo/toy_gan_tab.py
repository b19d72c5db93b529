"""GAN playground tab: a 2-D GAN (core/gan/toy2d.py) training live, GAN Lab style.

The server trains and sends a compact JSON view (points, D on a 24x24 grid, G's gradient arrows, thinned curves)
into a hidden textbox; a small script of the page (HEAD, passed to launch by demo/build.py) draws it on two
canvases whenever it changes. Not gr.HTML: its templates and js_on_load need 'unsafe-eval', which the app's CSP
(serve/http_guard.py) refuses; an inline script in the page head is allowed ('unsafe-inline'). Play is one streaming
event: the server trains `steps per frame` steps and sends 12 frames a second (core/gan/toy_sessions.py paces it,
holds the slots and the cap, and ends it on Pause, when the page closes, or when nobody reads it any more); a knob
moved while it plays is sent on its own (`toy_gan_knobs`) and applies from the next frame.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import gradio as gr

from core import limits
from core.gan.toy2d import DATASETS, LOSSES, OPTIMISERS, Toy2DGAN, ToyKnobs
from core.gan.toy_sessions import MAX_STEPS_PER_FRAME, Busy, ToySessions
from demo.errors import user_errors

DEFAULT_SPEED = 5
LR_SLIDER = (0.0001, 0.05)
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]

INTRO = r"""Two small networks play the game of the essay on points in the plane. $G(z)$ turns 2-D noise $z$ into a
point; $D(x)$ says how likely a point $x$ is real. They train against each other on
$$\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
Press **Play** and change the knobs while it runs (GAN Lab style, on this server's CPU)."""

MAP_NOTE = r"""**The plane.** Background: $D(x)$ at every point, green where D says *real* ($D(x)\to 1$), purple where
it says *fake* ($D(x)\to 0$). Green dots: real samples $x$. Purple dots: fakes $G(z)$ for fixed noise $z$. Faint
purple mesh: $G$ applied to a square grid of noise $z \in [-2, 2]^2$, showing how $G$ bends and folds the plane of
noise onto the data (where the mesh bunches up, many $z$ land on few points).
Arrows: $-\nabla_x$ of G's loss at $x = G(z)$ (for the non-saturating loss, $-\log D(G(z))$): where G is pushing
each fake point, up the slope of $D$."""

CURVES_NOTE = r"""**Curves.** Blue: D's loss $-\log D(x) - \log(1 - D(G(z)))$ (about $2\log 2 \approx 1.39$ when D
can no longer tell). Orange: G's loss $-\log D(G(z))$. Black (own scale): the energy distance between the fake and
real points, 0 only when the two distributions are the same."""

CSS = """#toy-gan-canvas .toy-wrap { display: flex; flex-direction: column; gap: 6px; max-width: 560px; }
#toy-gan-canvas .toy-plane { width: 100%; aspect-ratio: 1 / 1; border: 1px solid #ccc; }
#toy-gan-canvas .toy-curves { width: 100%; height: 150px; border: 1px solid #ccc; }
#toy-gan-canvas .toy-info { font-family: monospace; font-size: 13px; }
#gan-game-images img { image-rendering: pixelated; }"""  # the real-or-fake game's strip (demo/gan_game.py) too

# Draws the JSON view in #toy-gan-view on canvases it adds to #toy-gan-canvas, on every new view (checked once per
# animation frame: a string comparison) and when the canvas is resized.
HEAD = r"""<script>
(() => {
let plane = null, curves = null, info = null, last = null, lastWidth = 0;
function fit(c) {
  const dpr = window.devicePixelRatio || 1, w = c.clientWidth, h = c.clientHeight;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
  const ctx = c.getContext('2d'); ctx.setTransform(dpr, 0, 0, dpr, 0, 0); return [ctx, w, h];
}
function drawPlane(v) {
  const [ctx, w, h] = fit(plane); const R = v.range, n = v.surface.length;
  const sx = x => (x + R) / (2 * R) * w, sy = y => h - (y + R) / (2 * R) * h;
  const cw = w / (n - 1), ch = h / (n - 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const p = v.surface[i][j];  // D(x) at x = (axis[j], axis[i])
    const r = Math.round(232 - 70 * p + 45 * (1 - p) - 45), g = Math.round(200 + 30 * p - 40 * (1 - p)), b = Math.round(215 - 60 * p + 20 * (1 - p));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(sx(-R + 2 * R * j / (n - 1)) - cw / 2, sy(-R + 2 * R * i / (n - 1)) - ch / 2, cw + 1, ch + 1);
  }
  if (v.manifold) {  // G's manifold: G(z) over a lattice of the noise plane, joined along its rows and columns
    const m = v.manifold, k = m.length; ctx.strokeStyle = 'rgba(123, 44, 191, 0.35)'; ctx.lineWidth = 1;
    for (let i = 0; i < k; i++) for (const line of [m[i], m.map(row => row[i])]) {
      ctx.beginPath(); line.forEach((p, j) => j ? ctx.lineTo(sx(p[0]), sy(p[1])) : ctx.moveTo(sx(p[0]), sy(p[1]))); ctx.stroke();
    }
  }
  const dot = (p, color) => { ctx.fillStyle = color; ctx.beginPath(); ctx.arc(sx(p[0]), sy(p[1]), 2.6, 0, 2 * Math.PI); ctx.fill(); };
  v.real.forEach(p => dot(p, '#1a7f37'));
  v.fake.forEach(p => dot(p, '#7b2cbf'));
  ctx.strokeStyle = '#3c096c'; ctx.lineWidth = 1.2;
  v.arrows.forEach((a, k) => {
    const p = v.fake[k]; if (!p) return; const x0 = sx(p[0]), y0 = sy(p[1]), x1 = sx(p[0] + 0.6 * a[0]), y1 = sy(p[1] + 0.6 * a[1]);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    const t = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - 5 * Math.cos(t - 0.4), y1 - 5 * Math.sin(t - 0.4));
    ctx.lineTo(x1 - 5 * Math.cos(t + 0.4), y1 - 5 * Math.sin(t + 0.4)); ctx.closePath(); ctx.fillStyle = '#3c096c'; ctx.fill();
  });
}
function drawCurves(v) {
  const [ctx, w, h] = fit(curves); const c = v.curves, pad = 6; ctx.clearRect(0, 0, w, h);
  const steps = c.step, last = Math.max(1, steps[steps.length - 1]);
  const x = s => pad + (w - 2 * pad) * s / last;
  const line = (ys, top, color) => {
    ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.beginPath(); let on = false;
    ys.forEach((y, k) => { if (y === null) return; const py = h - pad - (h - pad - 18) * Math.min(y, top) / top;  // the top 18 px hold the labels
      if (on) ctx.lineTo(x(steps[k]), py); else { ctx.moveTo(x(steps[k]), py); on = true; } });
    ctx.stroke();
  };
  const lossTop = Math.max(1.5, ...c.loss_d.filter(y => y !== null), ...c.loss_g.filter(y => y !== null));
  line(c.loss_d, lossTop, '#1f77b4'); line(c.loss_g, lossTop, '#ff7f0e');
  line(c.divergence, Math.max(1e-6, ...c.divergence), '#111');
  ctx.fillStyle = '#555'; ctx.font = '11px sans-serif'; ctx.fillText(`losses 0..${lossTop.toFixed(2)}   step ${last}`, pad + 2, 12);
  let lx = w - pad;  // the legend, right-aligned on the top line
  [['energy distance', '#111'], ['G loss', '#ff7f0e'], ['D loss', '#1f77b4']].forEach(([name, color]) => {
    lx -= ctx.measureText(name).width; ctx.fillStyle = color; ctx.fillText(name, lx, 12); lx -= 10; });
}
function draw(text) {
  let v; try { v = JSON.parse(text); } catch (e) { return; }
  drawPlane(v); drawCurves(v);
  const d = v.curves.divergence[v.curves.divergence.length - 1];
  info.textContent = `step ${v.step} · ${v.metric} ${d === null ? '-' : d.toFixed(4)} · ${v.knobs.data}, ${v.knobs.loss}, ${v.knobs.optimiser}`;
}
function frame() {
  const host = document.getElementById('toy-gan-canvas'), data = document.querySelector('#toy-gan-view textarea, #toy-gan-view input');
  if (host && data) {
    if (!host.querySelector('.toy-wrap')) {
      host.insertAdjacentHTML('beforeend', '<div class="toy-wrap"><canvas class="toy-plane" role="img" aria-label="real and fake points over D\'s decision surface"></canvas>' +
        '<canvas class="toy-curves" role="img" aria-label="loss and divergence curves"></canvas><div class="toy-info"></div></div>');
      last = null;
    }
    plane = host.querySelector('.toy-plane'); curves = host.querySelector('.toy-curves'); info = host.querySelector('.toy-info');
    const text = data.value;
    if (text && (text !== last || plane.clientWidth !== lastWidth) && plane.clientWidth > 0) { last = text; lastWidth = plane.clientWidth; draw(text); }
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
})();
</script>"""


def _knobs(data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any) -> ToyKnobs:
    return ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps)  # validated by ToySessions


def _sid(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _json(view: dict[str, Any]) -> str:
    return json.dumps(view, allow_nan=False, separators=(",", ":"))


PLAYING = "Training: change any knob, it takes effect at the next frame."
# Workers for Play streams: one per training slot, and two more so that a Play beyond the slots is answered "Busy" at
# once rather than queued behind streams that play for minutes. A stream sleeps between its frames.
PLAY_WORKERS = limits.MAX_TOY_GAN_PLAYING + 2


class ToyGanHandlers:
    def __init__(self, sessions: ToySessions) -> None:
        self.sessions = sessions

    @user_errors
    def play(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any,
             request: gr.Request) -> Iterator[tuple[Any, Any]]:
        """Stream (canvas JSON, status) frames until paused, ended or capped; beyond the slots, a "Busy" status."""
        try:
            frames = self.sessions.play(_sid(request), _knobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed)
        except Busy as exc:
            yield gr.skip(), str(exc)
            return
        status: Any = PLAYING
        with closing(frames):  # closed early (the page went away, Gradio stopped reading): the slot is freed at once
            while True:
                try:
                    view = next(frames)
                except StopIteration as stop:  # its value says why the stream ended
                    reason = stop.value
                    break
                yield _json(view), status
                status = gr.skip()
        if reason == "cap":
            yield gr.skip(), f"Stopped: {self.sessions.max_steps} steps is the cap per session. Press Reset to start again."

    @user_errors
    def pause(self, request: gr.Request) -> str:
        self.sessions.pause(_sid(request))
        return "Paused."

    @user_errors
    def set_knobs(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any, request: gr.Request) -> str:
        return _json(self.sessions.set_knobs(_sid(request), _knobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed))

    @user_errors
    def step(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, request: gr.Request) -> str:
        return _json(self.sessions.step(_sid(request), _knobs(data, loss, optimiser, lr_g, lr_d, d_steps)))

    @user_errors
    def reset(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, seed: Any, request: gr.Request) -> str:
        return _json(self.sessions.reset(_sid(request), _knobs(data, loss, optimiser, lr_g, lr_d, d_steps), seed))

    def toy_gan_end(self, request: gr.Request) -> None:
        self.sessions.end(_sid(request))


def build_toy_gan_tab(demo: gr.Blocks, sessions: ToySessions | None = None) -> ToyGanHandlers:
    """Lay out the GAN playground and wire its events; `demo` is the enclosing Blocks (its unload frees the session)."""
    handlers = ToyGanHandlers(sessions or ToySessions(limits.MAX_TOY_GAN_PLAYING, limits.MAX_TOY_GAN_STEPS))
    defaults = ToyKnobs()
    gr.Markdown(INTRO, latex_delimiters=LATEX, elem_id="toy-gan-intro")
    with gr.Row():
        with gr.Column(scale=3, min_width=300):
            with gr.Column(elem_id="toy-gan-canvas"):  # HEAD's script draws here
                canvas = gr.Textbox(_json(Toy2DGAN(defaults, seed=0).view()), visible="hidden", elem_id="toy-gan-view",
                                    interactive=False, show_label=False, container=False, lines=1, max_lines=1)
            status = gr.Markdown("Press **Play** to train, or **One step** to take one update at a time.", elem_id="toy-gan-status")
        with gr.Column(scale=2, min_width=280):
            with gr.Row():
                play = gr.Button("▶ Play", variant="primary", elem_id="toy-gan-play", min_width=60)
                pause = gr.Button("Pause", elem_id="toy-gan-pause", min_width=60)
                step = gr.Button("One step", elem_id="toy-gan-step", min_width=60)
                reset = gr.Button("Reset", elem_id="toy-gan-reset", min_width=60)
            data = gr.Dropdown(DATASETS, value=defaults.data, label="Real data", elem_id="toy-gan-dataset")
            loss = gr.Radio(LOSSES, value=defaults.loss, label="Loss", elem_id="toy-gan-loss",
                            info="non-saturating: G maximises log D(G(z)); least squares: (D(G(z)) - 1)²")
            optimiser = gr.Radio(OPTIMISERS, value=defaults.optimiser, label="Optimiser", elem_id="toy-gan-optimiser")
            lr_g = gr.Slider(*LR_SLIDER, value=defaults.lr_g, step=0.0001, label="G's learning rate", elem_id="toy-gan-lr-g")
            lr_d = gr.Slider(*LR_SLIDER, value=defaults.lr_d, step=0.0001, label="D's learning rate", elem_id="toy-gan-lr-d")
            d_steps = gr.Slider(1, 10, value=defaults.d_steps, step=1, label="D steps per G step", elem_id="toy-gan-d-steps")
            speed = gr.Slider(1, MAX_STEPS_PER_FRAME, value=DEFAULT_SPEED, step=1, label="Steps per frame (12 frames a second)",
                              elem_id="toy-gan-speed")
            seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed (used by Reset)", elem_id="toy-gan-seed")
    gr.Markdown(MAP_NOTE, latex_delimiters=LATEX)
    gr.Markdown(CURVES_NOTE, latex_delimiters=LATEX)
    knobs = [data, loss, optimiser, lr_g, lr_d, d_steps]
    # The GAN playground's events drive one page session's 2-D GAN: page plumbing, left off the API page
    # (api_visibility="undocumented": still callable, as bench/load_test.py does). Play streams for as long as it
    # plays, so it has a group of its own: a few more workers than training slots, so that a Play beyond the slots
    # is answered "Busy" at once (PLAY_WORKERS), and clicks and knobs (the "toy-gan" group) never wait behind it.
    hidden = dict(preprocess=False, show_progress="hidden", api_visibility="undocumented")
    clicks = dict(concurrency_id="toy-gan", concurrency_limit=limits.MAX_TOY_GAN_PLAYING, **hidden)
    play.click(handlers.play, [*knobs, speed], [canvas, status], api_name="toy_gan_play", concurrency_id="toy-gan-play",
               concurrency_limit=PLAY_WORKERS, **hidden)
    pause.click(handlers.pause, None, status, api_name="toy_gan_pause", **clicks)
    gr.on([knob.change for knob in [*knobs, speed]], handlers.set_knobs, [*knobs, speed], canvas, api_name="toy_gan_knobs",
          trigger_mode="always_last", **clicks)
    step.click(handlers.step, knobs, canvas, api_name="toy_gan_step", **clicks)
    reset.click(handlers.reset, [*knobs, seed], canvas, api_name="toy_gan_reset", **clicks)
    demo.unload(handlers.toy_gan_end)  # the browser tab closed: drop its GAN and its slot
    return handlers
