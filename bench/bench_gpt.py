"""GPT sampler benchmark: our sliding-KV-cache sampler vs recomputing the cropped context every token.

python bench/bench_gpt.py [--checkpoint checkpoints/gpt-shakespeare] [--threads 1]

Prints tokens/s of both samplers at 200 and 1 000 new tokens with their ratio, how flat the cached sampler's cost
stays past the context window, and the time to first token for a 200-character prompt; writes the figures to
bench/reports/gpt.json and .md. Targets (issue #2): >= 5x at 1 000 tokens, tokens/s at 1 000 within 20 % of 200,
time to first token under 50 ms.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.gpt.io import load_gpt  # noqa: E402
from core.gpt.model import GPT  # noqa: E402
from core.gpt.sampling import Sampler, SamplingKnobs, next_token_probabilities  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "reports"


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

    context = loaded.model.config.context_length
    lines = [
        f"# GPT sampler benchmark ({loaded.model.num_parameters():,} parameters, context {context}, {args.threads} thread(s))", "",
        "| new tokens | cached sampler tok/s | recompute cropped context tok/s | speed-up (median of paired runs) |", "|---|---|---|---|",
    ]
    for n in (200, 1000):
        lines.append(f"| {n} | {figures[f'cached_tok_s_{n}']:.0f} | {figures[f'recompute_tok_s_{n}']:.0f} | {figures[f'speedup_{n}']:.1f}x |")
    lines += ["", f"- cached tok/s at 1 000 / at 200: {figures['cached_1000_vs_200']:.2f} (target: within 20 %)",
              f"- time to first token, 200-character prompt: {figures['time_to_first_token_ms_200_char_prompt']:.1f} ms (median of 20; target < 50 ms)"]
    report = "\n".join(lines)
    print(report)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "gpt.json").write_text(json.dumps({k: round(v, 3) for k, v in figures.items()}, indent=2) + "\n")
    (REPORTS / "gpt.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
