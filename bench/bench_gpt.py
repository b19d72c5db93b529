"""GPT sampler benchmark: the decode step on ONNX Runtime (what the app, the worker and the CLI run) against the same
step in PyTorch, Hugging Face `LlamaForCausalLM.generate` of the same dimensions, and recomputing the cropped
context every token; continuous batching of 1, 8 and 32 streams; the time to first token.

python bench/bench_gpt.py [--checkpoint checkpoints/gpt-shakespeare] [--threads 1] [--repeats 3]

One stream: tok/s at 200 and 1 000 new tokens through Sampler.generate (prefill, step, knobs and sampling: all of
it), on ONNX Runtime and on PyTorch (GPT.decode, the fallback), side by side with Hugging Face `generate` (a random
LlamaForCausalLM with this model's dimensions: vocabulary, width, layers, heads, MLP width; RoPE, KV cache,
top-k 40 sampling) in the same run. Batched: aggregate tok/s of 1, 8 and 32 streams started together (StreamBatch,
as the text-stream worker runs them) and one batched step's time. Writes bench/reports/gpt.json and .md.
Targets (issue #27): one stream >= 1 500 tok/s at 1 000 tokens (aim 2 000) and >= 5x Hugging Face; 32 streams
>= 8 000 tok/s in all; time to first token for a 200-character prompt < 15 ms. `transformers` is a bench-only
dependency (requirements-bench.txt): without it the Hugging Face column is skipped, with a note.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import write_report  # noqa: E402
from core.gpt.batched_decode import BatchedDecoder, StreamBatch  # noqa: E402
from core.gpt.io import load_gpt  # noqa: E402
from core.gpt.model import GPT  # noqa: E402
from core.gpt.onnx_step import Step, TorchStep, decode_step  # noqa: E402
from core.gpt.sampling import SamplingKnobs, next_token_probabilities  # noqa: E402
from core.gpt.tokenizer import CharTokenizer  # noqa: E402

PROMPTS = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def one_stream(model: GPT, step: Step, ids: list[int], knobs: SamplingKnobs) -> list[int]:
    """Sampler.generate's path (a StreamBatch of one) on the given step."""
    batch = StreamBatch(model, 1, step)
    token, finished = batch.add(0, ids, knobs)
    out = [token]
    while not finished:
        ((_, token, finished),) = batch.step()
        out.append(token)
    return out


@torch.inference_mode()
def recompute_cropped(model: GPT, ids: list[int], knobs: SamplingKnobs) -> list[int]:
    """The nanoGPT sample.py way: run the whole cropped context through the model for every new token."""
    generator = torch.Generator().manual_seed(knobs.seed)
    context = model.config.context_length
    out = list(ids)
    for _ in range(knobs.max_new_tokens):
        logits = model(torch.tensor([out[-context:]]))[0, -1]
        out.append(int(torch.multinomial(next_token_probabilities(logits, knobs), 1, generator=generator)))
    return out


def hugging_face(model: GPT) -> Callable[[list[int], int], object] | str:
    """`generate` of a LlamaForCausalLM with this model's dimensions (random weights: the speed is what counts), or
    why it is skipped."""
    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError:
        return "skipped: transformers is not installed (pip install -r requirements-bench.txt)"
    cfg = model.config
    llama = LlamaForCausalLM(LlamaConfig(vocab_size=cfg.vocab_size, hidden_size=cfg.n_embd, intermediate_size=4 * cfg.n_embd,
                                         num_hidden_layers=cfg.n_layer, num_attention_heads=cfg.n_head,
                                         num_key_value_heads=cfg.n_head, max_position_embeddings=4096,
                                         rope_theta=cfg.rope_base, tie_word_embeddings=True)).eval()

    def generate(ids: list[int], tokens: int) -> object:
        torch.manual_seed(1)
        with torch.inference_mode():
            return llama.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                  max_new_tokens=tokens, min_new_tokens=tokens, do_sample=True, top_k=40, top_p=1.0,
                                  temperature=0.8, pad_token_id=0)

    return generate


def batched_tokens_per_second(model: GPT, tokenizer: CharTokenizer, step: Step, streams: int, tokens: int, repeats: int) -> float:
    """Aggregate tok/s of `streams` streams started together, each making `tokens` characters (median of repeats):
    prefills, batched steps, knobs and sampling, as the text-stream worker runs them."""
    def run() -> None:
        batch = StreamBatch(model, streams, step)
        for i in range(streams):
            batch.add(i, tokenizer.encode(PROMPTS[i % len(PROMPTS)]), SamplingKnobs(max_new_tokens=tokens, seed=i))
        while len(batch):
            batch.step()
    return streams * tokens / median_seconds(run, repeats)


