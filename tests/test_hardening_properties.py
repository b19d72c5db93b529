"""Property-based tests (hypothesis): arbitrary values into every validator and sampler of the app.

The contract: whatever a user or an API client sends, the only exception that may escape is the documented
validation error (KnobError, which the UI shows as a gr.Error); anything the validators accept must then work (the
samplers yield text of the promised length from the vocabulary, finite probabilities, real images).
Models are tiny and random-init (the code paths are the shipped ones; only the weights differ), so the file is fast.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import limits
from core.gpt.model import GPT, GPTConfig
from core.gpt.sampling import NextTokenExplorer, Sampler, SamplingKnobs, next_token_probabilities, validate_knobs, validate_prompt
from core.gpt.tokenizer import CharTokenizer
from core.validation import KnobError, as_choice, as_float, as_int

torch.set_num_threads(1)
VOCAB = "\n !&',-.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKENIZER = CharTokenizer(VOCAB)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ----- what a hostile client can send: every JSON-ish type, edge numbers, odd text -----

edge_floats = st.sampled_from([math.nan, -math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e308,
                               -1e308, 2.0**63, 2.0**64, 0.5, 1.0, 5.0, 5.000001, 1e-40])
edge_ints = st.sampled_from([0, -1, 1, 2**31, 2**32 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), 10**30, 10**400,
                             -(10**400), 10**4000])
texts = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),  # control characters
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e400", "-0", "0x10", "1_000", "3.0", " 7 ", "１２",
                     "\x00", "\ud800", "9" * 5000, "1" + "0" * 400, "true", "None", "[]", "{}", "ROMEO:\n" * 400]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), edge_ints, st.floats(), edge_floats, texts,
                    st.fractions(), st.just(Fraction(1, 3)), st.binary(max_size=10))
anything = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                         st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)


def _tiny_gpt() -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=len(VOCAB), context_length=16, n_layer=2, n_head=2, n_embd=16)).eval()


MODEL = _tiny_gpt()
SAMPLER = Sampler(MODEL, TOKENIZER)
EXPLORER = NextTokenExplorer(MODEL, TOKENIZER, cache_size=8)


def only_knob_errors(fn, *args, **kwargs):
    """Call fn; return its result, or None if it raised KnobError with a usable message. Anything else fails."""
    try:
        return fn(*args, **kwargs)
    except KnobError as exc:
        message = str(exc)
        assert message and len(message) < 2_000 and "Traceback" not in message, message
        return None


# ----- the core validators -----

@PROPS
@given(anything, st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 1e6, allow_nan=False))
@example(10**400, 0.0, 1.0)  # float(10**400) raises OverflowError; JSON can carry such an integer
@example(-(2**1024), 0.0, 1.0)
@example(10**5000, 0.0, 1.0)  # repr() of it raises ValueError (over 4300 digits)
@example("1e400", 0.0, 1.0)
@example(Fraction(1, 3), 0.0, 1.0)
def test_as_float_only_raises_knob_errors_and_returns_finite_numbers_in_range(value, low, width):
    result = only_knob_errors(as_float, "x", value, low, low + width)
    if result is not None:
        assert isinstance(result, float) and math.isfinite(result) and low <= result <= low + width


@PROPS
@given(anything, st.integers(-(2**64), 2**64), st.integers(0, 2**64))
@example(10**5000, 0, 10)
@example(-(10**400), 0, 10)
@example(2**63, 0, 2**63 - 1)
@example(1e308, 0, 10)
@example("9" * 5000, 0, 10)
def test_as_int_only_raises_knob_errors_and_returns_ints_in_range(value, low, width):
    result = only_knob_errors(as_int, "n", value, low, low + width)
    if result is not None:
        assert type(result) is int and low <= result <= low + width


@PROPS
@given(anything)
def test_as_choice_only_raises_knob_errors(value):
    choices = ["T-shirt/top", "Bag", "random"]
    result = only_knob_errors(as_choice, "class", value, choices)
    if result is not None:
        assert result in choices
    else:
        assert "must be one of T-shirt/top, Bag, random" in only_message(as_choice, "class", value, choices)


def only_message(fn, *args) -> str:
    with pytest.raises(KnobError) as info:
        fn(*args)
    return str(info.value)


@PROPS
@given(anything, anything, anything, anything, anything, anything)
def test_validate_knobs_takes_anything_and_raises_only_knob_errors(temperature, top_k, top_p, penalty, new_tokens, seed):
    knobs = only_knob_errors(validate_knobs, temperature, top_k, top_p, penalty, new_tokens, seed)
    if knobs is not None:
        assert isinstance(knobs, SamplingKnobs)
        assert 0.0 <= knobs.temperature <= limits.MAX_TEMPERATURE and 0 <= knobs.top_k <= limits.MAX_TOP_K
        assert 0.0 < knobs.top_p <= 1.0 and 1 <= knobs.max_new_tokens <= limits.MAX_NEW_TOKENS
        assert 0 <= knobs.seed <= limits.MAX_SEED
        assert limits.MIN_REPETITION_PENALTY <= knobs.repetition_penalty <= limits.MAX_REPETITION_PENALTY


@PROPS
@given(st.one_of(anything, texts, st.text(alphabet=VOCAB, min_size=1, max_size=40)))
def test_validate_prompt_takes_anything_and_raises_only_knob_errors(prompt):
    result = only_knob_errors(validate_prompt, prompt, TOKENIZER)
    if result is not None:
        assert result == prompt and 0 < len(result) <= limits.MAX_PROMPT_CHARS and set(result) <= set(VOCAB)


@FEW
@given(st.sampled_from([limits.MAX_PROMPT_CHARS + 1, 10_000, 1_000_000]), st.sampled_from(["a", "é", "\x00", "ROMEO:\n"]))
def test_long_prompts_are_refused_not_truncated(length, unit):
    prompt = (unit * length)[:length]
    with pytest.raises(KnobError, match="limit is 2,000"):
        validate_prompt(prompt, TOKENIZER)


# ----- anything the validators accept works -----

valid_temperature = st.one_of(st.floats(0.0, limits.MAX_TEMPERATURE), st.sampled_from([0.0, 5e-324, 1e-300, 1e-40, 1e-8, limits.MAX_TEMPERATURE]))
valid_top_p = st.one_of(st.floats(0.0, 1.0, exclude_min=True), st.sampled_from([5e-324, 1e-300, 1.0]))
valid_knobs = st.builds(
    validate_knobs, temperature=valid_temperature, top_k=st.integers(0, limits.MAX_TOP_K), top_p=valid_top_p,
    repetition_penalty=st.floats(limits.MIN_REPETITION_PENALTY, limits.MAX_REPETITION_PENALTY),
    max_new_tokens=st.integers(1, 12), seed=st.one_of(st.integers(0, limits.MAX_SEED), st.just(limits.MAX_SEED)))
valid_prompts = st.one_of(st.text(alphabet=VOCAB, min_size=1, max_size=40),
                          st.text(alphabet=VOCAB, min_size=1, max_size=3).map(lambda s: (s * 700)[: limits.MAX_PROMPT_CHARS]))


@PROPS
@given(valid_knobs, st.lists(st.floats(-1e4, 1e4), min_size=len(VOCAB), max_size=len(VOCAB)),
       st.lists(st.integers(0, len(VOCAB) - 1), max_size=20))
@example(SamplingKnobs(temperature=5e-324), [1.0] * len(VOCAB), [])  # logits / 5e-324: inf / inf = NaN
@example(SamplingKnobs(temperature=4e-270, top_k=0, top_p=1.0), [0.0] * len(VOCAB), [])  # 4e-270 is 0 in float32
@example(SamplingKnobs(temperature=1.0, top_k=0, top_p=5e-324), [0.0] * len(VOCAB), [])  # so is this top_p
@example(SamplingKnobs(temperature=5.0, top_k=1, top_p=1e-300, repetition_penalty=3.0), [1e4] * len(VOCAB), [0, 1, 1])
def test_next_token_probabilities_are_a_distribution_for_every_valid_knob(knobs, logits, recent):
    probs = next_token_probabilities(torch.tensor(logits), knobs, torch.tensor(recent, dtype=torch.long))
    assert torch.isfinite(probs).all() and (probs >= 0).all(), (knobs, probs)
    assert math.isclose(float(probs.sum()), 1.0, rel_tol=1e-4)


@FEW
@given(valid_prompts, valid_knobs)
def test_sampler_streams_exactly_max_new_tokens_known_characters(prompt, knobs):
    out = list(SAMPLER.stream(prompt, knobs))
    assert len(out) == knobs.max_new_tokens and all(len(c) == 1 and c in VOCAB for c in out)


@FEW
@given(anything, valid_knobs)
def test_sampler_refuses_bad_prompts_only_with_knob_errors(prompt, knobs):
    only_knob_errors(lambda: list(SAMPLER.stream(prompt, knobs)))


@PROPS
@given(st.one_of(valid_prompts, anything), valid_knobs, st.integers(1, limits.NEXT_TOKEN_CANDIDATES))
def test_next_token_candidates_take_anything_and_return_a_ranked_distribution(prompt, knobs, top):
    result = only_knob_errors(EXPLORER.candidates, prompt, knobs, top)
    if result is not None:
        assert 1 <= len(result) <= top and all(c in VOCAB and 0 < p <= 1 and math.isfinite(p) for c, p in result)
        assert [p for _, p in result] == sorted((p for _, p in result), reverse=True)
        assert sum(p for _, p in result) <= 1 + 1e-5


# ----- the GAN's knobs and its studio -----

from core.gan import latent  # noqa: E402  (a plain import: an import error fails the file, it does not skip it)


def _tiny_gan():
    from core.gan.io import LoadedGAN
    from core.gan.model import GANConfig, Generator

    torch.manual_seed(0)
    generator = Generator(GANConfig(z_dim=8, g_width=4, d_width=4, num_directions=3)).eval()
    config = {"model_type": "cond-dcgan-generator", "model": generator.config.to_dict(),
              "direction_names": ["Direction 1", "Direction 2", "Direction 3"]}
    return LoadedGAN(generator, config, None)


TINY_GAN = _tiny_gan()
STUDIO = latent.LatentStudio(TINY_GAN)
class_names = st.one_of(st.sampled_from(latent.CLASS_CHOICES), st.sampled_from(["bag", " Sneaker ", "ANKLE BOOT"]), anything)
directions_values = st.one_of(anything, st.lists(anything, max_size=10), st.lists(st.floats(), max_size=10),
                              st.lists(st.floats(-limits.MAX_DIRECTION, limits.MAX_DIRECTION), max_size=10))


@PROPS
@given(class_names, anything, anything, directions_values)
def test_validate_image_knobs_takes_anything_and_raises_only_knob_errors(class_name, seed, psi, directions):
    knobs = only_knob_errors(latent.validate_image_knobs, class_name, seed, psi, directions)
    if knobs is not None:
        assert knobs.class_name in latent.CLASS_CHOICES and 0 <= knobs.seed <= limits.MAX_SEED
        assert 0.0 <= knobs.psi <= limits.MAX_PSI and len(knobs.directions) == latent.DEFAULT_NUM_DIRECTIONS
        assert all(abs(v) <= limits.MAX_DIRECTION for v in knobs.directions)


valid_seeds = st.one_of(st.integers(0, limits.MAX_SEED), st.sampled_from([0, limits.MAX_SEED, 2**31, 2**32 - 1]))
valid_psi = st.one_of(st.floats(0.0, limits.MAX_PSI), st.sampled_from([0.0, 5e-324, limits.MAX_PSI]))


@PROPS
@given(class_names, st.one_of(valid_seeds, anything), st.one_of(valid_psi, anything), directions_values)
def test_studio_image_takes_anything_through_its_validator(class_name, seed, psi, directions):
    knobs = only_knob_errors(STUDIO.knobs, class_name, seed, psi, directions)
    if knobs is not None:
        image = only_knob_errors(STUDIO.image, knobs)
        if image is not None:  # refused only when a slider beyond this model's three is moved
            assert image.size == (32, 32) and image.mode == "L"
        else:
            assert any(v != 0 for v in knobs.directions[3:])
    only_knob_errors(STUDIO.image, class_name)  # raw values instead of ImageKnobs: refused with a message


@FEW
@given(class_names, st.one_of(valid_seeds, anything), st.one_of(st.integers(1, 6), anything), st.one_of(valid_psi, anything))
def test_studio_grid_takes_anything(class_name, first_seed, count, psi):
    image = only_knob_errors(STUDIO.grid, class_name, first_seed, count, psi)
    if image is not None:
        assert image.width >= 32 and image.height >= 32


@FEW
@given(st.one_of(valid_seeds, anything), st.one_of(valid_seeds, anything), class_names,
       st.one_of(st.integers(2, 5), anything), st.one_of(valid_psi, anything))
def test_studio_interpolation_takes_anything(seed_a, seed_b, class_name, frames, psi):
    result = only_knob_errors(STUDIO.interpolation, seed_a, seed_b, class_name, frames, psi)
    if result is not None:
        assert 2 <= len(result) <= limits.MAX_INTERPOLATION_FRAMES and all(f.size == (32, 32) for f in result)
        assert frames not in range(2, 6) or len(result) == frames
    result = only_knob_errors(STUDIO.class_interpolation, seed_a, class_name, class_name, frames, psi)
    if result is not None:
        assert 2 <= len(result) <= limits.MAX_INTERPOLATION_FRAMES


@FEW
@given(st.one_of(st.integers(1, 4), anything), st.one_of(st.integers(20, 200), anything))
def test_gif_and_upscale_knobs_take_anything(scale, duration):
    frame = STUDIO.image(STUDIO.knobs("Bag", 1, 1.0))
    gif = only_knob_errors(latent.frames_to_gif, [frame, frame], scale, duration)
    if gif is not None:
        assert gif[:6] in (b"GIF87a", b"GIF89a")
    big = only_knob_errors(latent.upscale, frame, scale)
    if big is not None:
        assert big.size[0] == 32 * int(float(scale))  # the knob takes "3" and "3.0" as 3


@PROPS
@given(class_names, st.one_of(valid_seeds, anything), st.one_of(valid_psi, anything), directions_values)
@example("Bag", 0, 1.0, None)  # ImageKnobs(directions=None): len(None) must not escape as a TypeError
@example("Bag", 0, 1.0, 5)
def test_studio_image_checks_hand_built_knobs_too(class_name, seed, psi, directions):
    """ImageKnobs built by hand (skipping validate_image_knobs) get the same clear errors, never a crash."""
    image = only_knob_errors(STUDIO.image, latent.ImageKnobs(class_name, seed, psi, directions))
    if image is not None:
        assert image.size == (32, 32)


# ----- the UI handlers themselves: only gr.Error reaches the user -----

def _text_handlers():
    from core.gpt.io import LoadedGPT
    from demo.text_tab import TextHandlers

    return TextHandlers(LoadedGPT(MODEL, TOKENIZER, {}, None))


def only_gr_errors(fn, *args):
    """Call a handler (plain or streaming); return its result, or None if it raised gr.Error. Anything else fails."""
    import gradio as gr

    try:
        result = fn(*args)
        return list(result) if hasattr(result, "__next__") else result
    except gr.Error as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None


TEXT_HANDLERS = _text_handlers()


@FEW
@given(st.one_of(valid_prompts, anything), anything, anything, anything, st.one_of(st.integers(1, 5), anything), anything)
def test_text_handlers_let_only_gr_errors_out(prompt, temperature, top_k, top_p, max_new_tokens, seed):
    from demo.text_tab import StreamSession

    session = StreamSession()
    only_gr_errors(TEXT_HANDLERS.generate, prompt, temperature, top_k, top_p, max_new_tokens, seed, session)
    only_gr_errors(TEXT_HANDLERS.regenerate, prompt, temperature, top_k, top_p, max_new_tokens, seed, session)
    only_gr_errors(TEXT_HANDLERS.next_tokens, prompt, temperature, top_k, top_p)
    only_gr_errors(TEXT_HANDLERS.inspect_prompt, prompt, temperature, top_k, top_p)


@functools.lru_cache(maxsize=1)
def _image_handlers():
    from demo.image_handlers import ImageHandlers

    return ImageHandlers(TINY_GAN)


@FEW
@given(class_names, st.one_of(valid_seeds, anything), st.one_of(valid_psi, anything), st.lists(anything, max_size=3),
       st.one_of(st.integers(1, 4), anything), st.one_of(st.integers(2, 4), anything))
def test_image_handlers_let_only_gr_errors_out(class_name, seed, psi, directions, count, frames):
    handlers = _image_handlers()
    only_gr_errors(handlers.image, class_name, seed, psi, *directions)
    only_gr_errors(handlers.grid, class_name, seed, count, psi)
    only_gr_errors(handlers.interpolate, seed, seed, class_name, frames, psi)
