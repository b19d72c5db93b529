"""Train the class-conditional DCGAN: `python -m core.gan.train` (Fashion-MNIST from the Debian package) or
`--data DIR` (a folder of images; subfolders named after a class give labels).

Adam (2e-4, beta1 0.5) on the non-saturating GAN loss, a tqdm bar with both losses, an EMA of the generator
(the shipped weights; batch norm re-measured on them at export), a sample grid every epoch, the exported model
(with its GANSpace directions) and the full training state written atomically every --save-every steps and at
each epoch's end, `--resume`, fixed seed: the batch order and the noise of step s depend only on (--seed, s), so a
resumed run computes exactly what an uninterrupted one would. Runs unchanged under `torchrun --nproc_per_node=2`
(DDP, gloo; each process takes every world-th batch of the epoch's shuffle).

"Watch it learn": --snapshots N saves the EMA generator at N evenly spaced steps from 0 to the end under
<state-dir>/snapshots/ and the losses every --log-every steps to <state-dir>/losses.jsonl (core/gan/snapshots.py);
the discriminator is exported beside the generator (--d-out, default <out>-discriminator) at every checkpoint.

A second phase: --init-from DIR starts G, its EMA and D from an exported run (DIR and DIR-discriminator) and counts
steps on from that run's last; --epochs is then the epochs added, and --decay-lr takes the learning rate linearly to 0
over them (a GAN's samples settle when its steps shrink; the first phase's constant rate leaves them oscillating).
"""
from __future__ import annotations

import argparse
import copy
import json
import shlex
import sys
import time
from pathlib import Path

