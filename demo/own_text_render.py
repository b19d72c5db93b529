"""What "Train a GPT on your text" shows, from the run's own numbers: the live loss curve with the unigram line to
beat, the status line, the sample, and the first step of the recipe (vocabulary, split, one batch). Pure: no Gradio,
no model; numbers in, HTML out (demo/own_text_handlers.py calls these)."""
from __future__ import annotations

import html
import math
from typing import Sequence

from core.gpt.train_quick import PreparedText, vocabulary_rows
from demo.svg_plot import curve, dot, element, linear, rule, svg_open, text
from serve.training_sessions import RunView

W, H, L, R, T, B = 420, 220, 40, 10, 26, 36
TRAIN_COLOUR, HELD_OUT_COLOUR, UNIGRAM_COLOUR = "#2563eb", "#ea580c", "#6b7280"
MAX_CURVE_POINTS = 240  # the training curve is averaged into at most this many points (a smooth line, a small SVG)
VOCAB_SHOWN = 100  # rows of the vocabulary table
CHAR_NAMES = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍", "\u3000": "□"}

EXPLAIN = (r"The loss is the model's surprise at the next character, $-\ln p(\text{next})$, averaged, in nats per "
           r"character (lower is better). The grey line is the text's **unigram entropy** $-\sum_c f_c \ln f_c$: "
           r"the loss of a model that knows only how often each character occurs. Below it, the model has learned "
           r"something about order: which characters follow which.")


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


def loss_chart(view: RunView, unigram: float) -> str:
    """Training loss (every step, averaged), held-out loss (each measurement) and the unigram line, against step."""
    last = max(view.steps, 10)
    held = [v for _, v in view.held_out]
    losses = [v for _, v in view.train] + held + [unigram]
    top = max(losses) * 1.03
    bottom = max(0.0, min(losses) - 0.2)
    x, y = linear(0, last, L, W - R), linear(bottom, top, H - B, T)
    parts = [svg_open(W, H, "loss against training step", 13, W + 80, css_class="own-text-plot")]
    for value in _ticks(bottom, top):
        parts.append(rule(L, W - R, y(value), f"{value:g}"))
    for step in _step_ticks(last):
        parts.append(element("line", x1=x(step), x2=x(step), y1=H - B, y2=H - B + 4, stroke="#888"))
        parts.append(text(x(step), H - B + 16, f"{step:,}", text_anchor="middle"))
    parts.append(text((L + W - R) / 2, H - 4, "training step", text_anchor="middle"))
    parts.append(element("line", x1=L, x2=W - R, y1=y(unigram), y2=y(unigram), stroke=UNIGRAM_COLOUR, stroke_dasharray="5 4")
                 + text(W - R - 2, y(unigram) - 3, f"unigram entropy {unigram:.2f}: the line to beat", fill=UNIGRAM_COLOUR,
                        text_anchor="end"))
    parts.append(curve([(x(s), y(v)) for s, v in averaged(view.train)], TRAIN_COLOUR, 1.5, "training loss"))
    parts.append(curve([(x(s), y(v)) for s, v in view.held_out], HELD_OUT_COLOUR, 1.2))
    if view.held_out:
        s, v = view.held_out[-1]
        parts.append(dot(x(s), y(v), 3.5, HELD_OUT_COLOUR, f"step {s:,}: held-out {v:.3f}"))
    lx = L
    for colour, name in ((TRAIN_COLOUR, "training loss"), (HELD_OUT_COLOUR, "held-out loss")):
        parts.append(element("rect", x=lx, y=8, width=12, height=4, fill=colour) + text(lx + 16, 14, name))
        lx += 30 + 7 * len(name)
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


