"""Name the GANSpace direction sliders of a GAN checkpoint: a preview sheet of every direction (a few classes and seeds
walked from -MAX_DIRECTION to +MAX_DIRECTION) to look at, and each direction's measured range, the largest move at
which the feature classifier still recognises the requested class in most samples.

  python -m core.gan.direction_preview checkpoints/gan-fashion --sheet directions.png
  python -m core.gan.direction_preview checkpoints/gan-fashion --write \\
      --names "Width|Length|..." --hints "- narrower, + wider|..."

Measured: for every direction and every move v in 0.5 steps, images of all 10 classes x --seeds seeds at +v and -v
(psi 1, the other directions at 0, pixels rounded to the grey levels the app shows) are classified; the range is the
largest v up to which the share recognised as their class stays at or above --keep (default 0.75: three in four) on both sides. The
share at 0 is the model's class fidelity (about 0.94). --write stores `direction_ranges` (and the names and hints
given) in the checkpoint's config.json, which the Images tab reads (core/gan/io.py direction_labels).
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from core.checkpoints import CONFIG_FILE, CheckpointError
from core.gan.data import CLASS_NAMES
from core.gan.images import to_pil
from core.gan.io import LoadedGAN, direction_labels, load_classifier, load_gan
from core.gan.latent import LatentStudio, seed_to_z
from core.validation import KnobError
from core.limits import MAX_DIRECTION

STEP = 0.5  # the ranges are measured (and written) in these steps
SHEET_VALUES = [-10.0, -8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
SHEET_SAMPLES = [("T-shirt/top", 1), ("Dress", 2), ("Sneaker", 3), ("Bag", 4), ("Coat", 5)]


@torch.inference_mode()
def render(studio: LatentStudio, labels: list[int], seeds: list[int], moves: torch.Tensor) -> torch.Tensor:
    """Images (N, 1, 32, 32) rounded to 256 grey levels (what the app shows), for z = seed's latent + moves[n]."""
    z = torch.stack([seed_to_z(s, studio.z_dim) for s in seeds]) + moves
    onehot = torch.nn.functional.one_hot(torch.tensor(labels), len(CLASS_NAMES)).float()
    images = studio.generator(z, onehot)
    return images.clamp(-1, 1).add(1).mul(127.5).round().div(127.5).sub(1)


@torch.inference_mode()
def recognised(studio: LatentStudio, classifier: torch.nn.Module, seeds: int = 20, step: float = STEP,
               limit: float = MAX_DIRECTION) -> tuple[np.ndarray, np.ndarray]:
    """(values (V,), share (K, V, 2)): for each direction k and move v, the share of images classified as their
    class at -v and at +v (10 classes x `seeds` seeds each)."""
    values = np.arange(0.0, limit + 1e-9, step)
    labels = [c for c in range(len(CLASS_NAMES)) for _ in range(seeds)]
    seed_list = [1000 + s for _ in range(len(CLASS_NAMES)) for s in range(seeds)]
    target = torch.tensor(labels)
    share = np.zeros((len(studio.directions), len(values), 2))
    for k, direction in enumerate(studio.directions):
        for j, v in enumerate(values):
            for side, sign in enumerate((-1.0, 1.0)):
                images = render(studio, labels, seed_list, (sign * float(v) * direction).expand(len(labels), -1))
                share[k, j, side] = (classifier(images).argmax(1) == target).float().mean().item()
    return values, share


def ranges_from(values: np.ndarray, share: np.ndarray, keep: float) -> list[float]:
    """The largest value up to which both sides stay >= keep (at least one STEP, so every slider moves)."""
    out = []
    for k in range(share.shape[0]):
        ok = np.minimum(share[k, :, 0], share[k, :, 1]) >= keep
        bad = np.flatnonzero(~ok)
        last = (bad[0] - 1) if len(bad) else len(values) - 1
        out.append(float(max(values[max(last, 1)], values[1])))
    return out


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


