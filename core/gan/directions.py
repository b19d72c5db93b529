"""GANSpace (Harkonen et al. 2020): principal directions of the generator's first-layer activations for random z,
carried back to z space by least squares, so moving z along one of them moves the activations along a principal
axis. Computed once at export and stored in the generator's `directions` buffer."""
from __future__ import annotations

import torch

from core.gan.model import Generator


@torch.no_grad()
def compute_directions(generator: Generator, samples: int = 4096, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (directions (k, z_dim), unit rows; scales (k,), the activation std along each principal axis).

    Classes are drawn at random, so the directions are shared by all classes (class-specific variation is left to
    the class knob). Each direction's sign is fixed so its largest z coordinate is positive, for reproducibility.
    """
    cfg = generator.config
    k = cfg.num_directions
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(samples, cfg.z_dim, generator=rng)
    labels = torch.randint(cfg.num_classes, (samples,), generator=rng)
    was_training = generator.training
    generator.eval()
    feats = generator.features(z, labels).flatten(1).double()
    generator.train(was_training)
    feats -= feats.mean(0)
    # Randomised SVD of the top axes only: the full SVD of a (samples, 4*4*4*width) matrix takes a minute on a CPU.
    with torch.random.fork_rng(devices=[]):  # svd_lowrank draws from the global RNG: pin it, leave the caller's alone
        torch.manual_seed(seed)
        _, s, v = torch.svd_lowrank(feats, q=k + 10, niter=4, M=None)
    v = v.T  # principal axes: rows of v
    coords = feats @ v[:k].T  # (samples, k): each sample's position along the top-k axes
    # Least squares z ~ coords @ U  ->  U (k, z_dim): the z-space move that produces one unit along each axis.
    u = torch.linalg.lstsq(coords, z.double()).solution
    directions = u / u.norm(dim=1, keepdim=True)
    signs = torch.sign(directions.gather(1, directions.abs().argmax(1, keepdim=True)))
    scales = s[:k] / (samples - 1) ** 0.5
    return (directions * signs).float(), scales.float()
