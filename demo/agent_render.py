"""What the Agent tab shows, from the agent's own numbers: the snapshot names, the learning curve as inline SVG
(drawn twice: for a desktop and for a phone), the episode as the player's JSON, and the explanations. Pure (no
Gradio); the handlers are demo/agent_handlers.py, the layout demo/agent_tab.py, the player's template, CSS and
script demo/static/agent_player.*."""
from __future__ import annotations

import json
from typing import Any

from core.rl.io import LoadedAgent
from demo import svg_plot

INTRO = ("A PPO agent trained from scratch to land on the moon (Gymnasium LunarLander-v3). "
         "Pick how far into its training to look, then press Play; a moved knob plays again.")
PLAYER_EXPLAINER = ("The policy $\\pi(a\\mid s)=\\mathrm{softmax}(\\text{logits}(s)/T)$ picks one of four engines every "
                    "frame (50 a second); the bars are that distribution at the frame shown, $V(s)$ is the critic's "
                    "estimate of the return still to come, and the return adds up the rewards so far.")
CURVE_EXPLAINER = ("Learning curve: the mean return of 20 deterministic episodes ($T=0$, seeds 1000-1019) after every "
                   "PPO update, and the mean return of the training episodes; dots are the saved snapshots, the ringed "
                   "one is playing. 200 counts as solved.")
# The curve is drawn twice: 640 wide for a desktop and 320 wide with a larger font for a phone, where the wide one,
# shrunk to fit, had 6-7 px labels; CSS shows the one that fits the screen at about its own size.
WIDE, NARROW = (640, 11), (320, 13)  # (viewBox width, font size in px at scale 1)


def snapshot_label(entry: dict[str, Any]) -> str:
    return (f"{entry['steps']:,} steps (update {entry['update']}): scored {entry['eval_return_mean']:.0f} "
            f"+- {entry['eval_return_std']:.0f}")


def episode_json(episode: dict[str, Any], snapshot: str) -> str:
    """One episode as the player reads it (and API callers: per-step columns, return, landed), with its snapshot."""
    return json.dumps({**episode, "snapshot": snapshot}, separators=(",", ":"))


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
