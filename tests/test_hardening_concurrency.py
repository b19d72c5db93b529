"""Twenty tabs at once: the handlers and samplers shared by every user must give each caller exactly what it would
get alone, with no exception, when many threads call them at the same time (the app runs up to 4 per event group).

Real handlers over tiny random-init models (the code paths are the shipped ones). The thread switch interval is made
tiny so that interleavings which would take hours of real traffic happen within the test.
"""
from __future__ import annotations

import random
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from core.limits import MAX_SEED

torch.set_num_threads(1)
THREADS = 8


@pytest.fixture()
def busy_switching():
    """Switch threads every microsecond instead of every 5 ms: races show up quickly."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def _tiny_gan():
    from core.gan.io import LoadedGAN
    from core.gan.model import GANConfig, Generator

    torch.manual_seed(0)
    generator = Generator(GANConfig(z_dim=8, g_width=4, d_width=4, num_directions=3)).eval()
    return LoadedGAN(generator, {"model_type": "cond-dcgan-generator", "model": generator.config.to_dict()}, Path("."))


def _tiny_gpt():
    from core.gpt.io import LoadedGPT
    from core.gpt.model import GPT, GPTConfig
    from core.gpt.tokenizer import CharTokenizer

    vocab = "\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=len(vocab), context_length=16, n_layer=1, n_head=2, n_embd=16)).eval()
    return LoadedGPT(model, CharTokenizer(vocab), {}, Path("."))


def _hammer(calls: list, threads: int = THREADS) -> list:
    """Run the zero-argument callables on `threads` threads, all released at once; return results in order."""
    barrier = threading.Barrier(threads)

    def run(chunk: list) -> list:
        barrier.wait()
        return [call() for call in chunk]

    chunks = [calls[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        done = list(pool.map(run, chunks))
    results: list = [None] * len(calls)
    for i, chunk in enumerate(done):
        results[i::threads] = chunk
    return results


def test_identical_interpolations_requested_at_once_all_get_the_gif(busy_switching):
    """Many users pressing Interpolate with the same seeds at the same moment: the GIF is written once or several
    times, but every caller gets a complete GIF (never a file another thread is still writing)."""
    from PIL import Image

    from demo.image_handlers import ImageHandlers

    handlers = ImageHandlers(_tiny_gan())
    for round_ in range(3):
        seed = random.randrange(MAX_SEED)  # a GIF no earlier run has written (seed + 1 is a seed too)
        paths = _hammer([lambda: handlers.interpolate(seed, seed + 1, "Bag", 12, 1.0)] * THREADS)
        for path in set(paths):  # callers that raced may each have made one; every one is complete
            with Image.open(path) as gif:
                assert gif.n_frames == 12
        assert handlers.interpolate(seed, seed + 1, "Bag", 12, 1.0) in paths  # after the race, the file is reused


def test_image_cache_under_concurrent_eviction_gives_every_caller_its_own_image(busy_switching):
    """The latent cache is shared by all users; with more distinct seeds than it holds, entries are evicted while
    other threads read them. Every image must still equal the one drawn alone."""
    from core.gan import latent
    studio = latent.LatentStudio(_tiny_gan())
    seeds = list(range(600))  # more than the cache's 256 entries
    alone = {s: studio.image(studio.knobs("Bag", s, 1.0)).tobytes() for s in seeds[:40]}
    calls = [(lambda s=s: (s, studio.image(studio.knobs("Bag", s, 1.0)).tobytes())) for s in seeds * 2]
    for seed, image in _hammer(calls):
        if seed in alone:
            assert image == alone[seed], seed


def test_latent_cache_survives_concurrent_readers_and_evictions(busy_switching):
    """The shared latent cache itself, without the generator call around it: 8 threads, 300 keys for 256 places,
    five rounds. A check-then-move (`key in cache` ... `cache.move_to_end(key)`) without a lock raises KeyError when
    another thread evicts the key in between; each such KeyError is a failed request in the app."""
    from core.gan import latent
    keys = 300
    expected = {s: latent.seed_to_z(s, 8) for s in range(keys)}
    for round_ in range(5):
        studio = latent.LatentStudio(_tiny_gan())

        def reader(offset: int, studio=studio):
            def run() -> list:
                return [(s, studio.base_latent(s, 0, 1.0)) for s in ((i * 7 + offset * 31) % keys for i in range(6000))]
            return run

        for chunk in _hammer([reader(k) for k in range(THREADS)]):
            for seed, z in chunk[::97]:
                assert torch.equal(z, expected[seed]), seed


def test_text_streams_and_bars_of_many_users_at_once_match_what_each_gets_alone(busy_switching):
    from demo.text_tab import StreamSession, TextHandlers

    handlers = TextHandlers(_tiny_gpt())
    prompts = ["ROMEO:\n", "JULIET:\nO", "To be, or not", "First Citizen:\n"]
    alone = {(p, s): list(handlers.generate(p, 0.8, 40, 0.95, 20, s))[-1] for p in prompts for s in range(3)}
    bars_alone = {p: handlers.next_tokens(p, 0.7, 10, 0.9) for p in prompts}
    calls = []
    for (prompt, seed), text in alone.items():
        calls.append(lambda p=prompt, s=seed, t=text: ("stream", t, list(handlers.generate(p, 0.8, 40, 0.95, 20, s, StreamSession()))[-1]))
    for prompt, bars in bars_alone.items():
        calls += [lambda p=prompt, b=bars: ("bars", b, handlers.next_tokens(p, 0.7, 10, 0.9))] * 3
    # many distinct prompts evict the explorer's logits cache while others read it
    calls += [lambda i=i: ("evict", None, handlers.next_tokens("ROMEO:" + "a" * (i % 300), 0.7, 10, 0.9)) for i in range(400)]
    for kind, expected, got in _hammer(calls):
        if kind != "evict":
            assert got == expected, kind
