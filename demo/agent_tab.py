"""Agent tab: a PPO policy landing on the moon. Pick a point in its training, a seed, a temperature and conditions it
never trained on (wind, gravity); Play runs the whole episode on the server (no rendering, ~0.1 ms a step) and sends
it as compact JSON, and the browser animates it on a canvas at the game's 50 fps with the policy's action
probabilities, the critic's value and the running return of each frame beside it. The learning curve marks the
chosen snapshot."""
from __future__ import annotations

import json
import random
from typing import Any

import gradio as gr

from core import limits
from core.rl.episode import DEFAULT_GRAVITY, play_episode, validate_conditions, validate_seed
from core.rl.io import LoadedAgent
from core.rl.model import ACTION_NAMES
from core.rl.policy import validate_temperature
from demo.errors import USER_ERRORS, field_note, missing_model_notice, user_errors
from demo import svg_plot
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.shared import queue_group, static_text

PLAYER_EXPLAINER = ("The policy $\\pi(a\\mid s)=\\mathrm{softmax}(\\text{logits}(s)/T)$ picks one of four engines every "
                    "frame (50 a second); the bars are that distribution at the frame shown, $V(s)$ is the critic's "
                    "estimate of the return still to come, and the return adds up the rewards so far.")
CURVE_EXPLAINER = ("Learning curve: the mean return of 20 deterministic episodes ($T=0$, seeds 1000-1019) after every "
                   "PPO update, and the mean return of the training episodes; dots are the saved snapshots, the ringed "
                   "one is playing. 200 counts as solved.")

