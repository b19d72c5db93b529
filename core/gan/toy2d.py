"""A GAN small enough to train live in front of you, on 2-D points (GAN Lab style): G and D are small MLPs.

G(z) maps 2-D gaussian noise to a point in the plane; D(x) is the probability that a point is real. Each update
takes `d_steps` steps of D on max_D E[log D(x)] + E[log(1 - D(G(z)))] and then one step of G (non-saturating: G
maximises E[log D(G(z))]; or least squares, Mao et al. 2017). Everything the live view draws comes from here:
`Toy2DGAN.view()` returns the real and fake points, D on a grid (the decision surface), the direction in which G's
loss pushes each of a sample of fake points (minus its gradient with respect to the point), and the curves. How far
the fake points are from the real ones is the energy distance (Szekely & Rizzo): 2E|X-Y| - E|X-X'| - E|Y-Y'|, zero
only when the two distributions are equal, computed on fixed held-out sets of real points and noise.

CLI (prints `divergence energy distance: start A end B` as its last line):
    python -m core.gan.toy2d --data ring --steps 2000 --seed 0
Deterministic for a seed (one thread, all randomness from seeded torch.Generators).
"""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import torch
from torch import nn
import torch.nn.functional as F

from core.limits import MAX_SEED  # one seed range everywhere
from core.validation import KnobError, as_choice, as_float, as_int

DATASETS = ["ring", "grid", "spiral", "moons"]
LOSSES = ["non-saturating", "least-squares"]
OPTIMISERS = ["adam", "sgd"]
METRIC = "energy distance"
VIEW_RANGE = 3.0  # the view (and D's heat map) covers [-3, 3] x [-3, 3]
LR_RANGE = (1e-5, 1.0)
MAX_D_STEPS = 10
MANIFOLD_Z = 2.0  # G's manifold is drawn for noise z in [-2, 2]^2 (z ~ N(0, I): ~95 % of draws in each direction)
EVAL_POINTS = 512  # held-out real points and noise for the divergence


def _ring(n: int, rng: torch.Generator) -> torch.Tensor:
    angle = torch.randint(0, 8, (n,), generator=rng).float() * (2 * math.pi / 8)
    centres = 2.0 * torch.stack([angle.cos(), angle.sin()], 1)
    return centres + 0.08 * torch.randn(n, 2, generator=rng)


def _grid(n: int, rng: torch.Generator) -> torch.Tensor:
    centres = torch.tensor([-1.6, 0.0, 1.6])
    ij = torch.randint(0, 3, (n, 2), generator=rng)
    return centres[ij] + 0.08 * torch.randn(n, 2, generator=rng)


def _spiral(n: int, rng: torch.Generator) -> torch.Tensor:
    t = 0.25 + 0.75 * torch.rand(n, generator=rng)  # one and a half turns, radius 0.5 .. 2.2
    angle, radius = 3 * math.pi * t, 2.3 * t
    return torch.stack([radius * angle.cos(), radius * angle.sin()], 1) + 0.06 * torch.randn(n, 2, generator=rng)


def _moons(n: int, rng: torch.Generator) -> torch.Tensor:
    t = math.pi * torch.rand(n, generator=rng)
    upper = torch.rand(n, generator=rng) < 0.5
    x = torch.where(upper, t.cos(), 1 - t.cos())
    y = torch.where(upper, t.sin(), 0.5 - t.sin())
    points = torch.stack([x - 0.5, y - 0.25], 1) * 1.5
    return points + 0.06 * torch.randn(n, 2, generator=rng)


SAMPLERS: dict[str, Callable[[int, torch.Generator], torch.Tensor]] = {"ring": _ring, "grid": _grid, "spiral": _spiral, "moons": _moons}


def sample_real(data: str, n: int, rng: torch.Generator) -> torch.Tensor:
    """n points (n, 2) of a data set, all inside the view."""
    return SAMPLERS[as_choice("data set", data, DATASETS)](n, rng)


def energy_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """2E|A-B| - E|A-A'| - E|B-B'| over all pairs (>= 0; 0 when the two samples coincide in distribution)."""
    return float(2 * torch.cdist(a, b).mean() - torch.cdist(a, a).mean() - torch.cdist(b, b).mean())


@dataclass
class ToyKnobs:
    """What a user may change, even while training runs (validated in one place: `validated`)."""
    data: str = "ring"
    loss: str = "non-saturating"
    optimiser: str = "adam"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    d_steps: int = 1

    def validated(self) -> "ToyKnobs":
        return ToyKnobs(as_choice("data set", self.data, DATASETS), as_choice("loss", self.loss, LOSSES),
                        as_choice("optimiser", self.optimiser, OPTIMISERS),
                        as_float("G's learning rate", self.lr_g, *LR_RANGE), as_float("D's learning rate", self.lr_d, *LR_RANGE),
                        as_int("D steps per G step", self.d_steps, 1, MAX_D_STEPS))


