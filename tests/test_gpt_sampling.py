"""Sampler knobs, determinism, the next-token distribution and the tokenizer."""
from __future__ import annotations

import math

import pytest
import torch

from core import limits
from core.gpt.model import GPT, GPTConfig
from core.gpt.knobs import SamplingKnobs, next_token_probabilities, validate_knobs
from core.gpt.sampling import NextTokenExplorer, Sampler, validate_prompt
from core.gpt.tokenizer import CharTokenizer, UnknownCharactersError
from core.validation import KnobError

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\nJULIET:\nAy me!\n"


@pytest.fixture(scope="module")
def tokenizer() -> CharTokenizer:
    return CharTokenizer.from_text(TEXT)


@pytest.fixture(scope="module")
def sampler(tokenizer: CharTokenizer) -> Sampler:
    torch.manual_seed(0)
    return Sampler(GPT(GPTConfig(tokenizer.size, context_length=16, n_layer=2, n_head=2, n_embd=32)), tokenizer)


def test_tokenizer_round_trip(tokenizer: CharTokenizer) -> None:
    assert tokenizer.decode(tokenizer.encode(TEXT)) == TEXT


def test_unknown_characters_are_reported_in_order_never_dropped(tokenizer: CharTokenizer) -> None:
    with pytest.raises(UnknownCharactersError) as caught:
        tokenizer.encode("ROMEO: ☃ hi\tthere ☃ é")
    assert caught.value.characters == ["☃", "\t", "é"]
    assert "'☃'" in str(caught.value) and "3 character" in str(caught.value)
    assert isinstance(caught.value, KnobError)


def test_temperature_zero_is_argmax(sampler: Sampler) -> None:
    knobs = SamplingKnobs(temperature=0.0, top_k=0, top_p=1.0, max_new_tokens=30, seed=3)
    text = sampler.generate("ROMEO:", knobs)
    ids = sampler.tokenizer.encode("ROMEO:")
    for char in text:
        logits = sampler.model(torch.tensor([ids]))[0, -1]
        assert sampler.tokenizer.vocab[int(logits.argmax())] == char
        ids.append(sampler.tokenizer.vocab.index(char))


def test_same_seed_same_text_with_and_without_cache_past_the_window(sampler: Sampler) -> None:
    knobs = SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=60, seed=7)
    cached = sampler.generate("JULIET:", knobs)
    assert cached == sampler.generate("JULIET:", knobs)
    assert cached == sampler.generate("JULIET:", knobs, use_cache=False)
    assert len(cached) == 60


def test_different_seeds_differ(sampler: Sampler) -> None:
    texts = {sampler.generate("ROMEO:", SamplingKnobs(temperature=1.5, top_k=0, top_p=1.0, max_new_tokens=40, seed=s)) for s in range(3)}
    assert len(texts) == 3


def test_top_k_and_top_p_never_sample_outside_their_set() -> None:
    logits = torch.tensor([3.0, 2.5, 2.0, 1.0, 0.5, 0.0, -1.0, -2.0])
    top_k = next_token_probabilities(logits, SamplingKnobs(temperature=1.0, top_k=3, top_p=1.0))
    assert set(torch.nonzero(top_k).flatten().tolist()) == {0, 1, 2}
    full = torch.softmax(logits, -1)
    top_p = next_token_probabilities(logits, SamplingKnobs(temperature=1.0, top_k=0, top_p=0.8))
    kept = torch.nonzero(top_p).flatten().tolist()
    assert kept == list(range(len(kept)))  # the most likely ones
    assert full[: len(kept)].sum() >= 0.8 and full[: len(kept) - 1].sum() < 0.8  # the smallest such set
    generator = torch.Generator().manual_seed(0)
    draws = torch.multinomial(top_p.expand(2000, -1), 1, generator=generator).flatten()
    assert set(draws.tolist()) <= set(kept)
    assert math.isclose(float(top_p.sum()), 1.0, rel_tol=1e-6)


def test_repetition_penalty_lowers_seen_characters() -> None:
    logits = torch.tensor([2.0, 2.0, -1.0])
    probs = next_token_probabilities(logits, SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=2.0), torch.tensor([0, 2]))
    assert probs[0] < probs[1] and probs[2] < torch.softmax(logits, -1)[2]


def test_next_token_bars_reapply_knobs_to_cached_logits(sampler: Sampler) -> None:
    explorer = NextTokenExplorer(sampler.model, sampler.tokenizer)
    warm = explorer.candidates("ROMEO:", SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0))
    cold = explorer.candidates("ROMEO:", SamplingKnobs(temperature=0.3, top_k=3, top_p=1.0))
    greedy = explorer.candidates("ROMEO:", SamplingKnobs(temperature=0.0))
    assert explorer.model_runs == 1
    assert len(cold) == 3 and cold[0][1] > warm[0][1]
    assert greedy == [(warm[0][0], 1.0)]
    assert abs(sum(p for _, p in cold) - 1.0) < 1e-5
    # the bars show exactly what Generate draws from
    first = sampler.generate("ROMEO:", SamplingKnobs(temperature=0.3, top_k=3, top_p=1.0, max_new_tokens=1, seed=11))
    assert first in [c for c, _ in cold]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("temperature", float("nan"), "finite"),
        ("temperature", -0.1, "from 0 to 5"),
        ("temperature", "hot", "must be a number"),
        ("temperature", None, "must be a number"),
        ("top_k", 2.5, "whole number"),
        ("top_k", -1, "from 0 to"),
        ("top_k", True, "whole number"),
        ("top_p", 0, "above 0"),
        ("top_p", 1.5, "from 0 to 1"),
        ("top_p", float("inf"), "finite"),
        ("repetition_penalty", 0.5, "from 1 to 3"),
        ("max_new_tokens", 0, f"from 1 to {limits.MAX_NEW_TOKENS}"),
        ("max_new_tokens", 10**9, f"from 1 to {limits.MAX_NEW_TOKENS}"),
        ("seed", 2**32, "from 0 to"),
        ("seed", -5, "from 0 to"),
        ("seed", [1], "whole number"),
    ],
)
def test_every_bad_knob_gets_a_clear_error(field: str, value: object, message: str) -> None:
    with pytest.raises(KnobError, match=message) as caught:
        validate_knobs(**{field: value})
    assert field in str(caught.value)


def test_knobs_accept_numeric_strings_and_whole_floats() -> None:
    assert validate_knobs(temperature="0.5", top_k=40.0, seed="12") == SamplingKnobs(temperature=0.5, top_k=40, seed=12)


@pytest.mark.parametrize(
    ("prompt", "message"),
    [("", "empty"), ("x" * (limits.MAX_PROMPT_CHARS + 1), "limit"), (42, "must be text"), ("ROMEO\x00", "does not know")],
)
def test_bad_prompts_get_a_clear_error(tokenizer: CharTokenizer, prompt: object, message: str) -> None:
    with pytest.raises(KnobError, match=message):
        validate_prompt(prompt, tokenizer)
