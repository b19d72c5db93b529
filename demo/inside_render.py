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
from demo.locales.inside import INSIDE  # plain dicts: the view's words without importing Gradio

GRID_SPAN = 48  # the model view shows the last GRID_SPAN queries x keys ending at the selected position
GRID_GAP = 4  # white pixels between two heatmaps of the model view
GRID_PIXELS = 480  # the model view is enlarged (nearest) to at least this wide: Gradio maps a click on an image to
# its pixels only if the browser does not enlarge it
GRID_MARGIN = 24  # pixels left of the rows and above the columns for their numbers (layer, head; the caption names them)
# The model view's palette: 255 shades from white to dark blue (as _rgb), then red to frame the selected head.
PALETTE = [int(v) for w in np.linspace(0.0, 1.0, 255) for v in 255 - w * np.array([225, 185, 80])] + [220, 38, 38]
BIG_SPAN = 32  # the large head: characters on both axes
SHADE_BACK = 24  # the shaded text also shows this many characters beyond the window (greyed: nothing looks there)
BARS = 10
PROB_BINS = ((0.05, "under 5 %"), (0.2, "5-20 %"), (0.5, "20-50 %"), (1.01, "over 50 %"))  # colour of a drawn char
PROB_COLOURS = {"under 5 %": "#f87171", "5-20 %": "#fdba74", "20-50 %": "#fde047", "over 50 %": "#86efac"}


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


