"""Draw from a GAN checkpoint: one image, a grid, or an interpolation GIF.

  python -m core.gan.sample --class Sneaker --seed 3 --psi 0.7 --out sneaker.png
  python -m core.gan.sample --class Sneaker --seed 3 --direction 2.5 --direction 0 --direction -1 --out moved.png
  python -m core.gan.sample --class random --seed 0 --grid 64 --out grid.png
  python -m core.gan.sample --class Bag --seed 1 --to-seed 2 --frames 24 --out bag.gif
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from core.checkpoints import CheckpointError
from core.gan.io import load_gan
from core.gan.latent import CLASS_CHOICES, LatentStudio, frames_to_gif, upscale
from core.validation import KnobError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="checkpoints/gan-fashion", help="GAN checkpoint dir")
    p.add_argument("--class", dest="class_name", default="random", help=f"one of: {', '.join(CLASS_CHOICES)} (any case)")
    p.add_argument("--seed", default="0", help="latent seed, 0 .. 2**32-1 (first seed of a grid or interpolation)")
    p.add_argument("--psi", default="1.0", help="truncation: 0 = the mean latent (fidelity) .. 1 = the full spread .. 2")
    p.add_argument("--direction", action="append", default=[], help="a GANSpace slider value (repeat for sliders 1, 2, ...)")
    p.add_argument("--grid", type=int, default=0, help="draw a grid of this many seeds instead of one image")
    p.add_argument("--to-seed", default=None, help="interpolate from --seed to this seed and write an animated GIF")
    p.add_argument("--frames", default="24", help="frames of an interpolation")
    p.add_argument("--scale", type=int, default=1, help="nearest-neighbour upscaling of the PNG/GIF")
    p.add_argument("--out", required=True, help="output .png (image, grid) or .gif (interpolation)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)
    out = Path(args.out)
    try:
        studio = LatentStudio(load_gan(args.checkpoint))
        if args.to_seed is not None:
            frames = studio.interpolation(args.seed, args.to_seed, args.class_name, args.frames, args.psi)
            out.write_bytes(frames_to_gif(frames, scale=max(args.scale, 1)))
        else:
            if args.grid:
                image: Image.Image = studio.grid(args.class_name, args.seed, args.grid, args.psi)
            else:
                image = studio.image(studio.knobs(args.class_name, args.seed, args.psi, args.direction))
            upscale(image, args.scale).save(out)
    except (KnobError, CheckpointError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
