"""'Watch it learn' support: a tiny real training run saves generator snapshots from step 0 to the end (loadable,
in order, each the EMA generator of its step), logs G's and D's losses, exports its discriminator, and evaluate
measures each snapshot's Frechet distance."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

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