def _say(key: str, lang: str, **values: Any) -> str:
    """A string of the catalog in `lang` (English for a language it lacks), as demo/i18n.py text() gives it."""
    entry = INSIDE[key]
    return entry.get(lang, entry["en"]).format(**values)


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


    def coloured_text(self, trace: Trace, prompt: str, text: str, knobs: SamplingKnobs) -> list[tuple[str, str | None]]:
        """One entry per character (entry i = step i), each generated one labelled by the probability it was drawn
        with; the prompt is unlabelled; a final ▸ stands for what would come next (step = length of the text)."""
        probs = step_probabilities(trace, knobs, start=len(prompt))
        entries: list[tuple[str, str | None]] = []
        for i, c in enumerate(text):
            label = None
            if i >= len(prompt):
                label = next(name for bound, name in PROB_BINS if probs[i - len(prompt)] < bound)
            entries.append((visible(c) + ("\n" if c == "\n" else ""), label))
        entries.append(("▸", None))
        return entries

    def bars_html(self, trace: Trace, knobs: SamplingKnobs, step: int) -> str:
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
        head = (f"drew <b>{_char(vocab[chosen])}</b> with probability {float(adjusted[chosen]):.1%}" if chosen is not None
                else "would draw next (nothing drawn yet)")
        rows = [f'<p>After “…{html.escape(context)}” the model {head}.</p>',
                '<table class="inside-bars"><tr><th></th><th>raw: T = 1, nothing cut</th>'
                f"<th>drawn from: T = {knobs.temperature:g}, top-k {knobs.top_k}, top-p {knobs.top_p:g}</th></tr>"]
        for i in order:
            cut = float(adjusted[i]) == 0.0
            why = "cut by top-k" if float(only_k[i]) == 0.0 else "cut by top-p"
            cls = "chosen" if i == chosen else ("cut" if cut else "")
            adj = f'<span class="why">{why}</span>' if cut else f"{float(adjusted[i]):.1%}"
            rows.append(f'<tr class="{cls}"><td class="c">{_char(vocab[i])}</td>'
                        f'<td><div class="bar raw" style="width:{float(raw[i]) * 70:.1f}%"></div>{float(raw[i]):.1%}</td>'
                        f'<td><div class="bar" style="width:{float(adjusted[i]) * 70:.1f}%"></div>{adj}</td></tr>')
        rows.append("</table>")
        return "".join(rows)

    def shade_html(self, trace: Trace, step: int, layer: int, head: int) -> str:
        """The characters before the query shaded by attention weight: one head, then the average of the heads.
        Characters beyond the window are shown struck out: nothing attends that far back."""
        query = step - 1
        k_from, _ = trace.key_range(query, step)
        weights = trace.attention(layer - 1, query, step)[:, 0]  # (H, K)
        start = max(0, k_from - SHADE_BACK)
        vocab = self.tokenizer.vocab
        lines = []
        for label, row in ((f"layer {layer}, head {head}", weights[head - 1]), (f"layer {layer}, average of the heads", weights.mean(0))):
            spans = []
            if start > 0:
                spans.append('<span class="out">…</span>')
            for pos in range(start, step):
                c = _char(vocab[trace.ids[pos]])
                if pos < k_from:
                    spans.append(f'<span class="out" title="outside the {trace.window}-character window">{c}</span>')
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

    def big_head_html(self, trace: Trace, step: int, layer: int, head: int) -> str:
        """One head large: rows are queries, columns keys, the characters on both axes."""
        start, end = self._span(trace, step, BIG_SPAN)
        n = end - start
        k_from, _ = trace.key_range(start, end)
        w = trace.attention(layer - 1, start, end)[head - 1, :, start - k_from :].numpy()
        chars = [_char(self.tokenizer.vocab[trace.ids[i]]) for i in range(start, end)]
        cells = ["<div></div>"] + [f'<div class="kx">{c}</div>' for c in chars]
        cells.append(f'<img style="grid-column: 2 / span {n}; grid-row: 2 / span {n}" src="{_png_uri(w)}" alt="weights">')
        cells += [f'<div class="qy" style="grid-row: {i + 2}">{c}</div>' for i, c in enumerate(chars)]
        return (f'<p>Layer {layer}, head {head}: row = the character looking, column = the character looked at '
                f"(the last {n} positions; darker = more weight; above the diagonal is the future, masked).</p>"
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
        lines = [
            _say("inside.worked_heading", lang, step=step, query=query, char=char, nth=step + 1)
            + f" Layer {layer}, head {head}; "
            f"every vector has {cfg.n_embd} numbers ({cfg.n_head} heads of $d_k = {d}$); the first 6 are shown.",
            f"1. **Embedding** — the row of “{char}” in the embedding table $E$: $x = E[c]$ = `{vec(trace.embedding[query])}`",
            f"2. **Into layer {layer}** — the residual stream {'is the embedding' if layer == 1 else f'after layer {layer - 1}'}: "
            f"`{vec(incoming)}`; it is layer-normalised, then $q = W_Q\\,\\mathrm{{LN}}(x)$, $k = W_K\\,\\mathrm{{LN}}(x)$, "
            f"$v = W_V\\,\\mathrm{{LN}}(x)$ for head {head}. **RoPE**: positions enter by rotating q and k, each pair of "
            f"features $i$ by the angle $p\\,{theta}$ at position $p$, so $q\\cdot k$ depends on how far apart they are.",
            f"   - $q$ = `{vec(rec.q[h, query])}`  $k$ = `{vec(rec.k[h, query])}`  $v$ = `{vec(rec.v[h, query])}`",
            f"3. **Scores** — $s_j = q \\cdot k_j / \\sqrt{{d_k}} = q \\cdot k_j / \\sqrt{{{d}}}$ for each earlier character $j$ "
            "(those with the five largest weights): "
            + ", ".join(f"“{c}”@{p}: {float(scores[p - k_from]):+.2f}" for p, c in keys),
            f"4. **Mask** — $s_j = -\\infty$ for the {masked_ahead} characters after this one (the future) and the "
            f"{masked_back} more than {trace.window - 1} back (the sliding window), so they get weight 0.",
            f"5. **Softmax** — $a_j = e^{{s_j}} / \\sum_{{j'}} e^{{s_{{j'}}}}$ over the {step - k_from} visible characters; "
            "the largest: " + ", ".join(f"“{c}”@{p}: {float(weights[p - k_from]):.1%}" for p, c in keys),
            f"6. **Weighted sum of v** — $o = \\sum_j a_j v_j$ = `{vec(mixed)}` (SDPA's own output differs by {sdpa_gap:.1e}). "
            f"The {cfg.n_head} heads' outputs are concatenated and projected, $x \\leftarrow x + W_O[o_1; \\dots; o_{cfg.n_head}]$: "
            f"`{vec(rec.after_attention[query])}`",
            f"7. **MLP** — $x \\leftarrow x + W_2\\,\\mathrm{{GELU}}(W_1\\,\\mathrm{{LN}}(x))$, adding `{vec(rec.mlp[query])}`: "
            f"`{vec(rec.residual[query])}`",
            f"8. **Logits** — after all {cfg.n_layer} layers, $z = E\\,\\mathrm{{LN}}_f(x)$ (the head is tied to the "
            "embedding), one score per character; the largest: "
            + ", ".join(f"“{_char(vocab[i])}” {v:+.2f}" for v, i in zip(top_logits.values.tolist(), top_logits.indices.tolist())),
            f"9. **Probabilities** — $p = \\mathrm{{softmax}}(z / T)$ with $T = {knobs.temperature:g}$, then top-k "
            f"{knobs.top_k} and top-p {knobs.top_p:g}: "
            + ", ".join(f"“{_char(vocab[i])}” {v:.1%}" for v, i in zip(top_p.values.tolist(), top_p.indices.tolist()))
            + f" — the Text tab's bars for a prompt ending at “{char}”.",
        ]
        return "\n".join(lines)

    def lens_markdown(self, trace: Trace, step: int) -> str:
        """The logit lens: the top 3 next characters if the model stopped after each layer."""
        rows = ["| after layer | 1st | 2nd | 3rd |", "|---|---|---|---|"]
        for layer, top in enumerate(trace.lens(step - 1), start=1):
            rows.append(f"| {layer} | " + " | ".join(f"`{visible(self.tokenizer.vocab[i])}` {p:.0%}" for i, p in top) + " |")
        return "\n".join(rows)

