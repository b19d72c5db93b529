"""Real or fake? A round is a row of images, some real Fashion-MNIST test images and some generated; the player
marks the ones they think are real, then sees the truth and the discriminator's verdict on each.

The truth never leaves the server before the answer: a round is stored here under an opaque random id, and what
`new_round` returns (the images and that id) is the same whatever the truth is. Every image is shown as its
central 28x28 pixels, so the 2-pixel black frame that padding gives real images (and generated ones only nearly)
cannot give the answer away. A round is scored once; answering it again replays the same result.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch
from cachetools import TTLCache

from core.gan.data import CLASS_NAMES
from core.gan.judge import Judges, Verdict
from core.gan.model import Generator
from core.gan.real_sample import RealSample
from core.validation import KnobError

ROUND_IMAGES = 6
MAX_ROUNDS = 5_000  # rounds kept server-side (expired, then least recently used, dropped first): the truth, classes and verdicts, ~2 kB each
ROUND_TTL_S = 3_600


@dataclass
class Round:
    is_real: list[bool]
    labels: list[int]  # the class each image is (real) or was asked for (generated): D judges x given y
    verdicts: list[Verdict]
    result: "RoundResult | None" = None


@dataclass(frozen=True)
class RoundResult:
    is_real: list[bool]
    marked_real: list[bool]
    verdicts: list[Verdict]
    player_correct: int
    d_correct: int  # D says "real" when D(x | y) > 0.5
    classes: list[str]


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, 1, 32, 32) in [-1, 1] -> uint8 (N, 32, 32): the grey levels a PNG shows."""
    return images.clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8)[:, 0].numpy()


class RealOrFake:
    """The rounds of every player, keyed by opaque ids, and how to make and score them."""

    def __init__(self, generator: Generator, judges: Judges, sample: RealSample, images_per_round: int = ROUND_IMAGES,
                 max_rounds: int = MAX_ROUNDS, ttl_s: float = ROUND_TTL_S) -> None:
        self.generator, self.judges, self.sample = generator.eval(), judges, sample
        self.real_pixels = to_uint8(sample.images)
        self.n, self.max_rounds, self.ttl_s = images_per_round, max_rounds, ttl_s
        self._rounds: TTLCache[str, Round] = TTLCache(maxsize=max_rounds, ttl=ttl_s, timer=time.monotonic)
        self._lock = threading.Lock()  # every player's requests share one game

    @torch.inference_mode()
    def new_round(self, seed: int | None = None) -> tuple[str, np.ndarray]:
        """(round id, uint8 images (n, 28, 28)). Each image is real with probability 1/2, at least one of each kind."""
        rng = np.random.default_rng(seed if seed is not None else secrets.randbits(64))
        is_real = rng.random(self.n) < 0.5
        while is_real.all() or not is_real.any():
            is_real = rng.random(self.n) < 0.5
        pixels, labels = np.zeros((self.n, 32, 32), np.uint8), np.zeros(self.n, np.int64)
        real_idx = np.flatnonzero(is_real)
        picks = rng.choice(len(self.real_pixels), len(real_idx), replace=False)
        pixels[real_idx], labels[real_idx] = self.real_pixels[picks], self.sample.labels[picks].numpy()
        fake_idx = np.flatnonzero(~is_real)
        fake_labels = rng.integers(0, len(CLASS_NAMES), len(fake_idx))
        z = torch.from_numpy(rng.standard_normal((len(fake_idx), self.generator.config.z_dim)).astype(np.float32))
        pixels[fake_idx] = to_uint8(self.generator(z, torch.from_numpy(fake_labels)))
        labels[fake_idx] = fake_labels
        x = torch.from_numpy(pixels.astype(np.float32)).div_(127.5).sub_(1.0).unsqueeze(1)
        verdicts = self.judges.judge(x, torch.from_numpy(labels))
        shown = np.ascontiguousarray(pixels[:, 2:30, 2:30])
        round_id = secrets.token_urlsafe(16)
        with self._lock:
            self._rounds[round_id] = Round(is_real.tolist(), labels.tolist(), verdicts)
        return round_id, shown

    def answer(self, round_id: str, marked_real: list[int]) -> tuple[RoundResult, bool]:
        """Score a round: marked_real are the 0-based positions the player thinks are real. Returns (result, first
        time): a round answered again gets its first result back and scores nothing more."""
        if not isinstance(round_id, str) or not round_id:
            raise KnobError("No round to answer: press 'New round' first.", "errors.game_no_round")
        with self._lock:
            game = self._rounds.get(round_id)
        if game is None:
            raise KnobError("That round is unknown or expired (rounds last an hour): press 'New round'.", "errors.game_expired")
        if game.result is not None:
            return game.result, False
        if not isinstance(marked_real, (list, tuple)) or any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.n for i in marked_real):
            raise KnobError(f"Mark images by their positions 0 to {self.n - 1}; got {str(marked_real)[:60]}.",
                            "errors.game_positions", last=self.n - 1, got=str(marked_real)[:60])
        marks = [i in set(marked_real) for i in range(self.n)]
        game.result = RoundResult(game.is_real, marks, game.verdicts,
                                  sum(m == t for m, t in zip(marks, game.is_real)),
                                  sum((v.p_real > 0.5) == t for v, t in zip(game.verdicts, game.is_real)),
                                  [CLASS_NAMES[c] for c in game.labels])
        return game.result, True