PLAYER_TEMPLATE = """
<div class="agent-player">
  <canvas class="agent-canvas" width="600" height="400"></canvas>
  <div class="agent-side">
    <div class="agent-step">Press Play to run an episode.</div>
    <div class="agent-bars">
      ${[0, 1, 2, 3].map(i => `<div class="bar-row"><div class="bar-fill" style="width:0%"></div><span class="bar-name">${action_names[i]}</span><span class="bar-p">0%</span></div>`).join('')}
    </div>
    <div class="agent-numbers"><div>Critic value V(s): <b class="agent-value">-</b></div><div>Return so far: <b class="agent-return">-</b></div></div>
    <div class="agent-result"></div>
  </div>
</div>
"""
# The tab's page-level CSS: what a gr.HTML's css_template cannot reach, since Gradio scopes that to the component. On a
# narrow screen the columns stack and the player with its Play button (#agent-output) sticks to the top of the screen
# while the knobs scroll under it, as the Images tab's picture does; the side panel folds into two lines under the
# canvas so that half the screen is left for the knobs. Notes under a field look like the text tab's (.field-note).
# build.py joins it into the page's CSS.
CSS = static_text("agent.css")
PLAYER_CSS = """
.agent-player { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.agent-canvas { flex: 1 1 340px; width: 100%; max-width: 480px; aspect-ratio: 3 / 2; height: auto; border-radius: 6px; background: #0b1021; }
.agent-side { flex: 1 1 200px; min-width: 180px; display: flex; flex-direction: column; gap: 8px; }
.bar-row { position: relative; display: flex; justify-content: space-between; padding: 4px 8px; margin-bottom: 4px;
           border-radius: var(--radius-sm, 4px); background: var(--background-fill-secondary, #f4f4f5); overflow: hidden; }
.bar-fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--primary-500, #f97316); opacity: 0.35; }
.bar-row.chosen .bar-fill { opacity: 0.75; }
.bar-name, .bar-p { position: relative; font-variant-numeric: tabular-nums; }
.agent-result { font-weight: 600; min-height: 1.5em; }
"""
# Runs once when the component mounts; watch() re-runs `play` whenever Play sends a new episode.
PLAYER_JS = r"""
const S = 30;  // pixels per world unit (LunarLander's SCALE): the canvas is the game's 600 x 400 viewport
const BODY = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map(([x, y]) => [x / S, y / S]);
const LEG = [[-2, -8], [2, -8], [2, 8], [-2, 8]].map(([x, y]) => [x / S, y / S]);
function poly(ctx, pts, x, y, a) {
  ctx.beginPath();
  pts.forEach(([px, py], k) => {
    const wx = x + px * Math.cos(a) - py * Math.sin(a), wy = y + px * Math.sin(a) + py * Math.cos(a);
    if (k === 0) ctx.moveTo(wx * S, 400 - wy * S); else ctx.lineTo(wx * S, 400 - wy * S);
  });
  ctx.closePath();
}
function draw(ep, i) {
  const ctx = element.querySelector('.agent-canvas').getContext('2d');
  ctx.fillStyle = '#0b1021'; ctx.fillRect(0, 0, 600, 400);
  ctx.fillStyle = '#d4d4d8'; ctx.beginPath(); ctx.moveTo(0, 400);
  ep.terrain.forEach(([x, y]) => ctx.lineTo(x * S, 400 - y * S)); ctx.lineTo(600, 400); ctx.closePath(); ctx.fill();
  const [p1, p2, py] = ep.world.pad;
  ctx.strokeStyle = '#facc15'; ctx.lineWidth = 2;
  [p1, p2].forEach(px => { ctx.beginPath(); ctx.moveTo(px * S, 400 - py * S); ctx.lineTo(px * S, 400 - py * S - 50); ctx.stroke();
    ctx.fillStyle = '#facc15'; ctx.fillRect(px * S, 400 - py * S - 50, 25, 10); });
  const x = ep.x[i], y = ep.y[i], a = ep.a[i], act = i < ep.steps ? ep.act[i] : 0;
  const flame = (pts) => { ctx.fillStyle = '#fb923c'; poly(ctx, pts.map(([u, v]) => [u / S, v / S]), x, y, a); ctx.fill(); };
  if (act === 2) flame([[-8, -10], [8, -10], [0, -34 - 6 * Math.random()]]);
  if (act === 1) flame([[-17, 2], [-17, -6], [-30 - 4 * Math.random(), -2]]);
  if (act === 3) flame([[17, 2], [17, -6], [30 + 4 * Math.random(), -2]]);
  [ep.l1[i], ep.l2[i]].forEach(([lx, ly, la], k) => {
    ctx.fillStyle = (ep.contact[i] >> k) & 1 ? '#4ade80' : '#8b7cf6'; poly(ctx, LEG, lx, ly, la); ctx.fill(); });
  ctx.fillStyle = '#8066e6'; ctx.strokeStyle = '#4d4d80'; poly(ctx, BODY, x, y, a); ctx.fill(); ctx.stroke();
  if (ep.conditions.enable_wind) { ctx.fillStyle = '#e4e4e7'; ctx.font = '13px sans-serif';
    ctx.fillText(`wind ${ep.conditions.wind_power} / turbulence ${ep.conditions.turbulence_power}`, 10, 20); }
  if (ep.conditions.gravity !== -10) { ctx.fillStyle = '#e4e4e7'; ctx.font = '13px sans-serif'; ctx.fillText(`gravity ${ep.conditions.gravity}`, 10, 38); }
}
function side(ep, i) {
  const k = Math.min(i, ep.steps - 1);
  element.querySelector('.agent-step').textContent = `Frame ${Math.min(i, ep.steps)} of ${ep.steps} (seed ${ep.seed}, T = ${ep.temperature})`;
  element.querySelectorAll('.bar-row').forEach((row, j) => {
    const p = ep.p[k][j];
    row.querySelector('.bar-fill').style.width = `${(100 * p).toFixed(1)}%`;
    row.querySelector('.bar-p').textContent = `${Math.round(100 * p)}%`;
    row.classList.toggle('chosen', ep.act[k] === j);
  });
  element.querySelector('.agent-value').textContent = ep.v[k].toFixed(1);
  element.querySelector('.agent-return').textContent = (i === 0 ? 0 : ep.ret[Math.min(i, ep.steps) - 1]).toFixed(1);
}
function play() {
  if (element._raf) cancelAnimationFrame(element._raf);
  element.querySelector('.agent-result').textContent = '';
  if (!props.value) return;
  let ep;
  try { ep = JSON.parse(props.value); } catch (e) { return; }
  element._episode = ep;
  const frames = ep.x.length;
  let t0 = null;  // the first painted frame's time: frame 0 shows at once, then 50 frames per second of episode
  element.dataset.state = 'playing';
  const tick = (now) => {
    if (t0 === null) t0 = now;
    const i = Math.max(0, Math.min(Math.floor((now - t0) * ep.fps / 1000), frames - 1));
    element.dataset.frame = String(i);
    draw(ep, i); side(ep, i);
    if (i < frames - 1) { element._raf = requestAnimationFrame(tick); return; }
    element.dataset.state = 'done';
    const how = ep.landed ? 'Landed' : (ep.crashed ? 'Crashed' : (ep.steps >= 1000 ? 'Still flying at the 1 000-step limit' : 'Flew off the screen'));
    element.querySelector('.agent-result').textContent = `${how}: return ${ep.return.toFixed(1)} after ${ep.steps} steps (200 or more counts as solved).`;
  };
  element._raf = requestAnimationFrame(tick);
}
watch('value', play);
play();
const output = element.closest('#agent-output');
if (output && window.ResizeObserver) {
  new ResizeObserver(() => output.parentElement.style.setProperty('--agent-output-h', `${output.offsetHeight}px`)).observe(output);
}
"""


