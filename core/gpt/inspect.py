"""Inside the GPT: one real forward of the model over a text, recorded (attention, logit lens, final logits).

python -m core.gpt.inspect checkpoints/gpt-shakespeare --prompt "ROMEO:" [--json]

`trace_text` runs GPT.forward once with its `trace` option, so every number comes from the model's own forward, not
from a second copy of the maths. SDPA returns no weights, so the attention weights are rebuilt from the q and k the
forward used, the model's own sliding-window mask and SDPA's scale; tests check that they reproduce SDPA's output.
Weights are computed on demand for the query rows asked for: a 3 000-character text would need 36 x 3 000 x 3 000
floats (1.3 GB) for every full matrix, while a view needs one row or one 128-character window.

`step_probabilities` gives each character of a text the probability it had when it was drawn, through
`next_token_probabilities_rows`, the one definition of the knobs behind the sampler and the next-token bars (all the
steps as rows of one call).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import IO, Any

import torch

from core.checkpoints import CheckpointError
from core.gpt.model import GPT, sliding_window_mask
from core.gpt.knobs import SamplingKnobs, next_token_probabilities, next_token_probabilities_rows
from core.gpt.sampling import validate_prompt
from core.gpt.tokenizer import CharTokenizer
from core.validation import KnobError

VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}  # whitespace drawn so it can be seen (and clicked)
RAW = SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.0)  # temperature 1, nothing cut


def visible(char: str) -> str:
    """A character as shown in a trace: spaces, newlines and tabs made visible."""
    return VISIBLE.get(char, char)


@dataclass
class LayerTrace:
    """One block's tensors for a single text (batch dimension dropped)."""

    q: torch.Tensor  # (H, T, D) after RoPE's rotation
    k: torch.Tensor  # (H, T, D) after RoPE's rotation
    v: torch.Tensor  # (H, T, D)
    heads: torch.Tensor  # (H, T, D) SDPA's output: each head's weighted sum of v
    after_attention: torch.Tensor  # (T, C) residual stream after the attention sub-layer
    mlp: torch.Tensor  # (T, C) the MLP's output, added to the residual stream
    residual: torch.Tensor  # (T, C) residual stream after the block


@dataclass
class Trace:
    """A recorded forward over token ids; `attention` and `scores` compute any query rows from the recorded q, k."""

    ids: list[int]
    embedding: torch.Tensor  # (T, C)
    layers: list[LayerTrace]
    logits: torch.Tensor  # (T, vocab) final logits: row t predicts the token at t + 1
    window: int
    scale: float  # 1 / sqrt(d_k), SDPA's default
    model: GPT  # for the logit lens: its final norm and tied head

    @property
    def nbytes(self) -> int:
        """Memory held by the recorded tensors (caches budget by it)."""
        tensors = [self.embedding, self.logits] + [t for rec in self.layers for t in vars(rec).values()]
        return sum(t.numel() * t.element_size() for t in tensors)

    @property
    def length(self) -> int:
        return len(self.ids)

    def key_range(self, q_from: int, q_to: int) -> tuple[int, int]:
        """Keys that queries q_from .. q_to-1 can reach: at most window-1 back, never ahead."""
        return max(0, q_from - self.window + 1), q_to

    def mask(self, q_from: int, q_to: int) -> torch.Tensor:
        """(Q, K) True where attention is allowed: the model's own sliding-window causal mask."""
        k_from, k_to = self.key_range(q_from, q_to)
        return sliding_window_mask(torch.arange(q_from, q_to), torch.arange(k_from, k_to), self.window)

    def scores(self, layer: int, q_from: int, q_to: int) -> torch.Tensor:
        """(H, Q, K) q.k / sqrt(d_k) before the mask and softmax, keys from key_range(q_from, q_to)[0]."""
        k_from, k_to = self.key_range(q_from, q_to)
        rec = self.layers[layer]
        return (rec.q[:, q_from:q_to] @ rec.k[:, k_from:k_to].transpose(-1, -2)) * self.scale

    def attention(self, layer: int, q_from: int, q_to: int) -> torch.Tensor:
        """(H, Q, K) weights after the mask and softmax (zero where masked); each row sums to 1."""
        scores = self.scores(layer, q_from, q_to).masked_fill(~self.mask(q_from, q_to), float("-inf"))
        return torch.softmax(scores, dim=-1)

    def full_attention(self, layer: int) -> torch.Tensor:
        """(H, T, T) every row of one layer (row i = query i); memory grows with T squared, so for prompts only."""
        T = self.length
        full = torch.zeros(self.layers[0].q.shape[0], T, T)
        for start in range(0, T, self.window):  # a window of queries at a time: the scores stay banded
            end = min(T, start + self.window)
            k_from, _ = self.key_range(start, end)
            full[:, start:end, k_from:end] = self.attention(layer, start, end)
        return full

    @torch.inference_mode()
    def lens_probabilities(self, position: int) -> torch.Tensor:
        """(n_layer, vocab) logit lens at one position: each layer's residual stream through the model's final norm
        and tied head, softmaxed. The last layer's row is the model's own final distribution."""
        residuals = torch.stack([rec.residual[position] for rec in self.layers])
        return torch.softmax(self.model.logits(residuals), dim=-1)

    def lens(self, position: int, top: int = 3) -> list[list[tuple[int, float]]]:
        """Per layer, the `top` (token id, probability) a model stopped after that layer would predict at position."""
        values, indices = torch.topk(self.lens_probabilities(position), top, dim=-1)
        return [list(zip(i, v)) for i, v in zip(indices.tolist(), values.tolist())]


