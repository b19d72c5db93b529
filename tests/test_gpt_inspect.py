"""core/gpt/inspect.py on the shipped GPT: the trace is the model's own forward (logits, SDPA's output, the sampler's
numbers), attention rows are proper distributions inside the sliding window, and the CLI's JSON and errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from core import limits
from core.gpt import sampling
from core.gpt.inspect import RAW, step_distribution, step_distributions, step_probabilities, trace_ids, trace_text
from core.gpt.io import LoadedGPT, load_gpt
from core.gpt.knobs import SamplingKnobs
from core.gpt.sampling import Sampler, validate_prompt
from core.validation import KnobError
from demo.app_state import GPT_NAME
from tests.conftest import CHECKPOINTS, ROOT, require_checkpoint

# Past the 128-character window, so the banded mask is exercised; only characters the model knows.
LONG = ("ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"
        "Arise, fair sun, and kill the envious moon,\nWho is already sick and pale with grief,\n"
        "That thou her maid art far more fair than she.\n")
KNOBS = SamplingKnobs(temperature=0.9, top_k=30, top_p=0.9, repetition_penalty=1.3, max_new_tokens=200, seed=5)


@pytest.fixture(scope="module")
def gpt() -> LoadedGPT:
    require_checkpoint(GPT_NAME)
    return load_gpt(CHECKPOINTS / GPT_NAME)


def test_a_trace_does_not_change_the_forward_and_its_logits_equal_model_x(gpt: LoadedGPT) -> None:
    ids = gpt.tokenizer.encode(LONG)
    assert len(ids) > gpt.model.config.context_length
    with torch.inference_mode():
        plain = gpt.model(torch.tensor([ids]))[0]
    trace = trace_ids(gpt.model, ids)
    assert torch.allclose(trace.logits, plain, atol=1e-5, rtol=0)
    assert len(trace.layers) == gpt.model.config.n_layer


def test_trace_logits_and_probabilities_equal_the_samplers_at_every_step(gpt: LoadedGPT, monkeypatch) -> None:
    """Spy on next_token_probabilities while the sampler's reference path (the full forward every token) writes 200
    characters past the window; one traced forward over prompt + text must give the same logits and the same
    probability for each drawn character."""
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    real = sampling.next_token_probabilities

    def spy(logits, knobs, recent=None):
        probs = real(logits, knobs, recent)
        seen.append((logits.clone(), probs.clone()))
        return probs

    monkeypatch.setattr(sampling, "next_token_probabilities", spy)
    prompt = "JULIET:\n"
    text = prompt + Sampler(gpt.model, gpt.tokenizer).generate(prompt, KNOBS, use_cache=False)
    monkeypatch.setattr(sampling, "next_token_probabilities", real)
    trace = trace_text(gpt.model, gpt.tokenizer, text)
    assert len(seen) == 200 and trace.length == len(prompt) + 200 > gpt.model.config.context_length
    for j, (logits, _) in enumerate(seen):  # float32 sums in another order: 1e-5 relative to logits up to ~24
        assert torch.allclose(trace.logits[len(prompt) + j - 1], logits, atol=1e-5, rtol=1e-5), j
    ours = step_probabilities(trace, KNOBS, start=len(prompt))
    theirs = [float(probs[trace.ids[len(prompt) + j]]) for j, (_, probs) in enumerate(seen)]
    assert max(abs(a - b) for a, b in zip(ours, theirs)) < 1e-5
    assert min(ours) > 0  # every drawn character had a chance


def test_replaying_the_cached_samplers_draws_from_the_trace_gives_its_text(gpt: LoadedGPT) -> None:
    """The sampler as the app runs it (KV cache): drawing with the same seeded generator from the trace's
    distributions picks the very characters it wrote, so the distributions are the ones it drew from."""
    prompt = "ROMEO:\n"
    text = prompt + Sampler(gpt.model, gpt.tokenizer).generate(prompt, KNOBS)
    trace = trace_text(gpt.model, gpt.tokenizer, text)
    generator = torch.Generator().manual_seed(KNOBS.seed)
    replayed = [int(torch.multinomial(step_distribution(trace, step, KNOBS), 1, generator=generator))
                for step in range(len(prompt), trace.length)]
    assert replayed == trace.ids[len(prompt):]


def test_attention_rows_sum_to_one_nothing_ahead_or_beyond_the_window(gpt: LoadedGPT) -> None:
    trace = trace_text(gpt.model, gpt.tokenizer, LONG)
    T, window = trace.length, trace.window
    i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
    outside = (j > i) | (i - j >= window)
    for layer in range(len(trace.layers)):
        full = trace.full_attention(layer)
        assert full.shape == (gpt.model.config.n_head, T, T)
        assert torch.allclose(full.sum(-1), torch.ones(full.shape[:2]), atol=1e-5)
        assert float(full[:, outside].abs().max()) == 0.0
        assert float(full[:, ~outside].min()) > 0  # softmax: every reachable key gets some weight


def test_rebuilt_weights_reproduce_sdpa_output(gpt: LoadedGPT) -> None:
    """The weights come from the forward's own q, k and mask: weights @ v equals what SDPA returned."""
    trace = trace_text(gpt.model, gpt.tokenizer, LONG)
    for layer, rec in enumerate(trace.layers):
        for start in (0, 100, trace.length - 5):
            end = min(trace.length, start + 40)
            k_from, _ = trace.key_range(start, end)
            mixed = trace.attention(layer, start, end) @ rec.v[:, k_from:end]
            assert torch.allclose(mixed, rec.heads[:, start:end], atol=1e-5, rtol=0), (layer, start)


