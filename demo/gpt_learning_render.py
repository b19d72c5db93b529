"""What "GPT learns" shows, from one training run's own numbers: the loss curve with the chosen step marked, the
caption of a step, and the prompt continued by the snapshot. Pure (no Gradio, no model): numbers in, HTML out.

The curve is one SVG string drawn once per pack (LossPlot.__init__); marking a step adds a line and a ring to it,
so a move of the step slider costs microseconds of server CPU and the browser does the drawing. The x axis is a
square-root scale, so the first few hundred steps, where the text changes most, get room of their own.
"""
from __future__ import annotations

import html
import math

from typing import Callable

from core.gpt.snapshots import SnapshotPack
from demo.locales import LANGUAGES, tr
from demo.svg_plot import Scale, curve, dot, element, linear, ring, rule, svg_open, text

W, H, L, R, T, B = 420, 240, 44, 12, 40, 40
TRAIN_COLOUR, HELD_OUT_COLOUR, SHIPPED_COLOUR, UNIFORM_COLOUR, MARK_COLOUR = "#2563eb", "#ea580c", "#16a34a", "#6b7280", "#dc2626"


def in_every_language(draw: Callable[[str], str]) -> str:
    """What the page shows before it knows the reader's language (the view as built): each language's version, the
    page's CSS showing the one of its language (demo/static/gpt_learning.css). Later updates come in one language.
    Element ids stay on the first language's version only (an id names one element)."""
    versions = [draw(lang) if i == 0 else draw(lang).replace(' id="', ' data-id="') for i, lang in enumerate(LANGUAGES)]
    return "".join(f'<div class="gpt-learning-lang" data-lang="{lang}">{version}</div>'
                   for lang, version in zip(LANGUAGES, versions))


def explain(pack: SnapshotPack, lang: str = "en") -> str:
    """The view's one paragraph: what a learner sees, from noise to verse, and what the loss measures."""
    vocab = pack.tokenizer.size
    return tr("learn.explain", lang, count=len(pack.steps), last=pack.steps[-1], vocab=vocab, uniform=math.log(vocab))


def sqrt_scale(last: int, at_lo: float, at_hi: float) -> Scale:
    """Steps 0..last on a square-root scale (the early steps spread out)."""
    line = linear(0.0, math.sqrt(max(last, 1)), at_lo, at_hi)
    return lambda step: line(math.sqrt(max(0.0, step)))


def step_ticks(last: int) -> list[int]:
    """Round steps for the square-root axis, up to last: 0, 50, 200, 500, then 1-2-5 thousands; the last step too
    when no round one is near it."""
    candidates = [0, 50, 200, 500] + [b * 10**e for e in range(3, 7) for b in (1, 2, 5)]
    ticks = [t for t in candidates if t <= last]
    if math.sqrt(last) - math.sqrt(ticks[-1]) > 0.15 * math.sqrt(last):
        ticks.append(last)
    return ticks


