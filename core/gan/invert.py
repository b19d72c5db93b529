"""GAN inversion: search the noise space for the z whose G(z) matches what you have (the idea behind repairing,
sharpening and "project my drawing", as in iGAN). The generator stays frozen; Adam moves z, and optionally the class
weights (softmax of learned logits), to lower

    loss(z) = mean over the visible pixels of (A(G(z)) - y)^2  +  prior * mean(z^2)

where y is what you observed, A the way it was observed (nothing for repair, an average-pool shrink for sharpen) and
the mask says which pixels of y are known: a hidden pixel never enters the loss. The small prior keeps z where the
generator was trained (z ~ N(0, I)), so the search does not wander off to noise that happens to fit the known pixels.

Bad local minima are avoided by the start: many random (z, class) candidates, spread over the classes, are scored
by forward passes alone (no gradients: about a third of the cost of a search step each), and the search runs from
the best one or few (`restarts`, in one batch: rows never mix, since the generator is in eval mode and Adam's
update of a row depends on that row's gradient only). Several observations run in one batch the same way (the CLI).

`python -m core.gan.invert --task repair --mask top-half --n 200 --seed 0 --json` measures the repair against the
mean-image fill and the nearest training image; `--task sharpen --factor 4` measures the PSNR against bicubic.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
import weakref
from dataclasses import dataclass, replace
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from cachetools import FIFOCache

from core.exported import weights_stamp
from core.gan.data import CLASS_NAMES, IMAGE_SIZE
from core.gan.model import Generator
from core.validation import KnobError, as_choice, as_int

MASKS = ("top-half", "left-half", "centre-square", "random-pixels")
FACTORS = (2, 4)  # 16x16 and 8x8 observed images
MAX_STEPS = 500
MAX_RESTARTS = 16
MAX_CANDIDATES = 1024
SCAN_CHUNK = 64  # candidates per forward pass of the scan: the first chunk's best is what a page shows first


@dataclass(frozen=True)
class Settings:
    """How the search runs. The defaults are what the measurements in docs/gan_apps.md used."""

    steps: int = 200
    candidates: int = 256  # random (z, class) starts scored by forward passes alone; the best `restarts` are searched
    restarts: int = 1
    lr: float = 0.15
    prior: float = 1e-2
    every: int = 10  # a Progress every `every` steps (and at the last)
    learn_class: bool = True  # also move the class weights (softmax of logits), starting from each restart's class
    seed: int = 0

    def checked(self) -> "Settings":
        as_int("steps", self.steps, 1, MAX_STEPS)
        as_int("restarts", self.restarts, 1, MAX_RESTARTS)
        as_int("candidates", self.candidates, self.restarts, MAX_CANDIDATES)
        as_int("every", self.every, 1, MAX_STEPS)
        return self


@dataclass(frozen=True)
class Observation:
    """What the search must match: pixels (1, 1, s, s) in [-1, 1] with s = 32 // factor, a mask of the same shape
    (1 = known, 0 = hidden) and the shrink factor (1: the pixels are the 32x32 image itself). `label`: the class if it
    is known (the search then keeps it), else None."""

    pixels: torch.Tensor
    mask: torch.Tensor
    factor: int = 1
    label: int | None = None

    def shrink(self, images: torch.Tensor) -> torch.Tensor:
        """A: the observation operator (average over factor x factor blocks, the way the image was shrunk)."""
        return shrink(images, self.factor)


@dataclass
class Progress:
    """The search after `step` steps: the best restart's current image (1, 1, 32, 32) in [-1, 1], its loss, the loss
    curve so far (the best restart's loss at each step) and its class weights."""

    step: int
    steps: int
    image: torch.Tensor
    loss: float
    curve: list[float]
    weights: torch.Tensor
    z: torch.Tensor
    done: bool = False
    seconds: float = 0.0

    @property
    def class_index(self) -> int:
        return int(self.weights.argmax())


def shrink(images: torch.Tensor, factor: int) -> torch.Tensor:
    """(N, 1, 32, 32) -> (N, 1, 32 / factor, 32 / factor) by block averages."""
    return images if factor == 1 else F.avg_pool2d(images, factor)


class FrozenGenerator:
    """G as the search uses it: eval mode, batch norm folded into the weights, and each transposed convolution as
    one matrix product and a col2im (F.fold). The same images to float rounding; but torch's own transposed
    convolution is slow at batch 1 on one CPU thread, where the page's search runs, and this takes a step's time
    down to about its matrix products (bench/bench_invert.py compares the two). Batches (the scan, the CLI) go to
    torch's own G, which is fast there. Its weights never ask for gradients (the search moves z and the class
    weights only). It also keeps the scan's candidate images (a fixed function of the seed), so a later search with
    the same seed skips the scan's forward passes. Build it with `frozen(generator)`, which builds it again when the
    generator's weights change."""

    MAX_CACHED = 32  # scan chunks kept: 4 chunks of 64 per (seed, class) used

    def __init__(self, generator: Generator) -> None:
        with torch.no_grad():
            linear, _, norm, _ = generator.stem
            scale, shift = _batch_norm_affine(norm)
            channels = norm.num_features
            self.channels = channels
            stem = linear.weight.view(channels, 16, -1) * scale[:, None, None]  # rows: channel by channel, 16 pixels each
            self.stem_weight = stem.reshape(channels * 16, -1).contiguous()
            self.stem_bias = shift.repeat_interleave(16).contiguous()
            self.layers: list[tuple[torch.Tensor, torch.Tensor, bool]] = []  # (weight (c_out*16, c_in), bias, ReLU?)
            for conv, norm, _ in generator.body:
                scale, shift = _batch_norm_affine(norm)
                weight = _as_matrix(conv.weight * scale[None, :, None, None])
                self.layers.append((weight, shift.view(1, -1, 1, 1).contiguous(), True))
            head = generator.head[0]
            self.layers.append((_as_matrix(head.weight), head.bias.view(1, -1, 1, 1).clone(), False))
        self.stamp = weights_stamp(generator)
        self.generator = weakref.ref(generator)  # not a strong one: frozen()'s table must not keep G alive
        self.cache: FIFOCache[tuple, torch.Tensor] = FIFOCache(maxsize=self.MAX_CACHED)
        self.lock = threading.Lock()

    def __call__(self, z: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim), class weights (N, classes) -> images (N, 1, 32, 32) in [-1, 1], as generator(z, weights)
        in eval mode. A batch (the scan, the CLI) goes to torch's own G, which is fast there."""
        if len(z) > 1:
            return self._batched(z, weights)
        size = 4
        h = F.linear(torch.cat([z, weights], 1), self.stem_weight, self.stem_bias).relu().view(1, self.channels, 16)
        for weight, bias, relu in self.layers:
            size *= 2
            out = F.fold(torch.matmul(weight, h), (size, size), 4, stride=2, padding=1) + bias
            h = out.relu().flatten(2) if relu else out
        return torch.tanh(h)

    def _batched(self, z: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        generator = self.generator()
        assert generator is not None, "the generator is gone"
        was_training = generator.training
        generator.eval()
        try:
            return generator(z, weights)
        finally:
            generator.train(was_training)

    def cached(self, key: tuple, make: Callable[[], torch.Tensor]) -> tuple[torch.Tensor, bool]:
        """(make()'s tensor, whether it was already kept) for a key; the oldest key goes past MAX_CACHED. Two
        searches run at once on the page (threads): the table changes under a lock, make() runs outside it."""
        with self.lock:
            if key in self.cache:
                return self.cache[key], True
        value = make()
        with self.lock:
            self.cache[key] = value
        return value, False


_FROZEN: "weakref.WeakKeyDictionary[Generator, FrozenGenerator]" = weakref.WeakKeyDictionary()


def frozen(generator: Generator) -> FrozenGenerator:
    """The generator's FrozenGenerator, built once and again only when its weights change (loaded or trained)."""
    kept = _FROZEN.get(generator)
    if kept is None or kept.stamp != weights_stamp(generator):
        kept = _FROZEN[generator] = FrozenGenerator(generator)
    return kept


def _batch_norm_affine(norm: torch.nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """Eval-mode batch norm as x * scale + shift per channel."""
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return scale, norm.bias - norm.running_mean * scale


def _as_matrix(weight: torch.Tensor) -> torch.Tensor:
    """A transposed convolution's weight (c_in, c_out, 4, 4) as the matrix (c_out * 16, c_in) that F.fold expects."""
    return weight.reshape(weight.shape[0], -1).t().contiguous()


def make_mask(name: str, seed: int = 0) -> torch.Tensor:
    """A preset (1, 1, 32, 32) mask, 1 = visible: the named part hidden (random-pixels hides 70 % of pixels)."""
    name = as_choice("mask", name, list(MASKS))
    mask = torch.ones(1, 1, IMAGE_SIZE, IMAGE_SIZE)
    half, quarter = IMAGE_SIZE // 2, IMAGE_SIZE // 4
    if name == "top-half":
        mask[..., :half, :] = 0
    elif name == "left-half":
        mask[..., :, :half] = 0
    elif name == "centre-square":
        mask[..., quarter:IMAGE_SIZE - quarter, quarter:IMAGE_SIZE - quarter] = 0
    else:
        rng = torch.Generator().manual_seed(seed)
        mask = (torch.rand(1, 1, IMAGE_SIZE, IMAGE_SIZE, generator=rng) >= 0.7).float()
    return mask


def candidates(z_dim: int, count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(z (count, z_dim), class logits (count, classes)) of the random starts: z ~ N(0, I) for the seed; start k is
    class k mod 10 (its logit 3 above the others, so another class can still win while the search moves them)."""
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(count, z_dim, generator=rng)
    classes = len(CLASS_NAMES)
    logits = 3.0 * F.one_hot(torch.arange(count) % classes, classes).float()
    return z, logits


def scan(generator: Generator, observations: list[Observation], settings: Settings) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The starts of the search, settings.restarts per observation (rows i * restarts ...): the candidates with the
    lowest loss, scored by forward passes without gradients (a forward costs about a third of a search step, so
    scanning many starts is far cheaper than searching from each). Yields the best starts so far after each
    SCAN_CHUNK candidates it had to draw, so a page can show the first one at once, and always after the last; the
    drawn candidates are kept (FrozenGenerator.cached), so a later scan with the same seed only scores them. An
    observation with a known class scores candidates of that class only."""
    fast = frozen(generator)
    z_all, logits_all = candidates(generator.config.z_dim, settings.candidates, settings.seed)
    classes = len(CLASS_NAMES)
    labels = sorted({obs.label for obs in observations if obs.label is not None})
    if any(obs.label is None for obs in observations):
        labels.append(None)
    scores: list[list[torch.Tensor]] = [[] for _ in observations]
    for first in range(0, len(z_all), SCAN_CHUNK):
        z, logits = z_all[first:first + SCAN_CHUNK], logits_all[first:first + SCAN_CHUNK]
        scored, drawn = {}, False
        for label in labels:
            weights = (torch.softmax(logits, 1) if label is None
                       else F.one_hot(torch.full((len(z),), label), classes).float())
            with torch.no_grad():
                scored[label], kept = fast.cached((settings.seed, len(z_all), first, label), lambda: fast(z, weights))
            drawn = drawn or not kept
        seen = first + len(z)
        starts_z, starts_logits = [], []
        for i, obs in enumerate(observations):
            images = scored[obs.label]
            err = torch.where(obs.mask > 0, obs.shrink(images) - obs.pixels, 0.0).pow(2).flatten(1).sum(1) / obs.mask.sum().clamp_min(1.0)
            scores[i].append(err + settings.prior * z.pow(2).mean(1))
            keep = torch.cat(scores[i]).topk(min(settings.restarts, seen), largest=False).indices
            keep = keep.repeat((settings.restarts + len(keep) - 1) // len(keep))[:settings.restarts]  # fewer seen than restarts
            starts_z.append(z_all[keep])
            starts_logits.append(logits_all[keep] if obs.label is None else
                                 30.0 * F.one_hot(torch.full((len(keep),), obs.label), classes).float())
        if drawn or seen == len(z_all):
            yield torch.cat(starts_z), torch.cat(starts_logits)


def best_starts(generator: Generator, observations: list[Observation], settings: Settings) -> tuple[torch.Tensor, torch.Tensor]:
    """scan's final choice: the best settings.restarts of all the candidates, per observation."""
    *_, last = scan(generator, observations, settings)
    return last


def search(generator: Generator, observations: list[Observation], settings: Settings = Settings()) -> Iterator[list[Progress]]:
    """The inversion of several observations at once (each with settings.restarts starts, all in one batch): yields
    one Progress per observation for the chosen starts (step 0), every settings.every steps and after the last
    (done=True). The generator is frozen (FrozenGenerator); its gradients are never computed."""
    settings = settings.checked()
    started = time.perf_counter()
    n, r = len(observations), settings.restarts
    fast = frozen(generator)
    data_loss = DataLoss(observations, r)
    for z, logits in scan(generator, observations, settings):  # step 0: the best start so far
        yield _progress(fast, data_loss, settings, z, logits, [[] for _ in observations], 0, started)
    z = z.clone().requires_grad_(True)
    learn_class = settings.learn_class and any(obs.label is None for obs in observations)
    fixed = torch.tensor([obs.label is not None for obs in observations]).repeat_interleave(r)
    logits = logits.clone().requires_grad_(learn_class)
    # fused: one kernel for the update, half the cost of torch's default one at this size
    optimiser = torch.optim.Adam([z, logits] if learn_class else [z], lr=settings.lr, fused=True)
    curves: list[list[float]] = [[] for _ in observations]
    for step in range(1, settings.steps + 1):
        optimiser.zero_grad(set_to_none=True)
        weights = torch.softmax(logits, 1)
        images = fast(z, weights)
        per_row = data_loss(images) + settings.prior * z.pow(2).mean(1)
        per_row.sum().backward()
        if learn_class and logits.grad is not None:
            logits.grad[fixed] = 0
        # Cosine decay to zero: big moves while the search is far off, then it settles instead of rattling around
        # the minimum (a constant rate left the last steps' loss jumping).
        optimiser.param_groups[0]["lr"] = settings.lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / settings.steps))
        optimiser.step()
        losses = per_row.detach().view(n, r)
        best = losses.argmin(1)
        for i, value in enumerate(losses.gather(1, best[:, None])[:, 0].tolist()):
            curves[i].append(value)
        if step % settings.every == 0 or step == settings.steps:
            done = step == settings.steps
            rows = torch.arange(n) * r + best
            yield [Progress(step, settings.steps, images.detach()[row:row + 1], curves[i][-1], list(curves[i]),
                            weights.detach()[row], z.detach()[row].clone(), done, time.perf_counter() - started)
                   for i, row in enumerate(rows.tolist())]


@torch.no_grad()
def _progress(fast: FrozenGenerator, data_loss: "DataLoss", settings: Settings, z: torch.Tensor, logits: torch.Tensor,
              curves: list[list[float]], step: int, started: float) -> list[Progress]:
    """Each observation's best row now, drawn by one forward pass (the starts, before the search moves them)."""
    n, r = len(curves), settings.restarts
    weights = torch.softmax(logits, 1)
    images = fast(z, weights)
    losses = (data_loss(images) + settings.prior * z.pow(2).mean(1)).view(n, r)
    best = losses.argmin(1)
    rows = (torch.arange(n) * r + best).tolist()
    return [Progress(step, settings.steps, images[row:row + 1], float(losses[i, best[i]]), list(curves[i]), weights[row],
                     z[row].clone(), False, time.perf_counter() - started) for i, row in enumerate(rows)]


class DataLoss:
    """Per row (observation x restart): the mean squared error over that observation's visible pixels only. Set up
    once per search (targets, masks and row numbers per shrink factor), so a step only shrinks, subtracts and sums.
    A hidden pixel's value is dropped here, before any step (even a NaN there never reaches the loss)."""

    def __init__(self, observations: list[Observation], restarts: int) -> None:
        self.rows = len(observations) * restarts
        self.parts: list[tuple[torch.Tensor | None, int, torch.Tensor, torch.Tensor, torch.Tensor]] = []
        factors = sorted({obs.factor for obs in observations})
        for factor in factors:
            index = [i for i, obs in enumerate(observations) if obs.factor == factor]
            rows = (torch.tensor(index)[:, None] * restarts + torch.arange(restarts)).reshape(-1)
            mask = torch.cat([observations[i].mask for i in index]).repeat_interleave(restarts, 0)
            pixels = torch.cat([observations[i].pixels for i in index]).repeat_interleave(restarts, 0)
            target = torch.where(mask > 0, pixels, 0.0)
            inverse = 1 / mask.flatten(1).sum(1).clamp_min(1.0)
            self.parts.append((None if len(factors) == 1 else rows, factor, target, mask, inverse))

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        out = None if len(self.parts) == 1 else images.new_zeros(self.rows)
        for rows, factor, target, mask, inverse in self.parts:
            seen = shrink(images if rows is None else images[rows], factor)
            err = ((seen - target) * mask).square().flatten(1).sum(1) * inverse
            if out is None:
                return err
            out = out.index_put((rows,), err)
        return out


def invert(generator: Generator, observation: Observation, settings: Settings = Settings(),
           on_progress: Callable[[Progress], None] | None = None) -> Progress:
    """One inversion; `on_progress` is called every settings.every steps (for streaming). Returns the last Progress."""
    last = None
    for (progress,) in search(generator, [observation], settings):
        if on_progress is not None:
            on_progress(progress)
        last = progress
    assert last is not None
    return last


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB of two images in [-1, 1] (peak 2: the full range)."""
    mse = float((a - b).pow(2).mean())
    return math.inf if mse == 0 else 10 * math.log10(4.0 / mse)


def bicubic(small: torch.Tensor, size: int = IMAGE_SIZE) -> torch.Tensor:
    """Plain bicubic upscaling of (N, 1, s, s) to size x size, clipped to [-1, 1]: the baseline sharpen beats."""
    return F.interpolate(small, size=(size, size), mode="bicubic", align_corners=False).clamp(-1, 1)


# ----- the measurements (the CLI) ----------------------------------------------------------------------------------
def _held_out(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n test images (the generator never saw them) picked with the seed, as model tensors, and their labels."""
    from core.gan.data import load_fashion_mnist, to_model_tensor

    test = load_fashion_mnist("test")
    picks = np.random.default_rng(seed).choice(len(test.labels), n, replace=False)
    return to_model_tensor(test.images[picks]), torch.from_numpy(test.labels[picks])


def _classifier_agreement(classifier: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.inference_mode():
        return float((classifier(images).argmax(1) == labels).float().mean())


def _run_batches(generator: Generator, observations: list[Observation], settings: Settings, batch: int) -> torch.Tensor:
    """Every observation's final image, `batch` observations per search (one search would need too much memory)."""
    out = []
    for first in range(0, len(observations), batch):
        last = None
        for last in search(generator, observations[first:first + batch], settings):
            pass
        out += [p.image for p in last]
    return torch.cat(out)


def measure_repair(generator: Generator, classifier: torch.nn.Module, n: int, mask_name: str, seed: int,
                   settings: Settings, batch: int = 20, nearest_chunk: int = 10_000) -> dict[str, float]:
    """Masked-region MSE (pixels in [-1, 1], 32x32) of the GAN repair, the mean training image's pixels and the
    nearest training image by the visible pixels; the classifier's agreement with the true class on each repair."""
    from core.gan.data import load_fashion_mnist, to_model_tensor

    images, labels = _held_out(n, seed)
    mask = make_mask(mask_name, seed)
    hidden = 1 - mask
    train = to_model_tensor(load_fashion_mnist("train").images)  # (60 000, 1, 32, 32)
    mean_image = train.mean(0, keepdim=True)
    observations = [Observation(images[i:i + 1] * mask, mask) for i in range(n)]
    repaired = _run_batches(generator, observations, settings, batch)
    nearest = _nearest(train, images, mask, nearest_chunk)

    def hidden_mse(x: torch.Tensor) -> float:
        return float(((x - images) * hidden).pow(2).sum() / (hidden.sum() * n))

    def filled(x: torch.Tensor) -> torch.Tensor:  # the known pixels as they were, the hidden ones from x
        return images * mask + x * hidden

    return {"gan_mse": hidden_mse(repaired), "mean_image_mse": hidden_mse(mean_image.expand_as(images)),
            "nearest_neighbour_mse": hidden_mse(nearest),
            "gan_vs_mean_image": hidden_mse(repaired) / hidden_mse(mean_image.expand_as(images)),
            "gan_vs_nearest_neighbour": hidden_mse(repaired) / hidden_mse(nearest),
            "classifier_agreement_gan": _classifier_agreement(classifier, filled(repaired), labels),
            "classifier_agreement_nearest_neighbour": _classifier_agreement(classifier, filled(nearest), labels),
            "classifier_agreement_masked_input": _classifier_agreement(classifier, images * mask + -1 * hidden, labels),
            "classifier_agreement_original": _classifier_agreement(classifier, images, labels)}


def _nearest(train: torch.Tensor, images: torch.Tensor, mask: torch.Tensor, chunk: int) -> torch.Tensor:
    """For each image, the training image closest on the visible pixels (squared distance)."""
    visible = mask.flatten().bool()
    queries = images.flatten(1)[:, visible]
    best_d = torch.full((len(images),), math.inf)
    best_i = torch.zeros(len(images), dtype=torch.long)
    for first in range(0, len(train), chunk):
        block = train[first:first + chunk].flatten(1)[:, visible]
        d = torch.cdist(queries, block).pow(2)
        value, index = d.min(1)
        better = value < best_d
        best_d[better], best_i[better] = value[better], index[better] + first
    return train[best_i]


def measure_sharpen(generator: Generator, classifier: torch.nn.Module, n: int, factor: int, seed: int,
                    settings: Settings, batch: int = 20) -> dict[str, float]:
    """PSNR (dB, against the original 32x32) of the GAN's sharpened image and of bicubic upscaling of the shrunk
    image; the classifier's agreement with the true class on each."""
    images, labels = _held_out(n, seed)
    small = shrink(images, factor)
    ones = torch.ones_like(small[:1])
    sharpened = _run_batches(generator, [Observation(small[i:i + 1], ones, factor) for i in range(n)], settings, batch)
    cubic = bicubic(small)
    mean_psnr = lambda x: float(np.mean([psnr(x[i], images[i]) for i in range(n)]))  # noqa: E731
    return {"gan_psnr_db": mean_psnr(sharpened), "bicubic_psnr_db": mean_psnr(cubic),
            "gan_better_than_bicubic": float(np.mean([psnr(sharpened[i], images[i]) > psnr(cubic[i], images[i]) for i in range(n)])),
            "classifier_agreement_gan": _classifier_agreement(classifier, sharpened, labels),
            "classifier_agreement_bicubic": _classifier_agreement(classifier, cubic, labels),
            "classifier_agreement_original": _classifier_agreement(classifier, images, labels)}


def measure_speed(generator: Generator, settings: Settings, repeats: int = 5) -> dict[str, float]:
    """One 200-step inversion of a top-half repair on one thread, the median of `repeats` runs: the whole run and the
    time to the first Progress (what the page streams first) with the scan's candidates already drawn (as the page
    runs it: it draws them at start-up), and cold (the candidates dropped first); the thread's CPU time as well."""
    torch.set_num_threads(1)
    image = torch.zeros(1, 1, IMAGE_SIZE, IMAGE_SIZE)
    mask = make_mask("top-half")
    for _ in search(generator, [Observation(image, mask)], replace(settings, steps=2)):  # the first backward loads code
        pass
    figures: dict[str, float] = {}
    for name, cold in (("", False), ("cold_", True)):
        runs, firsts, cpus = [], [], []
        for _ in range(repeats):
            if cold:
                frozen(generator).cache.clear()
            first = None
            started, cpu = time.perf_counter(), time.thread_time()
            for _ in search(generator, [Observation(image, mask)], settings):
                first = first if first is not None else time.perf_counter() - started
            runs.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
            firsts.append(first or 0.0)
        figures |= {f"{name}inversion_s": float(np.median(runs)), f"{name}first_progress_s": float(np.median(firsts)),
                    f"{name}inversion_cpu_s": float(np.median(cpus))}
    return figures | {"steps": settings.steps, "restarts": settings.restarts}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=["repair", "sharpen", "speed"], required=True)
    p.add_argument("--mask", choices=MASKS, default="top-half")
    p.add_argument("--factor", type=int, choices=FACTORS, default=4)
    p.add_argument("--n", type=int, default=200, help="held-out test images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=Settings.steps)
    p.add_argument("--restarts", type=int, default=Settings.restarts)
    p.add_argument("--candidates", type=int, default=Settings.candidates)
    p.add_argument("--lr", type=float, default=Settings.lr)
    p.add_argument("--prior", type=float, default=Settings.prior)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--checkpoints", default="checkpoints")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    from core.gan.io import load_classifier, load_gan

    generator = load_gan(f"{args.checkpoints}/gan-fashion").generator
    settings = Settings(steps=args.steps, restarts=args.restarts, candidates=args.candidates, lr=args.lr, prior=args.prior, seed=args.seed)
    started = time.perf_counter()
    try:
        if args.task == "speed":
            figures = measure_speed(generator, settings)
        else:
            classifier = load_classifier(f"{args.checkpoints}/fashion-classifier").model.eval()
            figures = (measure_repair(generator, classifier, args.n, args.mask, args.seed, settings) if args.task == "repair"
                       else measure_sharpen(generator, classifier, args.n, args.factor, args.seed, settings))
    except (KnobError, FileNotFoundError) as exc:
        sys.exit(f"error: {exc}")
    report = {"task": args.task, "n": args.n, "seed": args.seed, "mask": args.mask if args.task == "repair" else None,
              "factor": args.factor if args.task == "sharpen" else None, "settings": settings.__dict__,
              "threads": args.threads, "figures": {k: round(v, 4) for k, v in figures.items()},
              "seconds": round(time.perf_counter() - started, 1)}
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report["figures"].items():
            print(f"{key:40s} {value}")


if __name__ == "__main__":
    main()
