"""GPT sampler benchmark: our sliding-KV-cache sampler vs recomputing the cropped context every token, and
continuous batching (many streams advancing in one decode step each).

python bench/bench_gpt.py [--checkpoint checkpoints/gpt-shakespeare] [--threads 1]

Prints tokens/s of both samplers at 200 and 1 000 new tokens with their ratio, how flat the cached sampler's cost
stays past the context window, the time to first token for a 200-character prompt, and the aggregate tokens/s of
1, 8 and 32 concurrent streams through core/gpt/batched_decode.py's StreamBatch (prefill, batched step, per-row
knobs and sampling: all of it), with a single batched step's time; writes the figures to bench/reports/gpt.json
and .md. Targets: >= 5x at 1 000 tokens, tokens/s at 1 000 within 20 % of 200, time to first token under 50 ms
(issue #2); one stream >= 600 tok/s at 1 000 tokens, 32 streams >= 4 000 tok/s in all (issue #14).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import write_report  # noqa: E402
from core.gpt.batched_decode import BatchedDecoder, StreamBatch  # noqa: E402
from core.gpt.io import load_gpt  # noqa: E402
from core.gpt.model import GPT  # noqa: E402
from core.gpt.sampling import Sampler, SamplingKnobs, next_token_probabilities  # noqa: E402



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


def paired_tokens_per_second(cached, recompute, tokens: int, repeats: int) -> tuple[float, float, float]:
    """Median tok/s of each sampler and the median of their per-pair ratios. The two runs of a pair follow each
    other, so a slow spell on a shared machine slows both sides of a ratio, not just one."""
    cached_s, recompute_s = [], []
    for _ in range(repeats):
        for run, times in ((cached, cached_s), (recompute, recompute_s)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    ratios = [r / c for c, r in zip(cached_s, recompute_s)]
    return tokens / statistics.median(cached_s), tokens / statistics.median(recompute_s), statistics.median(ratios)


PROMPTS = ["ROMEO:\n", "JULIET:\nO Romeo, Romeo", "To be, or not to be", "KING LEAR:\nBlow, winds,", "First Citizen:\n"]


def batched_tokens_per_second(model: GPT, tokenizer, streams: int, tokens: int, repeats: int) -> float:
    """Aggregate tok/s of `streams` streams started together, each making `tokens` characters (median of repeats):
    prefills, batched steps, knobs and sampling, as the text-stream worker runs them."""
    times = []
    for _ in range(repeats):
        batch = StreamBatch(model, streams)
        start = time.perf_counter()
        for i in range(streams):
            batch.add(i, tokenizer.encode(PROMPTS[i % len(PROMPTS)]), SamplingKnobs(max_new_tokens=tokens, seed=i))
        while len(batch):
            batch.step()
        times.append(time.perf_counter() - start)
    return streams * tokens / statistics.median(times)


def step_ms(model: GPT, rows: int, steps: int = 200) -> float:
    """One batched decode step alone (no sampling), rows past the window, median of 5 runs of `steps` steps."""
    decoder = BatchedDecoder(model, rows)
    for row in range(rows):
        decoder.prefill(row, torch.randint(0, model.config.vocab_size, (150,)))
    tokens = torch.randint(0, model.config.vocab_size, (rows,))
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(steps):
            decoder.step(tokens)
        runs.append((time.perf_counter() - start) / steps * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app gives each request one)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    loaded = load_gpt(args.checkpoint)
    sampler = Sampler(loaded.model, loaded.tokenizer)
    prompt = "ROMEO:\n"
    ids = loaded.tokenizer.encode(prompt)
    figures: dict[str, float] = {}
    for n in (200, 1000):
        knobs = SamplingKnobs(temperature=0.8, top_k=40, top_p=1.0, max_new_tokens=n, seed=1)
        figures[f"cached_tok_s_{n}"], figures[f"recompute_tok_s_{n}"], figures[f"speedup_{n}"] = paired_tokens_per_second(
            lambda: sampler.generate(prompt, knobs), lambda: recompute_cropped(loaded.model, ids, knobs), n, args.repeats)
    figures["cached_1000_vs_200"] = figures["cached_tok_s_1000"] / figures["cached_tok_s_200"]

    long_prompt = (loaded.tokenizer.decode(ids) + "But soft, what light through yonder window breaks? " * 5)[:200]
    first_token = []
    for seed in range(20):
        start = time.perf_counter()
        next(sampler.stream(long_prompt, SamplingKnobs(max_new_tokens=1, seed=seed)))
        first_token.append(time.perf_counter() - start)
    figures["time_to_first_token_ms_200_char_prompt"] = 1000 * statistics.median(first_token)

    for streams in (1, 8, 32):
        figures[f"batched_tok_s_{streams}_streams"] = batched_tokens_per_second(loaded.model, loaded.tokenizer, streams, 300, args.repeats)
        figures[f"step_ms_{streams}_rows"] = step_ms(loaded.model, streams)

    context = loaded.model.config.context_length
    lines = [
        f"# GPT sampler benchmark ({loaded.model.num_parameters():,} parameters, context {context}, {args.threads} thread(s))", "",
        "| new tokens | cached sampler tok/s | recompute cropped context tok/s | speed-up (median of paired runs) |", "|---|---|---|---|",
    ]
    for n in (200, 1000):
        lines.append(f"| {n} | {figures[f'cached_tok_s_{n}']:.0f} | {figures[f'recompute_tok_s_{n}']:.0f} | {figures[f'speedup_{n}']:.1f}x |")
    lines += ["", f"- cached tok/s at 1 000 / at 200: {figures['cached_1000_vs_200']:.2f} (target: within 20 %)",
              f"- time to first token, 200-character prompt: {figures['time_to_first_token_ms_200_char_prompt']:.1f} ms (median of 20; target < 50 ms)",
              "", "Continuous batching (StreamBatch: streams started together, 300 characters each, prefill and sampling included):", "",
              "| concurrent streams | tok/s in all | tok/s per stream | one batched step (no sampling) |", "|---|---|---|---|"]
    for streams in (1, 8, 32):
        total = figures[f"batched_tok_s_{streams}_streams"]
        lines.append(f"| {streams} | {total:.0f} | {total / streams:.0f} | {figures[f'step_ms_{streams}_rows']:.2f} ms |")
    lines += ["", f"- 32 streams / 1 stream: {figures['batched_tok_s_32_streams'] / figures['batched_tok_s_1_streams']:.1f}x the "
              "characters per second (targets: >= 4 000 tok/s at 32; one stream >= 600 tok/s at 1 000 tokens, the table above)"]
    report = "\n".join(lines)
    write_report("gpt", {k: round(v, 3) for k, v in figures.items()}, report)


if __name__ == "__main__":
    main()
