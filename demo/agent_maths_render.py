"""What the Agent tab's worked PPO step shows, from core/rl/worked_step.py's numbers: the step in Markdown with its
formulas in LaTeX (each on its own display line, short enough for a phone), and a small SVG of the advantage at every
step of the episode with the worked step ringed. Pure (no Gradio); the handlers are demo/agent_maths_handlers.py,
the layout demo/agent_maths_tab.py."""
from __future__ import annotations

from typing import Any

from core.rl.worked_step import Rollout, WorkedStep
from demo import svg_plot
from demo.locales import tr

FPS = 50  # LunarLander's frames a second: the step's time into the flight
H, R, T, B = 130, 10, 10, 30  # the timeline's height and margins (its width: WIDE or NARROW)
# Drawn twice, as the tab's learning curve is: 640 wide for a desktop, 320 wide with a larger font for a phone, where
# the wide one shrunk to fit had 6 px labels; the timeline's CSS (demo/static/agent_maths.css) shows the one that fits.
WIDE, NARROW = (640, 11), (320, 13)  # (viewBox width, font size in px at scale 1)


def num(x: float, digits: int = 4) -> str:
    """A ratio or probability for a formula: `digits` significant figures (a probability may be 0.00184)."""
    text = f"{x:.{digits}g}"
    if "e" in text:  # KaTeX shows 1.2 \times 10^{-5}, not 1.2e-05
        mantissa, exponent = text.split("e")
        text = f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def fixed(x: float) -> str:
    """A reward, value, TD error, advantage or objective: three decimals, so that the arithmetic shown adds up to
    the last digit (significant figures would round 139.574 and 148.089 differently from 7.741)."""
    return f"{x:.3f}".replace("-0.000", "0.000")


def term(x: float) -> str:
    """fixed(x) as a factor or a subtrahend: in brackets when negative, so '- (-3.2)' reads right."""
    return f"({fixed(x)})" if x < 0 else fixed(x)


def signed_sum(terms: list[float], more: bool) -> str:
    """t0 + t1 - t2 ... (+ \\dots when the sum has more terms than shown)."""
    out = fixed(terms[0])
    for x in terms[1:]:
        out += f" - {fixed(-x)}" if x < 0 else f" + {fixed(x)}"
    return out + (" + \\dots" if more else "")


def display(*lines: str) -> str:
    """Each line as its own display formula: a long equation broken where a phone needs it."""
    return "\n".join(f"$${line}$$" for line in lines)


def heading(w: WorkedStep, action: str, lang: str) -> str:
    return tr("agent_maths.heading", lang, t=w.t, steps=w.steps, seconds=f"{w.t / FPS:.2f}", action=action,
              gamma=f"{w.gamma:g}", lam=f"{w.gae_lambda:g}", eps=f"{w.clip_coef:g}")


def values_part(w: WorkedStep, lang: str) -> list[str]:
    lines = [tr("agent_maths.values", lang), display(f"V(s_t) = {fixed(w.value)}, \\qquad V(s_{{t+1}}) = {fixed(w.next_value)}")]
    if w.not_done == 0:
        lines.append(tr("agent_maths.values_end", lang))
    elif w.time_limit:
        lines.append(tr("agent_maths.values_cut", lang))
    return lines


def gae_part(w: WorkedStep, lang: str) -> list[str]:
    gl = w.gamma * w.gae_lambda
    more = w.sum_count > len(w.sum_terms)
    return [
        tr("agent_maths.gae", lang, rest=w.sum_count - 1, gl=f"{gl:.5g}"),
        display(f"\\hat A_t = \\sum_{{l=0}}^{{{w.sum_count - 1}}} (\\gamma\\lambda)^l\\, \\delta_{{t+l}}",
                *([f"= {signed_sum(w.sum_terms, more)}"] if len(w.sum_terms) > 1 else []), f"= {fixed(w.advantage)}"),
        tr("agent_maths.gae_backwards", lang),
        display("\\hat A_t = \\delta_t + \\gamma\\lambda\\, \\hat A_{t+1}",
                f"= {fixed(w.delta)} + {num(gl, 5)} \\times {term(w.next_advantage)}", f"= {fixed(w.advantage)}"),
        tr("agent_maths.gae_positive" if w.advantage >= 0 else "agent_maths.gae_negative", lang),
    ]


def ratio_part(w: WorkedStep, roles: str, lang: str) -> list[str]:
    p_old, p_new = w.old_probs[w.action], w.new_probs[w.action]
    return [
        tr("agent_maths.ratio", lang), roles,
        display("\\rho_t = \\frac{\\pi_\\theta(a_t \\mid s_t)}{\\pi_{\\theta_\\text{old}}(a_t \\mid s_t)}",
                f"= \\frac{{{num(p_new)}}}{{{num(p_old)}}} = {num(w.ratio)}"),
    ]


