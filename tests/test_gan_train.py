"""Data readers on the real IDX files and a folder of PNGs; a tiny real training run that saves, resumes and
reloads identically; the Frechet distance; evaluate and the classifier trainer on small samples."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from core.checkpoints import CONFIG_FILE, STATE_TENSORS_FILE, WEIGHTS_FILE
from core.gan.data import (FASHION_MNIST_DIR, label_for_folder, load_fashion_mnist, load_image_folder,
                           read_idx, to_model_tensor)
from core.gan.io import load_gan
from core.gan.metrics import frechet_distance
from tests.conftest import write_fashion_png_folder

needs_fashion_mnist = pytest.mark.skipif(not (FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                                         reason="Fashion-MNIST IDX files missing: apt-get install dataset-fashion-mnist")
TINY = ["--batch-size", "16", "--z-dim", "8", "--g-width", "8", "--d-width", "8", "--directions", "6", "--threads", "1"]


@pytest.fixture(scope="module")
def png_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64 real test images as PNGs in class subfolders ('Ankle boot' spelled ankle_boot), plus 2 unlabelled."""
    return write_fashion_png_folder(tmp_path_factory.mktemp("pngs"), labelled=64, unlabelled=2)


@needs_fashion_mnist
def test_reads_the_real_idx_files() -> None:
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    assert train.images.shape == (60_000, 28, 28) and test.images.shape == (10_000, 28, 28)
    assert train.images.dtype == np.uint8 and np.bincount(train.labels).tolist() == [6000] * 10
    x = to_model_tensor(test.images[:5])
    assert x.shape == (5, 1, 32, 32) and x.min() >= -1 and x.max() <= 1 and (x[:, :, :2] == -1).all()


