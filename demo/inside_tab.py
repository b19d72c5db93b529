"""Inside the GPT: the Text tab's prompt, knobs and text, shown through the model's own numbers (core/gpt/inspect.py).

Every generated character is coloured by the probability it had when it was drawn; clicking one selects that step:
its bars (raw and after the knobs), the attention of the character that predicted it (shaded text, a layer x head
grid, one head large), the worked example with its formulas, and the logit lens. One traced forward per text is
cached, so a click or a head change re-runs no model: it only slices the recorded tensors. Heatmaps are small PNGs
drawn at one pixel per weight and enlarged by the browser. No gr.HTML: its templates need the CSP's 'unsafe-eval'
(serve/http_guard.py refuses it), so the text is a HighlightedText and the model view an Image, whose own select
events carry the click, and the other panels are Markdown.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import gradio as gr
import numpy as np
import torch
from PIL import Image

from core import limits
from core.gpt.inspect import RAW, Trace, step_distribution, step_probabilities, trace_ids, visible
from core.gpt.io import LoadedGPT
from core.gpt.sampling import SamplingKnobs, validate_knobs, validate_prompt
from core.validation import KnobError, as_int
from demo.api_docs import public_endpoint
from demo.errors import USER_ERRORS, field_note, missing_model_notice, user_errors
from demo.shared import GeneratedFiles, queue_group, static_text
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.text_tab import TextTabParts

MAX_TEXT_CHARS = limits.MAX_PROMPT_CHARS + limits.MAX_NEW_TOKENS  # the longest text the Text tab can produce
GRID_FILES_BYTES = 64 * 2**20  # model-view PNGs on disk (~20-60 kB each); the oldest go first
CACHE_BYTES = 160 * 2**20  # traces kept (LRU): a 300-character text holds ~9 MB, a 3 000-character one ~90 MB
GRID_SPAN = 48  # the model view shows the last GRID_SPAN queries x keys ending at the selected position
GRID_GAP = 4  # white pixels between two heatmaps of the model view
GRID_PIXELS = 480  # the model view is enlarged (nearest) to at least this wide: Gradio maps a click on an image to
# its pixels only if the browser does not enlarge it
# The model view's palette: 255 shades from white to dark blue (as _rgb), then red to frame the selected head.
PALETTE = [int(v) for w in np.linspace(0.0, 1.0, 255) for v in 255 - w * np.array([225, 185, 80])] + [220, 38, 38]
BIG_SPAN = 32  # the large head: characters on both axes
SHADE_BACK = 24  # the shaded text also shows this many characters beyond the window (greyed: nothing looks there)
BARS = 10
PROB_BINS = ((0.05, "under 5 %"), (0.2, "5-20 %"), (0.5, "20-50 %"), (1.01, "over 50 %"))  # colour of a drawn char
PROB_COLOURS = {"under 5 %": "#f87171", "5-20 %": "#fdba74", "20-50 %": "#fde047", "over 50 %": "#86efac"}
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
# The page's notes, one per field a refusal can concern (one shows at a time): the Text tab's prompt, text and knobs
# (by the Look button), the step, the layer (and head). A page update ends with one update per note, in this order.
NOTE_FIELDS = ("text", "step", "layer")
TEXT_NOTE_TAIL = " (The prompt, text and knobs are the Text tab's; the panels keep showing the last good text.)"


class FieldError(KnobError):
    """A refusal that names the page field it concerns (one of NOTE_FIELDS); still a KnobError for the API."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@contextmanager
def _about(field: str) -> Iterator[None]:
    """Refusals raised inside concern `field` (the first field named wins)."""
    try:
        yield
    except FieldError:
        raise
    except USER_ERRORS as exc:
        raise FieldError(field, str(exc)) from None


def page_notes(field: str | None = None, message: str = "") -> tuple[Any, ...]:
    """An update for every note (NOTE_FIELDS): `field`'s shows `message`, the others hide."""
    return tuple(field_note(message if name == field else "") for name in NOTE_FIELDS)


class Picked(gr.EventData):
    """What a click sent from the page (trigger('select', {index})); None when an API call came without one."""

    def __init__(self, target: Any, data: Any):
        super().__init__(target, data)
        self.index = data.get("index") if isinstance(data, dict) else None


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


def _weight_colour(w: float) -> str:
    return f"rgba(30, 70, 175, {min(1.0, w) ** 0.5 * 0.85:.3f})"  # sqrt: small weights still show


