"""'Watch it learn' support: a tiny real training run saves generator snapshots from step 0 to the end (loadable,
in order, each the EMA generator of its step), logs G's and D's losses, exports its discriminator, and evaluate
measures each snapshot's Frechet distance."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from core.checkpoints import CheckpointError
from core.gan.data import FASHION_MNIST_DIR
from core.gan.discriminator import load_discriminator
from core.gan.snapshots import list_snapshots, load_snapshots, read_losses, snapshot_steps
from core.gan.train import main as train
from tests.conftest import write_fashion_png_folder

TINY = ["--batch-size", "16", "--z-dim", "8", "--g-width", "8", "--d-width", "8", "--directions", "4", "--threads", "1"]
needs_fashion_mnist = pytest.mark.skipif(not (FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                                         reason="Fashion-MNIST IDX files missing: apt-get install dataset-fashion-mnist")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 steps on 64 real test images (PNG folders by class), 4 snapshots, a loss line every 3 steps."""
    root = tmp_path_factory.mktemp("snapshots")
    write_fashion_png_folder(root / "pngs", labelled=64)
    train(["--data", str(root / "pngs"), "--out", str(root / "gan"), "--state-dir", str(root / "state"), "--max-steps", "12",
           "--snapshots", "4", "--log-every", "3", "--save-every", "100", *TINY])
    return root


def test_snapshot_steps_span_the_run() -> None:
    assert snapshot_steps(11700, 8) == [0, 1671, 3343, 5014, 6686, 8357, 10029, 11700]
    assert snapshot_steps(3, 8) == [0, 1, 2, 3] and snapshot_steps(100, 0) == []
    assert snapshot_steps(20592, 4, first_step=13104) == [13104, 15600, 18096, 20592]  # a second phase
    assert snapshot_steps(100, 4, first_step=100) == []


def test_a_second_phase_continues_the_run_and_packs_with_the_first(run: Path, tmp_path: Path) -> None:
    """--init-from starts from the exported G (its EMA too) and D, counts on from their step, decays the learning
    rate to 0, resumes exactly; unpack + pack join its snapshots and losses to the first phase's."""
    from core.checkpoints import STATE_JSON_FILE, STATE_TENSORS_FILE
    from core.gan.io import load_gan
    from core.gan.snapshots import load_snapshot_run, pack, unpack
    from safetensors.torch import load_file

    def phase2(name: str, steps: int, resume: bool = False) -> Path:
        state = tmp_path / name / "state"
        train(["--data", str(run / "pngs"), "--init-from", str(run / "gan"), "--out", str(tmp_path / name / "gan"),
               "--state-dir", str(state), "--epochs", "1", "--max-steps", str(steps), "--decay-lr", "--snapshots", "3",
               "--log-every", "2", "--save-every", "2", *TINY] + (["--resume"] if resume else []))
        return state

    state = phase2("straight", 4)
    phase2("resumed", 2)
    resumed = phase2("resumed", 4, resume=True)
    a, b = load_file(str(state / STATE_TENSORS_FILE)), load_file(str(resumed / STATE_TENSORS_FILE))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert [step for step, _ in list_snapshots(state / "snapshots")] == [12, 14, 16]  # 64 images / 16 = 4 steps an epoch
    assert [r["step"] for r in read_losses(state / "losses.jsonl")] == [14, 16]
    groups = json.loads((state / STATE_JSON_FILE).read_text())["param_groups"]
    assert [g["lr"] for g in groups] == pytest.approx([2e-4 / 4] * 2)  # the last step's rate: 1/4 of the way from 0
    first, start = load_gan(run / "gan").generator, load_snapshots(state / "snapshots")[0][1].generator
    z, y = torch.randn(6, 8, generator=torch.Generator().manual_seed(3)), torch.arange(6)
    assert torch.allclose(first(z, y), start.eval()(z, y), atol=1e-5)  # the phase starts where the first ended
    training = load_gan(tmp_path / "straight" / "gan").config["training"]
    assert training["steps"] == 16 and training["phase_start_step"] == 12 and training["earlier_phase"]["steps"] == 12

    pack(run / "state", tmp_path / "first")
    assert unpack(tmp_path / "first", state, [0, 4, 12]) == [0, 4]  # step 12 is already there: the second phase's start
    joined = load_snapshot_run(pack(state, tmp_path / "both") and tmp_path / "both")
    assert joined.steps == [0, 4, 12, 14, 16] and joined.losses["step"] == [3, 6, 9, 12, 14, 16]
    phases = joined.config["train_commands"]
    assert [(p["first_step"], p["last_step"]) for p in phases] == [(0, 4), (12, 16)] and "--init-from" in phases[1]["command"]
    assert "trained in 2 phases" in (tmp_path / "both" / "README.md").read_text()
    with pytest.raises(CheckpointError, match=r"has no snapshots at steps \[5\]"):
        unpack(tmp_path / "first", state, [5])


