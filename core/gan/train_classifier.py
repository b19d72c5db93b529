"""Train the feature classifier of the GAN metrics: `python -m core.gan.train_classifier`.

A small CNN on the Fashion-MNIST train split (random horizontal flips), Adam with cosine decay, a tqdm bar; the
model dir (checkpoints/fashion-classifier) gets its test accuracy on the 10 000 test images in config and card.
"""
from __future__ import annotations

import argparse
import math
import shlex
import sys
import time

import torch
import torch.nn.functional as F
from tqdm import tqdm

from core.gan.classifier import ClassifierConfig, FashionClassifier
from core.gan.data import load_fashion_mnist, to_model_tensor
from core.gan.io import save_classifier
from core.gan.model import num_parameters
from core.gan.model_card import write_classifier_card


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/fashion-classifier")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only (quick checks)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    return p.parse_args(argv)


@torch.inference_mode()
def accuracy(model: FashionClassifier, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    model.eval()
    correct = sum((model(images[i : i + batch_size]).argmax(1) == labels[i : i + batch_size]).sum().item()
                  for i in range(0, len(images), batch_size))
    return correct / len(images)


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    x, y = to_model_tensor(train.images), torch.from_numpy(train.labels)
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    x_test, y_test = to_model_tensor(test.images), torch.from_numpy(test.labels)
    model = FashionClassifier(ClassifierConfig(width=args.width))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * math.ceil(len(x) / args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    rng = torch.Generator().manual_seed(args.seed)
    started, train_acc = time.time(), 0.0
    bar = tqdm(total=steps, desc="classifier", dynamic_ncols=True)
    for epoch in range(args.epochs):
        model.train()
        order, correct = torch.randperm(len(x), generator=rng), 0
        for i in range(0, len(x), args.batch_size):
            batch = order[i : i + args.batch_size]
            images = x[batch]
            flip = torch.rand(len(batch), generator=rng) < 0.5
            images = torch.where(flip[:, None, None, None], images.flip(-1), images)
            logits = model(images)
            loss = F.cross_entropy(logits, y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            correct += (logits.argmax(1) == y[batch]).sum().item()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", epoch=epoch)
        train_acc = correct / len(x)
        tqdm.write(f"epoch {epoch + 1}: train accuracy {train_acc:.4f}, test accuracy {accuracy(model, x_test, y_test):.4f}")
    bar.close()
    test_acc = accuracy(model, x_test, y_test)
    command = "python -m core.gan.train_classifier " + shlex.join(sys.argv[1:] if argv is None else argv)
    metrics = {"test_accuracy": round(test_acc, 4), "train_accuracy": round(train_acc, 4), "epochs": args.epochs,
               "train_minutes": round((time.time() - started) / 60, 1), "parameters": num_parameters(model), "command": command}
    save_classifier(args.out, model, metrics)
    write_classifier_card(args.out)
    print(f"test accuracy {test_acc:.4f} -> {args.out}")
    return test_acc


if __name__ == "__main__":
    main()