def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, n_out))


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    loss_d: list[float] = field(default_factory=list)
    loss_g: list[float] = field(default_factory=list)
    divergence: list[float] = field(default_factory=list)


class Toy2DGAN:
    """One small GAN and its training state. `step()` is one G update (after knobs.d_steps D updates)."""

    def __init__(self, knobs: ToyKnobs | None = None, seed: int = 0, hidden: int = 32, batch_size: int = 64,
                 z_dim: int = 2, eval_every: int = 10) -> None:
        self.seed = as_int("seed", seed, 0, MAX_SEED)
        self.knobs = (knobs or ToyKnobs()).validated()
        self.batch_size, self.z_dim, self.eval_every = batch_size, z_dim, eval_every
        torch.manual_seed(self.seed)
        self.g, self.d = _mlp(z_dim, hidden, 2), _mlp(2, hidden, 1)
        self.rng = torch.Generator().manual_seed(self.seed)  # training batches
        eval_rng = torch.Generator().manual_seed(self.seed + 1)
        self.eval_z = torch.randn(EVAL_POINTS, z_dim, generator=eval_rng)
        self.eval_real = sample_real(self.knobs.data, EVAL_POINTS, eval_rng)
        self.steps = 0
        self.history = History()
        self._make_optimisers()
        self._record(float("nan"), float("nan"))

    def _make_optimisers(self) -> None:
        k = self.knobs
        # fused: one kernel for all of a net's tensors; at this size the per-tensor loop's op overhead is most of a step
        if k.optimiser == "adam":
            self.opt_g = torch.optim.Adam(self.g.parameters(), lr=k.lr_g, betas=(0.5, 0.999), fused=True)
            self.opt_d = torch.optim.Adam(self.d.parameters(), lr=k.lr_d, betas=(0.5, 0.999), fused=True)
        else:
            self.opt_g = torch.optim.SGD(self.g.parameters(), lr=k.lr_g, momentum=0.9, fused=True)
            self.opt_d = torch.optim.SGD(self.d.parameters(), lr=k.lr_d, momentum=0.9, fused=True)
        self._optimiser = k.optimiser

    def set_knobs(self, knobs: ToyKnobs) -> None:
        """Change knobs in place: the nets keep their weights; a new data set gets a new held-out real set; a new
        optimiser starts with fresh moments; learning rates change on the existing optimisers."""
        knobs = knobs.validated()
        old, self.knobs = self.knobs, knobs
        if knobs.data != old.data:
            self.eval_real = sample_real(knobs.data, EVAL_POINTS, torch.Generator().manual_seed(self.seed + 1))
        if knobs.optimiser != self._optimiser:
            self._make_optimisers()
        for group in self.opt_g.param_groups:
            group["lr"] = knobs.lr_g
        for group in self.opt_d.param_groups:
            group["lr"] = knobs.lr_d

    def _d_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        if self.knobs.loss == "least-squares":  # D(x) -> 1, D(G(z)) -> 0 on the raw score
            return 0.5 * ((real_logits - 1).square().mean() + fake_logits.square().mean())
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()  # -log D(x) - log(1 - D(G(z)))

    def _g_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        if self.knobs.loss == "least-squares":
            return 0.5 * (fake_logits - 1).square().mean()
        return F.softplus(-fake_logits).mean()  # -log D(G(z)): the non-saturating generator loss

    def step(self) -> None:
        """knobs.d_steps updates of D, then one of G."""
        n = self.batch_size
        for _ in range(self.knobs.d_steps):
            real = sample_real(self.knobs.data, n, self.rng)
            with torch.no_grad():
                fake = self.g(torch.randn(n, self.z_dim, generator=self.rng))
            logits = self.d(torch.cat([real, fake]))
            loss_d = self._d_loss(logits[:n], logits[n:])
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
        loss_g = self._g_loss(self.d(self.g(torch.randn(n, self.z_dim, generator=self.rng))))
        for p, grad in zip(self.g.parameters(), torch.autograd.grad(loss_g, list(self.g.parameters()))):
            p.grad = grad  # only G's gradients: D's weights are not what this update changes
        self.opt_g.step()
        self.steps += 1
        if self.steps % self.eval_every == 0:
            self._record(loss_d.item(), loss_g.item())

    def train(self, steps: int) -> None:
        for _ in range(steps):
            self.step()

    @torch.no_grad()
    def divergence(self) -> float:
        return energy_distance(self.g(self.eval_z), self.eval_real)

    def _record(self, loss_d: float, loss_g: float) -> None:
        h = self.history
        h.steps.append(self.steps)
        h.loss_d.append(loss_d)
        h.loss_g.append(loss_g)
        h.divergence.append(self.divergence())

    def view(self, points: int = 200, grid: int = 24, arrows: int = 40, curve_points: int = 150, mesh: int = 13) -> dict[str, Any]:
        """What the live view draws, as plain lists (rounded: it travels as JSON):
        real / fake points, D(x) on a grid x grid lattice over the view (row 0 at y = -VIEW_RANGE), and for the
        first `arrows` fake points the direction -dL_G/dx in which G's loss pushes them (scaled to a unit max); G's
        manifold: G(z) for z on a mesh x mesh lattice over [-2, 2]^2 of the noise plane (where ~95 % of z falls),
        which the page joins into a warped grid: how G folds the plane of noise onto the data (GAN Lab's manifold
        view); the curves thinned to at most `curve_points` evenly spaced records."""
        with torch.no_grad():
            fake = self.g(self.eval_z[:points])
            axis = torch.linspace(-VIEW_RANGE, VIEW_RANGE, grid)
            lattice = torch.stack(torch.meshgrid(axis, axis, indexing="xy"), -1).reshape(-1, 2)
            surface = torch.sigmoid(self.d(lattice)).reshape(grid, grid)
            z_axis = torch.linspace(-MANIFOLD_Z, MANIFOLD_Z, mesh)
            manifold = self.g(torch.stack(torch.meshgrid(z_axis, z_axis, indexing="xy"), -1).reshape(-1, self.z_dim))
            manifold = manifold.clamp(-2 * VIEW_RANGE, 2 * VIEW_RANGE).reshape(mesh, mesh, 2)
        x = fake[:arrows].clone().requires_grad_(True)
        (push,) = torch.autograd.grad(self._g_loss(self.d(x)), x)
        push = -push / push.norm(dim=1).max().clamp_min(1e-12)

        def r(t: torch.Tensor, digits: int = 3) -> list:
            return torch.round(t.double(), decimals=digits).tolist()

        h = self.history
        keep = sorted(set(torch.linspace(0, len(h.steps) - 1, min(len(h.steps), curve_points)).round().long().tolist()))
        pick = lambda values: [None if math.isnan(v) else v for v in r(torch.tensor([values[i] for i in keep]))]  # noqa: E731  (no NaN in JSON)
        return {"step": self.steps, "range": VIEW_RANGE, "real": r(self.eval_real[:points], 2), "fake": r(fake, 2),
                "surface": r(surface, 2), "arrows": r(push, 2), "manifold": r(manifold, 2),
                "curves": {"step": [h.steps[i] for i in keep], "loss_d": pick(h.loss_d), "loss_g": pick(h.loss_g),
                           "divergence": pick(h.divergence)},
                "metric": METRIC, "knobs": asdict(self.knobs)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    d = ToyKnobs()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=d.data, help=f"one of {', '.join(DATASETS)}")
    p.add_argument("--loss", default=d.loss, help=f"one of {', '.join(LOSSES)}")
    p.add_argument("--optimiser", default=d.optimiser, help=f"one of {', '.join(OPTIMISERS)}")
    p.add_argument("--lr-g", default=d.lr_g, type=float, help=f"G's learning rate, {LR_RANGE[0]:g} to {LR_RANGE[1]:g}")
    p.add_argument("--lr-d", default=d.lr_d, type=float, help=f"D's learning rate, {LR_RANGE[0]:g} to {LR_RANGE[1]:g}")
    p.add_argument("--d-steps", default=d.d_steps, type=int, help=f"D steps per G step, 1 to {MAX_D_STEPS}")
    p.add_argument("--steps", default=2000, type=int, help="G steps, 1 to 100000")
    p.add_argument("--seed", default=0, type=int)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(1)
    try:
        steps = as_int("--steps", args.steps, 1, 100_000)
        gan = Toy2DGAN(ToyKnobs(args.data, args.loss, args.optimiser, args.lr_g, args.lr_d, args.d_steps), seed=args.seed, eval_every=100)
    except KnobError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = gan.divergence()
    for done in range(0, steps, 500):
        gan.train(min(500, steps - done))
        print(f"step {gan.steps}: {METRIC} {gan.divergence():.4f}, D loss {gan.history.loss_d[-1]:.3f}, G loss {gan.history.loss_g[-1]:.3f}", flush=True)
    print(f"divergence {METRIC}: start {start:.4f} end {gan.divergence():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
