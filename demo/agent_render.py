"""What the Agent tab shows, from the agent's own numbers: the snapshot names, the learning curve as inline SVG
(drawn twice: for a desktop and for a phone), the episode as the player's JSON, and the explanations. Pure (no
Gradio); the handlers are demo/agent_handlers.py, the layout demo/agent_tab.py, the player's template, CSS and
script demo/static/agent_player.*."""
from __future__ import annotations

import json
from typing import Any

from core.rl.io import LoadedAgent
from core.rl.model import ACTION_NAMES
from demo import svg_plot
from demo.locales import LANGUAGES, tr

# The player's words, fetched by demo/static/agent_player.js for the page's language (its `labels` prop)
PLAYER_KEYS = {"ready": "agent.player_ready", "value": "agent.player_value", "return": "agent.player_return",
               "frame": "agent.player_frame", "landed": "agent.landed", "crashed": "agent.crashed",
               "still_flying": "agent.still_flying", "flew_off": "agent.flew_off", "summary": "agent.summary",
               "wind": "agent.canvas_wind", "gravity": "agent.canvas_gravity", "canvas": "agent.canvas_alt"}
# The curve is drawn twice: 640 wide for a desktop and 320 wide with a larger font for a phone, where the wide one,
# shrunk to fit, had 6-7 px labels; CSS shows the one that fits the screen at about its own size.
WIDE, NARROW = (640, 11), (320, 13)  # (viewBox width, font size in px at scale 1)


def snapshot_label(entry: dict[str, Any], lang: str = "en") -> str:
    """A snapshot named by its training steps, update and test score (the curve's dot tooltips)."""
    return tr("agent.snapshot_label", lang, steps=f"{entry['steps']:,}", update=entry["update"],
              mean=f"{entry['eval_return_mean']:.0f}", std=f"{entry['eval_return_std']:.0f}")


def snapshot_choice(entry: dict[str, Any], words: Any) -> str:
    """The dropdown's label for a snapshot: its steps, `words` (i18n("agent.snapshot_choice"), which the page
    translates: one key per label) and its test score."""
    return f"{entry['steps']:,} " + words + f" {entry['eval_return_mean']:.0f} ± {entry['eval_return_std']:.0f}"


def player_labels() -> dict[str, dict[str, Any]]:
    """The player's words in each language (the script picks the page's): its labels, the frame line and summary
    with {fields} the script fills, the action names, and the critic's glossary line as the value's tooltip."""
    return {lang: {**{name: tr(key, lang) for name, key in PLAYER_KEYS.items()},
                   "actions": [tr(f"agent.action_{i}", lang) for i in range(len(ACTION_NAMES))],
                   "critic": tr("term.critic", lang)}  # demo/locales/glossary.py
            for lang in LANGUAGES}


def episode_json(episode: dict[str, Any], snapshot: str) -> str:
    """One episode as the player reads it (and API callers: per-step columns, return, landed), with its snapshot."""
    return json.dumps({**episode, "snapshot": snapshot}, separators=(",", ":"))


def learning_curve_svg(agent: LoadedAgent, chosen: str | None, width: int = WIDE[0], font_px: int = WIDE[1],
                       css_class: str = "", lang: str = "en") -> str:
    """The learning curve as a small inline SVG: evaluation and training returns against steps, snapshots as dots."""
    W, H, L, R, T, B = width, 260, 48 if width >= 480 else 40, 12, 12, 32
    points, snaps = agent.curve, agent.snapshot_entries
    max_x = max([p["steps"] for p in points] + [s["steps"] for s in snaps] + [1])
    values = [p["eval"] for p in points] + [p.get("train", 0) for p in points] + [s["eval_return_mean"] for s in snaps] + [200, 0]
    lo, hi = max(-500, min(values)), max(300, max(values))
    sx, sy = svg_plot.linear(0, max_x, L, W - R), svg_plot.linear(lo, hi, H - B, T)

    def series(key: str) -> list[tuple[float, float]]:
        return [(sx(p["steps"]), sy(p[key])) for p in points if key in p]

    parts = [svg_plot.svg_open(W, H, tr("agent.curve_title", lang), font_px, W, css_class)]
    parts += [svg_plot.rule(L, W - R, sy(ret), str(ret)) for ret in range(int(lo // 100) * 100, int(hi) + 1, 100) if lo <= ret <= hi]
    parts.append(svg_plot.element("line", x1=L, x2=W - R, y1=sy(200), y2=sy(200), stroke="#16a34a", stroke_dasharray="5 4")
                 + svg_plot.text(W - R, sy(200) - 4, tr("agent.curve_solved", lang), "#16a34a", text_anchor="end"))
    for k in range(5):
        steps = max_x * k / 4
        parts.append(svg_plot.text(sx(steps), H - 14, f"{steps / 1e6:.2g}M", text_anchor="middle"))
    parts.append(svg_plot.text((L + W - R) / 2, H - 2, tr("agent.curve_steps", lang), text_anchor="middle"))
    parts.append(svg_plot.curve(series("train"), "#a1a1aa", 1.5, tr("agent.curve_train", lang)))
    parts.append(svg_plot.curve(series("eval"), "#f97316", 2, tr("agent.curve_eval_title", lang)))
    for s in snaps:
        x, y = sx(s["steps"]), sy(s["eval_return_mean"])
        parts.append(svg_plot.dot(x, y, 4, "#2563eb", snapshot_label(s, lang)))
        if s["name"] == chosen:
            parts.append(svg_plot.ring(x, y, 9, "#2563eb")
                         + svg_plot.text(min(x, W - 140), max(y - 14, 12), tr("agent.curve_playing", lang, score=f"{s['eval_return_mean']:.0f}"), "#2563eb"))
    parts.append(svg_plot.text(60, 24, tr("agent.curve_eval", lang), "#f97316")
                 + svg_plot.text(60, 40, tr("agent.curve_train", lang), "#71717a") + "</svg>")
    return "".join(parts)


def learning_curve_html(agent: LoadedAgent, chosen: str | None, lang: str = "en") -> str:
    """Both drawings of the curve (see WIDE, NARROW) in `lang`; the page's CSS shows one."""
    return (learning_curve_svg(agent, chosen, *WIDE, css_class="agent-curve-wide", lang=lang)
            + learning_curve_svg(agent, chosen, *NARROW, css_class="agent-curve-narrow", lang=lang))