def snapshot_label(entry: dict[str, Any]) -> str:
    return (f"{entry['steps']:,} steps (update {entry['update']}): scored {entry['eval_return_mean']:.0f} "
            f"+- {entry['eval_return_std']:.0f}")


# The curve is drawn twice: 640 wide for a desktop and 320 wide with a larger font for a phone, where the wide one,
# shrunk to fit, had 6-7 px labels; CSS shows the one that fits the screen at about its own size.
WIDE, NARROW = (640, 11), (320, 13)  # (viewBox width, font size in px at scale 1)


def learning_curve_svg(agent: LoadedAgent, chosen: str | None, width: int = WIDE[0], font_px: int = WIDE[1],
                       css_class: str = "") -> str:
    """The learning curve as a small inline SVG: evaluation and training returns against steps, snapshots as dots."""
    W, H, L, R, T, B = width, 260, 48 if width >= 480 else 40, 12, 12, 32
    points, snaps = agent.curve, agent.snapshot_entries
    max_x = max([p["steps"] for p in points] + [s["steps"] for s in snaps] + [1])
    values = [p["eval"] for p in points] + [p.get("train", 0) for p in points] + [s["eval_return_mean"] for s in snaps] + [200, 0]
    lo, hi = max(-500, min(values)), max(300, max(values))
    sx, sy = svg_plot.linear(0, max_x, L, W - R), svg_plot.linear(lo, hi, H - B, T)

    def series(key: str) -> list[tuple[float, float]]:
        return [(sx(p["steps"]), sy(p[key])) for p in points if key in p]

    parts = [svg_plot.svg_open(W, H, "learning curve", font_px, W, css_class)]
    parts += [svg_plot.rule(L, W - R, sy(ret), str(ret)) for ret in range(int(lo // 100) * 100, int(hi) + 1, 100) if lo <= ret <= hi]
    parts.append(svg_plot.element("line", x1=L, x2=W - R, y1=sy(200), y2=sy(200), stroke="#16a34a", stroke_dasharray="5 4")
                 + svg_plot.text(W - R, sy(200) - 4, "solved (200)", "#16a34a", text_anchor="end"))
    for k in range(5):
        steps = max_x * k / 4
        parts.append(svg_plot.text(sx(steps), H - 14, f"{steps / 1e6:.2g}M", text_anchor="middle"))
    parts.append(svg_plot.text((L + W - R) / 2, H - 2, "environment steps", text_anchor="middle"))
    parts.append(svg_plot.curve(series("train"), "#a1a1aa", 1.5, "training episodes"))
    parts.append(svg_plot.curve(series("eval"), "#f97316", 2, "evaluation, T = 0"))
    for s in snaps:
        x, y = sx(s["steps"]), sy(s["eval_return_mean"])
        parts.append(svg_plot.dot(x, y, 4, "#2563eb", snapshot_label(s)))
        if s["name"] == chosen:
            parts.append(svg_plot.ring(x, y, 9, "#2563eb")
                         + svg_plot.text(min(x, W - 140), max(y - 14, 12), f"playing: {s['eval_return_mean']:.0f}", "#2563eb"))
    parts.append(svg_plot.text(60, 24, "evaluation (T = 0)", "#f97316") + svg_plot.text(60, 40, "training episodes", "#71717a") + "</svg>")
    return "".join(parts)


def learning_curve_html(agent: LoadedAgent, chosen: str | None) -> str:
    """Both drawings of the curve (see WIDE, NARROW); the page's CSS shows one."""
    return (learning_curve_svg(agent, chosen, *WIDE, css_class="agent-curve-wide")
            + learning_curve_svg(agent, chosen, *NARROW, css_class="agent-curve-narrow"))


def random_episode_seed() -> int:
    return random.randint(0, 99_999)


# Every knob whose value can be refused has a note under it (the page's knobs keep to their ranges; a typed seed may not)
FIELDS = ("snapshot", "seed", "temperature", "wind", "wind_power", "gravity")


class AgentHandlers:
    """The agent tab's handlers over the loaded agent (no handler loads weights)."""

    def __init__(self, agent: LoadedAgent):
        self.agent = agent

    @user_errors
    def play(self, snapshot: str, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any) -> str:
        """One episode as JSON for the player (and for API callers: per-step columns, return, landed)."""
        conditions = validate_conditions(gravity, wind, wind_power)
        _, policy = self.agent.policy(snapshot)
        episode = play_episode(policy, seed, temperature, conditions)
        episode["snapshot"] = snapshot
        return json.dumps(episode, separators=(",", ":"))

    def field_errors(self, snapshot: Any, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any) -> dict[str, str]:
        """Each field checked on its own by the validator play uses ("" when it is fine), so a refusal lands under the
        field that is wrong (under each of them when several are)."""
        checks = {"snapshot": lambda: self.agent.policy(snapshot), "seed": lambda: validate_seed(seed),
                  "temperature": lambda: validate_temperature(temperature), "wind": lambda: validate_conditions(wind=wind),
                  "wind_power": lambda: validate_conditions(wind_power=wind_power),
                  "gravity": lambda: validate_conditions(gravity=gravity)}
        errors = {}
        for name, check in checks.items():
            try:
                check()
                errors[name] = ""
            except USER_ERRORS as exc:
                errors[name] = str(exc)
        return errors

    def page_play(self, snapshot: Any, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any) -> tuple[Any, ...]:
        """The page's Play and knobs: (the episode, every field's note). A refused value gets a note under its field
        and the player keeps the episode it shows (no pop-up)."""
        errors = self.field_errors(snapshot, seed, temperature, wind, wind_power, gravity)
        notes = [field_note(errors[name]) for name in FIELDS]
        if any(errors.values()):
            return gr.skip(), *notes
        return self.play(snapshot, seed, temperature, wind, wind_power, gravity), *notes

    @user_errors
    def curve(self, snapshot: str) -> str:
        self.agent.policy(snapshot)
        return learning_curve_html(self.agent, snapshot)


def _note(name: str) -> gr.Markdown:
    return gr.Markdown("", visible=False, elem_id=f"agent-{name.replace('_', '-')}-note", elem_classes=["field-note"])


def build_agent_tab(agent: LoadedAgent | None, note: str) -> None:
    """Lay out the agent tab and wire its events (call inside a gr.Blocks)."""
    if agent is None or not agent.snapshot_entries:
        missing_model_notice("reinforcement-learning agent", "python -m core.rl.ppo", note, elem_id="agent-missing")
        return
    handlers = AgentHandlers(agent)
    entries = agent.snapshot_entries
    last = entries[-1]["name"]
    notes: dict[str, gr.Markdown] = {}
    gr.Markdown("A PPO agent trained from scratch to land on the moon (Gymnasium LunarLander-v3). "
                "Pick how far into its training to look, then press Play; a moved knob plays again.")
    with gr.Row(elem_id="agent-row"):
        # The player and Play in one column: on a phone it sticks to the top of the screen (CSS) over the knobs
        with gr.Column(scale=3, elem_id="agent-output"):
            player = gr.HTML(None, html_template=PLAYER_TEMPLATE, css_template=PLAYER_CSS, js_on_load=PLAYER_JS,
                             action_names=ACTION_NAMES, elem_id="agent-player", min_height=300, padding=False)
            play = gr.Button("Play", variant="primary", elem_id="agent-play")
        with gr.Column(scale=2, elem_id="agent-knobs"):
            snapshot = gr.Dropdown([(snapshot_label(e), e["name"]) for e in entries], value=last, label="Training progress",
                                   info="which snapshot of the policy plays (its score on 100 test episodes)", elem_id="agent-snapshot")
            notes["snapshot"] = _note("snapshot")
            with gr.Row():
                seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Episode seed",
                                 info=f"terrain and starting push ({limits.SEED_RANGE_TEXT})", elem_id="agent-seed", scale=3,
                                 elem_classes=NUMBER_CLASSES)
                randomise = gr.Button("Randomise", scale=1, elem_id="agent-randomise")
            notes["seed"] = _note("seed")
            slider = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves and typed values send release too (knob_release)
            temperature = gr.Slider(0.0, limits.MAX_POLICY_TEMPERATURE, 0.0, step=0.05, label="Policy temperature",
                                    info="0 = always the most likely action; 1 = sample as trained", elem_id="agent-temperature",
                                    **slider)
            notes["temperature"] = _note("temperature")
            wind = gr.Checkbox(False, label="Wind (never seen in training)", elem_id="agent-wind")
            notes["wind"] = _note("wind")
            wind_power = gr.Slider(0.0, limits.MAX_WIND_POWER, 15.0, step=0.5, label="Wind strength", elem_id="agent-wind-power",
                                   **slider)
            notes["wind_power"] = _note("wind_power")
            gravity = gr.Slider(limits.MIN_GRAVITY, limits.MAX_GRAVITY, DEFAULT_GRAVITY, step=0.01, label="Gravity",
                                info="trained at -10; the moon's is about -1.6", elem_id="agent-gravity", **slider)
            notes["gravity"] = _note("gravity")
    gr.Markdown(PLAYER_EXPLAINER, latex_delimiters=[{"left": "$", "right": "$", "display": False}])
    curve = gr.HTML(learning_curve_html(agent, last), elem_id="agent-curve")
    gr.Markdown(CURVE_EXPLAINER, latex_delimiters=[{"left": "$", "right": "$", "display": False}])
    knobs = [snapshot, seed, temperature, wind, wind_power, gravity]
    # The public endpoint: a program's bad input gets a gr.Error with the message. Its trigger is a button the page
    # never shows, so the page's own events (below) can answer with notes instead while the API stays as it was.
    api_trigger = gr.Button("Play (API)", visible=False)
    api_trigger.click(handlers.play, knobs, player, api_name="play_episode",
                      preprocess=False, **queue_group("agent"), show_progress="minimal",
                      api_description="Play one LunarLander episode with a snapshot of the PPO agent: every step's pose, action, "
                                      "action probabilities and value, and the episode's return and whether it landed, as JSON.")
    # The page plays again after every way a knob can change: Play, a slider's release (a drag's end, its reset arrow,
    # and knob_release's after arrow keys or a typed value), the seed's submit (Enter, or knob_release after typing),
    # the wind box, another snapshot, Randomise. The newest value wins (always_last).
    page_play = dict(fn=handlers.page_play, inputs=knobs, outputs=[player, *(notes[name] for name in FIELDS)],
                     api_name="page_play_episode", api_visibility="undocumented", preprocess=False,
                     **queue_group("agent"), show_progress="minimal", trigger_mode="always_last")
    gr.on([play.click, seed.submit, wind.input, snapshot.input] + [k.release for k in (temperature, wind_power, gravity)],
          **page_play)
    # The curve picture and the seed button serve the page only: left off the API page (still callable)
    snapshot.change(handlers.curve, snapshot, curve, api_name="learning_curve", preprocess=False, show_progress="hidden",
                    api_visibility="undocumented")
    randomise.click(random_episode_seed, None, seed, api_name="random_episode_seed", show_progress="hidden",
                    api_visibility="undocumented").then(**{**page_play, "api_name": "page_play_new_seed"})