class LossPlot:
    """The run's training-loss curve and each snapshot's held-out loss, with ln(vocab) and the shipped model's
    held-out loss as lines to compare with; `svg(step)` marks one snapshot."""

    def __init__(self, pack: SnapshotPack, shipped_loss: float | None = None, lang: str = "en") -> None:
        self.pack = pack
        self.uniform = math.log(pack.tokenizer.size)  # the loss of a model that knows nothing
        self.last = max([pack.steps[-1], *(s for s, _ in pack.train_curve)] + [1])
        losses = [v for _, v in pack.train_curve] + [s.val_loss for s in pack.snapshots] + [self.uniform]
        top = max(losses) * 1.04
        bottom = max(0.0, min(losses + ([shipped_loss] if shipped_loss else [])) - 0.2)
        self.x = sqrt_scale(self.last, L, W - R)
        self.y = linear(bottom, top, H - B, T)
        self.shipped_loss, self.lang = shipped_loss, lang
        self._base = self._draw(bottom, top)

    def _draw(self, bottom: float, top: float) -> str:
        x, y, lang = self.x, self.y, self.lang
        parts = [svg_open(W, H, tr("learn.plot_title", lang), 14, W + 60, css_class="gpt-learning-plot")]
        for value in _loss_ticks(bottom, top):
            parts.append(rule(L, W - R, y(value), f"{value:g}"))
        for step in step_ticks(self.last):
            parts.append(element("line", x1=x(step), x2=x(step), y1=H - B, y2=H - B + 4, stroke="#888"))
            near_edge = x(step) > W - R - 20  # the last label ends at the axis' end instead of running off the plot
            parts.append(text(x(step), H - B + 16, f"{step:,}", text_anchor="end" if near_edge else "middle"))
        parts.append(text((L + W - R) / 2, H - 6, tr("learn.plot_axis", lang), text_anchor="middle"))
        parts.append(_hline(L, W - R, y(self.uniform), UNIFORM_COLOUR,
                            tr("learn.plot_noise", lang, vocab=self.pack.tokenizer.size, uniform=self.uniform)))
        if self.shipped_loss is not None:
            # labelled at the left, where the curves are still high above it (at the right they meet it)
            parts.append(_hline(L, W - R, y(self.shipped_loss), SHIPPED_COLOUR, tr("learn.plot_shipped", lang, loss=self.shipped_loss), at_left=True))
        parts.append(curve([(x(s), y(v)) for s, v in self.pack.train_curve], TRAIN_COLOUR, 1.5, tr("learn.plot_train", lang)))
        parts.append(curve([(x(s.step), y(s.val_loss)) for s in self.pack.snapshots], HELD_OUT_COLOUR, 1.2))
        for s in self.pack.snapshots:
            parts.append(dot(x(s.step), y(s.val_loss), 3.5, HELD_OUT_COLOUR,
                             tr("learn.plot_dot", lang, step=s.step, loss=s.val_loss)))
        legend = [(TRAIN_COLOUR, tr("learn.plot_train", lang)), (HELD_OUT_COLOUR, tr("learn.plot_held_out", lang))]
        lx = L
        for colour, name in legend:
            parts.append(element("rect", x=lx, y=8, width=12, height=4, fill=colour))
            parts.append(text(lx + 16, 14, name))
            lx += 28 + (7.5 if name.isascii() else 14) * len(name)  # a Chinese character is about twice as wide
        return "".join(parts)

    def svg(self, step: int) -> str:
        """The curve with snapshot `step` marked: a vertical line and a ring on its held-out loss."""
        snap = self.pack.snapshot(step)
        x, y = self.x(step), self.y(snap.val_loss)
        mark = (element("line", x1=x, x2=x, y1=T, y2=H - B, stroke=MARK_COLOUR, stroke_dasharray="3 3")
                + ring(x, y, 7, MARK_COLOUR)
                + text(min(max(x, L + 40), W - R - 40), T - 4, tr("learn.plot_mark", self.lang, step=step), fill=MARK_COLOUR,
                       text_anchor="middle",
                       id="gpt-learning-mark", data_step=step))
        return self._base + mark + "</svg>"


def _hline(left: float, right: float, y: float, colour: str, label: str, at_left: bool = False) -> str:
    at = (left + 4, "start") if at_left else (right - 2, "end")
    return (element("line", x1=left, x2=right, y1=y, y2=y, stroke=colour, stroke_dasharray="5 4")
            + text(at[0], y - 3, label, fill=colour, text_anchor=at[1]))


def _loss_ticks(bottom: float, top: float) -> list[float]:
    return [v for v in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0) if bottom <= v <= top]


def caption_html(pack: SnapshotPack, step: int, shipped_loss: float | None, lang: str = "en") -> str:
    """One line of the run's numbers at `step`: where in the run, and the held-out loss (and what it means)."""
    snap, last = pack.snapshot(step), pack.steps[-1]
    parts = [tr("learn.caption_step", lang, step=step, last=last) + (tr("learn.caption_untrained", lang) if step == 0 else ""),
             tr("learn.caption_loss", lang, loss=snap.val_loss, choices=math.exp(snap.val_loss))]
    if (train := _train_loss_at(pack, step)) is not None:
        parts.append(tr("learn.caption_train", lang, loss=train))
    if shipped_loss is not None:
        parts.append(tr("learn.caption_shipped", lang, loss=shipped_loss))
    return f'<p id="gpt-learning-caption" data-step="{step}">' + " · ".join(parts) + "</p>"


def _train_loss_at(pack: SnapshotPack, step: int) -> float | None:
    """The logged training loss at `step` (the mean of the steps before it), if the curve has that point."""
    return next((v for s, v in pack.train_curve if s == step), None)


def continuation_html(prompt: str, continuation: str, step: int) -> str:
    """The prompt (bold) and what the snapshot wrote after it, line breaks kept."""
    return (f'<pre class="gpt-learning-text" data-step="{step}"><b>{html.escape(prompt)}</b>'
            f"{html.escape(continuation)}</pre>")
