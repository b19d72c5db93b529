"""What "Train a GPT on your text" shows, from the run's own numbers: the live loss curve with the unigram line to
beat, the status line, the sample, and the first step of the recipe (vocabulary, split, one batch). Pure: no Gradio,
no model; numbers in, HTML out (demo/own_text_handlers.py calls these)."""
from __future__ import annotations

import html
import math
from typing import Sequence

from core.gpt.train_quick import PreparedText, vocabulary_rows
from demo.locales import tr
from demo.svg_plot import curve, dot, element, linear, rule, svg_open, text
from serve.training_sessions import RunView

W, H, L, R, T, B = 420, 220, 40, 10, 26, 36
TRAIN_COLOUR, HELD_OUT_COLOUR, UNIGRAM_COLOUR = "#2563eb", "#ea580c", "#6b7280"
MAX_CURVE_POINTS = 240  # the training curve is averaged into at most this many points (a smooth line, a small SVG)
VOCAB_SHOWN = 100  # rows of the vocabulary table
CHAR_NAMES = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍", "\u3000": "□"}

EXPLAIN = tr("own.explain", "en")  # the page shows it by its key, "own.explain", in the reader's language


def shown_char(char: str) -> str:
    """A character as a table cell or a batch cell shows it (whitespace made visible)."""
    return CHAR_NAMES.get(char, char)


def averaged(points: Sequence[tuple[int, float]], most: int = MAX_CURVE_POINTS) -> list[tuple[float, float]]:
    """At most `most` points: consecutive steps averaged in equal buckets (the per-step loss is noisy)."""
    if len(points) <= most:
        return [(float(s), v) for s, v in points]
    size = len(points) / most
    out = []
    for i in range(most):
        bucket = points[int(i * size):int((i + 1) * size)] or points[-1:]
        out.append((sum(s for s, _ in bucket) / len(bucket), sum(v for _, v in bucket) / len(bucket)))
    return out


def loss_chart(view: RunView, unigram: float, lang: str = "en") -> str:
    """Training loss (every step, averaged), held-out loss (each measurement) and the unigram line, against step."""
    last = max(view.steps, 10)
    held = [v for _, v in view.held_out]
    losses = [v for _, v in view.train] + held + [unigram]
    top = max(losses) * 1.03
    bottom = max(0.0, min(losses) - 0.2)
    x, y = linear(0, last, L, W - R), linear(bottom, top, H - B, T)
    parts = [svg_open(W, H, tr("own.chart_title", lang), 13, W + 80, css_class="own-text-plot")]
    for value in _ticks(bottom, top):
        parts.append(rule(L, W - R, y(value), f"{value:g}"))
    for step in _step_ticks(last):
        parts.append(element("line", x1=x(step), x2=x(step), y1=H - B, y2=H - B + 4, stroke="#888"))
        parts.append(text(x(step), H - B + 16, f"{step:,}", text_anchor="middle"))
    parts.append(text((L + W - R) / 2, H - 4, tr("own.chart_axis", lang), text_anchor="middle"))
    parts.append(element("line", x1=L, x2=W - R, y1=y(unigram), y2=y(unigram), stroke=UNIGRAM_COLOUR, stroke_dasharray="5 4")
                 + text(W - R - 2, y(unigram) - 3, tr("own.chart_unigram", lang, value=unigram), fill=UNIGRAM_COLOUR,
                        text_anchor="end"))
    parts.append(curve([(x(s), y(v)) for s, v in averaged(view.train)], TRAIN_COLOUR, 1.5, tr("own.chart_train", lang)))
    parts.append(curve([(x(s), y(v)) for s, v in view.held_out], HELD_OUT_COLOUR, 1.2))
    if view.held_out:
        s, v = view.held_out[-1]
        parts.append(dot(x(s), y(v), 3.5, HELD_OUT_COLOUR, tr("own.chart_dot", lang, step=s, loss=v)))
    lx = L
    for colour, name in ((TRAIN_COLOUR, tr("own.chart_train", lang)), (HELD_OUT_COLOUR, tr("own.chart_held_out", lang))):
        parts.append(element("rect", x=lx, y=8, width=12, height=4, fill=colour) + text(lx + 16, 14, name))
        lx += 30 + (7 if name.isascii() else 13) * len(name)  # a Chinese character is about twice as wide
    # data- attributes: what the page (and its tests) can read without parsing the drawing
    return (f'<div id="own-text-chart" data-steps="{view.steps}" data-points="{len(view.train) + len(view.held_out)}">'
            + "".join(parts) + "</svg></div>")


