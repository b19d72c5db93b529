"""The GAN's second player, D(x | y): the probability that an image x of class y is a real Fashion-MNIST image.

The shipped generator checkpoint holds only the EMA generator (core/gan/io.py); the discriminator it was trained
against was kept only in the training state, which was not shipped. So the verdict shown in the app comes from a
discriminator of the SAME architecture (core.gan.model.Discriminator) trained here, after the fact, against the
frozen shipped generator: `python -m core.gan.discriminator --steps 1500`. It is a fair judge of that generator's
images (it is trained on exactly them) but it is not the discriminator of the adversarial game; the card says so.
A run of core.gan.train now saves its own discriminator beside the generator (`export_discriminator`).

Real and fake images go through D in one batch while it trains, so its batch-norm statistics (used as running
averages at inference) describe the mixture it judges, not a batch of one kind. A few of the fakes in each batch
(--noise-fraction) are random-noise images rather than G's: trained on G's samples alone, D had never seen anything
but clothes and called uniform noise 0.99 real (tests/test_gan_game.py checks that it no longer does).
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from core.checkpoints import CheckpointError, build_from_dir, save_model_dir
from core.gan.data import CLASS_NAMES, load_fashion_mnist, to_model_tensor
from core.gan.io import load_gan
from core.gan.model import Discriminator, GANConfig, Generator, init_weights, num_parameters

DISCRIMINATOR_TYPE = "cond-dcgan-discriminator"


@dataclass
class LoadedDiscriminator:
    model: Discriminator  # eval mode, no grads
    config: dict[str, Any]
    path: Path


def save_discriminator(directory: str | Path, model: Discriminator, gan_config: GANConfig, metrics: dict[str, Any],
                       training: dict[str, Any]) -> None:
    config = {"model_type": DISCRIMINATOR_TYPE, "model": gan_config.to_dict(), "class_names": CLASS_NAMES,
              "metrics": metrics, "training": training}
    save_model_dir(directory, config, model.state_dict(), discriminator_card(config))


def load_discriminator(directory: str | Path) -> LoadedDiscriminator:
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory: train one with `python -m core.gan.discriminator`.")
    model, config = build_from_dir(directory, DISCRIMINATOR_TYPE, lambda c: Discriminator(GANConfig.from_dict(c["model"])))
    assert isinstance(model, Discriminator)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return LoadedDiscriminator(model, config, directory)


@torch.inference_mode()
def verdict(model: Discriminator, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """D(x | y) in [0, 1] for images (N, 1, 32, 32) in [-1, 1] and class indices (N,)."""
    return torch.sigmoid(model.eval()(images, labels))


@torch.inference_mode()
def held_out_scores(model: Discriminator, generator: Generator, real: torch.Tensor, real_labels: torch.Tensor, seed: int = 99) -> dict[str, float]:
    """Mean D on held-out real images and on as many fresh generated ones, and how often D's 0.5 threshold is right."""
    rng = torch.Generator().manual_seed(seed)
    fake_labels = torch.arange(len(real)) % len(CLASS_NAMES)
    fake = generator.eval()(torch.randn(len(real), generator.config.z_dim, generator=rng), fake_labels)
    p_real, p_fake = verdict(model, real, real_labels), verdict(model, fake, fake_labels)
    p_noise = verdict(model, torch.rand(real.shape, generator=rng) * 2 - 1, real_labels)  # uniform noise, full frame
    accuracy = ((p_real > 0.5).float().mean() + (p_fake <= 0.5).float().mean()) / 2
    return {"mean_d_real_test": round(p_real.mean().item(), 4), "mean_d_generated": round(p_fake.mean().item(), 4),
            "mean_d_uniform_noise": round(p_noise.mean().item(), 4),
            "accuracy_at_half": round(accuracy.item(), 4), "images_each": len(real)}


