"""The GPT model and its sliding KV cache: exactness, causality, sliding-window equivalence."""
from __future__ import annotations

import pytest
import torch

from core.gpt.kv_cache import KVCache
from core.gpt.model import GPT, GPTConfig


@pytest.fixture(scope="module")
def model() -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=40, context_length=16, n_layer=3, n_head=2, n_embd=32)).eval()


def test_cached_logits_equal_full_forward_at_every_step_past_the_window(model: GPT) -> None:
    ids = torch.randint(40, (1, 70), generator=torch.Generator().manual_seed(1))
    full = model(ids)  # 70 > 16: the banded sliding-window mask
    cache = KVCache(model)
    steps = [cache.forward(ids[:, :5])] + [cache.forward(ids[:, i : i + 1]) for i in range(5, 70)]
    cached = torch.cat(steps, dim=1)
    assert cached.shape == full.shape
    assert torch.allclose(cached, full, atol=1e-5, rtol=0), (cached - full).abs().max()


def test_chunked_prefill_longer_than_the_window_matches(model: GPT) -> None:
    ids = torch.randint(40, (1, 50), generator=torch.Generator().manual_seed(2))
    cache = KVCache(model)
    chunks = torch.cat([cache.forward(ids[:, :37]), cache.forward(ids[:, 37:])], dim=1)
    assert torch.allclose(chunks, model(ids), atol=1e-5, rtol=0)


def test_recomputing_only_the_cropped_text_is_a_different_computation(model: GPT) -> None:
    """With more than one layer, cropping the text is not the sliding-window model (DESIGN.md); the cache must
    match the banded forward, not this."""
    ids = torch.randint(40, (1, 40), generator=torch.Generator().manual_seed(3))
    banded_last = model(ids)[0, -1]
    cropped_last = model(ids[:, -16:])[0, -1]
    assert not torch.allclose(banded_last, cropped_last, atol=1e-4)


def test_changing_a_later_token_never_changes_earlier_logits(model: GPT) -> None:
    ids = torch.randint(40, (1, 40), generator=torch.Generator().manual_seed(4))
    changed = ids.clone()
    changed[0, 25] = (changed[0, 25] + 1) % 40
    a, b = model(ids), model(changed)
    assert torch.equal(a[:, :25], b[:, :25])
    assert not torch.allclose(a[:, 25:], b[:, 25:])


def test_short_texts_use_the_plain_causal_mask(model: GPT) -> None:
    ids = torch.randint(40, (2, 16), generator=torch.Generator().manual_seed(5))
    cache = KVCache(model, batch_size=2)
    assert torch.allclose(cache.forward(ids), model(ids), atol=1e-5, rtol=0)


def test_head_is_tied_to_the_embedding() -> None:
    """Change the embedding row of a character the input never contains: only that character's logit can move, and
    it must, because the output head reads the same row (tying, by behaviour rather than by parameter names)."""
    torch.manual_seed(4)
    model = GPT(GPTConfig(vocab_size=40, context_length=16, n_layer=2, n_head=2, n_embd=32)).eval()
    ids = torch.randint(0, 39, (1, 10), generator=torch.Generator().manual_seed(4))  # token 39 never appears
    with torch.no_grad():
        before = model(ids)
        model.embed.weight[39].add_(torch.randn(32))
        after = model(ids)
    assert torch.equal(after[..., :39], before[..., :39])  # the input path never saw row 39
    assert not torch.allclose(after[..., 39], before[..., 39])  # the head did


def test_config_refuses_odd_head_size() -> None:
    with pytest.raises(ValueError, match="even"):
        GPTConfig(vocab_size=10, n_head=4, n_embd=12)


def test_rows_of_one_cache_are_independent_sequences_at_their_own_positions(model: GPT) -> None:
    """GPT.decode with each row at its own position (what the batched streams run): every row equals its own full
    forward, whatever the others hold; stale slots of a reused row are never attended."""
    generator = torch.Generator().manual_seed(7)
    texts = [torch.randint(40, (n,), generator=generator) for n in (3, 20, 45)]
    cache = KVCache(model, batch_size=3)
    cache.feed(torch.randint(40, (1, 30), generator=generator), 0)  # row 0 full of another text first
    for row, text in enumerate(texts):
        cache.reset(row)
        cache.feed(text[None, :-1], row)
    logits = cache.forward(torch.stack([text[-1:] for text in texts]))
    with torch.inference_mode():
        for row, text in enumerate(texts):
            assert torch.allclose(logits[row, -1], model(text[None])[0, -1], atol=1e-5, rtol=0), row
