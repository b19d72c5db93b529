"""Exponential moving average of the generator, and the batch-norm recalibration it needs before export: averaged
weights produce activations whose statistics differ from any single training step, so the shipped model's running
mean/var are re-measured on the averaged weights themselves."""
from __future__ import annotations

import torch
from torch import nn

from core.gan.model import Generator


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, step: int, decay: float = 0.999) -> None:
    """ema = d * ema + (1 - d) * model, with d warming up as (1 + step) / (10 + step) so early averages are not stale."""
    d = min(decay, (1 + step) / (10 + step))
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p.detach(), 1 - d)
    for e, b in zip(ema.buffers(), model.buffers()):
        if e.dtype.is_floating_point and e.shape == b.shape:
            e.lerp_(b, 1 - d)
        else:
            e.copy_(b)


@torch.no_grad()
def recalibrate_batchnorm(generator: Generator, batches: int = 20, batch_size: int = 256, seed: int = 0) -> Generator:
    """Re-measure every BatchNorm's running statistics (cumulative average) on random z and classes; eval mode."""
    norms = [m for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    rng = torch.Generator().manual_seed(seed)
    generator.train()
    cfg = generator.config
    for _ in range(batches):
        z = torch.randn(batch_size, cfg.z_dim, generator=rng)
        labels = torch.randint(cfg.num_classes, (batch_size,), generator=rng)
        generator(z, labels)
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    return generator.eval()