def _ticks(bottom: float, top: float) -> list[float]:
    step = 0.5 if top - bottom <= 4 else 1.0
    first = math.ceil(bottom / step) * step
    return [round(first + i * step, 2) for i in range(int((top - first) / step) + 1)]


def _step_ticks(last: int) -> list[int]:
    """About four round steps from 0 to last."""
    raw = last / 4
    magnitude = 10 ** math.floor(math.log10(max(raw, 1)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, last + 1, int(step)))


def status_markdown(view: RunView, unigram: float, lang: str = "en") -> str:
    """One line: what the run is doing, its speed, the losses and the time used of the cap."""
    below = unigram - view.best_val
    return tr("own.status", lang, state=tr(f"own.state_{view.state}", lang), steps=view.steps, rate=view.steps_per_s,
              best=view.best_val, best_step=view.best_step, gap=abs(below),
              side=tr("own.below" if below >= 0 else "own.above", lang), unigram=unigram, seconds=view.seconds,
              cap=view.cap_s)


def sample_html(view: RunView) -> str:
    """The prompt (bold) and the best model's continuation so far, line breaks kept."""
    if not view.sample and view.sample_step < 0:
        return '<pre class="own-text-sample" data-step="-1"></pre>'
    return (f'<pre class="own-text-sample" data-step="{view.sample_step}"><b>{html.escape(view.prompt)}</b>'
            f"{html.escape(view.sample)}</pre>")


def recipe_html(prepared: PreparedText, inputs: Sequence[Sequence[int]], targets: Sequence[Sequence[int]],
                lang: str = "en") -> str:
    """The first step of the recipe: the vocabulary (most frequent first), the split, and one batch as the model sees
    it (input ids, and the targets: the same text shifted by one)."""
    rows = vocabulary_rows(prepared)
    total = sum(prepared.counts.values())
    frequent = sorted(rows, key=lambda r: (-r[2], r[1]))[:VOCAB_SHOWN]
    cells = "".join(f'<tr><td class="own-text-char">{html.escape(shown_char(c))}</td><td>{i}</td><td>{n:,}</td></tr>'
                    for c, i, n in frequent)
    train, held = len(prepared.train_text), len(prepared.val_text)
    heads = "".join(f"<th>{tr(f'own.recipe_{name}', lang)}</th>" for name in ("char", "index", "count"))
    vocab = (f"<h4>{tr('own.recipe_vocab', lang, count=len(rows))}</h4>"
             f"<p>{tr('own.recipe_vocab_note', lang, shown=min(VOCAB_SHOWN, len(rows)), count=len(rows))}</p>"
             f'<div class="own-text-vocab"><table><thead><tr>{heads}</tr></thead>'
             f"<tbody>{cells}</tbody></table></div>")
    split = (f"<h4>{tr('own.recipe_split', lang, train=train, held=held)}</h4>"
             f'<div class="own-text-split"><span class="own-text-train" style="flex:{train}">'
             f"{tr('own.recipe_train_share', lang, share=train / total)}</span>"
             f'<span class="own-text-held" style="flex:{max(held, 1)}">{tr("own.recipe_held", lang)}</span></div>'
             f"<p>{tr('own.recipe_split_note', lang)}</p>")
    batch = (f"<h4>{tr('own.recipe_batch', lang)}</h4>"
             + "".join(_batch_row(prepared, x, y, n, lang) for n, (x, y) in enumerate(zip(inputs, targets), 1)))
    return f'<div id="own-text-recipe">{vocab}{split}{batch}</div>'


def _batch_row(prepared: PreparedText, inputs: Sequence[int], targets: Sequence[int], number: int, lang: str = "en") -> str:
    vocab = prepared.tokenizer.vocab

    def cells(ids: Sequence[int]) -> str:
        return "".join(f"<td>{i}<br><span>{html.escape(shown_char(vocab[i]))}</span></td>" for i in ids)

    return (f'<div class="own-text-batch"><table><tr><th>{tr("own.recipe_input", lang, n=number)}</th>{cells(inputs)}</tr>'
            f"<tr><th>{tr('own.recipe_target', lang)}</th>{cells(targets)}</tr></table></div>")


def ended_note(view: RunView, lang: str = "en") -> str:
    """What the page says once a run stops: where its model went and what to do with it."""
    if view.state == "failed":
        return tr("own.failed", lang)
    more = tr("own.more", lang) if view.seconds < view.cap_s else tr("own.used_up", lang, cap=view.cap_s)
    return tr("own.ready", lang, best=view.best_val, step=view.best_step, more=more)
