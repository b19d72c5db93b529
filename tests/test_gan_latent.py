"""Latent tools over a real (small, untrained) generator saved to and loaded from a real checkpoint dir, plus the
shipped checkpoint when it is present."""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.checkpoints import CONFIG_FILE, WEIGHTS_FILE, CheckpointError
from core.gan.data import CLASS_NAMES
from core.gan.directions import compute_directions
from core.gan.ema import recalibrate_batchnorm
from core.gan.io import load_gan, save_gan
from core.gan.latent import (ImageKnobs, LatentStudio, frames_to_gif, random_class, seed_to_z, slerp, upscale,
                             validate_image_knobs)
from core.gan.model import GANConfig, Generator, init_weights
from core.limits import MAX_DIRECTION, MAX_GRID_IMAGES, MAX_PSI, MAX_SEED
from core.validation import KnobError

SHIPPED = Path("checkpoints/gan-fashion")


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.fixture(scope="module")
def gan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    g = Generator(GANConfig(z_dim=16, g_width=8, num_directions=6))
    init_weights(g)
    recalibrate_batchnorm(g, batches=2, batch_size=64)
    directions, scales = compute_directions(g, samples=512)
    g.directions.copy_(directions)
    g.direction_scales.copy_(scales)
    directory = tmp_path_factory.mktemp("gan")
    save_gan(directory, g)
    return directory


@pytest.fixture(scope="module")
def studio(gan_dir: Path) -> LatentStudio:
    return LatentStudio(load_gan(gan_dir))


def test_image_shape_mode_and_range(studio: LatentStudio) -> None:
    image = studio.image(studio.knobs("Sneaker", 3, 0.7))
    assert image.size == (32, 32) and image.mode == "L"
    assert 0 <= pixels(image).min() <= pixels(image).max() <= 255
    assert len(studio.direction_names) >= 6


def test_same_seed_same_pixels_across_loads(studio: LatentStudio, gan_dir: Path) -> None:
    knobs = validate_image_knobs("bag", 42, 1.0)
    again = LatentStudio(load_gan(gan_dir))
    assert np.array_equal(pixels(studio.image(knobs)), pixels(again.image(knobs)))
    assert torch.equal(seed_to_z(42, 16), seed_to_z(42, 16))


def test_different_seeds_differ(studio: LatentStudio) -> None:
    a, b = studio.image(studio.knobs("Coat", 1)), studio.image(studio.knobs("Coat", 2))
    assert not np.array_equal(pixels(a), pixels(b))


def test_psi_zero_is_the_mean_latent(studio: LatentStudio) -> None:
    z, _ = studio.latent(studio.knobs("Dress", 5, 0.0))
    assert torch.count_nonzero(z) == 0
    images = [pixels(studio.image(studio.knobs("Dress", seed, 0))) for seed in (0, 1, 12345, MAX_SEED)]
    assert all(np.array_equal(images[0], other) for other in images[1:])


def test_direction_at_zero_changes_nothing_and_moves_smoothly(studio: LatentStudio) -> None:
    base = pixels(studio.image(studio.knobs("Pullover", 7, 1.0)))
    zeros = pixels(studio.image(studio.knobs("Pullover", 7, 1.0, [0.0] * len(studio.direction_names))))
    assert np.array_equal(base, zeros)
    for i in range(len(studio.direction_names)):
        def moved(value: float) -> float:
            values = [0.0] * len(studio.direction_names)
            values[i] = value
            return float(np.abs(pixels(studio.image(studio.knobs("Pullover", 7, 1.0, values))) - base).mean())
        small, large = moved(0.25), moved(MAX_DIRECTION)
        assert large > 0 and small <= large


def test_random_class_is_drawn_from_the_seed(studio: LatentStudio) -> None:
    classes = [random_class(seed) for seed in range(200)]
    assert classes == [random_class(seed) for seed in range(200)]
    assert set(classes) == set(range(len(CLASS_NAMES)))
    seed = 11
    named = studio.image(studio.knobs(CLASS_NAMES[random_class(seed)], seed))
    assert np.array_equal(pixels(studio.image(studio.knobs("random", seed))), pixels(named))


def test_interpolation_endpoints_equal_the_seed_images(studio: LatentStudio) -> None:
    for class_name in ("Sandal", "random"):
        frames = studio.interpolation(3, 9, class_name, 8, 0.8)
        assert len(frames) == 8 and all(f.size == (32, 32) for f in frames)
        assert np.array_equal(pixels(frames[0]), pixels(studio.image(studio.knobs(class_name, 3, 0.8))))
        assert np.array_equal(pixels(frames[-1]), pixels(studio.image(studio.knobs(class_name, 9, 0.8))))
    a, b = torch.randn(16), torch.randn(16)
    assert torch.equal(slerp(a, b, 0.0), a) and torch.equal(slerp(a, b, 1.0), b)
    a, b = a / a.norm(), b / b.norm()
    middle, omega = slerp(a, b, 0.5), torch.arccos(a @ b)
    # on the great circle through a and b (unit length), halfway: half the angle to each
    assert middle.norm().item() == pytest.approx(1.0, abs=1e-5)
    assert (middle @ a).item() == pytest.approx(torch.cos(omega / 2).item(), abs=1e-5)
    assert (middle @ b).item() == pytest.approx(torch.cos(omega / 2).item(), abs=1e-5)