def discriminator_card(config: dict[str, Any]) -> str:
    t, m = config["training"], config["metrics"]
    return "\n".join([
        "---", "license: mit", "library_name: pytorch", "tags: [gan, discriminator, fashion-mnist, playground]", "---", "",
        "# gan-fashion-discriminator: D(x | y) for the gan-fashion generator", "",
        "The projection discriminator of core/gan/model.py (strided convolutions, LeakyReLU, batch norm, a real/fake "
        f"score plus a class projection), {t.get('parameters', 0):,} parameters. Output: the probability that a 32x32 "
        "image of the given class is a real Fashion-MNIST image.", "",
        f"**What it is:** {t.get('what', '')}", "",
        f"- Trained with: `{t.get('command', '?')}` ({t.get('steps', '?')} steps of batch {t.get('batch_size', '?')} real + "
        f"as many generated, {t.get('train_minutes', '?')} minutes on a 2-core CPU).",
        f"- Held out ({m.get('images_each', '?')} Fashion-MNIST test images and as many new generated images): mean D "
        f"on real {m.get('mean_d_real_test', '?')}, on generated {m.get('mean_d_generated', '?')}, on uniform-noise "
        f"images {m.get('mean_d_uniform_noise', '?')}; "
        f"D right at the 0.5 threshold {m.get('accuracy_at_half', '?')} of the time.", "",
        "Data: Fashion-MNIST (Zalando Research, MIT licence).", ""])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--generator", default="checkpoints/gan-fashion", help="the frozen generator D learns to judge")
    p.add_argument("--out", default="checkpoints/gan-fashion-discriminator")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--noise-fraction", type=float, default=0.125, help="share of each fake batch that is random noise images")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=0)
    return p.parse_args(argv)


def noise_images(n: int, rng: torch.Generator) -> torch.Tensor:
    """n images of pixel noise at random brightness (N, 1, 32, 32) in [-1, 1]; every other one inside the black
    2-pixel frame that real (padded) images have."""
    x = (torch.rand(n, 1, 32, 32, generator=rng) * torch.rand(n, 1, 1, 1, generator=rng)) * 2 - 1
    x[1::2, :, :2], x[1::2, :, -2:], x[1::2, :, :, :2], x[1::2, :, :, -2:] = -1, -1, -1, -1
    return x


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.time()
    loaded = load_gan(args.generator)
    g, config = loaded.generator.eval(), GANConfig.from_dict(loaded.config["model"])
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    images, labels = to_model_tensor(train.images), torch.from_numpy(train.labels).long()
    torch.manual_seed(args.seed)
    d = Discriminator(config)
    init_weights(d)
    optimiser = torch.optim.Adam(d.parameters(), lr=args.lr, betas=(0.5, 0.999))
    rng = torch.Generator().manual_seed(args.seed)
    n = args.batch_size
    for step in range(1, args.steps + 1):
        pick = torch.randint(0, len(images), (n,), generator=rng)
        fake_y = torch.randint(0, len(CLASS_NAMES), (n,), generator=rng)
        with torch.no_grad():
            fake = g(torch.randn(n, config.z_dim, generator=rng), fake_y)
        k = round(n * args.noise_fraction)
        if k:
            fake[:k] = noise_images(k, rng)
        d.train()
        logits = d(torch.cat([images[pick], fake]), torch.cat([labels[pick], fake_y]))
        loss = F.softplus(-logits[:n]).mean() + F.softplus(logits[n:]).mean()  # -log D(x) - log(1 - D(G(z)))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if step % 100 == 0 or step == args.steps:
            print(f"step {step}: D loss {loss.item():.4f}", flush=True)
    d.eval()
    test_x, test_y = to_model_tensor(test.images[:2000]), torch.from_numpy(test.labels[:2000]).long()
    metrics = held_out_scores(d, g, test_x, test_y)
    training = {"steps": args.steps, "batch_size": n, "lr": args.lr, "noise_fraction": args.noise_fraction, "seed": args.seed, "parameters": num_parameters(d),
                "train_minutes": round((time.time() - started) / 60, 1), "generator": args.generator,
                "command": "python -m core.gan.discriminator " + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
                "what": "trained after the fact against the frozen shipped EMA generator, on Fashion-MNIST train images, "
                        f"with a few random-noise images among the fakes ({args.noise_fraction:.0%} of each fake batch); not "
                        "the adversarial game's own D (that one judged the raw generator of the run's last steps, not the "
                        "averaged one the app shows, and never saw noise)."}
    save_discriminator(args.out, d, config, metrics, training)
    print(json.dumps(metrics))
    return metrics


if __name__ == "__main__":
    main()
