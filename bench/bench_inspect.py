"""Inside-the-GPT benchmark: what a trace costs, and what the per-character probabilities add to generating.

python bench/bench_inspect.py [--checkpoint checkpoints/gpt-shakespeare] [--threads 1]

1. One trace (core.gpt.inspect.trace_ids: the model's forward with its trace option) of a 128-character prompt,
   alone and with one query row of attention for every layer (what a click on a character needs): p50 / p95
   (target: under 30 ms).
2. Per-character probabilities: generate 200 and 1 000 new characters with the sampler, then time one traced forward
   over prompt + text and, apart, step_probabilities for every generated character from its logits, each as a share
   of the generation time: the sampler's tokens/s divided by (1 + share) is what you get with them (target: under
   5 %). The Inside view needs the traced forward anyway (every click slices it); the probabilities alone are one
   next_token_probabilities_rows call.

Writes bench/reports/inspect.json and .md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import call_times_ms, percentile, write_report  # noqa: E402
from core.gpt.inspect import step_probabilities, trace_ids  # noqa: E402
from core.gpt.io import load_gpt  # noqa: E402
from core.gpt.sampling import Sampler, SamplingKnobs  # noqa: E402

PROMPT = ("ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"
          "Arise, fair sun, and kill the envious moon,\nWho is")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app gives each request one)")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    loaded = load_gpt(args.checkpoint)
    model, tokenizer = loaded.model, loaded.tokenizer
    prompt = PROMPT[: model.config.context_length]
    ids = tokenizer.encode(prompt)
    last = len(ids) - 1

    def trace_and_rows(_: int) -> None:
        trace = trace_ids(model, ids)
        for layer in range(len(trace.layers)):
            trace.attention(layer, last, last + 1)
        trace.lens(last)

    trace_ms = call_times_ms(lambda i: trace_ids(model, ids), args.calls, warmup=5)
    view_ms = call_times_ms(trace_and_rows, args.calls, warmup=5)
    report: dict[str, object] = {
        "threads": args.threads, "prompt_chars": len(ids),
        "trace_ms": {"p50": round(statistics.median(trace_ms), 2), "p95": round(percentile(trace_ms, 0.95), 2)},
        "trace_with_rows_and_lens_ms": {"p50": round(statistics.median(view_ms), 2), "p95": round(percentile(view_ms, 0.95), 2)},
        "probabilities": [],
    }
    sampler = Sampler(model, tokenizer)
    for new in (200, 1000):
        knobs = SamplingKnobs(temperature=0.8, top_k=40, top_p=0.95, max_new_tokens=new, seed=1)
        generate_s, trace_s, probs_s = [], [], []
        for _ in range(args.repeats):  # each set back to back: a slow spell on the shared machine slows all of it
            start = time.perf_counter()
            text = "ROMEO:\n" + sampler.generate("ROMEO:\n", knobs)
            generate_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            trace = trace_ids(model, tokenizer.encode(text))
            trace_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            step_probabilities(trace, knobs, start=len("ROMEO:\n"))
            probs_s.append(time.perf_counter() - start)
        extra_s = [t + p for t, p in zip(trace_s, probs_s)]
        shares = sorted(e / g for g, e in zip(generate_s, extra_s))
        prob_shares = sorted(p / g for g, p in zip(generate_s, probs_s))
        report["probabilities"].append({  # type: ignore[union-attr]
            "new_chars": new, "generate_s": round(statistics.median(generate_s), 3),
            "tokens_per_s": round(new / statistics.median(generate_s), 1),
            "trace_s": round(statistics.median(trace_s), 4), "probabilities_s": round(statistics.median(probs_s), 4),
            "trace_and_probabilities_s": round(statistics.median(extra_s), 3),
            "share_of_generation": round(statistics.median(shares), 4),
            "probabilities_share_of_generation": round(statistics.median(prob_shares), 4)})
    rows = [f"| {p['new_chars']} | {p['tokens_per_s']} | {p['generate_s'] * 1000:.0f} ms | {p['trace_s'] * 1000:.0f} ms | "
            f"{p['probabilities_s'] * 1000:.1f} ms | {p['probabilities_share_of_generation']:.1%} | {p['share_of_generation']:.1%} |"
            for p in report["probabilities"]]  # type: ignore[union-attr]
    t, v = report["trace_ms"], report["trace_with_rows_and_lens_ms"]
    text = "\n".join([
        f"# Inside the GPT ({args.threads} thread(s), {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end)", "",
        f"- one trace of a {len(ids)}-character prompt: p50 {t['p50']} ms, p95 {t['p95']} ms (target < 30 ms)",  # type: ignore[index]
        f"- the same plus one attention row per layer and the logit lens (a click's model work): p50 {v['p50']} ms, "  # type: ignore[index]
        f"p95 {v['p95']} ms", "",
        "| new characters | sampler tok/s | generation | traced forward over prompt + text | per-character probabilities "
        "from its logits | probabilities / generation (target < 5 %) | forward + probabilities / generation |",
        "|---|---|---|---|---|---|---|", *rows, "",
        "Reproduce: `python bench/bench_inspect.py`", ""])
    write_report("inspect", report, text)


if __name__ == "__main__":
    main()
