"""What Inside the GPT shows, drawn from a traced forward (core/gpt/inspect.py): the coloured text, a step's bars,
the shaded attention, the layer x head heatmaps, one head large, the worked example with its LaTeX, the logit lens,
and the same as JSON. Pure (no Gradio): the numbers in, HTML, Markdown, PIL images and JSON out.

Heatmaps are small images drawn at one pixel per weight and enlarged by the browser."""
from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from core.gpt.inspect import RAW, Trace, step_distribution, step_probabilities, visible
from core.gpt.sampling import SamplingKnobs
from core.gpt.tokenizer import CharTokenizer
from core.validation import as_int
from demo.locales import tr  # the view's words in the reader's language, without importing Gradio
from demo.locales.inside import GRID_SPAN

# GRID_SPAN: the model view shows the last GRID_SPAN queries x keys ending at the selected position
GRID_GAP = 4  # white pixels between two heatmaps of the model view
GRID_PIXELS = 480  # the model view is enlarged (nearest) to at least this wide: Gradio maps a click on an image to
# its pixels only if the browser does not enlarge it
GRID_MARGIN = 24  # pixels left of the rows and above the columns for their numbers (layer, head; the caption names them)
# The model view's palette: 255 shades from white to dark blue (as _rgb), then red to frame the selected head.
PALETTE = [int(v) for w in np.linspace(0.0, 1.0, 255) for v in 255 - w * np.array([225, 185, 80])] + [220, 38, 38]
BIG_SPAN = 32  # the large head: characters on both axes
SHADE_BACK = 24  # the shaded text also shows this many characters beyond the window (greyed: nothing looks there)
BARS = 10
# colour of a drawn character: (upper bound, catalog key of the bin's name, colour); the legend names the bins in the
# reader's language, so the colour map knows every language's names
PROB_BINS = ((0.05, "inside.prob_under5", "#f87171"), (0.2, "inside.prob_5_20", "#fdba74"),
             (0.5, "inside.prob_20_50", "#fde047"), (1.01, "inside.prob_over50", "#86efac"))
def prob_colours(lang: str = "en") -> dict[str, str]:
    """The coloured text's legend in `lang`: each bin's name and colour."""
    return {tr(key, lang): colour for _, key, colour in PROB_BINS}


PROB_COLOURS = prob_colours()


def _rgb(weights: np.ndarray) -> np.ndarray:
    """Weights in [0, 1] as colours: white (0) to dark blue (1)."""
    w = np.clip(weights, 0.0, 1.0)[..., None]
    return (255 - w * np.array([225, 185, 80])).astype(np.uint8)