def objective_part(w: WorkedStep, lang: str) -> list[str]:
    lo, hi = 1 - w.clip_coef, 1 + w.clip_coef
    why = tr(f"agent_maths.case_{w.case}", lang, ratio=num(w.ratio), lo=f"{lo:g}", hi=f"{hi:g}",
             way=tr("agent_maths.way_up" if w.advantage > 0 else "agent_maths.way_down", lang))
    return [
        tr("agent_maths.objective", lang),
        display("\\min\\big(\\rho_t \\hat A_t,\\ \\operatorname{clip}(\\rho_t, 1-\\epsilon, 1+\\epsilon)\\, \\hat A_t\\big)",
                f"= \\min\\big({num(w.ratio)} \\times {term(w.advantage)},\\ {num(w.clipped_ratio)} \\times {term(w.advantage)}\\big)",
                f"= \\min\\big({fixed(w.unclipped_objective)},\\ {fixed(w.clipped_objective)}\\big)", f"= {fixed(w.objective)}"),
        why,
    ]


def roles_text(w: WorkedStep, updates: dict[str, int], lang: str) -> str:
    """Which snapshot is theta_old and which theta, and why (core/rl/worked_step.py ratio_pair)."""
    if w.old_name == w.new_name:
        return tr("agent_maths.same_snapshot", lang)
    old, new = updates[w.old_name], updates[w.new_name]
    key = "agent_maths.roles_last" if w.new_name == w.played_by else "agent_maths.roles_next"
    return tr(key, lang, old=old, new=new, updates=new - old)


def worked_markdown(w: WorkedStep, action: str, updates: dict[str, int], ppo: dict[str, Any], lang: str) -> str:
    """The whole worked step: `action` is the action's name in `lang`, `updates` each snapshot's update number,
    `ppo` the checkpoint's PPO settings (for the note on what training does differently)."""
    parts = [
        heading(w, action, lang),
        tr("agent_maths.reward", lang), display(f"r_t = {fixed(w.reward)}"),
        *values_part(w, lang),
        tr("agent_maths.delta", lang),
        display("\\delta_t = r_t + \\gamma\\, V(s_{t+1}) - V(s_t)",
                f"= {fixed(w.reward)} + {w.gamma:g} \\times {term(w.next_value)} - {term(w.value)}", f"= {fixed(w.delta)}"),
        *gae_part(w, lang),
        *ratio_part(w, roles_text(w, updates, lang), lang),
        *objective_part(w, lang),
        tr("agent_maths.training_note", lang, rollout=f"{ppo['n_envs'] * ppo['n_steps']:,}", envs=ppo["n_envs"],
           n_steps=ppo["n_steps"], epochs=ppo["n_epochs"], batch=ppo["batch_size"]),
    ]
    return "\n\n".join(parts)


def timeline_html(run: Rollout, t: int, lang: str) -> str:
    """Both drawings of the timeline (see WIDE, NARROW); the timeline's CSS shows one. Each sits in a wrapper that
    says where its plot runs (viewBox x of step 0 and of the last step, the viewBox width, the step count), so a
    click can pick the step under it (demo/static/agent_maths_timeline.js)."""
    n = len(run.advantages)
    return "".join(f'<div class="agent-maths-pick" data-n="{n}" data-x0="{_left(W)}" data-x1="{W - R}" data-w="{W}">'
                   f'{timeline_svg(run, t, lang, W, font_px, css_class)}</div>'
                   for (W, font_px), css_class in ((WIDE, "agent-maths-wide"), (NARROW, "agent-maths-narrow")))


def _left(W: int) -> int:
    """The plot's left edge in a timeline of width W (room for the axis' labels)."""
    return 40 if W >= 480 else 30


def timeline_svg(run: Rollout, t: int, lang: str, W: int = WIDE[0], font_px: int = WIDE[1], css_class: str = "") -> str:
    """The advantage at every step as a line, zero as a rule, the worked step ringed with its number."""
    L = _left(W)
    advantages = run.advantages.tolist()
    n = len(advantages)
    lo, hi = min(advantages + [0.0]), max(advantages + [0.0])
    if hi - lo < 1e-6:
        lo, hi = lo - 1, hi + 1
    sx, sy = svg_plot.linear(0, max(n - 1, 1), L, W - R), svg_plot.linear(lo, hi, H - B, T)
    parts = [svg_plot.svg_open(W, H, tr("agent_maths.timeline_title", lang), font_px, W, css_class),
             svg_plot.rule(L, W - R, sy(0), "0"),
             svg_plot.curve([(sx(i), sy(a)) for i, a in enumerate(advantages)], "#2563eb", 1.5,
                            tr("agent_maths.timeline_advantage", lang)),
             svg_plot.element("line", x1=sx(t), x2=sx(t), y1=T, y2=H - B, stroke="#f97316", stroke_dasharray="3 3"),
             svg_plot.ring(sx(t), sy(advantages[t]), 6, "#f97316"),
             svg_plot.text(min(max(sx(t), L + 24), W - R - 24), H - B + 14, f"t = {t}", "#f97316", text_anchor="middle"),
             svg_plot.text(L, H - 2, "0"), svg_plot.text(W - R, H - 2, str(n - 1), text_anchor="end"),
             svg_plot.text((L + W - R) / 2, H - 2, tr("agent_maths.timeline_step", lang), text_anchor="middle"),
             svg_plot.text(L + 4, T + 10, tr("agent_maths.timeline_advantage", lang), "#2563eb"),
             "</svg>"]
    return "".join(parts)
