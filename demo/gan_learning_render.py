"""What "Watch it learn" shows, from the snapshot run's own numbers: the caption line at a step and the curves as one
inline SVG (gr.HTML): the run's logged losses, the mean D(x) and D(G(z)), and the snapshots' measured FD, with the
chosen step marked on all three panels. Pure (no Gradio); the handlers are demo/gan_learning_handlers.py, the
layout demo/gan_learning_tab.py.

Everything but the marker is drawn once per run (LearningPlot.__init__); a slider move only adds a line and a few
dots to that string, so it costs microseconds of server CPU and the browser does the drawing. The SVG pieces and
the scales are demo/svg_plot.py's, shared with the Agent tab's learning curve.
"""
from __future__ import annotations

import math
from typing import Any

from core.gan.learning import LearningView
from demo.locales import DEFAULT, tr
from demo.svg_plot import Scale, curve, dot, element, linear, logarithmic, ring, rule, svg_open, text

W, PANEL_H, GAP, L, R, T, B = 400, 96, 30, 40, 8, 46, 34
COLOURS = {"loss_d": "#2563eb", "loss_g": "#ea580c", "d_real": "#16a34a", "d_fake": "#9333ea", "fd": "#111827"}
LABELS = {"loss_d": "image.learn_loss_d", "loss_g": "image.learn_loss_g", "d_real": "image.learn_d_real",
          "d_fake": "image.learn_d_fake", "fd": "image.learn_fd"}  # the curves' names, by catalog key


EXPLAIN = "image.learn_explain"  # the catalog key of what the section shows (demo/locales/image.py)