def test_class_interpolation_endpoints(studio: LatentStudio) -> None:
    frames = studio.class_interpolation(4, "Trouser", "Ankle boot", 5, 1.0)
    assert np.array_equal(pixels(frames[0]), pixels(studio.image(studio.knobs("Trouser", 4))))
    assert np.array_equal(pixels(frames[-1]), pixels(studio.image(studio.knobs("Ankle boot", 4))))


def test_grid_layout_and_seeds(studio: LatentStudio) -> None:
    grid = studio.grid("Shirt", 10, MAX_GRID_IMAGES, 1.0)
    assert grid.size == (8 * 32 + 7 * 2, 8 * 32 + 7 * 2) and grid.mode == "L"
    first = pixels(grid)[:32, :32]
    single = pixels(studio.image(studio.knobs("Shirt", 10)))
    assert np.abs(first - single).max() <= 1  # a batch may round one grey level differently from a single image
    assert studio.grid("random", 0, 10, 0.5).size == (4 * 32 + 3 * 2, 3 * 32 + 2 * 2)
    with pytest.raises(KnobError, match="grid size"):
        studio.grid("Shirt", 0, MAX_GRID_IMAGES + 1, 1.0)


def test_gif_and_upscale(studio: LatentStudio) -> None:
    frames = studio.interpolation(0, 1, "Bag", 6, 1.0)
    data = frames_to_gif(frames, scale=4, duration_ms=50)
    assert data[:6] == b"GIF89a"
    gif = Image.open(io.BytesIO(data))
    assert gif.size == (128, 128) and gif.n_frames >= 2
    assert upscale(frames[0], 3).size == (96, 96)
    with pytest.raises(KnobError, match="scale"):
        frames_to_gif(frames, scale=0)
    with pytest.raises(KnobError):
        frames_to_gif([])


@pytest.mark.parametrize("args, message", [
    (("Sock", 0, 1.0, ()), "class must be one of T-shirt/top, Trouser"),
    (("Bag", -1, 1.0, ()), "seed must be from 0 to"),
    (("Bag", 1.5, 1.0, ()), "seed must be a whole number"),
    (("Bag", 0, MAX_PSI + 0.1, ()), "psi"),
    (("Bag", 0, float("nan"), ()), "finite"),
    (("Bag", 0, 1.0, (MAX_DIRECTION + 1,)), "direction 1 must be from"),
    (("Bag", 0, 1.0, (0.0,) * 9), "at most 8 values"),
    (("Bag", 0, 1.0, "up"), "list of up to 8 numbers"),
    (("Bag", True, 1.0, ()), "seed"),
])
def test_bad_knobs_say_what_is_accepted(args: tuple, message: str) -> None:
    with pytest.raises(KnobError, match=message.replace("+", r"\+")):
        validate_image_knobs(*args)


def test_hand_built_knobs_are_checked_too(studio: LatentStudio) -> None:
    assert np.array_equal(pixels(studio.image(ImageKnobs("sneaker", 3))), pixels(studio.image(studio.knobs("Sneaker", 3))))
    with pytest.raises(KnobError, match="psi"):
        studio.image(ImageKnobs("Sneaker", 3, psi=-1.0))
    with pytest.raises(KnobError, match="6 direction sliders"):
        studio.image(ImageKnobs("Sneaker", 3, directions=(0.0,) * 6 + (1.0,)))


def test_knobs_are_normalised() -> None:
    knobs = validate_image_knobs("ankle BOOT", "7", "0.5", [1, "2"])
    assert knobs == ImageKnobs("Ankle boot", 7, 0.5, (1.0, 2.0) + (0.0,) * 6)


def test_broken_checkpoints_raise_checkpoint_error(gan_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not a directory"):
        load_gan(tmp_path / "missing")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / CONFIG_FILE).write_text((gan_dir / CONFIG_FILE).read_text())
    with pytest.raises(CheckpointError, match="missing"):
        load_gan(broken)
    (broken / WEIGHTS_FILE).write_bytes((gan_dir / WEIGHTS_FILE).read_bytes()[:100])
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        load_gan(broken)
    (broken / WEIGHTS_FILE).write_bytes((gan_dir / WEIGHTS_FILE).read_bytes())
    (broken / CONFIG_FILE).write_text('{"model_type": "char-gpt", "model": {}}')
    with pytest.raises(CheckpointError, match="model_type"):
        load_gan(broken)


def test_sample_cli(gan_dir: Path, tmp_path: Path) -> None:
    from core.gan.sample import main

    out = main(["--checkpoint", str(gan_dir), "--class", "Sneaker", "--seed", "3", "--psi", "0.7", "--out", str(tmp_path / "s.png")])
    assert Image.open(out).size == (32, 32)
    gif = main(["--checkpoint", str(gan_dir), "--seed", "1", "--to-seed", "2", "--frames", "4", "--out", str(tmp_path / "i.gif")])
    assert gif.read_bytes()[:3] == b"GIF"
    with pytest.raises(SystemExit, match="class must be one of"):
        main(["--checkpoint", str(gan_dir), "--class", "Sock", "--out", str(tmp_path / "x.png")])


