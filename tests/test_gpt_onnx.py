"""The GPT's decode step on ONNX Runtime (core/gpt/onnx_step.py): the exported GPT.decode against PyTorch's full
forward at every position up to 3x past the window (seeds, batch shapes, prompt lengths); a row's logits the same
bits whatever the batch; files rebuilt when the weights change, never used stale; a missing or broken onnxruntime
falls back to PyTorch with the same text; and a stream's text the same alone or batched on the ONNX path.
"""
from __future__ import annotations

import copy
import logging
import random
import sys
from pathlib import Path

import pytest
import torch

from core.gpt import onnx_step
from core.gpt.batched_decode import BatchedDecoder, StreamBatch
from core.gpt.knobs import SamplingKnobs
from core.gpt.model import GPT, GPTConfig
from core.gpt.onnx_step import OrtStep, TorchStep, checkpoint_hash, decode_step
from core.gpt.sampling import Sampler
from core.gpt.tokenizer import CharTokenizer


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as the app and its worker run


def tiny_model(seed: int, **config) -> GPT:
    torch.manual_seed(seed)
    settings = {"vocab_size": 20, "context_length": 16, "n_layer": 2, "n_head": 2, "n_embd": 32, **config}
    return GPT(GPTConfig(**settings)).eval()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx")


def worst_against_full_forward(model: GPT, step: OrtStep, prompt_lengths: list[int], seed: int, every: int = 1) -> float:
    """Rows with prompts of the given lengths, then one batched step at a time to 3x past the window; the largest
    difference from the full forward (the banded sliding-window mask) at every `every`-th step of every row (and at
    every prompt position)."""
    window = model.config.context_length
    steps = 3 * window + 2
    generator = torch.Generator().manual_seed(seed)
    texts = [torch.randint(0, model.config.vocab_size, (n + steps,), generator=generator) for n in prompt_lengths]
    decoder = BatchedDecoder(model, len(texts), step)
    worst = 0.0
    with torch.inference_mode():
        for row, (n, text) in enumerate(zip(prompt_lengths, texts)):
            full = model(text[None, :n])[0]
            prefill = decoder.cache.feed(text[None, :n], row)[0]  # every prompt position, not just the last
            worst = max(worst, float((prefill - full).abs().max()))
        for i in range(steps):
            logits = decoder.step(torch.stack([text[n + i] for n, text in zip(prompt_lengths, texts)]))
            if i % every:
                continue
            for row, (n, text) in enumerate(zip(prompt_lengths, texts)):
                worst = max(worst, float((logits[row] - model(text[None, : n + i + 1])[0, -1]).abs().max()))
    return worst


@pytest.mark.parametrize("seed, lengths", [(0, [1]), (1, [1, 3, 15, 16, 17, 40]), (2, [16, 2]), (3, [5] * 5)])
def test_onnx_step_equals_the_full_forward_at_every_position_to_3x_past_the_window(seed, lengths, cache_dir) -> None:
    model = tiny_model(seed)
    step = OrtStep(model, cache_dir)
    assert worst_against_full_forward(model, step, lengths, seed) <= 1e-4


def test_onnx_step_on_the_shipped_model_equals_the_full_forward(shipped_gpt) -> None:
    model, _ = shipped_gpt
    step = decode_step(model)
    assert step.engine == "onnxruntime"
    assert worst_against_full_forward(model, step, [1, 129, 300], seed=4, every=13) <= 1e-4  # 13: prime to the window


def test_a_rows_logits_are_the_same_bits_in_any_batch(shipped_gpt) -> None:
    """What lets the ONNX path run a lone stream unpadded and still give it the text it gets batched (MIN_ROWS is
    for PyTorch's sgemm)."""
    model, _ = shipped_gpt
    step = decode_step(model)
    assert step.min_rows == 1
    generator = torch.Generator().manual_seed(5)
    rows = 9
    idx = torch.randint(0, model.config.vocab_size, (rows, 1), generator=generator)
    positions = torch.randint(0, 400, (rows,), generator=generator)
    past = [torch.randn(rows, model.config.n_head, model.config.context_length, model.config.head_dim, generator=generator)
            for _ in range(2 * model.config.n_layer)]
    batched, _ = step(idx, positions, past)
    for row in range(rows):
        alone, _ = step(idx[row : row + 1], positions[row : row + 1], [p[row : row + 1] for p in past])
        assert torch.equal(alone[0], batched[row]), f"row {row}"