import torch
from PIL import Image
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from core.checkpoints import CheckpointError, load_training_state, save_training_state
from core.distributed import end_processes, start_processes
from core.gan.data import CLASS_NAMES, load_training_images, to_model_tensor
from core.gan.directions import compute_directions
from core.gan.ema import recalibrate_batchnorm, update_ema
from core.gan.images import tile, to_pil
from core.gan.io import load_gan, save_gan
from core.gan.model import Discriminator, GANConfig, Generator, init_weights, num_parameters
from core.gan.model_card import write_gan_card
from core.gan.discriminator import load_discriminator, save_discriminator
from core.gan.snapshots import LOSSES_FILE, snapshot_dir, snapshot_steps, truncate_losses


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="a folder of images instead of Fashion-MNIST")
    p.add_argument("--out", default="checkpoints/gan-fashion", help="model dir for the exported EMA generator")
    p.add_argument("--state-dir", default="runs/gan-fashion", help="training state (for --resume) and per-epoch sample grids")
    p.add_argument("--resume", action="store_true", help="continue from --state-dir")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = run all epochs)")
    p.add_argument("--batch-size", type=int, default=128, help="images per step per process")
    p.add_argument("--z-dim", type=int, default=64)
    p.add_argument("--g-width", type=int, default=48)
    p.add_argument("--d-width", type=int, default=48)
    p.add_argument("--directions", type=int, default=8, help="GANSpace directions stored with the model")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--beta1", type=float, default=0.5)
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--save-every", type=int, default=500, help="steps between checkpoints (also at every epoch's end)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--d-out", default=None, help="model dir for the discriminator (default: <out>-discriminator)")
    p.add_argument("--snapshots", type=int, default=8, help="generator snapshots from step 0 to the end (0 = none)")
    p.add_argument("--log-every", type=int, default=50, help="steps per line of <state-dir>/losses.jsonl")
    p.add_argument("--init-from", help="an exported model dir (with DIR-discriminator) to continue from: a second phase")
    p.add_argument("--decay-lr", action="store_true", help="learning rates linearly to 0 over this run's planned steps")
    p.add_argument("--d-lr", type=float, default=None, help="the discriminator's learning rate (default: --lr)")
    p.add_argument("--warmup-steps", type=int, default=0,
                   help="learning rates rise linearly from 0 over this many steps: a fresh Adam on trained nets otherwise "
                        "moves every weight by a full step at once")
    p.add_argument("--d-warmup", type=int, default=0,
                   help="the first this many steps of the run train D only (G frozen): a discriminator taken from elsewhere "
                        "learns the generator's flaws before G answers it")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    return p.parse_args(argv)


class GANPair(nn.Module):
    """Everything --resume must restore, as one module: generator, discriminator and the EMA generator."""

    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        self.g, self.d = Generator(config), Discriminator(config)
        init_weights(self.g), init_weights(self.d)
        self.ema = copy.deepcopy(self.g)
        for p in self.ema.parameters():
            p.requires_grad_(False)


def export(pair: GANPair, out: str | Path, training: dict, command: str, sample_path: Path | None, seed: int) -> Generator:
    """Recalibrate a copy of the EMA generator, compute its directions, save it with a card and a sample grid."""
    g = recalibrate_batchnorm(copy.deepcopy(pair.ema), seed=seed)
    directions, scales = compute_directions(g, seed=seed)
    g.directions.copy_(directions)
    g.direction_scales.copy_(scales)
    save_gan(out, g, training=training, extra={"train_command": command})
    grid = sample_grid(g)
    grid.save(Path(out) / "samples.png")
    if sample_path is not None:
        sample_path.parent.mkdir(parents=True, exist_ok=True)
        grid.save(sample_path)
    write_gan_card(out)
    return g


@torch.no_grad()
def sample_grid(generator: Generator, per_class: int = 10, seed: int = 0) -> "Image.Image":
    """One row per class (T-shirt/top at the top), `per_class` fixed latents per row."""
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(per_class, generator.config.z_dim, generator=rng).repeat(len(CLASS_NAMES), 1)
    labels = torch.arange(len(CLASS_NAMES)).repeat_interleave(per_class)
    return tile(to_pil(generator.eval()(z, labels)), cols=per_class)


def lr_scale(step: int, start_step: int, planned_steps: int, warmup_steps: int, decay: bool) -> float:
    """The factor on both learning rates at `step`: a linear rise over the first warmup_steps of this run, then 1,
    or with decay a linear fall to 0 at planned_steps."""
    done = step - start_step
    scale = min(1.0, (done + 1) / warmup_steps) if warmup_steps > 0 else 1.0
    if decay:
        scale *= (planned_steps - step) / (planned_steps - start_step)
    return scale


def lr_description(g_lr: float, d_lr: float, warmup_steps: int, decay: bool) -> str:
    rates = f"{g_lr:g}" if g_lr == d_lr else f"G {g_lr:g} / D {d_lr:g}"
    return rates + (f", warmed up over {warmup_steps} steps" if warmup_steps else "") + (", decayed linearly to 0" if decay else "")


def continue_from(pair: GANPair, model_dir: str) -> tuple[int, dict]:
    """Load an exported run into pair (G and EMA from the EMA generator, D from <dir>-discriminator); returns the
    step it ended at and what the next card should say of it."""
    loaded = load_gan(model_dir)
    d_dir = Path(model_dir).with_name(Path(model_dir).name + "-discriminator")
    if loaded.generator.config != pair.g.config:
        raise CheckpointError(f"{model_dir} has model settings {loaded.generator.config}, unlike this run's {pair.g.config}: pass its --g-width/--d-width/--z-dim.")
    pair.g.load_state_dict(loaded.generator.state_dict())
    pair.ema.load_state_dict(loaded.generator.state_dict())
    pair.d.load_state_dict(load_discriminator(d_dir).model.state_dict())
    training = loaded.config.get("training") or {}
    if not isinstance(training.get("steps"), int):
        raise CheckpointError(f"{model_dir}/config.json has no training.steps to continue counting from.")
    earlier = {"from": model_dir, "steps": training["steps"], "train_minutes": training.get("train_minutes"),
               "command": loaded.config.get("train_command", ""), "discriminator": str(d_dir)}
    return training["steps"], earlier


def main(argv: list[str] | None = None) -> Generator:
    args = parse_args(argv)
    processes = start_processes(args.threads)
    distributed, rank, world, is_main = processes.distributed, processes.rank, processes.world, processes.is_main

    data = load_training_images(args.data)
    images, labels = to_model_tensor(data.images), torch.from_numpy(data.labels)
    steps_per_epoch = len(images) // (args.batch_size * world)
    if steps_per_epoch < 1:
        raise SystemExit(f"{len(images)} images are fewer than one batch of {args.batch_size} x {world} process(es); lower --batch-size")

    torch.manual_seed(args.seed)
    config = GANConfig(z_dim=args.z_dim, g_width=args.g_width, d_width=args.d_width, num_directions=args.directions)
    pair = GANPair(config)
    # One Adam over both nets; each phase leaves the other net's grads at None, and Adam skips those.
    d_lr = args.lr if args.d_lr is None else args.d_lr
    optimizer = torch.optim.Adam([{"params": list(pair.g.parameters()), "lr": args.lr}, {"params": list(pair.d.parameters()), "lr": d_lr}],
                                 lr=args.lr, betas=(args.beta1, 0.999))
    step, elapsed, start_step, earlier = 0, 0.0, 0, {}
    if args.resume:
        info, _ = load_training_state(args.state_dir, pair, optimizer)
        step, elapsed, start_step, earlier = info["step"], info["elapsed_s"], info.get("start_step", 0), info.get("earlier", {})
    elif args.init_from:
        try:
            start_step, earlier = continue_from(pair, args.init_from)
        except CheckpointError as exc:
            raise SystemExit(f"error: {exc}") from None
        step = start_step
    planned_steps = start_step + args.epochs * steps_per_epoch  # --decay-lr reaches 0 here, even if --max-steps stops sooner
    total_steps = min(planned_steps, start_step + args.max_steps) if args.max_steps else planned_steps
    if is_main:
        print(f"GAN: G {num_parameters(pair.g):,} / D {num_parameters(pair.d):,} parameters, {len(images):,} images "
              f"({data.source}), {steps_per_epoch} steps an epoch, {world} process(es)", flush=True)

    g = nn.parallel.DistributedDataParallel(pair.g) if distributed else pair.g
    d = nn.parallel.DistributedDataParallel(pair.d) if distributed else pair.d
    command = "python -m core.gan.train " + shlex.join(a for a in (sys.argv[1:] if argv is None else argv) if a != "--resume")
    state_dir = Path(args.state_dir)
    d_out = Path(args.d_out) if args.d_out else Path(args.out).with_name(Path(args.out).name + "-discriminator")
    snapshots_at = set(snapshot_steps(total_steps, args.snapshots, start_step))
    losses_path = state_dir / LOSSES_FILE
    window = {"n": 0, "loss_d": 0.0, "loss_g": 0.0, "d_real": 0.0, "d_fake": 0.0}
    if is_main:
        state_dir.mkdir(parents=True, exist_ok=True)
        truncate_losses(losses_path, step)

    def snapshot() -> None:
        """The EMA generator as it is now (batch norm re-measured), a loadable model dir of its own."""
        g = recalibrate_batchnorm(copy.deepcopy(pair.ema), seed=args.seed)
        save_gan(snapshot_dir(state_dir / "snapshots", step), g,
                 training={"steps": step, "planned_steps": total_steps, "seed": args.seed, "data": data.source},
                 extra={"train_command": command, "snapshot_of_step": step})

    def checkpoint(epoch_done: bool) -> None:
        if not is_main:
            return
        training = {"steps": step, "planned_steps": total_steps, "epochs": round(step / steps_per_epoch, 2), "batch_size": args.batch_size * world,
                    "train_minutes": round(elapsed / 60, 1), "data": data.source, "seed": args.seed,
                    "generator_parameters": num_parameters(pair.g), "discriminator_parameters": num_parameters(pair.d)}
        if earlier:
            training |= {"phase_start_step": start_step, "phase_lr": lr_description(args.lr, d_lr, args.warmup_steps, args.decay_lr),
                         "earlier_phase": earlier}
        grid_path = state_dir / "samples" / f"epoch-{step // steps_per_epoch:03d}.png" if epoch_done else None
        export(pair, args.out, training, command, grid_path, args.seed)
        save_discriminator(d_out, pair.d, config, {}, training | {
            "parameters": num_parameters(pair.d), "command": command, "lr": args.lr,
            "what": "the discriminator of the adversarial run itself, saved with its generator (its batch-norm "
                    "statistics are running averages over the real and the fake batches it saw)."})
        save_training_state(state_dir, pair, optimizer, {"step": step, "elapsed_s": elapsed, "start_step": start_step, "earlier": earlier}, {})

    if is_main and step == start_step and step in snapshots_at:
        snapshot()
    bar = tqdm(total=total_steps, initial=step, disable=not is_main, dynamic_ncols=True, desc="gan")
    order, order_epoch = None, -1
    while step < total_steps:
        started = time.time()
        epoch, index = divmod(step, steps_per_epoch)
        if epoch != order_epoch:  # the epoch's shuffle depends only on (seed, epoch)
            order, order_epoch = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed + epoch)), epoch
        batch = order[(index * world + rank) * args.batch_size:][: args.batch_size]
        real, y = images[batch], labels[batch]
        noise = torch.Generator().manual_seed(args.seed * 1_000_003 + step * world + rank)
        z = torch.randn(len(batch), config.z_dim, generator=noise)
        pair.train()
        scale = lr_scale(step, start_step, planned_steps, args.warmup_steps, args.decay_lr)
        for group, lr in zip(optimizer.param_groups, (args.lr, d_lr)):
            group["lr"] = lr * scale

        fake = g(z, y)
        optimizer.zero_grad(set_to_none=True)
        real_logits = d(real, y)
        loss_real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        loss_real.backward()
        fake_logits = d(fake.detach(), y)
        loss_fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        loss_fake.backward()
        optimizer.step()  # D only: G's grads are None

        optimizer.zero_grad(set_to_none=True)
        gen_logits = d(fake, y)
        loss_g = F.binary_cross_entropy_with_logits(gen_logits, torch.ones_like(gen_logits))
        if step - start_step >= args.d_warmup:
            loss_g.backward()
            for p in pair.d.parameters():
                p.grad = None
            optimizer.step()  # G only
            update_ema(pair.ema, pair.g, step, args.ema_decay)

        step += 1
        elapsed += time.time() - started
        bar.update(1)
        bar.set_postfix(loss_d=f"{(loss_real + loss_fake).item():.3f}", loss_g=f"{loss_g.item():.3f}", epoch=epoch)
        if is_main:
            window["n"] += 1
            window["loss_d"] += (loss_real + loss_fake).item()
            window["loss_g"] += loss_g.item()
            window["d_real"] += torch.sigmoid(real_logits.detach()).mean().item()
            window["d_fake"] += torch.sigmoid(fake_logits.detach()).mean().item()
            if step % args.log_every == 0 or step == total_steps:
                record = {"step": step} | {k: round(v / window["n"], 5) for k, v in window.items() if k != "n"}
                with open(losses_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
                window.update(n=0, loss_d=0.0, loss_g=0.0, d_real=0.0, d_fake=0.0)
            if step in snapshots_at:
                snapshot()
        epoch_done = step % steps_per_epoch == 0
        if epoch_done or step % args.save_every == 0 or step == total_steps:
            checkpoint(epoch_done)
    bar.close()
    end_processes(processes)
    return pair.ema


if __name__ == "__main__":
    main()