def test_no_pickle_and_no_gradio_in_core_gan() -> None:
    for path in Path("core/gan").glob("*.py"):
        text = path.read_text()
        assert "torch.load" not in text and "import pickle" not in text, path
        assert not re.search(r"^\s*(import|from)\s+gradio", text, re.M), path


@pytest.mark.skipif(not (SHIPPED / CONFIG_FILE).is_file(), reason="checkpoints/gan-fashion is not trained/committed yet")
def test_shipped_checkpoint() -> None:
    loaded = load_gan(SHIPPED)
    studio = LatentStudio(loaded)
    assert torch.count_nonzero(loaded.generator.directions) > 0 and len(studio.direction_names) >= 6
    assert (SHIPPED / WEIGHTS_FILE).stat().st_size < 25 * 2**20
    assert studio.image(studio.knobs("Sneaker", 3, 0.7)).size == (32, 32)
    assert (SHIPPED / "samples.png").is_file()


def test_direction_labels_come_from_the_config_with_safe_fallbacks() -> None:
    from core.gan.io import direction_labels

    names, hints, ranges = direction_labels({}, 3)
    assert names == ["Direction 1 (PC1)", "Direction 2 (PC2)", "Direction 3 (PC3)"] and hints == [""] * 3
    assert ranges == [MAX_DIRECTION] * 3
    config = {"direction_names": ["Wide", "Dark", "Long"], "direction_hints": ["a", "b", "c"], "direction_ranges": [2, 0.1, 99]}
    assert direction_labels(config, 3) == (["Wide", "Dark", "Long"], ["a", "b", "c"], [2.0, 0.5, MAX_DIRECTION])
    broken = {"direction_names": ["only one"], "direction_hints": [1, 2, 3], "direction_ranges": [True, 2, 3]}
    assert direction_labels(broken, 3) == direction_labels({}, 3)  # a wrong list is ignored whole, not half-used


def test_along_directions_draws_what_the_sliders_draw(studio: LatentStudio) -> None:
    knobs = studio.knobs("Bag", 9, 0.8)
    moves = [1.0 + i for i in range(len(studio.directions))]
    pairs = studio.along_directions(knobs, moves)
    assert len(pairs) == len(studio.directions)
    for i in (0, len(moves) - 1):
        for sign, image in ((-1, pairs[i][0]), (1, pairs[i][1])):
            values = [0.0] * len(moves)
            values[i] = sign * moves[i]
            assert np.array_equal(pixels(image), pixels(studio.image(studio.knobs("Bag", 9, 0.8, values))))
    with pytest.raises(KnobError, match="one move per direction"):
        studio.along_directions(knobs, [1.0])


def test_measured_range_is_the_last_move_still_recognised_on_both_sides() -> None:
    from core.gan.direction_preview import ranges_from

    values = np.arange(0, 3.01, 0.5)  # 0, 0.5, ..., 3
    share = np.ones((3, len(values), 2))
    share[0, 4:, 0] = 0.5  # falls at 2.0 on the - side: range 1.5
    share[1, 2, 1] = 0.7  # a dip at 1.0 on the + side: range 0.5, even though it recovers
    assert ranges_from(values, share, keep=0.75) == [1.5, 0.5, 3.0]
    share[2, 1:, :] = 0.0  # nothing recognised past 0: still one step, so the slider moves
    assert ranges_from(values, share, keep=0.75)[2] == 0.5


def test_direction_preview_cli_writes_the_sheet_and_the_ranges(gan_dir: Path, tmp_path: Path) -> None:
    import shutil

    from core.gan.direction_preview import main

    classifier = Path("checkpoints/fashion-classifier")
    if not (classifier / CONFIG_FILE).is_file():
        pytest.skip("checkpoints/fashion-classifier is missing")
    gan = tmp_path / "gan"
    shutil.copytree(gan_dir, gan)
    count = len(LatentStudio(load_gan(gan)).directions)
    names = "|".join(f"Name {i}" for i in range(count))
    hints = "|".join(f"- less {i}; + more {i}" for i in range(count))
    ranges = main([str(gan), "--classifier", str(classifier), "--seeds", "1", "--sheet", str(tmp_path / "sheet.png"),
                   "--values=-4,0,4", "--write", "--names", names, "--hints", hints])
    assert len(ranges) == count and all(0.5 <= r <= MAX_DIRECTION and r * 2 == round(r * 2) for r in ranges)
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.width > 2 * 3 * 64 and sheet.height > count // 2 * 5 * 64
    studio = LatentStudio(load_gan(gan))  # the app reads them back from config.json
    assert studio.direction_names == names.split("|") and studio.direction_hints == hints.split("|")
    assert studio.direction_ranges == ranges
    with pytest.raises(SystemExit, match="--names takes"):
        main([str(gan), "--classifier", str(classifier), "--seeds", "1", "--names", "too|few"])
