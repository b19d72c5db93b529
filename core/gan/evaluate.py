"""Score a GAN checkpoint: `python -m core.gan.evaluate checkpoints/gan-fashion [--samples N] [--write-card]`.

In the feature space of the project's classifier (checkpoints/fashion-classifier), prints:
- the Frechet distance of N generated images (classes balanced, seeds 0..N-1, psi 1) vs the test images, and of N
  real train images vs the same test images beside it, for scale (the ratio is the headline: target at most 5);
- class fidelity: the share of generated images the classifier assigns to the requested class;
- the classifier's own accuracy on the test images (fidelity is judged against it).

`--snapshots DIR` scores every generator snapshot of a training run (core/gan/snapshots.py) the same way, prints
one line per step and writes DIR/fd.json, so the learning curve is measured, not drawn.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import dataclass, asdict
from pathlib import Path

import torch

from core.checkpoints import CheckpointError, load_config, save_config
from core.gan.classifier import FashionClassifier
from core.gan.data import CLASS_NAMES, load_fashion_mnist, to_model_tensor
from core.gan.io import load_classifier, load_gan
from core.gan.metrics import frechet_distance
from core.gan.model import Generator
from core.gan.model_card import write_gan_card


@dataclass
class GANScores:
    fd_generated_vs_test: float
    fd_train_vs_test: float
    fd_ratio: float
    class_fidelity: float
    classifier_test_accuracy: float
    per_class_fidelity: dict[str, float]
    samples: int
    test_images: int
    psi: float


@torch.inference_mode()
def classify(model: FashionClassifier, images: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """(features (N, D), predicted classes (N,)) for images (N, 1, 32, 32) in [-1, 1]."""
    model.eval()
    feats, preds = [], []
    for i in range(0, len(images), batch_size):
        f = model.features(images[i : i + batch_size])
        feats.append(f)
        preds.append(model.head(f).argmax(1))
    return torch.cat(feats), torch.cat(preds)


@torch.inference_mode()
def generate(generator: Generator, count: int, psi: float = 1.0, seed: int = 0, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """count images with classes 0, 1, ..., 9, 0, ... (balanced) and latents from one seeded stream."""
    rng = torch.Generator().manual_seed(seed)
    labels = torch.arange(count) % len(CLASS_NAMES)
    z = torch.randn(count, generator.config.z_dim, generator=rng) * psi
    generator.eval()
    images = torch.cat([generator(z[i : i + batch_size], labels[i : i + batch_size]) for i in range(0, count, batch_size)])
    # Score what the app shows: pixels rounded to 256 grey levels.
    return images.clamp(-1, 1).add(1).mul(127.5).round().div(127.5).sub(1), labels


def score(generator: Generator, classifier: FashionClassifier, samples: int = 10_000, psi: float = 1.0, seed: int = 0) -> GANScores:
    test = load_fashion_mnist("test")
    train = load_fashion_mnist("train")
    n = min(samples, len(test.images))
    test_x, test_y = to_model_tensor(test.images[:n]), torch.from_numpy(test.labels[:n])
    pick = torch.randperm(len(train.images), generator=torch.Generator().manual_seed(seed))[:n].numpy()
    train_x = to_model_tensor(train.images[pick])
    fake_x, fake_y = generate(generator, n, psi, seed)
    test_f, test_p = classify(classifier, test_x)
    train_f, _ = classify(classifier, train_x)
    fake_f, fake_p = classify(classifier, fake_x)
    fd_fake, fd_real = frechet_distance(fake_f, test_f), frechet_distance(train_f, test_f)
    hits = fake_p == fake_y
    per_class = {name: round(hits[fake_y == i].float().mean().item(), 4) for i, name in enumerate(CLASS_NAMES) if (fake_y == i).any()}
    return GANScores(round(fd_fake, 3), round(fd_real, 3), round(fd_fake / max(fd_real, 1e-12), 2),
                     round(hits.float().mean().item(), 4), round((test_p == test_y).float().mean().item(), 4), per_class, n, n, psi)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", nargs="?", default="checkpoints/gan-fashion", help="GAN checkpoint dir")
    p.add_argument("--classifier", default="checkpoints/fashion-classifier", help="feature classifier dir")
    p.add_argument("--samples", type=int, default=10_000, help="generated images (and real images on each side), at most 10 000")
    p.add_argument("--psi", type=float, default=1.0, help="truncation of the generated latents")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write-card", action="store_true",
                   help="store the figures in the checkpoint's config.json and model card (psi 1: the headline; other psi: beside it)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON only")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--snapshots", help="a run's snapshots dir (<state-dir>/snapshots): score each one, write fd.json there")
    return p.parse_args(argv)


def score_snapshots(directory: str, classifier: FashionClassifier, samples: int, psi: float, seed: int) -> list[dict]:
    """FD ratio and fidelity of every snapshot in step order; written to <directory>/fd.json as well."""
    from core.checkpoints import atomic_write_text
    from core.gan.snapshots import load_snapshots

    snapshots = load_snapshots(directory)
    if not snapshots:
        raise CheckpointError(f"{directory} holds no snapshots (step-NNNNNNN dirs): train with --snapshots N")
    results = []
    for step, loaded in snapshots:
        s = score(loaded.generator, classifier, samples, psi, seed)
        results.append({"step": step, "fd_generated_vs_test": s.fd_generated_vs_test, "fd_train_vs_test": s.fd_train_vs_test,
                        "fd_ratio": s.fd_ratio, "class_fidelity": s.class_fidelity})
        print(f"step {step}: FD {s.fd_generated_vs_test:.3f} (ratio {s.fd_ratio:.2f} to real-vs-real), fidelity {s.class_fidelity:.4f}", flush=True)
    command = "python -m core.gan.evaluate --snapshots " + directory + f" --samples {samples} --psi {psi:g} --seed {seed}"
    atomic_write_text(Path(directory) / "fd.json", json.dumps({"command": command, "samples": samples, "snapshots": results}, indent=2))
    return results


def main(argv: list[str] | None = None) -> GANScores | list[dict]:
    args = parse_args(argv)
    if not 2 <= args.samples <= 10_000:
        raise SystemExit(f"--samples must be from 2 to 10000; got {args.samples}")
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.time()
    if args.snapshots:
        try:
            return score_snapshots(args.snapshots, load_classifier(args.classifier).model, args.samples, args.psi, args.seed)
        except CheckpointError as exc:
            raise SystemExit(f"error: {exc}") from None
    loaded, classifier = load_gan(args.checkpoint), load_classifier(args.classifier)
    scores = score(loaded.generator, classifier.model, args.samples, args.psi, args.seed)
    if args.json:
        print(json.dumps(asdict(scores), indent=2))
    else:
        print(f"GAN {args.checkpoint} vs Fashion-MNIST test, features of {args.classifier} ({scores.samples} images a side, psi {scores.psi:g})")
        print(f"  Frechet distance, generated vs test : {scores.fd_generated_vs_test:.3f}")
        print(f"  Frechet distance, real train vs test: {scores.fd_train_vs_test:.3f}  (ratio {scores.fd_ratio:.2f}; target <= 5)")
        print(f"  class fidelity                      : {scores.class_fidelity:.4f}")
        print(f"  classifier accuracy on test images  : {scores.classifier_test_accuracy:.4f}  (target: fidelity >= this)")
        print("  per class fidelity: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.per_class_fidelity.items()))
        print(f"  ({time.time() - started:.0f} s)")
    if args.write_card:
        config = load_config(args.checkpoint)
        figures = asdict(scores) | {"classifier": args.classifier,
                                    "command": "python -m core.gan.evaluate " + shlex.join(a for a in (sys.argv[1:] if argv is None else argv) if a != "--json")}
        metrics = config.get("metrics") or {}
        if args.psi == 1.0:  # the headline figures; a truncated run is kept beside them
            config["metrics"] = figures | ({"truncated": metrics["truncated"]} if "truncated" in metrics else {})
        else:
            config["metrics"] = metrics | {"truncated": figures}
        save_config(args.checkpoint, config)
        write_gan_card(args.checkpoint)
    return scores


if __name__ == "__main__":
    main()