def test_snapshots_load_and_are_in_order(run: Path) -> None:
    snapshots = load_snapshots(run / "state" / "snapshots")
    assert [step for step, _ in snapshots] == [0, 4, 8, 12]
    z, y = torch.randn(4, 8, generator=torch.Generator().manual_seed(0)), torch.arange(4)
    images = [loaded.generator.eval()(z, y) for _, loaded in snapshots]
    assert all(not torch.equal(a, b) for a, b in zip(images, images[1:]))  # each step's generator differs
    assert [loaded.config["snapshot_of_step"] for _, loaded in snapshots] == [0, 4, 8, 12]
    assert all((path / "model.safetensors").stat().st_size < 25 * 2**20 for _, path in list_snapshots(run / "state" / "snapshots"))


def test_losses_are_logged_for_g_and_d(run: Path) -> None:
    records = read_losses(run / "state" / "losses.jsonl")
    assert [r["step"] for r in records] == [3, 6, 9, 12]
    assert all(r["loss_d"] > 0 and r["loss_g"] > 0 and 0 <= r["d_real"] <= 1 and 0 <= r["d_fake"] <= 1 for r in records)


def test_the_run_exports_its_own_discriminator(run: Path) -> None:
    loaded = load_discriminator(run / "gan-discriminator")
    assert "adversarial run itself" in loaded.config["training"]["what"]
    assert torch.sigmoid(loaded.model(torch.zeros(2, 1, 32, 32), torch.tensor([0, 1]))).shape == (2,)


@needs_fashion_mnist
def test_evaluate_measures_every_snapshot(run: Path, capsys: pytest.CaptureFixture) -> None:
    from core.gan.evaluate import main as evaluate

    results = evaluate(["--snapshots", str(run / "state" / "snapshots"), "--samples", "200", "--threads", "1"])
    assert [r["step"] for r in results] == [0, 4, 8, 12] and all(r["fd_generated_vs_test"] > 0 for r in results)
    saved = json.loads((run / "state" / "snapshots" / "fd.json").read_text())
    assert saved["snapshots"] == results
    assert "step 12" in capsys.readouterr().out


# ----- the packed checkpoint the app loads (core.gan.snapshots pack / load_snapshot_run) -----

def _write_fd(directory: Path, steps: list[int]) -> Path:
    """An fd.json in evaluate's format (its figures are not checked by pack; its steps are)."""
    records = [{"step": s, "fd_generated_vs_test": 100.0 - s, "fd_train_vs_test": 2.0, "fd_ratio": (100.0 - s) / 2, "class_fidelity": 0.5}
               for s in steps]
    path = directory / "fd.json"
    path.write_text(json.dumps({"command": "python -m core.gan.evaluate --snapshots x", "samples": 10, "snapshots": records}))
    return path


def test_pack_round_trip_is_float16_close_to_float32_and_in_step_order(run: Path, tmp_path: Path) -> None:
    from safetensors import safe_open

    from core.gan.images import to_uint8
    from core.gan.snapshots import load_snapshot_run, pack

    config = pack(run / "state", tmp_path / "packed", _write_fd(tmp_path, [0, 4, 8, 12]))
    packed = load_snapshot_run(tmp_path / "packed")
    assert packed.steps == [0, 4, 8, 12] == config["steps"]
    with safe_open(str(tmp_path / "packed" / "model.safetensors"), "pt") as f:
        dtypes = {f.get_tensor(k).dtype for k in f.keys() if k.startswith("step-") and f.get_tensor(k).is_floating_point()}
    assert dtypes == {torch.float16}  # stored in half precision ...
    assert all(p.dtype == torch.float32 for g in packed.generators for p in g.parameters())  # ... loaded as float32
    z, y = torch.randn(20, 8, generator=torch.Generator().manual_seed(1)), torch.arange(20) % 10
    for (step, original), generator in zip(load_snapshots(run / "state" / "snapshots"), packed.generators):
        a, b = to_uint8(original.generator.eval()(z, y)).astype(int), to_uint8(generator(z, y)).astype(int)
        assert abs(a - b).max() <= 2, step  # within 2 of 255 grey levels
    assert config["float16_check"]["max_grey_level_difference"] <= 2
    records = read_losses(run / "state" / "losses.jsonl")
    assert packed.losses["step"] == [r["step"] for r in records]
    assert packed.losses["loss_g"] == pytest.approx([r["loss_g"] for r in records], rel=1e-6)
    assert [r["step"] for r in packed.fd] == packed.steps and "fd.json" not in {p.name for p in (tmp_path / "packed").iterdir()}
    card = (tmp_path / "packed" / "README.md").read_text()
    assert "float16" in card and "| 12 |" in card and (tmp_path / "packed" / "learning.png").is_file()