@torch.inference_mode()
def trace_ids(model: GPT, ids: list[int]) -> Trace:
    """Run the model once over ids (one text) with GPT.forward's trace option; keep what the views need."""
    records: list[dict[str, Any]] = []
    idx = torch.tensor(ids, dtype=torch.long)[None]
    logits = model(idx, trace=records)[0]
    layers = [LayerTrace(q=r["q"][0], k=r["k"][0], v=r["v"][0], heads=r["heads"][0],
                         after_attention=r["after_attention"][0], mlp=r["mlp"][0], residual=r["residual"][0])
              for r in records[1:]]
    return Trace(ids=list(ids), embedding=records[0]["embedding"][0], layers=layers, logits=logits,
                 window=model.config.context_length, scale=model.config.head_dim ** -0.5, model=model)


def trace_text(model: GPT, tokenizer: CharTokenizer, text: str, as_prompt: bool = False) -> Trace:
    """Trace a text of known characters. as_prompt=True validates it like the sampler's prompt (the same messages
    for empty, too long or unknown characters); a generated text may be longer than a prompt."""
    if as_prompt:
        text = validate_prompt(text, tokenizer)
    if not text:
        raise KnobError("The text is empty; type at least one character, for example 'ROMEO:'.", "errors.text_empty")
    return trace_ids(model, tokenizer.encode(text))


def recent_tokens(trace: Trace, step: int) -> torch.Tensor:
    """The tokens the repetition penalty looks at when drawing token `step`: the last `window` before it."""
    return torch.tensor(trace.ids[max(0, step - trace.window) : step], dtype=torch.long)


def step_distribution(trace: Trace, step: int, knobs: SamplingKnobs) -> torch.Tensor:
    """(vocab,) the distribution token `step` (1 .. T, T = the next one after the text) was drawn from."""
    recent = recent_tokens(trace, step) if knobs.repetition_penalty != 1.0 else None
    return next_token_probabilities(trace.logits[step - 1], knobs, recent)