def test_idx_reader_round_trip_and_truncation(tmp_path: Path) -> None:
    data = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = bytes([0, 0, 0x08, 3]) + np.array([2, 3, 4], dtype=">u4").tobytes() + data.tobytes()
    (tmp_path / "ok-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
    assert np.array_equal(read_idx(tmp_path / "ok-idx3-ubyte.gz"), data)
    (tmp_path / "short-idx3-ubyte").write_bytes(raw[:-5])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short-idx3-ubyte")
    (tmp_path / "bad").write_bytes(b"\x89PNG....")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")


def test_reads_a_folder_of_pngs(png_folder: Path) -> None:
    data = load_image_folder(png_folder)
    assert data.images.shape == (66, 28, 28) and len(data.labels) == 66
    assert label_for_folder("ankle_boot") == 9 and label_for_folder("T-shirt_top") == 0 and label_for_folder("7") == 7
    assert label_for_folder("socks") is None

def test_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no images"):
        load_image_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_image_folder(tmp_path / "missing")


def test_tiny_training_saves_resumes_and_reloads_identically(png_folder: Path, tmp_path: Path) -> None:
    from core.gan.train import main

    def run(name: str, steps: int, resume: bool = False) -> Path:
        out, state = tmp_path / name / "model", tmp_path / name / "state"
        main(["--data", str(png_folder), "--out", str(out), "--state-dir", str(state), "--max-steps", str(steps),
              "--epochs", "3", "--save-every", "3", *TINY] + (["--resume"] if resume else []))
        return out

    straight = run("straight", 6)
    run("resumed", 3)
    resumed = run("resumed", 6, resume=True)
    a, b = load_file(str(straight / WEIGHTS_FILE)), load_file(str(resumed / WEIGHTS_FILE))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    sa = load_file(str(tmp_path / "straight" / "state" / STATE_TENSORS_FILE))
    sb = load_file(str(tmp_path / "resumed" / "state" / STATE_TENSORS_FILE))
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    config = json.loads((resumed / CONFIG_FILE).read_text())
    assert config["training"]["steps"] == 6 and "--resume" not in config["train_command"]
    assert (resumed / "samples.png").is_file() and (resumed / "README.md").is_file()
    assert list((tmp_path / "straight" / "state" / "samples").glob("epoch-*.png"))  # a grid every epoch
    loaded = load_gan(resumed)
    assert not loaded.generator.training and torch.count_nonzero(loaded.generator.directions) > 0
    z, y = torch.randn(4, 8), torch.tensor([0, 1, 2, 3])
    with torch.no_grad():
        out = loaded.generator(z, y)
    assert out.shape == (4, 1, 32, 32) and out.abs().max() <= 1
    assert torch.equal(out, load_gan(resumed).generator(z, y).detach())


def test_frechet_distance() -> None:
    g = torch.Generator().manual_seed(0)
    a = torch.randn(2000, 16, generator=g)
    assert frechet_distance(a, a) < 1e-6
    shifted = frechet_distance(a, a + 1.0)
    assert abs(shifted - 16.0) < 1e-3  # a pure mean shift of 1 in each of 16 dimensions
    assert frechet_distance(a, torch.randn(2000, 16, generator=g)) < 0.5 < frechet_distance(a, 2 * a)
    with pytest.raises(ValueError):
        frechet_distance(a, a[:, :3])


@needs_fashion_mnist
def test_classifier_and_evaluate_on_a_small_sample(png_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from core.gan.evaluate import main as evaluate
    from core.gan.train import main as train
    from core.gan.train_classifier import main as train_classifier

    accuracy = train_classifier(["--epochs", "1", "--limit", "512", "--width", "4", "--out", str(tmp_path / "clf"), "--threads", "1"])
    assert 0.1 < accuracy <= 1.0
    assert "test accuracy" in (tmp_path / "clf" / "README.md").read_text()
    train(["--data", str(png_folder), "--out", str(tmp_path / "gan"), "--state-dir", str(tmp_path / "state"), "--max-steps", "2", *TINY])
    scores = evaluate([str(tmp_path / "gan"), "--classifier", str(tmp_path / "clf"), "--samples", "100", "--write-card"])
    printed = capsys.readouterr().out
    assert "Frechet distance, generated vs test" in printed and "class fidelity" in printed
    assert scores.samples == 100 and scores.fd_generated_vs_test > scores.fd_train_vs_test >= 0
    assert 0 <= scores.class_fidelity <= 1 and abs(scores.classifier_test_accuracy - accuracy) < 0.2
    config = json.loads((tmp_path / "gan" / CONFIG_FILE).read_text())
    assert config["metrics"]["fd_generated_vs_test"] == scores.fd_generated_vs_test
    assert "Frechet distance, generated vs test" in (tmp_path / "gan" / "README.md").read_text()


def test_commands_have_help() -> None:
    import subprocess
    import sys

    for module in ("core.gan.train", "core.gan.train_classifier", "core.gan.evaluate", "core.gan.sample"):
        result = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "usage" in result.stdout, module


def test_training_runs_under_torchrun_with_two_processes(png_folder: Path, tmp_path: Path) -> None:
    """DDP over gloo: two processes, each taking every second batch; rank 0 writes the checkpoint."""
    import os
    import subprocess
    import sys

    out = tmp_path / "ddp"
    env = dict(os.environ, PYTHONPATH=str(Path.cwd()), OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                             "-m", "core.gan.train", "--data", str(png_folder), "--out", str(out / "model"), "--state-dir",
                             str(out / "state"), "--max-steps", "2", *TINY],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    config = json.loads((out / "model" / CONFIG_FILE).read_text())
    assert config["training"]["steps"] == 2 and config["training"]["batch_size"] == 32  # 16 per process x 2
    assert "2 process(es)" in result.stdout


def test_learning_rate_warms_up_then_decays_to_zero() -> None:
    from core.gan.train import lr_scale

    assert [lr_scale(s, 100, 200, 0, False) for s in (100, 150, 199)] == [1.0, 1.0, 1.0]
    assert lr_scale(100, 100, 200, 10, False) == pytest.approx(0.1) and lr_scale(109, 100, 200, 10, False) == 1.0
    assert lr_scale(150, 100, 200, 0, True) == pytest.approx(0.5) and lr_scale(199, 100, 200, 0, True) == pytest.approx(0.01)
    assert lr_scale(101, 100, 200, 4, True) == pytest.approx(0.5 * 0.99)  # both at once
