"""Latent-noise tools over a loaded generator: seed -> z, truncation psi, GANSpace direction sliders, spherical
interpolation, grids and animated GIFs. Every knob is validated here (core.validation) with a message that says
what was wrong and what is accepted. Deterministic: the same knobs give the same pixels on the same build.

z for a seed is `torch.randn(z_dim)` from a generator seeded with the seed; psi scales it towards the mean latent
(z = 0, since z ~ N(0, I)); direction i adds `value * directions[i]` (unit vectors, so the value is in standard
deviations of z along that direction) after psi.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any, Sequence

import torch
from cachetools import LRUCache, cachedmethod
from PIL import Image

from core.gan.data import CLASS_NAMES
from core.gan.directions import compute_directions
from core.gan.images import tile, to_pil
from core.gan.images import upscale as _upscale
from core.gan.io import LoadedGAN, direction_labels
from core.limits import MAX_DIRECTION, MAX_GRID_IMAGES, MAX_INTERPOLATION_FRAMES, MAX_PSI, MAX_SEED
from core.validation import KnobError, as_choice, as_float, as_int

RANDOM_CLASS = "random"
CLASS_CHOICES: list[str] = CLASS_NAMES + [RANDOM_CLASS]
DEFAULT_NUM_DIRECTIONS = 8
_RANDOM_CLASS_SALT = 0x5DEECE66D  # keeps the class draw independent of the z draw of the same seed
_CACHE_SIZE = 256
MAX_GIF_SCALE = 32


@dataclass(frozen=True)
class ImageKnobs:
    class_name: str = RANDOM_CLASS
    seed: int = 0
    psi: float = 1.0
    directions: tuple[float, ...] = ()


def validate_class(class_name: Any) -> str:
    return as_choice("class", class_name, CLASS_CHOICES)


def validate_psi(psi: Any) -> float:
    return as_float("psi (truncation)", psi, 0.0, MAX_PSI)


def validate_seed(seed: Any, name: str = "seed") -> int:
    return as_int(name, seed, 0, MAX_SEED)


def validate_image_knobs(class_name: Any = RANDOM_CLASS, seed: Any = 0, psi: Any = 1.0, directions: Any = (),
                         max_directions: int = DEFAULT_NUM_DIRECTIONS) -> ImageKnobs:
    """Check every knob; directions come back padded with zeros to `max_directions` values."""
    if directions is None:
        directions = ()
    if isinstance(directions, (str, bytes)) or not isinstance(directions, Sequence):
        raise KnobError(f"directions must be a list of up to {max_directions} numbers from {-MAX_DIRECTION:g} to {MAX_DIRECTION:g}; "
                        f"got a {type(directions).__name__}.", "errors.directions_type", count=max_directions,
                        low=f"{-MAX_DIRECTION:g}", high=f"{MAX_DIRECTION:g}", kind=type(directions).__name__)
    if len(directions) > max_directions:
        raise KnobError(f"directions takes at most {max_directions} values (one per slider); got {len(directions)}.",
                        "errors.directions_count", count=max_directions, got=len(directions))
    values = tuple(as_float(f"direction {i + 1}", v, -MAX_DIRECTION, MAX_DIRECTION) for i, v in enumerate(directions))
    return ImageKnobs(validate_class(class_name), validate_seed(seed), validate_psi(psi),
                      values + (0.0,) * (max_directions - len(values)))


def seed_to_z(seed: int, z_dim: int) -> torch.Tensor:
    """The latent of a seed: (z_dim,) standard normal, the same for every class and every build."""
    return torch.randn(z_dim, generator=torch.Generator().manual_seed(seed))


def random_class(seed: int) -> int:
    """The class that 'random' means for this seed (uniform over the 10 classes, fixed per seed)."""
    rng = torch.Generator().manual_seed(seed ^ _RANDOM_CLASS_SALT)
    return int(torch.randint(len(CLASS_NAMES), (1,), generator=rng))


def class_index(class_name: str, seed: int) -> int:
    return random_class(seed) if class_name == RANDOM_CLASS else CLASS_NAMES.index(class_name)


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation; exactly a at t=0 and b at t=1; linear when a and b are (nearly) parallel or zero."""
    na, nb = a.norm(), b.norm()
    if na < 1e-8 or nb < 1e-8:
        return a * (1 - t) + b * t
    omega = torch.arccos(torch.clamp((a / na) @ (b / nb), -1.0, 1.0))
    if omega.abs() < 1e-6:
        return a * (1 - t) + b * t
    so = torch.sin(omega)
    return torch.sin((1 - t) * omega) / so * a + torch.sin(t * omega) / so * b