def caption_html(view: LearningView, step: int, lang: str = DEFAULT) -> str:
    """One line of the run's own numbers at `step`, in `lang`: where in the run, the snapshot's FD, the logged
    losses."""
    parts = [tr("image.learn_caption_step", lang, step=f"{step:,}", last=f"{view.run.last_step:,}")
             + (tr("image.learn_untrained", lang) if step == 0 else "")]
    if (fd := view.fd_at(step)) is not None:
        parts.append(tr("image.learn_caption_fd", lang, fd=f"{fd['fd_generated_vs_test']:.1f}", ratio=f"{fd['fd_ratio']:.1f}",
                        fidelity=f"{fd['class_fidelity']:.0%}"))
    if (r := view.losses_at(step)) is not None:
        parts.append(tr("image.learn_caption_losses", lang, step=f"{int(r['step']):,}", loss_d=f"{r['loss_d']:.2f}",
                        loss_g=f"{r['loss_g']:.2f}", d_real=f"{r['d_real']:.2f}", d_fake=f"{r['d_fake']:.2f}"))
    return '<p id="gan-learning-caption">' + " · ".join(parts) + "</p>"


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def nice_ticks(last: int, most: int = 5) -> list[int]:
    """0 and round multiples (1, 2, 2.5 or 5 x 10^k) up to `last`, at most `most` of them."""
    for exponent in range(0, 12):
        for base in (1, 2, 2.5, 5):
            step = base * 10**exponent
            if step >= 1 and last // step + 1 <= most:
                return [round(k * step) for k in range(int(last // step) + 1)]
    return [0, last]


class LearningPlot:
    """Three stacked panels over the training steps 0..last_step; `svg(step, lang)` marks one step. The panels are
    drawn once per language, the first time it is asked for."""

    def __init__(self, losses: dict[str, list[float]], fd: list[dict[str, Any]], snapshot_steps: list[int]) -> None:
        self.last = max(snapshot_steps[-1], max(losses["step"], default=0), 1)
        self.losses, self.fd, self.snapshot_steps = losses, fd, snapshot_steps
        self.panels: list[tuple[str, Scale, list[str]]] = []  # title, y scale, series keys
        loss_values = [v for k in ("loss_d", "loss_g") for v in losses[k]]
        self.panels.append(("losses", self._linear(0, max(loss_values + [1.0]) * 1.05, 0), ["loss_d", "loss_g"]))
        self.panels.append(("D's mean verdicts", self._linear(0, 1, 1), ["d_real", "d_fake"]))
        self.x = linear(0, self.last, L, W - R)
        if fd:
            values = [r["fd_generated_vs_test"] for r in fd]
            self._fd_range = (min(values) / 1.3, max(values) * 1.3)
            self.panels.append(("FD", logarithmic(*self._fd_range, self._top(2) + PANEL_H, self._top(2)), ["fd"]))
        self.height = T + len(self.panels) * (PANEL_H + GAP) - GAP + B
        self._bases: dict[str, str] = {DEFAULT: self._draw(DEFAULT)}

    def _base(self, lang: str) -> str:
        if lang not in self._bases:
            self._bases[lang] = self._draw(lang)
        return self._bases[lang]

    def _top(self, panel: int) -> float:
        return T + panel * (PANEL_H + GAP)

    def _linear(self, lo: float, hi: float, panel: int) -> Scale:
        return linear(lo, hi, self._top(panel) + PANEL_H, self._top(panel))

    def _series(self, key: str) -> list[tuple[float, float]]:
        if key == "fd":
            return [(r["step"], r["fd_generated_vs_test"]) for r in self.fd]
        return list(zip(self.losses["step"], self.losses[key]))

    def _ticks(self, scale: Scale, title: str) -> list[str]:
        if title == "FD":
            lo, hi = self._fd_range
            values = [10.0 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1) if lo <= 10.0 ** e <= hi]
            values = values or [lo, hi]
        elif title == "losses":
            top = max((v for k in ("loss_d", "loss_g") for v in self.losses[k]), default=1.0)
            values = [0, round(top / 2, 1), round(top, 1)]
        else:
            values = [0, 0.5, 1]
        return [rule(L, W - R, scale(v), _fmt(v)) for v in values]

    def _draw(self, lang: str) -> str:
        parts = [svg_open(W, self.height, tr("image.learn_plot_title", lang), 15, W + 40)]
        for panel, (title, scale, keys) in enumerate(self.panels):
            top = self._top(panel)
            parts += self._ticks(scale, title)
            legend_x = L
            for key in keys:
                parts.append(curve([(self.x(s), scale(v)) for s, v in self._series(key)], COLOURS[key], 1.6))
                if key == "fd":
                    parts += [dot(self.x(s), scale(v), 3, COLOURS[key]) for s, v in self._series(key)]
                label = tr(LABELS[key], lang)
                parts.append(text(legend_x, top - 8, label, COLOURS[key]))
                legend_x += 14 + sum(15 if ord(c) >= 0x2E80 else 8 for c in label)  # a CJK character is ~15 px wide
            if title == "FD":
                parts.append(text(W - R, top - 8, tr("image.learn_log_scale", lang), text_anchor="end"))
        axis_y = self.height - B + 14
        for s in self.snapshot_steps:  # the snapshots, where the slider can stop
            parts.append(element("line", x1=self.x(s), x2=self.x(s), y1=T, y2=self.height - B, stroke="#8882", stroke_dasharray="2 3"))
        for s in nice_ticks(self.last):
            parts.append(text(self.x(s), axis_y, _fmt(s), text_anchor="end" if self.x(s) > W - R - 20 else "middle"))
        parts.append(text((L + W - R) / 2, self.height - 2, tr("image.learn_axis", lang), text_anchor="middle"))
        return "".join(parts)

    def value_at(self, key: str, step: int) -> float | None:
        """Where the drawn curve crosses `step` (linear between its points; its first point before it)."""
        points = self._series(key)
        if not points:
            return None
        if step <= points[0][0]:
            return points[0][1]
        for (s0, v0), (s1, v1) in zip(points, points[1:]):
            if s0 <= step <= s1:
                return v0 + (v1 - v0) * (step - s0) / max(s1 - s0, 1)
        return points[-1][1]

    def svg(self, step: int, lang: str = DEFAULT) -> str:
        """The curves with `step` marked, in `lang`: a vertical line and a ring on every curve where it crosses."""
        x = self.x(step)
        marks = [element("line", id="learning-marker", data_step=step, x1=x, x2=x, y1=T - 28, y2=self.height - B,
                         stroke="#dc2626", stroke_width=2)]
        for _, scale, keys in self.panels:
            for key in keys:
                v = self.value_at(key, step)
                if v is not None:
                    marks.append(ring(x, scale(v), 4.5, COLOURS[key]))
        label_x = min(max(x, L + 34), W - R - 34)
        marks.append(text(label_x, T - 32, tr("image.learn_marker", lang, step=f"{step:,}"), "#dc2626", text_anchor="middle",
                          font_weight="bold"))
        return self._base(lang) + "".join(marks) + "</svg>"
