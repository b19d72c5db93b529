"""Training a small GPT on any text (core/gpt/train_quick.py) and keeping a run's snapshots (train.py
--snapshot-steps): the recipe's first step (vocabulary, split, a batch), the held-out loss falling below the text's
unigram entropy, the CLI's JSON line, a model folder that core.gpt.sample loads, refusals that say what is accepted."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from core.checkpoints import CheckpointError
from core.gpt import sample as sample_cli
from core.gpt import train, train_quick
from core.gpt.evaluate import window_loss
from core.gpt.io import load_gpt
from core.gpt.sample_texts import SAMPLES, load_sample
from core.gpt.snapshots import load_snapshot_pack
from core.gpt.tokenizer import CharTokenizer
from core.gpt.train_quick import SIZES, QuickTrainer, TextError, check_size, example_batch, prepare_text, vocabulary_rows
from core.validation import KnobError

MACBETH = load_sample("macbeth")


def test_the_samples_are_long_enough_and_one_is_chinese() -> None:
    assert len(load_sample("macbeth")) >= 30_000
    chinese = [s for s in SAMPLES.values() if s.language == "zh"]
    assert chinese and all(len(load_sample(s.key)) >= 9_000 for s in chinese)
    assert "床前明月光" in load_sample("tang300")  # 静夜思, as the package has it
    with pytest.raises(KeyError, match="macbeth"):
        load_sample("nope")


def test_vocabulary_comes_from_the_whole_text_and_the_last_tenth_is_held_out() -> None:
    text = "ab" * 600 + "xyz"  # x, y, z only in the held-out part: they still get an index
    prepared = prepare_text(text)
    assert prepared.tokenizer.vocab == "abxyz"
    assert prepared.train_text + prepared.val_text == text and len(prepared.val_text) == len(text) - int(len(text) * 0.9)
    rows = vocabulary_rows(prepared)
    assert rows[0] == ("a", 0, 600) and rows[-1] == ("z", 4, 1)
    assert prepared.tokenizer.decode(prepared.val_ids.tolist()) == prepared.val_text


def test_unigram_entropy_is_the_entropy_of_the_character_counts() -> None:
    prepared = prepare_text("a" * 750 + "b" * 250)
    assert prepared.unigram_nats == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))


def test_a_batch_is_the_inputs_and_the_same_ids_shifted_by_one() -> None:
    prepared = prepare_text(MACBETH[:5000])
    inputs, targets = example_batch(prepared, SIZES["tiny"], rows=3, length=20, seed=1)
    assert inputs.shape == targets.shape == (3, 20)
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    text = prepared.tokenizer.decode(inputs[0].tolist()) + prepared.tokenizer.decode([int(targets[0, -1])])
    assert text in prepared.train_text


@pytest.mark.parametrize("text, words", [("short", "at least 1,000"), ("x" * 400_000, "limit is 300,000"),
                                         ("a" * 2000, "single character"), (b"bytes", "must be text"),
                                         ("".join(map(chr, range(0x4E00, 0x4E00 + 5000))), "distinct")])
def test_texts_it_cannot_use_are_refused_with_what_is_accepted(text, words) -> None:
    with pytest.raises(TextError, match=words):
        prepare_text(text)


def test_sizes_are_named() -> None:
    assert check_size("tiny") is SIZES["tiny"]
    with pytest.raises(KnobError, match="tiny, small"):
        check_size("huge")


def test_training_lowers_the_held_out_loss_below_the_unigram_line() -> None:
    torch.set_num_threads(1)
    trainer = QuickTrainer(prepare_text(MACBETH[:30_000]), SIZES["tiny"], seed=0)
    assert trainer.start_val == pytest.approx(math.log(trainer.prepared.tokenizer.size), abs=0.5)  # untrained: ~uniform
    for _ in range(150):
        trainer.step()
    trainer.evaluate()
    assert trainer.best_val < trainer.prepared.unigram_nats < trainer.start_val
    assert trainer.best_model().config.vocab_size == trainer.prepared.tokenizer.size


def test_it_keeps_the_weights_with_the_best_held_out_loss() -> None:
    trainer = QuickTrainer(prepare_text(MACBETH[:3000]), SIZES["tiny"], seed=0)
    for _ in range(20):
        trainer.step()
    best = trainer.evaluate()
    kept = window_loss(trainer.best_model(), trainer.prepared.val_ids, trainer.context, max_windows=train_quick.EVAL_WINDOWS)
    assert kept == pytest.approx(best, abs=1e-5) and trainer.best_step == 20


def test_cli_prints_the_figures_and_saves_a_folder_sample_loads(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = tmp_path / "poems.txt"
    data.write_text(load_sample("tang300")[:12_000], encoding="utf-8")
    out = tmp_path / "model"
    assert train_quick.main(["--data", str(data), "--seconds", "2", "--size", "tiny", "--seed", "0", "--json", "--out", str(out)]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"unigram_nats", "start_nats", "end_nats", "steps", "params"} <= set(figures)
    assert figures["steps"] > 0 and figures["end_nats"] < figures["start_nats"]
    loaded = load_gpt(out)
    card = (out / "README.md").read_text("utf-8")
    config = json.loads((out / "config.json").read_text("utf-8"))
    assert config["training"]["data"]["characters"] == 12_000 and config["training"]["data"]["sha256"] in card
    assert "python -m core.gpt.train_quick --data" in card and str(figures["end_nats"]) in card
    prompt = "春眠不觉晓"
    assert all(c in loaded.tokenizer.vocab for c in prompt)
    assert sample_cli.main(["--checkpoint", str(out), "--prompt", prompt, "--max-new-tokens", "20", "--seed", "1"]) == 0
    written = capsys.readouterr().out
    # the prompt, the 20 characters drawn (newlines among them: a model trained 2 s may end a line anywhere), "\n"
    assert written.startswith(prompt) and written.endswith("\n") and len(written) == len(prompt) + 20 + 1


def test_cli_refuses_a_missing_or_short_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert train_quick.main(["--data", str(tmp_path / "none.txt")]) == 2
    (tmp_path / "short.txt").write_text("too short")
    assert train_quick.main(["--data", str(tmp_path / "short.txt")]) == 2
    assert "at least 1,000" in capsys.readouterr().err


def test_train_keeps_snapshots_with_the_loss_of_their_stored_weights(tmp_path: Path) -> None:
    data = tmp_path / "text.txt"
    data.write_text(MACBETH[:20_000], encoding="utf-8")
    args = ["--data", str(data), "--out", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"),
            "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--context", "16", "--batch-size", "4", "--warmup", "2",
            "--eval-windows", "20", "--eval-interval", "5", "--snapshot-dir", str(tmp_path / "pack")]
    train.main([*args, "--max-steps", "12", "--stop-at", "5", "--snapshot-steps", "0,3,12"])
    train.main([*args, "--max-steps", "12", "--resume", "--snapshot-steps", "0,3,12"])  # resumed runs keep adding
    pack = load_snapshot_pack(tmp_path / "pack")
    assert pack.steps == [0, 3, 12]
    assert [s for s, _ in pack.train_curve] == [10]  # one point per 10 steps
    val = CharTokenizer(pack.tokenizer.vocab).encode(MACBETH[18_000:20_000])
    model = pack.load_model(12)
    measured = window_loss(model, torch.tensor(val), 16, max_windows=20)
    assert measured == pytest.approx(pack.snapshot(12).val_loss, abs=1e-3)
    assert pack.snapshot(0).val_loss > pack.snapshot(12).val_loss
    assert next(iter(model.parameters())).dtype == torch.float32
    with pytest.raises(CheckpointError, match="steps \\[0, 3, 12\\]"):
        pack.snapshot(7)