def step_ms(model: GPT, step: Step, rows: int, steps: int = 200) -> float:
    """One batched decode step alone (no sampling), rows past the window, median of 5 runs of `steps` steps."""
    decoder = BatchedDecoder(model, rows, step)
    for row in range(rows):
        decoder.prefill(row, torch.randint(0, model.config.vocab_size, (150,)))
    tokens = torch.randint(0, model.config.vocab_size, (rows,))
    return 1000 * median_seconds(lambda: [decoder.step(tokens) for _ in range(steps)], 5) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app gives each request one)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]  # a shared machine: the figures scale with what else runs
    loaded = load_gpt(args.checkpoint)
    model, tokenizer = loaded.model.eval(), loaded.tokenizer
    start = time.perf_counter()
    onnx = decode_step(model)
    figures: dict[str, float] = {"onnx_session_s": time.perf_counter() - start}
    if onnx.engine != "onnxruntime":
        print("ONNX Runtime is not available: every ONNX figure below is PyTorch's", file=sys.stderr)
    torch_step = TorchStep(model)
    ids = tokenizer.encode("ROMEO:\n")
    hf = hugging_face(model)
    notes: list[str] = []
    for n in (200, 1000):
        knobs = SamplingKnobs(temperature=0.8, top_k=40, top_p=1.0, max_new_tokens=n, seed=1)
        figures[f"onnx_tok_s_{n}"] = n / median_seconds(lambda: one_stream(model, onnx, ids, knobs), args.repeats)
        figures[f"pytorch_tok_s_{n}"] = n / median_seconds(lambda: one_stream(model, torch_step, ids, knobs), args.repeats)
        if callable(hf):
            figures[f"hf_generate_tok_s_{n}"] = n / median_seconds(lambda: hf(ids, n), args.repeats)
    figures["recompute_tok_s_200"] = 200 / median_seconds(
        lambda: recompute_cropped(model, ids, SamplingKnobs(top_k=40, top_p=1.0, max_new_tokens=200, seed=1)), 1)
    if not callable(hf):
        notes.append(f"- Hugging Face generate: {hf}")

    long_prompt = ("ROMEO:\n" + "But soft, what light through yonder window breaks? " * 5)[:200]
    long_ids = tokenizer.encode(long_prompt)
    for name, step in (("onnx", onnx), ("pytorch", torch_step)):
        first = [median_seconds(lambda: StreamBatch(model, 1, step).add(0, long_ids, SamplingKnobs(max_new_tokens=1, seed=s)), 1)
                 for s in range(20)]
        figures[f"{name}_time_to_first_token_ms"] = 1000 * statistics.median(first)

    for streams in (1, 8, 32):
        for name, step in (("onnx", onnx), ("pytorch", torch_step)):
            figures[f"{name}_batched_tok_s_{streams}_streams"] = batched_tokens_per_second(model, tokenizer, step, streams, 300, args.repeats)
            figures[f"{name}_step_ms_{streams}_rows"] = step_ms(model, step, streams)

    figures["load_average_before"], figures["load_average_after"] = load_before, os.getloadavg()[0]
    write_report("gpt", {k: round(v, 3) for k, v in figures.items()}, report(model, args.threads, figures, notes))


def report(model: GPT, threads: int, f: dict[str, float], notes: list[str]) -> str:
    hf = "hf_generate_tok_s_1000" in f
    lines = [f"# GPT sampler benchmark ({model.num_parameters():,} parameters, context {model.config.context_length}, "
             f"{threads} thread(s))", "", "`python bench/bench_gpt.py` (one run, all columns side by side).", "",
             "One stream (Sampler.generate's path: prefill, step, knobs, sampling; temperature 0.8, top-k 40):", "",
             "| new tokens | ONNX Runtime tok/s | PyTorch tok/s | Hugging Face `generate` tok/s | ONNX / Hugging Face |",
             "|---|---|---|---|---|"]
    for n in (200, 1000):
        hf_cell = f"{f[f'hf_generate_tok_s_{n}']:.0f}" if hf else "-"
        ratio = f"{f[f'onnx_tok_s_{n}'] / f[f'hf_generate_tok_s_{n}']:.1f}x" if hf else "-"
        lines.append(f"| {n} | {f[f'onnx_tok_s_{n}']:.0f} | {f[f'pytorch_tok_s_{n}']:.0f} | {hf_cell} | {ratio} |")
    lines += ["", f"- recomputing the cropped context every token (200 new tokens): {f['recompute_tok_s_200']:.0f} tok/s",
              f"- time to first token, 200-character prompt: {f['onnx_time_to_first_token_ms']:.1f} ms on ONNX Runtime, "
              f"{f['pytorch_time_to_first_token_ms']:.1f} ms on PyTorch (median of 20; target < 15 ms)",
              f"- ONNX sessions ready (export on first use, or the cached files): {f['onnx_session_s']:.1f} s",
              *notes, "", "Continuous batching (StreamBatch: streams started together, 300 characters each, prefill and "
              "sampling included):", "",
              "| concurrent streams | ONNX Runtime tok/s in all | PyTorch tok/s in all | one step ONNX Runtime | one step PyTorch |",
              "|---|---|---|---|---|"]
    for s in (1, 8, 32):
        lines.append(f"| {s} | {f[f'onnx_batched_tok_s_{s}_streams']:.0f} | {f[f'pytorch_batched_tok_s_{s}_streams']:.0f} | "
                     f"{f[f'onnx_step_ms_{s}_rows']:.2f} ms | {f[f'pytorch_step_ms_{s}_rows']:.2f} ms |")
    lines += ["", "Targets (issue #27): one stream >= 1 500 tok/s at 1 000 tokens and >= 5x Hugging Face; 32 streams "
              ">= 8 000 tok/s in all; first token < 15 ms.", "",
              f"Load average (1 min) before / after the run: {f['load_average_before']:.2f} / {f['load_average_after']:.2f} "
              f"on {os.cpu_count()} cores."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
