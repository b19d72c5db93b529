"""The GPT snapshot pack (checkpoints/gpt-shakespeare-snapshots): its index loads, a snapshot's weights reproduce the
held-out loss stored beside them, and a missing or damaged pack is a CheckpointError that says what to do."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch

from core.checkpoints import CheckpointError
from core.gpt.data import load_shakespeare
from core.gpt.evaluate import window_loss
from core.gpt.snapshots import load_snapshot_pack, snapshot_file
from demo.app_state import GPT_SNAPSHOTS_NAME
from tests.conftest import CHECKPOINTS, require_checkpoint

PACK = CHECKPOINTS / GPT_SNAPSHOTS_NAME


@pytest.fixture(scope="module")
def pack():
    require_checkpoint(GPT_SNAPSHOTS_NAME)
    return load_snapshot_pack(PACK)


def test_the_index_lists_its_snapshots_in_order_with_their_held_out_loss(pack) -> None:
    assert pack.steps == sorted(pack.steps) and pack.steps[0] == 0
    assert pack.tokenizer.size == pack.model_config.vocab_size
    untrained = pack.snapshot(0).val_loss
    assert abs(untrained - math.log(pack.tokenizer.size)) < 0.3  # step 0 is noise: about ln 82 = 4.41
    if len(pack.steps) > 1:
        assert pack.snapshots[-1].val_loss < untrained - 1.0  # the run learned
    assert pack.train_curve and all(a < b for (a, _), (b, _) in zip(pack.train_curve, pack.train_curve[1:]))
    for s in pack.snapshots:
        assert (PACK / s.file).is_file() and s.file == snapshot_file(s.step)


def test_a_snapshot_reproduces_its_stored_held_out_loss(pack) -> None:
    """The last snapshot's weights, scored as the trainer scored them (the same evenly spaced windows of the
    held-out plays), give the loss stored in the index."""
    step = pack.steps[-1]
    model = pack.load_model(step)
    val = torch.tensor(pack.tokenizer.encode(load_shakespeare().val_text), dtype=torch.long)
    measured = window_loss(model, val, pack.model_config.context_length, max_windows=pack.info["eval_windows"])
    assert abs(measured - pack.snapshot(step).val_loss) < 0.05, (step, measured, pack.snapshot(step).val_loss)


def test_an_unknown_step_names_the_steps_it_has(pack) -> None:
    with pytest.raises(CheckpointError, match="has no snapshot at step 7"):
        pack.load_model(7)


def _copy(pack, tmp_path: Path) -> Path:
    """The pack's index and its first snapshot in a folder of their own, to damage."""
    folder = tmp_path / "pack"
    folder.mkdir()
    shutil.copy(PACK / "config.json", folder / "config.json")
    shutil.copy(PACK / pack.snapshots[0].file, folder / pack.snapshots[0].file)
    return folder


def test_a_missing_pack_is_a_checkpoint_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="config.json is missing"):
        load_snapshot_pack(tmp_path / "nothing-here")


@pytest.mark.parametrize("damage", ["not json", "wrong type", "no snapshots", "vocab mismatch"])
def test_a_damaged_index_is_a_checkpoint_error(pack, tmp_path: Path, damage: str) -> None:
    folder = _copy(pack, tmp_path)
    config = json.loads((folder / "config.json").read_text("utf-8"))
    if damage == "not json":
        (folder / "config.json").write_text("{ half a file", "utf-8")
    else:
        if damage == "wrong type":
            config["model_type"] = "char-gpt"
        elif damage == "no snapshots":
            config["snapshots"] = []
        else:
            config["vocab"] = config["vocab"][:-1]
        (folder / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(CheckpointError):
        load_snapshot_pack(folder)


def test_missing_or_damaged_weights_are_a_checkpoint_error(pack, tmp_path: Path) -> None:
    folder = _copy(pack, tmp_path)
    copy = load_snapshot_pack(folder)
    if len(pack.steps) > 1:
        with pytest.raises(CheckpointError, match="is missing"):
            copy.load_model(pack.steps[1])
    weights = folder / pack.snapshots[0].file
    data = bytearray(weights.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # zeros over some weights: the checksum no longer matches
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError):
        copy.load_model(0)


def test_the_app_starts_without_the_pack_or_with_a_broken_one_and_says_why(tmp_path: Path) -> None:
    from demo.app_state import load_app_state

    state = load_app_state(tmp_path)
    assert state.gpt_snapshots is None and "no checkpoint at" in state.notes[GPT_SNAPSHOTS_NAME]
    (tmp_path / GPT_SNAPSHOTS_NAME).mkdir()
    (tmp_path / GPT_SNAPSHOTS_NAME / "config.json").write_text('{"model_type": "char-gpt-snapshots"}', "utf-8")
    state = load_app_state(tmp_path)
    assert state.gpt_snapshots is None and "is not a valid snapshot pack" in state.notes[GPT_SNAPSHOTS_NAME]


def test_the_view_says_the_pack_is_missing_instead_of_its_controls() -> None:
    import gradio as gr

    from demo.gpt_learning_tab import build_gpt_learning
    from demo.gpt_models import GptModels

    with gr.Blocks() as demo:
        assert build_gpt_learning(GptModels(None, None), "gpt-shakespeare-snapshots: no checkpoint at x") is None
    shown = [str(b.value) for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any('"learn.missing_title"' in v for v in shown)  # "The GPT's training snapshots are not available", translated
    assert any("no checkpoint at x" in v for v in shown)  # the loader's note: the file and the fix