def step_distributions(trace: Trace, knobs: SamplingKnobs, start: int = 1) -> torch.Tensor:
    """(steps, vocab) the distributions tokens start .. T-1 were drawn from, all at once through
    next_token_probabilities_rows (the knob arithmetic the sampler uses; one row per step, rows independent)."""
    start = max(start, 1)
    rows = trace.length - start
    logits = trace.logits[start - 1 : trace.length - 1]
    seen = None
    if knobs.repetition_penalty != 1.0:  # the ids in the window before each step
        ids = torch.tensor(trace.ids, dtype=torch.long)
        back = torch.arange(start, trace.length)[:, None] - torch.arange(1, trace.window + 1)[None, :]
        counts = torch.zeros(rows, logits.shape[-1], dtype=torch.long)
        counts.scatter_add_(1, ids[back.clamp_min(0)], (back >= 0).long())
        seen = counts > 0

    def column(value: float, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.full((rows,), value, dtype=dtype)

    return next_token_probabilities_rows(logits, column(knobs.temperature), column(knobs.top_k, torch.long),
                                         column(knobs.top_p), column(knobs.repetition_penalty), seen)


def step_probabilities(trace: Trace, knobs: SamplingKnobs, start: int = 1) -> list[float]:
    """The probability each token from `start` on had when it was drawn (with the knobs, as the sampler did)."""
    probs = step_distributions(trace, knobs, start)
    chosen = torch.tensor(trace.ids[max(start, 1) :], dtype=torch.long)
    return probs.gather(1, chosen[:, None])[:, 0].tolist()


def top_chars(probs: torch.Tensor, tokenizer: CharTokenizer, top: int) -> list[tuple[str, float]]:
    values, indices = torch.topk(probs, min(top, probs.numel()))
    return [(tokenizer.vocab[i], float(p)) for p, i in zip(values.tolist(), indices.tolist())]




def write_json(trace: Trace, tokenizer: CharTokenizer, out: IO[str]) -> None:
    """The trace as one JSON object: tokens, attention [n_layer][n_head][T][T] (row i = query i), logit_lens
    [n_layer] of the top 3 [char, prob] at the last position, next: the top 10 at temperature 1."""
    last = trace.length - 1
    out.write('{"tokens": ' + json.dumps([tokenizer.vocab[i] for i in trace.ids]))
    out.write(', "attention": [')
    for layer in range(len(trace.layers)):  # one layer at a time: a 2 000-character prompt is 24 M floats a layer
        full = torch.round(trace.full_attention(layer).double(), decimals=6)  # float64: prints as 0.915308
        out.write(("," if layer else "") + "[" + ",".join(json.dumps(head.tolist()) for head in full) + "]")
    lens = [[[tokenizer.vocab[i], p] for i, p in layer] for layer in trace.lens(last, 3)]
    nxt = top_chars(step_distribution(trace, trace.length, RAW), tokenizer, 10)
    out.write('], "logit_lens": ' + json.dumps(lens) + ', "next": ' + json.dumps([[c, p] for c, p in nxt]) + "}\n")


def summary(trace: Trace, tokenizer: CharTokenizer) -> str:
    """A readable account of the last position: what each layer would predict, where each layer looks, the next."""
    last, chars = trace.length - 1, [tokenizer.vocab[i] for i in trace.ids]
    lines = [f"{trace.length} characters: {''.join(visible(c) for c in chars)}",
             f"Predicting the character after the last one ({visible(chars[last])!r}, position {last}).", "",
             "layer | logit lens: top 3 if the model stopped here     | most attended (average over heads)"]
    k_from, _ = trace.key_range(last, last + 1)
    for layer, top in enumerate(trace.lens(last, 3)):
        weights = trace.attention(layer, last, last + 1)[:, 0].mean(dim=0)
        values, indices = torch.topk(weights, min(3, weights.numel()))
        lens = ", ".join(f"{visible(tokenizer.vocab[i])} {p:.0%}" for i, p in top)
        looks = ", ".join(f"{visible(chars[k_from + j])}@{k_from + j} {w:.0%}" for w, j in zip(values.tolist(), indices.tolist()))
        lines.append(f"{layer + 1:5d} | {lens:46s} | {looks}")
    nxt = top_chars(step_distribution(trace, trace.length, RAW), tokenizer, 10)
    lines += ["", "next character at temperature 1: " + ", ".join(f"{visible(c)} {p:.1%}" for c, p in nxt)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from core.gpt.io import load_gpt

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--prompt", default="ROMEO:")
    parser.add_argument("--json", action="store_true", help="print one JSON object: tokens, attention, logit_lens, next")
    args = parser.parse_args(argv)
    try:
        loaded = load_gpt(args.checkpoint)
        trace = trace_text(loaded.model, loaded.tokenizer, args.prompt, as_prompt=True)
    except (KnobError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.json:
            write_json(trace, loaded.tokenizer, sys.stdout)
        else:
            print(summary(trace, loaded.tokenizer))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        sys.stdout = None  # type: ignore[assignment]  # nothing left to flush at exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