def _png_uri(weights: np.ndarray) -> str:
    """A (rows, cols) array of weights as an inline PNG (a data: URI the page's CSP allows for images)."""
    buffer = io.BytesIO()
    Image.fromarray(_rgb(weights), "RGB").save(buffer, format="png", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _char(c: str) -> str:
    return html.escape(visible(c))


_say = tr  # a string of the catalog in `lang` (English for a language it lacks), {name} filled


def _weight_colour(w: float) -> str:
    return f"rgba(30, 70, 175, {min(1.0, w) ** 0.5 * 0.85:.3f})"  # sqrt: small weights still show



class InsideRender:
    """The view's panels for one model's tokenizer and shape (its vocabulary, layers and heads)."""

    def __init__(self, tokenizer: CharTokenizer, config: Any):
        self.tokenizer, self.config = tokenizer, config

    def trace_json(self, trace: Trace, prompt: str, text: str, knobs: SamplingKnobs, step: int) -> dict[str, Any]:
        """The trace at one step as plain JSON (see InsideHandlers.as_json)."""
        query = step - 1
        k_from, _ = trace.key_range(query, step)
        attention = [[[round(w, 6) for w in head] for head in trace.attention(layer, query, step)[:, 0].tolist()]
                     for layer in range(self.config.n_layer)]

        def top(probs: torch.Tensor) -> list[list[Any]]:
            values, indices = torch.topk(probs, BARS)
            return [[self.tokenizer.vocab[i], round(p, 6)] for p, i in zip(values.tolist(), indices.tolist())]

        return {"tokens": list(text), "prompt_length": len(prompt),
                "probabilities": [round(p, 6) for p in step_probabilities(trace, knobs, start=len(prompt))],
                "step": step, "query": query, "key_from": k_from, "attention": attention,
                "logit_lens": [[[self.tokenizer.vocab[i], round(p, 6)] for i, p in layer] for layer in trace.lens(query)],
                "next": top(step_distribution(trace, step, knobs)), "next_raw": top(step_distribution(trace, step, RAW))}


    def coloured_text(self, trace: Trace, prompt: str, text: str, knobs: SamplingKnobs,
                      lang: str = "en") -> list[tuple[str, str | None]]:
        """One entry per character (entry i = step i), each generated one labelled by the probability it was drawn
        with; the prompt is unlabelled; a final ▸ stands for what would come next (step = length of the text)."""
        probs = step_probabilities(trace, knobs, start=len(prompt))
        entries: list[tuple[str, str | None]] = []
        for i, c in enumerate(text):
            label = None
            if i >= len(prompt):
                label = _say(next(key for bound, key, _ in PROB_BINS if probs[i - len(prompt)] < bound), lang)
            entries.append((visible(c) + ("\n" if c == "\n" else ""), label))
        entries.append(("▸", None))
        return entries

    def bars_html(self, trace: Trace, knobs: SamplingKnobs, step: int, lang: str = "en") -> str:
        """That step's distribution: raw (T = 1, nothing cut) beside the one drawn from, cut candidates greyed."""
        adjusted = step_distribution(trace, step, knobs)
        raw = step_distribution(trace, step, RAW)
        scaled = step_distribution(trace, step, SamplingKnobs(knobs.temperature, 0, 1.0, knobs.repetition_penalty))
        only_k = step_distribution(trace, step, SamplingKnobs(knobs.temperature, knobs.top_k, 1.0, knobs.repetition_penalty))
        chosen = trace.ids[step] if step < trace.length else None
        order = torch.argsort(scaled, descending=True)[:BARS].tolist()
        if chosen is not None and chosen not in order:
            order.append(chosen)
        vocab = self.tokenizer.vocab
        context = "".join(visible(vocab[i]) for i in trace.ids[max(0, step - 12) : step])
        head = (_say("inside.bars_drew", lang, char=_char(vocab[chosen]), p=float(adjusted[chosen])) if chosen is not None
                else _say("inside.bars_would", lang))
        drawn_from = _say("inside.bars_drawn_from", lang, t=knobs.temperature, k=knobs.top_k, p=knobs.top_p)
        rows = [f'<p>{_say("inside.bars_after", lang, context=html.escape(context), what=head)}</p>',
                f'<table class="inside-bars"><tr><th></th><th>{_say("inside.bars_raw", lang)}</th><th>{drawn_from}</th></tr>']
        for i in order:
            cut = float(adjusted[i]) == 0.0
            why = _say("inside.cut_k" if float(only_k[i]) == 0.0 else "inside.cut_p", lang)
            cls = "chosen" if i == chosen else ("cut" if cut else "")
            adj = f'<span class="why">{why}</span>' if cut else f"{float(adjusted[i]):.1%}"
            rows.append(f'<tr class="{cls}"><td class="c">{_char(vocab[i])}</td>'
                        f'<td><div class="bar raw" style="width:{float(raw[i]) * 70:.1f}%"></div>{float(raw[i]):.1%}</td>'
                        f'<td><div class="bar" style="width:{float(adjusted[i]) * 70:.1f}%"></div>{adj}</td></tr>')
        rows.append("</table>")
        return "".join(rows)

    def shade_html(self, trace: Trace, step: int, layer: int, head: int, lang: str = "en") -> str:
        """The characters before the query shaded by attention weight: one head, then the average of the heads.
        Characters beyond the window are shown struck out: nothing attends that far back."""
        query = step - 1
        k_from, _ = trace.key_range(query, step)
        weights = trace.attention(layer - 1, query, step)[:, 0]  # (H, K)
        start = max(0, k_from - SHADE_BACK)
        vocab = self.tokenizer.vocab
        lines = []
        outside = _say("inside.shade_outside", lang, window=trace.window)
        for label, row in ((_say("inside.shade_head", lang, layer=layer, head=head), weights[head - 1]),
                           (_say("inside.shade_mean", lang, layer=layer), weights.mean(0))):
            spans = []
            if start > 0:
                spans.append('<span class="out">…</span>')
            for pos in range(start, step):
                c = _char(vocab[trace.ids[pos]])
                if pos < k_from:
                    spans.append(f'<span class="out" title="{outside}">{c}</span>')
                    continue
                w = float(row[pos - k_from])
                q = " q" if pos == query else ""
                spans.append(f'<span class="w{q}" style="background:{_weight_colour(w)}" title="{w:.1%}">{c}</span>')
            lines.append(f'<div class="inside-line"><span class="lbl">{label}</span>{"".join(spans)}</div>')
        return "".join(lines)

    def _span(self, trace: Trace, step: int, span: int) -> tuple[int, int]:
        return max(0, step - span), step  # queries (and keys) start .. step - 1

    def grid_image(self, trace: Trace, step: int, layer: int, head: int) -> Image.Image:
        """A layer x head grid of small heatmaps (rows = layers), each the last GRID_SPAN queries x keys, one pixel
        per weight; the selected head is framed in red; the layers are numbered down the left margin, the heads along
        the top (digits: the words are the caption's, in the page's language). Clicking one selects it (grid_cell
        maps the pixel)."""
        start, end = self._span(trace, step, GRID_SPAN)
        n, L, H = end - start, self.config.n_layer, self.config.n_head
        pitch = n + GRID_GAP
        sheet = np.zeros((L * pitch, H * pitch), dtype=np.uint8)  # palette indices: 0 white .. 254 dark blue, 255 red
        k_from, _ = trace.key_range(start, end)
        for li in range(L):
            w = trace.attention(li, start, end)[:, :, start - k_from :].numpy()  # (H, n, n)
            for hi in range(H):
                r, c = li * pitch + GRID_GAP // 2, hi * pitch + GRID_GAP // 2
                sheet[r : r + n, c : c + n] = np.rint(np.clip(w[hi], 0.0, 1.0) * 254)
        r, c = (layer - 1) * pitch, (head - 1) * pitch
        sheet[r, c : c + pitch] = sheet[r + pitch - 1, c : c + pitch] = 255
        sheet[r : r + pitch, c] = sheet[r : r + pitch, c + pitch - 1] = 255
        scale = self._grid_scale(n)
        cells = Image.fromarray(sheet.repeat(scale, axis=0).repeat(scale, axis=1), "P")
        image = Image.new("P", (cells.width + GRID_MARGIN, cells.height + GRID_MARGIN), 0)
        image.paste(cells, (GRID_MARGIN, GRID_MARGIN))
        draw, font, cell = ImageDraw.Draw(image), ImageFont.load_default(GRID_MARGIN * 2 // 3), pitch * scale
        for li in range(L):
            draw.text((GRID_MARGIN // 2, GRID_MARGIN + li * cell + cell // 2), str(li + 1), fill=254, font=font, anchor="mm")
        for hi in range(H):
            draw.text((GRID_MARGIN + hi * cell + cell // 2, GRID_MARGIN // 2), str(hi + 1), fill=254, font=font, anchor="mm")
        image.putpalette(PALETTE)
        return image


    def _grid_scale(self, n: int) -> int:
        return -(-GRID_PIXELS // (self.config.n_head * (n + GRID_GAP)))  # ceil

    def grid_cell(self, trace: Trace, step: int, x: Any, y: Any) -> tuple[int, int]:
        """(layer, head) of a pixel of grid_image(trace, step, ...); a click on a row's or column's number picks
        that row's or column's first head or layer."""
        start, end = self._span(trace, step, GRID_SPAN)
        pitch = (end - start + GRID_GAP) * self._grid_scale(end - start)
        x = as_int("x", x, 0, GRID_MARGIN + self.config.n_head * pitch - 1)
        y = as_int("y", y, 0, GRID_MARGIN + self.config.n_layer * pitch - 1)
        return max(0, y - GRID_MARGIN) // pitch + 1, max(0, x - GRID_MARGIN) // pitch + 1

    def big_head_html(self, trace: Trace, step: int, layer: int, head: int, lang: str = "en") -> str:
        """One head large: rows are queries, columns keys, the characters on both axes."""
        start, end = self._span(trace, step, BIG_SPAN)
        n = end - start
        k_from, _ = trace.key_range(start, end)
        w = trace.attention(layer - 1, start, end)[head - 1, :, start - k_from :].numpy()
        chars = [_char(self.tokenizer.vocab[trace.ids[i]]) for i in range(start, end)]
        cells, alt = ["<div></div>"] + [f'<div class="kx">{c}</div>' for c in chars], _say("inside.big_alt", lang)
        cells.append(f'<img style="grid-column: 2 / span {n}; grid-row: 2 / span {n}" src="{_png_uri(w)}" alt="{alt}">')
        cells += [f'<div class="qy" style="grid-row: {i + 2}">{c}</div>' for i, c in enumerate(chars)]
        return (f'<p>{_say("inside.big_caption", lang, layer=layer, head=head, n=n)}</p>'
                f'<div class="inside-big" style="grid-template-columns: 1.4em repeat({n}, 1fr)">{"".join(cells)}</div>')

    def worked_example(self, trace: Trace, knobs: SamplingKnobs, step: int, layer: int, head: int,
                       lang: str = "en") -> str:
        """The stages for the selected position, layer and head, each with its formula and the real numbers. Its
        heading counts as the whole view does: step = the drawn character's position, from 0."""
        vocab, cfg = self.tokenizer.vocab, self.config
        query, d = step - 1, cfg.head_dim
        rec, h = trace.layers[layer - 1], head - 1
        char = _char(vocab[trace.ids[query]])

        def vec(t: torch.Tensor, n: int = 6) -> str:
            return "[" + ", ".join(f"{v:+.2f}" for v in t[:n].tolist()) + ", …]"

        k_from, _ = trace.key_range(query, step)
        scores = trace.scores(layer - 1, query, step)[h, 0]
        weights = trace.attention(layer - 1, query, step)[h, 0]
        order = torch.argsort(weights, descending=True)[:5].tolist()
        keys = [(k_from + j, _char(vocab[trace.ids[k_from + j]])) for j in order]
        mixed = weights @ rec.v[h, k_from:step]
        sdpa_gap = float((mixed - rec.heads[h, query]).abs().max())
        incoming = trace.embedding[query] if layer == 1 else trace.layers[layer - 2].residual[query]
        masked_ahead = trace.length - step
        masked_back = k_from
        logits = trace.logits[query]
        top_logits = torch.topk(logits, 5)
        probs = step_distribution(trace, step, knobs)
        top_p = torch.topk(probs, 5)
        theta = f"\\theta_i = {cfg.rope_base:g}^{{-2i/{d}}}"
        scores_shown = ", ".join(f"“{c}”@{p}: {float(scores[p - k_from]):+.2f}" for p, c in keys)
        weights_shown = ", ".join(f"“{c}”@{p}: {float(weights[p - k_from]):.1%}" for p, c in keys)
        logits_shown = ", ".join(f"“{_char(vocab[i])}” {v:+.2f}"
                                 for v, i in zip(top_logits.values.tolist(), top_logits.indices.tolist()))
        probs_shown = ", ".join(f"“{_char(vocab[i])}” {v:.1%}" for v, i in zip(top_p.values.tolist(), top_p.indices.tolist()))
        where = (_say("inside.worked_2_first", lang) if layer == 1 else _say("inside.worked_2_after", lang, prev=layer - 1))
        lines = [
            _say("inside.worked_heading", lang, step=step, query=query, char=char, nth=step + 1)
            + _say("inside.worked_layer", lang, layer=layer, head=head, width=cfg.n_embd, heads=cfg.n_head, d=d),
            _say("inside.worked_1", lang, char=char, vec=vec(trace.embedding[query])),
            _say("inside.worked_2", lang, layer=layer, where=where, vec=vec(incoming), head=head, theta=theta),
            f"   - $q$ = `{vec(rec.q[h, query])}`  $k$ = `{vec(rec.k[h, query])}`  $v$ = `{vec(rec.v[h, query])}`",
            _say("inside.worked_3", lang, d=d, scores=scores_shown),
            _say("inside.worked_4", lang, ahead=masked_ahead, back=masked_back, window=trace.window - 1),
            _say("inside.worked_5", lang, visible=step - k_from, weights=weights_shown),
            _say("inside.worked_6", lang, mixed=vec(mixed), gap=f"{sdpa_gap:.1e}", heads=cfg.n_head,
                 after=vec(rec.after_attention[query])),
            _say("inside.worked_7", lang, added=vec(rec.mlp[query]), result=vec(rec.residual[query])),
            _say("inside.worked_8", lang, layers=cfg.n_layer, logits=logits_shown),
            _say("inside.worked_9", lang, t=knobs.temperature, k=knobs.top_k, p=knobs.top_p, probs=probs_shown, char=char),
        ]
        return "\n".join(lines)

    def lens_markdown(self, trace: Trace, step: int, lang: str = "en") -> str:
        """The logit lens: the top 3 next characters if the model stopped after each layer."""
        rows = [_say("inside.lens_header", lang), "|---|---|---|---|"]
        for layer, top in enumerate(trace.lens(step - 1), start=1):
            rows.append(f"| {layer} | " + " | ".join(f"`{visible(self.tokenizer.vocab[i])}` {p:.0%}" for i, p in top) + " |")
        return "\n".join(rows)