@torch.inference_mode()
def sheet(studio: LatentStudio, names: list[str], ranges: list[float] | None = None, values: list[float] = SHEET_VALUES,
          samples: list[tuple[str, int]] = SHEET_SAMPLES, scale: int = 2) -> Image.Image:
    """Every direction as a block of rows (one per sample) walked along `values`; blocks in two columns. The header
    of a block names the direction and its range; columns outside the range are marked with a red bar."""
    cell, pad, head = 32 * scale, 2, 22
    labels = [CLASS_NAMES.index(c) for c, _ in samples]
    seeds = [s for _, s in samples]
    block_w, block_h = len(values) * (cell + pad), head + len(samples) * (cell + pad) + 8
    cols = 2
    rows = math.ceil(len(names) / cols)
    top = 18
    out = Image.new("RGB", (cols * block_w + 16, top + rows * block_h), "white")
    draw = ImageDraw.Draw(out)
    font, small = _font(15), _font(11)
    draw.text((4, 2), "values: " + "  ".join(f"{v:+g}" for v in values), fill="black", font=small)
    for k, direction in enumerate(studio.directions):
        x0, y0 = (k % cols) * (block_w + 16), top + (k // cols) * block_h
        r = ranges[k] if ranges else None
        title = f"{k + 1}. {names[k]}" + (f"   range ±{r:g}" if r is not None else "")
        draw.text((x0, y0 + 3), title, fill="black", font=font)
        for j, v in enumerate(values):
            moves = (v * direction).expand(len(samples), -1)
            for i, im in enumerate(to_pil(render(studio, labels, seeds, moves))):
                x, y = x0 + j * (cell + pad), y0 + head + i * (cell + pad)
                out.paste(im.resize((cell, cell), Image.NEAREST), (x, y))
            if r is not None and abs(v) > r + 1e-9:
                draw.rectangle([x0 + j * (cell + pad), y0 + head - 4, x0 + j * (cell + pad) + cell, y0 + head - 1], fill="red")
    return out


def write_config(directory: Path, ranges: list[float], names: list[str] | None, hints: list[str] | None) -> None:
    """Store the ranges (and names, hints when given) in config.json, keeping everything else as it was."""
    path = directory / CONFIG_FILE
    config = json.loads(path.read_text())
    config["direction_ranges"] = ranges
    if names:
        config["direction_names"] = names
    if hints:
        config["direction_hints"] = hints
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")


def _split(text: str | None, count: int, what: str) -> list[str] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != count or not all(parts):
        raise KnobError(f"--{what} takes {count} non-empty entries separated by '|'; got {len(parts)}", "errors.cli_entries",
                        what=what, count=count, got=len(parts))
    return parts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", nargs="?", default="checkpoints/gan-fashion", help="GAN checkpoint dir")
    p.add_argument("--classifier", default="checkpoints/fashion-classifier", help="the feature classifier's checkpoint dir")
    p.add_argument("--sheet", default=None, help="write the preview sheet of every direction to this PNG")
    p.add_argument("--values", default=",".join(f"{v:g}" for v in SHEET_VALUES), help="the sheet's columns, comma-separated moves: --values=-4,-2,0,2,4")
    p.add_argument("--seeds", type=int, default=20, help="seeds per class for the measurement (x 10 classes)")
    p.add_argument("--keep", type=float, default=0.75, help="share of images that must still be recognised")
    p.add_argument("--names", default=None, help="new direction names, '|'-separated, in slider order")
    p.add_argument("--hints", default=None, help="a hint per direction (what - and + do), '|'-separated")
    p.add_argument("--write", action="store_true", help="store the measured ranges (and --names/--hints) in config.json")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> list[float]:
    args = parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    try:
        loaded: LoadedGAN = load_gan(args.checkpoint)
        classifier = load_classifier(args.classifier).model.eval()
    except CheckpointError as exc:
        raise SystemExit(f"error: {exc}") from None
    studio = LatentStudio(loaded)
    count = len(studio.directions)
    try:
        names = _split(args.names, count, "names")
        hints = _split(args.hints, count, "hints")
    except KnobError as exc:
        raise SystemExit(f"error: {exc}") from None
    values, share = recognised(studio, classifier, seeds=args.seeds)
    ranges = ranges_from(values, share, args.keep)
    old_names, _, old_ranges = direction_labels(loaded.config, count)
    print(f"share recognised as their class ({10 * args.seeds} images; at 0: {share[0, 0, 1]:.2f}); range = largest move "
          f"with >= {args.keep:g} on both sides")
    print("  direction                      " + " ".join(f"{v:>5g}" for v in values[::2]) + "   range (was)")
    for k in range(count):
        both = np.minimum(share[k, :, 0], share[k, :, 1])
        print(f"  {k + 1}. {(names or old_names)[k][:26]:<26} " + " ".join(f"{s:5.2f}" for s in both[::2])
              + f"   ±{ranges[k]:g} ({old_ranges[k]:g})")
    if args.sheet:
        columns = [float(v) for v in args.values.split(",")]
        sheet(studio, names or old_names, ranges, columns).save(args.sheet)
        print(f"wrote {args.sheet}")
    if args.write:
        write_config(Path(args.checkpoint), ranges, names, hints)
        print(f"wrote direction_ranges{', names' if names else ''}{', hints' if hints else ''} to {Path(args.checkpoint) / CONFIG_FILE}")
    return ranges


if __name__ == "__main__":
    main()
