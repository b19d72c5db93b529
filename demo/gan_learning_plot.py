"""The curves of "watch it learn" as one inline SVG (gr.HTML): the run's logged losses, the mean D(x) and D(G(z)),
and the snapshots' measured FD, with the chosen step marked on all three panels.

Everything but the marker is drawn once per run (LearningPlot.__init__); a slider move only adds a line and a few
dots to that string, so it costs microseconds of server CPU and the browser does the drawing.
"""
from __future__ import annotations

import math
from typing import Any, Callable

W, PANEL_H, GAP, L, R, T, B = 400, 96, 30, 40, 8, 46, 34
COLOURS = {"loss_d": "#2563eb", "loss_g": "#ea580c", "d_real": "#16a34a", "d_fake": "#9333ea", "fd": "#111827"}
LABELS = {"loss_d": "D loss", "loss_g": "G loss", "d_real": "mean D(x)", "d_fake": "mean D(G(z))", "fd": "FD (snapshots)"}


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
    """Three stacked panels over the training steps 0..last_step; `svg(step)` marks one step."""

    def __init__(self, losses: dict[str, list[float]], fd: list[dict[str, Any]], snapshot_steps: list[int]) -> None:
        self.last = max(snapshot_steps[-1], max(losses["step"], default=0), 1)
        self.losses, self.fd, self.snapshot_steps = losses, fd, snapshot_steps
        self.panels: list[tuple[str, Callable[[float], float], list[str]]] = []  # title, y scale, series keys
        loss_values = [v for k in ("loss_d", "loss_g") for v in losses[k]]
        self.panels.append(("losses", self._linear(0, max(loss_values + [1.0]) * 1.05, 0), ["loss_d", "loss_g"]))
        self.panels.append(("D's mean verdicts", self._linear(0, 1, 1), ["d_real", "d_fake"]))
        if fd:
            values = [r["fd_generated_vs_test"] for r in fd]
            self.panels.append(("FD", self._log(min(values) / 1.3, max(values) * 1.3, 2), ["fd"]))
        self.height = T + len(self.panels) * (PANEL_H + GAP) - GAP + B
        self._base = self._draw()

    def x(self, step: float) -> float:
        return L + (W - L - R) * step / self.last

    def _top(self, panel: int) -> float:
        return T + panel * (PANEL_H + GAP)

    def _linear(self, lo: float, hi: float, panel: int) -> Callable[[float], float]:
        top = self._top(panel)
        return lambda v: top + PANEL_H * (hi - min(hi, max(lo, v))) / (hi - lo)

    def _log(self, lo: float, hi: float, panel: int) -> Callable[[float], float]:
        top, a, b = self._top(panel), math.log10(lo), math.log10(hi)
        self._fd_range = (lo, hi)
        return lambda v: top + PANEL_H * (b - math.log10(min(hi, max(lo, v)))) / (b - a)

    def _series(self, key: str) -> list[tuple[float, float]]:
        if key == "fd":
            return [(r["step"], r["fd_generated_vs_test"]) for r in self.fd]
        return list(zip(self.losses["step"], self.losses[key]))

    def _ticks(self, panel: int, scale: Callable[[float], float], title: str) -> list[str]:
        if title == "FD":
            lo, hi = self._fd_range
            values = [10.0 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1) if lo <= 10.0 ** e <= hi]
            values = values or [lo, hi]
        elif title == "losses":
            top = max(v for k in ("loss_d", "loss_g") for v in self.losses[k])
            values = [0, round(top / 2, 1), round(top, 1)]
        else:
            values = [0, 0.5, 1]
        out = []
        for v in values:
            y = scale(v)
            out.append(f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#8884"/>'
                       f'<text x="{L - 4}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">{_fmt(v)}</text>')
        return out

    def _draw(self) -> str:
        parts = [f'<svg viewBox="0 0 {W} {self.height}" width="100%" role="img" aria-label="training curves" '
                 f'style="max-width:{W + 40}px;font:15px sans-serif">']
        for panel, (title, scale, keys) in enumerate(self.panels):
            top = self._top(panel)
            parts += self._ticks(panel, scale, title)
            legend_x = L
            for key in keys:
                points = [f"{self.x(s):.1f},{scale(v):.1f}" for s, v in self._series(key)]
                if points:
                    parts.append(f'<path d="M{" L".join(points)}" fill="none" stroke="{COLOURS[key]}" stroke-width="1.6"/>')
                if key == "fd":
                    parts += [f'<circle cx="{self.x(s):.1f}" cy="{scale(v):.1f}" r="3" fill="{COLOURS[key]}"/>' for s, v in self._series(key)]
                parts.append(f'<text x="{legend_x}" y="{top - 8}" fill="{COLOURS[key]}">{LABELS[key]}</text>')
                legend_x += 14 + 8 * len(LABELS[key])
            if title == "FD":
                parts.append(f'<text x="{W - R}" y="{top - 8}" text-anchor="end" fill="currentColor">log scale, lower is better</text>')
        axis_y = self.height - B + 14
        for s in self.snapshot_steps:  # the snapshots, where the slider can stop
            parts.append(f'<line x1="{self.x(s):.1f}" x2="{self.x(s):.1f}" y1="{T}" y2="{self.height - B}" stroke="#8882" stroke-dasharray="2 3"/>')
        for s in nice_ticks(self.last):
            anchor = "end" if self.x(s) > W - R - 20 else "middle"
            parts.append(f'<text x="{self.x(s):.1f}" y="{axis_y}" text-anchor="{anchor}" fill="currentColor">{_fmt(s)}</text>')
        parts.append(f'<text x="{(L + W - R) / 2}" y="{self.height - 2}" text-anchor="middle" fill="currentColor">training step</text>')
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

    def svg(self, step: int) -> str:
        """The curves with `step` marked: a vertical line and a ring on every curve where it crosses."""
        x = self.x(step)
        marks = [f'<line id="learning-marker" data-step="{step}" x1="{x:.1f}" x2="{x:.1f}" y1="{T - 28}" y2="{self.height - B}" '
                 f'stroke="#dc2626" stroke-width="2"/>']
        for title, scale, keys in self.panels:
            for key in keys:
                v = self.value_at(key, step)
                if v is not None:
                    marks.append(f'<circle cx="{x:.1f}" cy="{scale(v):.1f}" r="4.5" fill="none" stroke="{COLOURS[key]}" stroke-width="2"/>')
        label_x = min(max(x, L + 34), W - R - 34)
        marks.append(f'<text x="{label_x:.1f}" y="{T - 32}" text-anchor="middle" fill="#dc2626" font-weight="bold">step {step:,}</text>')
        return self._base + "".join(marks) + "</svg>"