class LatentStudio:
    """The image knobs of the app over one loaded generator. Base latents (seed, class, psi) are cached, so a
    direction-slider move costs one generator call."""

    def __init__(self, loaded: LoadedGAN) -> None:
        self.generator = loaded.generator.eval()
        self.config = loaded.config
        self.z_dim = self.generator.config.z_dim
        directions = self.generator.directions
        if not torch.any(directions):  # an older export without stored directions: compute them once here
            directions, _ = compute_directions(self.generator)
        self.directions = directions.detach().clone()
        # Names, hints and slider ranges live in config.json (named with `python -m core.gan.direction_preview`)
        self.direction_names, self.direction_hints, self.direction_ranges = direction_labels(loaded.config, len(directions))
        self._cache: LRUCache[tuple[int, int, float], torch.Tensor] = LRUCache(maxsize=_CACHE_SIZE)
        self._lock = threading.Lock()  # the app serves several users from one studio

    # ----- knobs -----
    def knobs(self, class_name: Any = RANDOM_CLASS, seed: Any = 0, psi: Any = 1.0, directions: Any = ()) -> ImageKnobs:
        return validate_image_knobs(class_name, seed, psi, directions, len(self.direction_names))

    @cachedmethod(lambda self: self._cache, lock=lambda self: self._lock)
    def base_latent(self, seed: int, label: int, psi: float) -> torch.Tensor:
        return seed_to_z(seed, self.z_dim) * psi

    def latent(self, knobs: ImageKnobs) -> tuple[torch.Tensor, int]:
        """(z, class index) for the knobs (validated again here, so a hand-built ImageKnobs gets the same clear errors)."""
        count = len(self.direction_names)
        directions = knobs.directions
        if isinstance(directions, (tuple, list)) and len(directions) > count:  # zero padding beyond the sliders is harmless
            extra = [as_float(f"direction {count + 1 + i}", v, -MAX_DIRECTION, MAX_DIRECTION) for i, v in enumerate(directions[count:])]
            if any(v != 0.0 for v in extra):
                raise KnobError(f"this model has {count} direction sliders; got a non-zero value for slider {count + 1} or later.",
                                "errors.directions_extra", count=count, next=count + 1)
            directions = directions[:count]
        knobs = validate_image_knobs(knobs.class_name, knobs.seed, knobs.psi, directions, count)
        label = class_index(knobs.class_name, knobs.seed)
        z = self.base_latent(knobs.seed, label, knobs.psi)
        moves = [(i, v) for i, v in enumerate(knobs.directions) if v != 0.0]
        if moves:
            z = z + sum(v * self.directions[i] for i, v in moves)
        return z, label

    # ----- rendering -----
    @torch.inference_mode()
    def _render(self, z: torch.Tensor, weights: torch.Tensor) -> list[Image.Image]:
        """z (N, z_dim), class weights (N, classes) -> images. The single path every image goes through."""
        return to_pil(self.generator(z, weights))

    def _onehot(self, labels: list[int]) -> torch.Tensor:
        return torch.nn.functional.one_hot(torch.tensor(labels), len(CLASS_NAMES)).float()

    def image(self, knobs: ImageKnobs) -> Image.Image:
        """One 32x32 grey image for the knobs (build them with `knobs()` or validate_image_knobs)."""
        if not isinstance(knobs, ImageKnobs):
            raise KnobError(f"image() takes ImageKnobs (see validate_image_knobs); got a {type(knobs).__name__}.",
                            "errors.image_knobs", kind=type(knobs).__name__)
        z, label = self.latent(knobs)
        return self._render(z[None], self._onehot([label]))[0]

    def grid(self, class_name: str, first_seed: int, count: int, psi: float) -> Image.Image:
        """`count` images for seeds first_seed .. first_seed + count - 1 (class 'random': each seed its own class)."""
        return tile(self.grid_images(class_name, first_seed, count, psi)[0])

    def grid_images(self, class_name: str, first_seed: int, count: int, psi: float) -> tuple[list[Image.Image], list[int]]:
        """The grid's images one by one, with each one's class index (to label the tiles)."""
        class_name, psi = validate_class(class_name), validate_psi(psi)
        count = as_int("grid size", count, 1, MAX_GRID_IMAGES)
        first_seed = as_int("first seed", first_seed, 0, MAX_SEED - count + 1)
        seeds = range(first_seed, first_seed + count)
        labels = [class_index(class_name, s) for s in seeds]
        z = torch.stack([self.base_latent(s, lab, psi) for s, lab in zip(seeds, labels)])
        return self._render(z, self._onehot(labels)), labels

    def along_directions(self, knobs: ImageKnobs, moves: Sequence[float]) -> list[tuple[Image.Image, Image.Image]]:
        """For each direction i, the images at -moves[i] and +moves[i] along it from the knobs' class, seed and psi
        (the other directions at 0): the sliders' preview strips, in one generator call."""
        z, label = self.latent(ImageKnobs(knobs.class_name, knobs.seed, knobs.psi))
        if len(moves) != len(self.directions):
            raise KnobError(f"along_directions takes one move per direction ({len(self.directions)}); got {len(moves)}.",
                            "errors.moves_count", count=len(self.directions), got=len(moves))
        steps = torch.tensor([float(as_float(f"move {i + 1}", m, 0.0, MAX_DIRECTION)) for i, m in enumerate(moves)])
        offsets = torch.stack([-steps, steps], 1).reshape(-1, 1) * self.directions.repeat_interleave(2, 0)
        images = self._render(z[None] + offsets, self._onehot([label] * len(offsets)))
        return [(images[2 * i], images[2 * i + 1]) for i in range(len(self.directions))]

    def interpolation(self, seed_a: int, seed_b: int, class_name: str, frames: int, psi: float) -> list[Image.Image]:
        """Frames along the great circle from seed_a's latent to seed_b's (slerp). With class 'random' the two
        seeds' classes may differ, and the class input is blended linearly too. First frame == image(seed_a)."""
        class_name, psi = validate_class(class_name), validate_psi(psi)
        seed_a, seed_b = validate_seed(seed_a, "seed A"), validate_seed(seed_b, "seed B")
        frames = as_int("frames", frames, 2, MAX_INTERPOLATION_FRAMES)
        label_a, label_b = class_index(class_name, seed_a), class_index(class_name, seed_b)
        za, zb = self.base_latent(seed_a, label_a, psi), self.base_latent(seed_b, label_b, psi)
        wa, wb = self._onehot([label_a])[0], self._onehot([label_b])[0]
        return self._path(za, zb, wa, wb, frames)

    def class_interpolation(self, seed: int, class_a: str, class_b: str, frames: int, psi: float) -> list[Image.Image]:
        """One seed morphing from class_a to class_b (the class input blended linearly)."""
        seed, psi = validate_seed(seed), validate_psi(psi)
        class_a, class_b = validate_class(class_a), validate_class(class_b)
        frames = as_int("frames", frames, 2, MAX_INTERPOLATION_FRAMES)
        label_a, label_b = class_index(class_a, seed), class_index(class_b, seed)
        z = self.base_latent(seed, label_a, psi)
        return self._path(z, z, self._onehot([label_a])[0], self._onehot([label_b])[0], frames)

    def _path(self, za: torch.Tensor, zb: torch.Tensor, wa: torch.Tensor, wb: torch.Tensor, frames: int) -> list[Image.Image]:
        out = []
        for i in range(frames):  # one image per call, so each frame equals what image() draws for the same input
            t = i / (frames - 1)
            out += self._render(slerp(za, zb, t)[None], (wa * (1 - t) + wb * t)[None])
        return out


def upscale(image: Image.Image, scale: int) -> Image.Image:
    """Nearest-neighbour enlargement (crisp pixels)."""
    return _upscale(image, as_int("scale", scale, 1, MAX_GIF_SCALE))


def frames_to_gif(frames: list[Image.Image], scale: int = 8, duration_ms: int = 80) -> bytes:
    """An endlessly looping animated GIF of the frames, each upscaled `scale` times (nearest neighbour)."""
    if not frames:
        raise KnobError("frames_to_gif needs at least one frame.", "errors.gif_no_frames")
    scale = as_int("scale", scale, 1, MAX_GIF_SCALE)
    duration_ms = as_int("frame duration (ms)", duration_ms, 20, 10_000)
    big = [_upscale(f.convert("L"), scale) for f in frames]
    buffer = io.BytesIO()
    big[0].save(buffer, format="GIF", save_all=True, append_images=big[1:], duration=duration_ms, loop=0, optimize=False)
    return buffer.getvalue()


__all__ = ["ImageKnobs", "LatentStudio", "validate_image_knobs", "frames_to_gif", "upscale", "seed_to_z", "random_class",
           "slerp", "CLASS_CHOICES", "RANDOM_CLASS"]
