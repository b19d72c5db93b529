"""Validation metrics of a GPT checkpoint: `python -m core.gpt.evaluate checkpoints/gpt-shakespeare`.

Two ways to score the held-out text, printed side by side:
- cropped windows: non-overlapping windows of `context` characters, each scored on its own (the usual estimate;
  the first characters of each window see little context);
- sliding window: the whole text streamed through the KV cache, so every character sees the previous `context`
  characters at every layer: exactly what the sampler computes when it writes long texts (on the sampler's own
  step: ONNX Runtime, or PyTorch without it, core/gpt/onnx_step.py).
"""
from __future__ import annotations

import argparse
import json
import math

import torch
import torch.nn.functional as F

from core.gpt.kv_cache import KVCache
from core.gpt.model import GPT
from core.gpt.onnx_step import decode_step


@torch.inference_mode()
def window_loss(model: GPT, data: torch.Tensor, context: int, max_windows: int | None = None, batch_size: int = 32) -> float:
    """Mean next-character loss (nats) over non-overlapping windows; `max_windows` evenly spaced ones if given."""
    model.eval()
    starts = torch.arange(0, len(data) - context - 1, context)
    if max_windows is not None and len(starts) > max_windows:
        starts = starts[torch.linspace(0, len(starts) - 1, max_windows).long()]
    total, count = 0.0, 0
    offsets = torch.arange(context + 1)
    for i in range(0, len(starts), batch_size):
        windows = data[starts[i : i + batch_size, None] + offsets[None, :]]
        logits = model(windows[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1), reduction="sum").item()
        count += windows[:, 1:].numel()
    return total / count


@torch.inference_mode()
def sliding_loss(model: GPT, data: torch.Tensor) -> float:
    """Mean next-character loss (nats) streaming the text through the sliding KV cache, chunk by chunk."""
    model.eval()
    cache = KVCache(model, step=decode_step(model))
    chunk = model.config.context_length
    total = 0.0
    for i in range(0, len(data) - 1, chunk):
        inputs, targets = data[i : min(i + chunk, len(data) - 1)], data[i + 1 : min(i + chunk, len(data) - 1) + 1]
        logits = cache.forward(inputs[None, :])
        total += F.cross_entropy(logits[0], targets, reduction="sum").item()
    return total / (len(data) - 1)


def update_card(checkpoint: str, figures: dict, loaded) -> None:
    """Merge the measured figures into config.json's metrics and rewrite README.md with a fresh sample."""
    from core.checkpoints import load_config, save_config
    from core.gpt.model_card import write_gpt_card
    from core.gpt.knobs import SamplingKnobs
    from core.gpt.sampling import Sampler

    config = load_config(checkpoint)
    config["metrics"] = {**config.get("metrics", {}), **figures}
    save_config(checkpoint, config)
    sample = "ROMEO:" + Sampler(loaded.model, loaded.tokenizer).generate("ROMEO:", SamplingKnobs(temperature=0.8, top_k=40, seed=1))
    write_gpt_card(checkpoint, sample)


def main(argv: list[str] | None = None) -> None:
    from core.gpt.data import load_shakespeare, load_text_file
    from core.gpt.io import load_gpt

    parser = argparse.ArgumentParser(description="Print validation loss (nats/char), bits/char and perplexity of a GPT checkpoint.")
    parser.add_argument("checkpoint", nargs="?", default="checkpoints/gpt-shakespeare")
    parser.add_argument("--data", help="score the held-out 10%% of this text file instead of the Shakespeare validation plays")
    parser.add_argument("--max-tokens", type=int, default=None, help="score only the first N validation characters (quick check)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--update-card", action="store_true", help="store the figures in config.json and rewrite the model card (with a sample)")
    args = parser.parse_args(argv)

    loaded = load_gpt(args.checkpoint)
    corpus = load_text_file(args.data) if args.data else load_shakespeare()
    val = torch.tensor(loaded.tokenizer.encode(corpus.val_text), dtype=torch.long)
    if args.max_tokens:
        val = val[: args.max_tokens + 1]
    context = loaded.model.config.context_length
    cropped = window_loss(loaded.model, val, context)
    sliding = sliding_loss(loaded.model, val)
    figures = {
        "validation_chars": len(val) - 1,
        "val_loss_sliding": round(sliding, 4),
        "val_loss_cropped_windows": round(cropped, 4),
        "bits_per_char": round(sliding / math.log(2), 4),
        "perplexity": round(math.exp(sliding), 3),
        "parameters": loaded.model.num_parameters(),
    }
    if args.update_card:
        update_card(args.checkpoint, figures, loaded)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.checkpoint}: {figures['parameters']:,} parameters, {figures['validation_chars']:,} held-out characters ({corpus.source})")
    print(f"  validation loss, sliding window : {sliding:.4f} nats/char  ({figures['bits_per_char']:.4f} bits/char, perplexity {figures['perplexity']:.3f})")
    print(f"  validation loss, cropped windows: {cropped:.4f} nats/char  (sliding - cropped = {sliding - cropped:+.4f})")


if __name__ == "__main__":
    main()