def test_a_changed_checkpoint_is_exported_again_and_the_old_file_never_used(cache_dir) -> None:
    model = tiny_model(6)
    first = decode_step(model, cache_dir)
    assert isinstance(first, OrtStep) and (first.directory / "step.onnx").exists()
    assert decode_step(model, cache_dir) is first  # unchanged: the same session
    same = copy.deepcopy(model)
    made = (first.directory / "step.onnx").stat().st_mtime_ns
    assert OrtStep(same, cache_dir).directory == first.directory  # same weights: the cached files are used
    assert (first.directory / "step.onnx").stat().st_mtime_ns == made
    with torch.no_grad():
        model.blocks[0].mlp.fc.weight[0, 0] += 0.5  # as an optimizer step or load_state_dict would
    second = decode_step(model, cache_dir)
    assert second is not first and second.directory != first.directory
    assert second.directory.name == checkpoint_hash(model)
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.inference_mode():
        expected = model(ids)[0, -1]
    cache = BatchedDecoder(model, 1, second)
    assert torch.allclose(cache.prefill(0, ids[0]), expected, atol=1e-5)
    stale = BatchedDecoder(model, 1, first).prefill(0, ids[0])  # what the old file would have said
    assert not torch.allclose(stale, expected, atol=1e-3)


def test_a_corrupt_cached_file_is_built_again(cache_dir) -> None:
    model = tiny_model(7)
    directory = OrtStep(model, cache_dir).directory
    (directory / "step.onnx").write_bytes(b"not a model")
    step = OrtStep(copy.deepcopy(model), cache_dir)
    ids = torch.tensor([3, 1, 4])
    with torch.inference_mode():
        expected = model(ids[None])[0, -1]
    decoder = BatchedDecoder(model, 1, step)
    decoder.prefill(0, ids[:2])
    assert torch.allclose(decoder.step(ids[2:]), expected[None], atol=1e-5)


TEXT_TOKENIZER = CharTokenizer("\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize("failure", ["import", "session"])
def test_a_missing_or_broken_onnxruntime_falls_back_to_pytorch_with_the_same_text(failure, monkeypatch, caplog,
                                                                                  cache_dir) -> None:
    model = tiny_model(8, vocab_size=TEXT_TOKENIZER.size)
    knobs = SamplingKnobs(max_new_tokens=60, seed=3)
    on_onnx = Sampler(model, TEXT_TOKENIZER).generate("ROMEO:", knobs)
    assert isinstance(decode_step(model), OrtStep)
    fresh = copy.deepcopy(model)  # a model the process has not made a step for yet
    if failure == "import":
        monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` raises ImportError
    else:
        import onnxruntime

        def refuse(*args, **kwargs):
            raise RuntimeError("no session today")

        monkeypatch.setattr(onnxruntime, "InferenceSession", refuse)
    monkeypatch.setattr(onnx_step, "_said", set())
    with caplog.at_level(logging.WARNING, logger="core.gpt.onnx_step"):
        step = decode_step(fresh)
        assert isinstance(step, TorchStep)
        on_pytorch = Sampler(fresh, TEXT_TOKENIZER).generate("ROMEO:", knobs)
        Sampler(fresh, TEXT_TOKENIZER).generate("JULIET:", knobs)
        decode_step(copy.deepcopy(model))
    assert on_pytorch == on_onnx
    said = [r for r in caplog.records if "decodes in PyTorch" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in caplog.records]  # said once, not per stream


def test_a_streams_text_is_the_same_alone_or_batched_on_the_onnx_path(shipped_gpt) -> None:
    """8 streams with mixed prompts (past the 128 window), knobs and lengths, in one StreamBatch on ONNX Runtime;
    alone = Sampler.generate (a batch of one on the same step)."""
    model, tokenizer = shipped_gpt
    assert decode_step(model).engine == "onnxruntime"
    sampler, rng = Sampler(model, tokenizer), random.Random(9)
    source = ("ROMEO:\nBut soft, what light through yonder window breaks? It is the east, and Juliet is the sun.\n") * 5
    jobs = []
    for i in range(8):
        start = rng.randrange(len(source) - 1)
        prompt = source[start : start + rng.choice([1, 7, 127, 128, 129, 300])]
        knobs = SamplingKnobs(temperature=rng.choice([0.0, 0.8, 1.3]), top_k=rng.choice([0, 5, 40]),
                              top_p=rng.choice([1.0, 0.9]), repetition_penalty=rng.choice([1.0, 1.3]),
                              max_new_tokens=rng.choice([1, 40, 160]), seed=rng.randrange(2**32))
        jobs.append((prompt, knobs))
    batch = StreamBatch(model, 8)
    assert batch.decoder.engine == "onnxruntime"
    out: dict[int, list[int]] = {}
    for i, (prompt, knobs) in enumerate(jobs):
        out[i] = [batch.add(i, tokenizer.encode(prompt), knobs)[0]]
    while len(batch):
        for key, token, _ in batch.step():
            out[key].append(token)
    for i, (prompt, knobs) in enumerate(jobs):
        assert tokenizer.decode(out[i]) == sampler.generate(prompt, knobs), f"stream {i}: {prompt!r} {knobs}"