class InsideHandlers:
    """The view's handlers over one loaded GPT; traces are cached per text (nothing re-runs for a click)."""

    def __init__(self, loaded: LoadedGPT, cache_bytes: int = CACHE_BYTES):
        self.model, self.tokenizer = loaded.model, loaded.tokenizer
        self.config = loaded.model.config
        self.cache_bytes = cache_bytes
        self.files = GeneratedFiles(cap_bytes=GRID_FILES_BYTES)
        self._traces: OrderedDict[str, Trace] = OrderedDict()
        self._lock = threading.Lock()
        self.model_runs = 0  # tests check that clicks do not run the model

    # ---- inputs -------------------------------------------------------------------------------------------------
    def _text(self, prompt: Any, text: Any) -> tuple[str, str, str]:
        """(prompt, the text to look inside, a note). The text is the Text tab's output when it continues this
        prompt; otherwise the prompt alone (nothing generated for it yet)."""
        prompt = validate_prompt(prompt, self.tokenizer)
        if text is None or text == "":
            return prompt, prompt, "Nothing generated yet: showing the prompt alone. Generate on the Text tab first."
        if not isinstance(text, str):
            raise KnobError(f"The text must be a string; got a {type(text).__name__}.")
        if len(text) > MAX_TEXT_CHARS:
            raise KnobError(f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} (prompt + generated).")
        if not text.startswith(prompt):
            return prompt, prompt, "The text no longer starts with the prompt (it was edited): showing the prompt alone."
        self.tokenizer.encode(text)  # unknown characters are refused by name
        return prompt, text, ""

    @staticmethod
    def _knobs(temperature: Any, top_k: Any, top_p: Any) -> SamplingKnobs:
        return validate_knobs(temperature, top_k, top_p, limits.MIN_REPETITION_PENALTY, 1, 0)

    def trace(self, text: str) -> Trace:
        """The traced forward over text, from the cache when this text was traced before."""
        with self._lock:
            if text in self._traces:
                self._traces.move_to_end(text)
                return self._traces[text]
        trace = trace_ids(self.model, self.tokenizer.encode(text))
        with self._lock:
            self.model_runs += 1
            self._traces[text] = trace
            while len(self._traces) > 1 and sum(t.nbytes for t in self._traces.values()) > self.cache_bytes:
                self._traces.popitem(last=False)
        return trace

    def _view_args(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any, layer: Any,
                   head: Any) -> tuple[str, str, SamplingKnobs, int, int, int]:
        with _about("text"):
            prompt, text, _ = self._text(prompt, text)
            knobs = self._knobs(temperature, top_k, top_p)
        with _about("step"):
            if step == 0:
                raise KnobError("The first character is given, not predicted: pick a later one (step 1 or more).")
            step = as_int("step (the character whose drawing is shown)", step, 1, len(text))
        with _about("layer"):
            layer = as_int("layer", layer, 1, self.config.n_layer)
            head = as_int("head", head, 1, self.config.n_head)
        return prompt, text, knobs, step, layer, head

    # ---- events -------------------------------------------------------------------------------------------------
    @user_errors
    def look(self, prompt: str, text: str, temperature: float, top_k: int, top_p: float, layer: int,
             head: int) -> tuple[Any, ...]:
        """Trace the text (once; cached) and show it coloured, with the step of the first generated character."""
        return self._look(prompt, text, temperature, top_k, top_p, layer, head)

    def _look(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
              head: Any) -> tuple[Any, ...]:
        with _about("text"):
            prompt, text, note = self._text(prompt, text)
            knobs = self._knobs(temperature, top_k, top_p)
        step = len(prompt) if len(text) > len(prompt) else len(text)
        bars, *panels = self._view(prompt, text, temperature, top_k, top_p, step, layer, head)
        note = f'<p class="inside-note">{html.escape(note)}</p>' if note else ""
        return (self.coloured_text(prompt, text, knobs), step, note + bars, *panels)

    @user_errors
    def view(self, prompt: str, text: str, temperature: float, top_k: int, top_p: float, step: int, layer: int,
             head: int) -> tuple[str, str, str, str, str, str]:
        """Every panel for one step, layer and head: bars, shaded text, model view, large head, worked example,
        logit lens. Slices the cached trace; runs the model only for a text it has not seen."""
        return self._view(prompt, text, temperature, top_k, top_p, step, layer, head)

    def _view(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any, layer: Any,
              head: Any) -> tuple[str, str, str, str, str, str]:
        prompt, text, knobs, step, layer, head = self._view_args(prompt, text, temperature, top_k, top_p, step, layer, head)
        trace = self.trace(text)
        return (self.bars_html(trace, knobs, step), self.shade_html(trace, step, layer, head),
                self.grid_file(text, trace, step, layer, head), self.big_head_html(trace, step, layer, head),
                self.worked_example(trace, knobs, step, layer, head), self.lens_markdown(trace, step))

    @user_errors
    def pick_char(self, prompt: str, text: str, temperature: float, top_k: int, top_p: float, layer: int, head: int,
                  evt: Picked) -> tuple[Any, ...]:
        """A click on a character of the coloured text: its entry index is its step."""
        return self._pick_char(prompt, text, temperature, top_k, top_p, layer, head, evt)

    def _pick_char(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any, head: Any,
                   evt: Picked | None) -> tuple[Any, ...]:
        if evt is None or evt.index is None:
            raise FieldError("step", "No character was clicked; call /inside_view with the step (1 .. length of the text).")
        step = evt.index
        return (step, *self._view(prompt, text, temperature, top_k, top_p, step, layer, head))

    @user_errors
    def pick_head(self, prompt: str, text: str, temperature: float, top_k: int, top_p: float, step: int,
                  evt: Picked) -> tuple[Any, ...]:
        """A click on the model view: the page sends the pixel [x, y], which grid_cell maps to a layer and head."""
        return self._pick_head(prompt, text, temperature, top_k, top_p, step, evt)

    def _pick_head(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any,
                   evt: Picked | None) -> tuple[Any, ...]:
        index = None if evt is None else evt.index
        if not isinstance(index, (list, tuple)) or len(index) != 2:
            raise FieldError("layer", "No head was clicked; call /inside_view with the layer and head (1 .. 6 each).")
        prompt, text, _, step, _, _ = self._view_args(prompt, text, temperature, top_k, top_p, step, 1, 1)
        with _about("layer"):
            layer, head = self.grid_cell(self.trace(text), step, *index)
        return (layer, str(head), *self._view(prompt, text, temperature, top_k, top_p, step, layer, head))

    # ---- the page (a refusal: one note beside its field; every panel keeps the last good view) ---------------------
    @staticmethod
    def _on_page(outputs: int, handler: Callable[..., tuple[Any, ...]], *args: Any) -> tuple[Any, ...]:
        """handler(*args) with every note cleared; on a refusal, the outputs left as they are and one note."""
        try:
            return (*handler(*args), *page_notes())
        except FieldError as exc:
            message = str(exc) + (TEXT_NOTE_TAIL if exc.field == "text" else "")
            return (*(gr.skip(),) * outputs, *page_notes(exc.field, message))

    def page_look(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any,
                  head: Any) -> tuple[Any, ...]:
        """Look / the tab opened: (coloured text, step, the 6 panels, *notes)."""
        return self._on_page(8, self._look, prompt, text, temperature, top_k, top_p, layer, head)

    def page_view(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any, layer: Any,
                  head: Any) -> tuple[Any, ...]:
        """The step, layer or head changed: (the 6 panels, *notes)."""
        return self._on_page(6, self._view, prompt, text, temperature, top_k, top_p, step, layer, head)

    def page_pick_char(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, layer: Any, head: Any,
                       evt: Picked) -> tuple[Any, ...]:
        """A character clicked: (step, the 6 panels, *notes)."""
        return self._on_page(7, self._pick_char, prompt, text, temperature, top_k, top_p, layer, head, evt)

    def page_pick_head(self, prompt: Any, text: Any, temperature: Any, top_k: Any, top_p: Any, step: Any,
                       evt: Picked) -> tuple[Any, ...]:
        """A heatmap clicked: (layer, head, the 6 panels, *notes)."""
        return self._on_page(8, self._pick_head, prompt, text, temperature, top_k, top_p, step, evt)

    @user_errors
    def as_json(self, prompt: str = "To be, or not", text: str = "To be, or not to be", step: int = 16,
                temperature: float = 0.8, top_k: int = 40, top_p: float = 0.95) -> dict[str, Any]:
        """The trace at one step as plain JSON (for a notebook): the text's characters, each generated character's
        probability, and at `step` (1 .. length; the query is step - 1): attention [layer][head][key] over keys
        key_from .. step - 1, the logit lens (top 3 per layer) and the next-character distribution (top 10, raw and
        after the knobs)."""
        prompt, text, knobs, step, _, _ = self._view_args(prompt, text, temperature, top_k, top_p, step, 1, 1)
        trace = self.trace(text)
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

    # ---- panels -------------------------------------------------------------------------------------------------
    def coloured_text(self, prompt: str, text: str, knobs: SamplingKnobs) -> list[tuple[str, str | None]]:
        """One entry per character (entry i = step i), each generated one labelled by the probability it was drawn
        with; the prompt is unlabelled; a final ▸ stands for what would come next (step = length of the text)."""
        trace = self.trace(text)
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
        per weight; the selected head is framed in red. Clicking one selects it (grid_cell maps the pixel)."""
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
        image = Image.fromarray(sheet.repeat(scale, axis=0).repeat(scale, axis=1), "P")
        image.putpalette(PALETTE)
        return image

    def grid_file(self, text: str, trace: Trace, step: int, layer: int, head: int) -> str:
        """grid_image as a PNG file in the app's own folder of Gradio's cache (served as is; the same view again
        reuses its file). A palette PNG at zlib level 1: ~1 ms, where Gradio's own RGB save at level 6 took ~12."""
        key = f"{hashlib.sha1(text.encode()).hexdigest()}/{step}/{layer}/{head}"
        if (found := self.files.find(key)) is not None:
            return found
        image = self.grid_image(trace, step, layer, head)
        return self.files.write("grid", ".png", lambda f: image.save(f, format="png", compress_level=1), key=key)

    def _grid_scale(self, n: int) -> int:
        return -(-GRID_PIXELS // (self.config.n_head * (n + GRID_GAP)))  # ceil

    def grid_cell(self, trace: Trace, step: int, x: Any, y: Any) -> tuple[int, int]:
        """(layer, head) of a pixel of grid_image(trace, step, ...)."""
        start, end = self._span(trace, step, GRID_SPAN)
        pitch = (end - start + GRID_GAP) * self._grid_scale(end - start)
        x = as_int("x", x, 0, self.config.n_head * pitch - 1)
        y = as_int("y", y, 0, self.config.n_layer * pitch - 1)
        return y // pitch + 1, x // pitch + 1

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

    def worked_example(self, trace: Trace, knobs: SamplingKnobs, step: int, layer: int, head: int) -> str:
        """The stages for the selected position, layer and head, each with its formula and the real numbers."""
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
            f"**Step {step}: character {step} is drawn, predicted from character {query}, “{char}”** (steps and "
            f"character positions both count the text from 0). Layer {layer}, head {head}; "
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


CSS = static_text("inside.css")


def _note(elem_id: str) -> gr.Markdown:
    """A note under a field (hidden until a value of it is refused)."""
    return gr.Markdown("", visible=False, elem_id=elem_id, elem_classes=["field-note"])


def build_inside_tab(loaded: LoadedGPT | None, note: str, text: TextTabParts | None, tab: gr.Tab) -> None:
    """Lay out the view and wire its events (call inside its gr.Tab); `text` holds the Text tab's components."""
    if loaded is None or text is None:
        missing_model_notice("GPT", "python -m core.gpt.train", note, elem_id="inside-missing")
        return
    handlers = InsideHandlers(loaded)
    cfg = loaded.model.config
    gr.Markdown("The model's own numbers for the Text tab's prompt and text. **Click a character** to see the step "
                "that drew it; **click a heatmap** (or use the controls) to pick a layer and head.")
    with gr.Row():
        with gr.Column(scale=3):
            gr.Markdown("**Text** — each generated character coloured by the probability it had when it was drawn "
                        "(red = surprising, green = expected); the prompt is uncoloured; ▸ = what would come next.")
            coloured = gr.HighlightedText([], combine_adjacent=False, show_legend=True, color_map=PROB_COLOURS,
                                          show_label=False, elem_id="inside-text")
            # keyboard moves of the step and layer update the panels too (demo/knob_release.py: a typed step after a
            # pause, the layer's arrow keys and Enter in its box)
            with gr.Row(elem_id="inside-controls"):
                with gr.Column(min_width=160):
                    look = gr.Button("Look inside the Text tab's text", variant="primary", elem_id="inside-look")
                    text_note = _note("inside-text-note")
                with gr.Column(min_width=160):
                    step = gr.Number(1, precision=0, minimum=1, label="Step: the drawn character's position (from 0)",
                                     elem_id="inside-step", elem_classes=NUMBER_CLASSES)
                    step_note = _note("inside-step-note")
                with gr.Column(min_width=160):
                    layer = gr.Slider(1, cfg.n_layer, 1, step=1, label="Layer", elem_id="inside-layer",
                                      elem_classes=SLIDER_CLASSES)
                    layer_note = _note("inside-layer-note")
                head = gr.Radio([str(h) for h in range(1, cfg.n_head + 1)], value="1", label="Head", elem_id="inside-head")
        with gr.Column(scale=2):
            gr.Markdown("**That step's bars** — the raw distribution (temperature 1, nothing cut) beside the one the "
                        "character was drawn from; candidates top-k/top-p removed are greyed, the drawn one highlighted.")
            bars = gr.Markdown("", elem_id="inside-bars")
    gr.Markdown("**Attention** — where the character before the selected one looks (it predicts it): darker = more "
                "weight. Past the window, struck-out characters are ones nothing attends to.")
    shade = gr.Markdown("", elem_id="inside-shade")
    with gr.Row():
        with gr.Column():
            gr.Markdown(f"**Model view** — every layer (rows) and head (columns), the last {GRID_SPAN} characters; "
                        "click one to select it.")
            grid = gr.Image(None, type="pil", format="png", interactive=False, show_label=False, buttons=[],
                            elem_id="inside-grid")
        with gr.Column():
            gr.Markdown("**One head, large** — the selected layer and head with the characters on both axes.")
            big = gr.Markdown("", elem_id="inside-big")
    with gr.Row():
        with gr.Column(scale=3):
            gr.Markdown("**Worked example** — the selected position through the selected head, stage by stage, "
                        "with the real numbers.")
            worked = gr.Markdown("", latex_delimiters=LATEX, elem_id="inside-worked")
        with gr.Column(scale=2):
            gr.Markdown("**Logit lens** — the top 3 next characters if the model stopped after each layer (the "
                        "residual stream through the final norm and the tied head): the prediction forming.")
            lens = gr.Markdown("", elem_id="inside-lens")

    knobs = [text.temperature, text.top_k, text.top_p]
    panels = [bars, shade, grid, big, worked, lens]
    notes = [text_note, step_note, layer_note]  # NOTE_FIELDS' order
    group = dict(**queue_group("inside"), show_progress="hidden")
    look_inputs = [text.prompt, text.output, *knobs, layer, head]
    gr.on([look.click, tab.select], handlers.page_look, look_inputs, [coloured, step, *panels, *notes], api_name="inside_trace",
          api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    view_inputs = [text.prompt, text.output, *knobs, step, layer, head]
    # Every way the step or layer can change ends here: a typed step on Enter or after a pause (its submit), the
    # layer's drag end, arrow keys, a typed layer on Enter or on leaving the box, its reset arrow (its release)
    gr.on([step.submit, layer.release, head.input], handlers.page_view, view_inputs, [*panels, *notes], api_name="inside_view",
          api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    coloured.select(handlers.page_pick_char, [text.prompt, text.output, *knobs, layer, head], [step, *panels, *notes],
                    api_name="inside_pick_char", api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    grid.select(handlers.page_pick_head, [text.prompt, text.output, *knobs, step], [layer, head, *panels, *notes],
                api_name="inside_pick_head", api_visibility="undocumented", preprocess=False, trigger_mode="always_last", **group)
    public_endpoint(handlers.as_json, "inside_json",
                    "Inside the GPT as JSON at one step of a text: each character's probability, every head's "
                    "attention, the logit lens and the next-character distribution.",
                    {"prompt": "the prompt the text began with (its characters are not coloured by probability)",
                     "text": "the prompt plus generated text, as /generate returns it (or '' for the prompt alone)",
                     "step": "1 .. the text's length: the character whose drawing to look at (its query is step - 1)",
                     "temperature": "the knobs the text was drawn with (0 to 5)", "top_k": "0 = off",
                     "top_p": "1 = off"},
                    [({}, "{'tokens', 'prompt_length', 'probabilities', 'step', 'query', 'key_from', "
                          "'attention' [layer][head][key], 'logit_lens', 'next', 'next_raw'}")],
                    **queue_group("inside"))