def test_pack_refuses_what_it_cannot_pack(run: Path, tmp_path: Path) -> None:
    from core.gan.snapshots import main, pack

    with pytest.raises(CheckpointError, match="holds no step-NNNNNNN snapshot dirs"):
        pack(tmp_path / "nothing", tmp_path / "out")
    with pytest.raises(SystemExit, match="^error: .* holds no step-NNNNNNN snapshot dirs"):  # only the CLI exits
        main(["pack", str(tmp_path / "nothing"), str(tmp_path / "out")])
    with pytest.raises(CheckpointError, match=r"scores steps \[0, 5\], but the snapshots are at \[0, 4, 8, 12\]"):
        pack(run / "state", tmp_path / "out", _write_fd(tmp_path, [0, 5]))
    assert not (tmp_path / "out").exists()


def test_loading_refuses_a_dir_that_is_not_a_packed_run(run: Path, tmp_path: Path) -> None:
    from core.checkpoints import load_config, save_config
    from core.gan.snapshots import load_snapshot_run, pack

    with pytest.raises(CheckpointError, match="is not a directory: build it with `python -m core.gan.snapshots pack"):
        load_snapshot_run(tmp_path / "missing")
    with pytest.raises(CheckpointError, match="expected model_type 'cond-dcgan-generator-snapshots'"):
        load_snapshot_run(run / "gan")  # a GAN checkpoint, not a snapshot run
    pack(run / "state", tmp_path / "packed")
    config = load_config(tmp_path / "packed")
    save_config(tmp_path / "packed", config | {"steps": [0, 8, 4, 12]})
    with pytest.raises(CheckpointError, match="steps must be distinct, ascending"):
        load_snapshot_run(tmp_path / "packed")
    save_config(tmp_path / "packed", config | {"steps": [0, 4, 8], "fd": None})
    with pytest.raises(CheckpointError, match=r"holds snapshots \['step-0000012'\] that .* does not list"):
        load_snapshot_run(tmp_path / "packed")


def test_the_view_accepts_only_the_snapshots_steps(run: Path, tmp_path: Path) -> None:
    from core.gan.learning import LearningView
    from core.gan.snapshots import load_snapshot_run, pack
    from core.validation import KnobError

    pack(run / "state", tmp_path / "packed", _write_fd(tmp_path, [0, 4, 8, 12]))
    view = LearningView(load_snapshot_run(tmp_path / "packed"))
    assert [view.step_index(s) for s in (0, 4, 8, 12, 3.6, 12.0)] == [0, 1, 2, 3, 1, 3]  # a slider's float step is fine
    with pytest.raises(KnobError, match=r"training step must be one of the snapshots' steps \(0, 4, 8, 12\); got 6\."):
        view.step_index(6)
    with pytest.raises(KnobError, match="training step must be from 0 to 12; got 13"):
        view.step_index(13)
    assert view.image(4, "Sneaker", 3).size == (32, 32) and view.image(4, "Sneaker", 3) is view.image(4.0, "sneaker", "3")
    assert view.image(0, "Sneaker", 3).tobytes() != view.image(12, "Sneaker", 3).tobytes()
    assert view.grid(8).size == (10 * 32 + 9 * 2, 3 * 32 + 2 * 2)
    assert view.losses_at(0)["step"] == 3 and view.losses_at(12)["step"] == 12
    assert view.fd_at(4)["fd_generated_vs_test"] == 96.0