def status_markdown(view: RunView, unigram: float) -> str:
    """One line: what the run is doing, its speed, the losses and the time used of the cap."""
    state = {"running": "Training", "stopped": "Stopped", "capped": "Time is up", "failed": "Training failed"}[view.state]
    below = unigram - view.best_val
    line = (f"**{state}**: step {view.steps:,} · {view.steps_per_s:.1f} steps a second · held-out loss "
            f"**{view.best_val:.2f}** (best, at step {view.best_step:,}; {abs(below):.2f} "
            f"{'below' if below >= 0 else 'above'} the unigram line {unigram:.2f}) · "
            f"{view.seconds:.0f} of {view.cap_s:.0f} s of training used")
    return line


def sample_html(view: RunView) -> str:
    """The prompt (bold) and the best model's continuation so far, line breaks kept."""
    if not view.sample and view.sample_step < 0:
        return '<pre class="own-text-sample" data-step="-1"></pre>'
    return (f'<pre class="own-text-sample" data-step="{view.sample_step}"><b>{html.escape(view.prompt)}</b>'
            f"{html.escape(view.sample)}</pre>")


def recipe_html(prepared: PreparedText, inputs: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]) -> str:
    """The first step of the recipe: the vocabulary (most frequent first), the split, and one batch as the model sees
    it (input ids, and the targets: the same text shifted by one)."""
    rows = vocabulary_rows(prepared)
    total = sum(prepared.counts.values())
    frequent = sorted(rows, key=lambda r: (-r[2], r[1]))[:VOCAB_SHOWN]
    cells = "".join(f'<tr><td class="own-text-char">{html.escape(shown_char(c))}</td><td>{i}</td><td>{n:,}</td></tr>'
                    for c, i, n in frequent)
    train, held = len(prepared.train_text), len(prepared.val_text)
    vocab = (f"<h4>1. Text to numbers: {len(rows):,} distinct characters, one index each</h4>"
             f"<p>Indices in sorted order; the {min(VOCAB_SHOWN, len(rows))} most frequent of {len(rows):,} shown "
             f"(␣ space, ↵ line break).</p>"
             f'<div class="own-text-vocab"><table><thead><tr><th>char</th><th>index</th><th>count</th></tr></thead>'
             f"<tbody>{cells}</tbody></table></div>")
    split = (f"<h4>2. Split: {train:,} characters to train on, the last {held:,} held out</h4>"
             f'<div class="own-text-split"><span class="own-text-train" style="flex:{train}">train {train / total:.0%}</span>'
             f'<span class="own-text-held" style="flex:{max(held, 1)}">held out</span></div>'
             f"<p>The model never trains on the held-out part; its loss there says how well it does on text it has not seen.</p>")
    batch = ("<h4>3. One batch as the model sees it: the target at each position is the next character</h4>"
             + "".join(_batch_row(prepared, x, y, n) for n, (x, y) in enumerate(zip(inputs, targets), 1)))
    return f'<div id="own-text-recipe">{vocab}{split}{batch}</div>'


def _batch_row(prepared: PreparedText, inputs: Sequence[int], targets: Sequence[int], number: int) -> str:
    vocab = prepared.tokenizer.vocab

    def cells(ids: Sequence[int]) -> str:
        return "".join(f"<td>{i}<br><span>{html.escape(shown_char(vocab[i]))}</span></td>" for i in ids)

    return (f'<div class="own-text-batch"><table><tr><th>input {number}</th>{cells(inputs)}</tr>'
            f"<tr><th>target</th>{cells(targets)}</tr></table></div>")


def ended_note(view: RunView) -> str:
    """What the page says once a run stops: where its model went and what to do with it."""
    if view.state == "failed":
        return "The training failed; press **Train** to start again."
    more = ("Press **Continue** to train it further." if view.seconds < view.cap_s
            else f"This session has used its {view.cap_s:.0f} s of training.")
    return (f"Your model (held-out loss {view.best_val:.2f}, the best weights, from step {view.best_step:,}) is ready: "
            f"choose **Your model** in the Text tab to write with it, or download it below. {more}")