def test_scores_are_q_dot_k_over_sqrt_dk(gpt: LoadedGPT) -> None:
    trace = trace_text(gpt.model, gpt.tokenizer, "ROMEO:\nWhat light")
    rec = trace.layers[2]
    scores = trace.scores(2, 5, 6)  # query 5, keys 0..5
    assert torch.allclose(scores[1, 0, 3], (rec.q[1, 5] @ rec.k[1, 3]) / rec.q.shape[-1] ** 0.5, atol=1e-6)


def test_last_logit_lens_layer_is_the_final_distribution(gpt: LoadedGPT) -> None:
    trace = trace_text(gpt.model, gpt.tokenizer, LONG)
    for position in (0, 50, trace.length - 1):
        lens = trace.lens_probabilities(position)
        assert torch.allclose(lens[-1], torch.softmax(trace.logits[position], -1), atol=1e-6)
        assert torch.allclose(lens.sum(-1), torch.ones(lens.shape[0]), atol=1e-5)
    top = trace.lens(trace.length - 1, 3)
    assert len(top) == gpt.model.config.n_layer and all(a[1] >= b[1] for layer in top for a, b in zip(layer, layer[1:]))


def test_raw_distribution_is_temperature_one_nothing_cut(gpt: LoadedGPT) -> None:
    trace = trace_text(gpt.model, gpt.tokenizer, "To be, or not to b")
    raw = step_distribution(trace, trace.length, RAW)
    assert torch.allclose(raw, torch.softmax(trace.logits[-1], -1), atol=1e-6) and bool((raw > 0).all())


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.gpt.inspect", str(CHECKPOINTS / GPT_NAME), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_json_shape_and_values(gpt: LoadedGPT) -> None:
    result = _cli("--prompt", "ROMEO:", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    cfg, T = gpt.model.config, 6
    assert data["tokens"] == list("ROMEO:")
    attention = torch.tensor(data["attention"])
    assert attention.shape == (cfg.n_layer, cfg.n_head, T, T)
    assert torch.allclose(attention.sum(-1), torch.ones(cfg.n_layer, cfg.n_head, T), atol=1e-4)
    assert float(attention.triu(1).abs().max()) == 0.0
    trace = trace_text(gpt.model, gpt.tokenizer, "ROMEO:")
    assert torch.allclose(attention[3], trace.full_attention(3), atol=1e-5)
    assert len(data["logit_lens"]) == cfg.n_layer
    for layer in data["logit_lens"]:
        assert len(layer) == 3 and [p for _, p in layer] == sorted((p for _, p in layer), reverse=True)
    assert len(data["next"]) == 10
    probs = torch.softmax(trace.logits[-1], -1)
    for char, p in data["next"]:
        assert abs(p - float(probs[gpt.tokenizer.vocab.index(char)])) < 1e-6
    assert data["logit_lens"][-1] == data["next"][:3]


def test_cli_summary_is_readable(gpt: LoadedGPT) -> None:
    result = _cli("--prompt", "ROMEO:")
    assert result.returncode == 0 and "logit lens" in result.stdout and "next character" in result.stdout


@pytest.mark.parametrize("prompt", ["Só", "", "a" * (limits.MAX_PROMPT_CHARS + 1)])
def test_cli_bad_input_same_message_as_the_sampler_exit_2(gpt: LoadedGPT, prompt: str) -> None:
    with pytest.raises(KnobError) as expected:
        validate_prompt(prompt, gpt.tokenizer)
    result = _cli("--prompt", prompt, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == f"error: {expected.value}" and "Traceback" not in result.stderr


@pytest.mark.parametrize("knobs", [KNOBS, SamplingKnobs(temperature=0.0), SamplingKnobs(temperature=1.0, top_k=0, top_p=1.0),
                                   SamplingKnobs(temperature=2.0, top_k=5, top_p=0.5, repetition_penalty=3.0)])
def test_all_steps_at_once_equal_one_step_at_a_time(gpt: LoadedGPT, knobs: SamplingKnobs) -> None:
    trace = trace_text(gpt.model, gpt.tokenizer, LONG)
    together = step_distributions(trace, knobs, start=3)
    for step in (3, 50, 129, trace.length - 1):  # before and past the 128-character window of the penalty
        assert torch.allclose(together[step - 3], step_distribution(trace, step, knobs), atol=1e-6)
