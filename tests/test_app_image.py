"""Image tab handlers called directly on the real GAN checkpoint: instant redraws, grid, interpolation GIF, errors."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
from gradio.utils import get_upload_folder, is_in_or_equal
from PIL import Image

from core import limits
from tests.conftest import require_checkpoint
from demo.app_state import GAN_NAME
from core.gan.data import CLASS_NAMES
from demo.image_handlers import ImageHandlers
from demo.image_render import IMAGE_SCALE, Layout, image_name, psi_text, slug
from demo.shared import GeneratedFiles


def _zeros(handlers) -> list[float]:
    return [0.0] * len(handlers.direction_names)


def test_the_slider_event_writes_each_image_to_its_own_png_in_gradios_cache(image_handlers):
    expected = image_handlers.image("Sneaker", 3, 1.0, *_zeros(image_handlers))
    paths = [Path(image_handlers.image_file("Sneaker", 3, 1.0, *_zeros(image_handlers))) for _ in range(2)]
    assert paths[0] != paths[1]  # the same image twice: two files, never one rewritten in place
    for path in paths:
        assert path.parent.parent == image_handlers.files.dir and is_in_or_equal(path, get_upload_folder())  # served as is
        assert path.name == "sneaker-seed3-psi1.0.png"  # the download says what it is; the folder keeps it unguessable
        assert (path.parent.stat().st_mode & 0o777) == 0o700 and len(path.parent.name) == 16
        with Image.open(path) as png:
            assert png.format == "PNG" and png.tobytes() == expected.tobytes()
        path.unlink()


def test_image_is_enlarged_with_crisp_pixels(image_handlers):
    image = image_handlers.image("Sneaker", 3, 1.0, *_zeros(image_handlers))
    assert image.size == (32 * IMAGE_SCALE, 32 * IMAGE_SCALE) and image.mode == "L"
    small = image.resize((32, 32), Image.NEAREST)
    assert small.resize(image.size, Image.NEAREST).tobytes() == image.tobytes()  # every 8x8 block is one grey


def test_same_knobs_same_image_and_every_knob_changes_it(image_handlers):
    zeros = _zeros(image_handlers)
    base = image_handlers.image("Sneaker", 3, 1.0, *zeros).tobytes()
    assert image_handlers.image("Sneaker", 3, 1.0, *zeros).tobytes() == base
    assert image_handlers.image("Sneaker", 4, 1.0, *zeros).tobytes() != base
    assert image_handlers.image("Bag", 3, 1.0, *zeros).tobytes() != base
    assert image_handlers.image("Sneaker", 3, 0.5, *zeros).tobytes() != base
    for i in range(len(zeros)):
        moved = list(zeros)
        moved[i] = 4.0
        assert image_handlers.image("Sneaker", 3, 1.0, *moved).tobytes() != base, image_handlers.direction_names[i]


def test_direction_moves_reuse_the_cached_latent(image_handlers):
    studio = image_handlers.studio
    image_handlers.image("Coat", 11, 0.7, *_zeros(image_handlers))
    cached = len(studio._cache)
    image_handlers.image("Coat", 11, 0.7, 2.0, *_zeros(image_handlers)[1:])
    assert len(studio._cache) == cached


def test_grid_and_interpolation(image_handlers):
    grid = image_handlers.grid("Bag", 0, 16, 1.0)
    assert grid.width > 4 * 32 and grid.height > 4 * 32
    path = image_handlers.interpolate(0, 1, "Dress", 5, 1.0)
    assert Path(path).name == "dress-seed0-to-1-psi1.0.gif"
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (32 * IMAGE_SCALE, 32 * IMAGE_SCALE)
    assert image_handlers.interpolate(0, 1, "Dress", 5, 1.0) == path  # same knobs reuse the file


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda h: h.image("Hat", 0, 1.0), "class must be one of"),
        (lambda h: h.image("Bag", -1, 1.0), "seed must be from 0"),
        (lambda h: h.image("Bag", 0, limits.MAX_PSI + 1), r"psi \(truncation\) must be from 0"),
        (lambda h: h.image("Bag", 0, 1.0, limits.MAX_DIRECTION * 2), "direction 1 must be from"),
        (lambda h: h.image("Bag", 0, 1.0, *[0.0] * 20), "at most"),
        (lambda h: h.image("Bag", 0, "wide"), "must be a number"),
        (lambda h: h.grid("Bag", 0, limits.MAX_GRID_IMAGES + 1, 1.0), "grid size must be from 1 to"),
        (lambda h: h.interpolate(0, 1, "Bag", 1, 1.0), "frames must be from 2 to"),
        (lambda h: h.interpolate(0, -2, "Bag", 5, 1.0), "seed B must be from 0"),
    ],
)
def test_bad_image_knobs_are_refused_with_a_message(image_handlers, call, fragment):
    with pytest.raises(gr.Error, match=fragment):
        call(image_handlers)


def test_generated_files_live_in_a_private_folder_and_never_follow_a_planted_link(tmp_path, monkeypatch):
    files = GeneratedFiles(cap_bytes=10_000, parent=tmp_path)
    assert files.dir.parent == tmp_path and (files.dir.stat().st_mode & 0o777) == 0o700
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    # A neighbour who could guess the next name and plant a link there gets the write refused, not followed.
    monkeypatch.setattr("demo.shared.secrets.token_hex", lambda n: "guessed")
    (files.dir / "image-guessed.png").symlink_to(victim)
    with pytest.raises(FileExistsError):
        files.write("image", ".png", lambda f: f.write(b"x" * 10))
    assert victim.read_text() == "not yours"


def test_generated_files_stay_under_their_disk_cap_oldest_deleted_first(tmp_path):
    files = GeneratedFiles(cap_bytes=10_000, parent=tmp_path)
    paths = [Path(files.write("grid", ".png", lambda f: f.write(bytes(3_000)))) for _ in range(10)]
    on_disk = sorted(files.dir.iterdir())
    assert sum(p.stat().st_size for p in on_disk) <= 10_000 == files.cap_bytes
    assert on_disk == sorted(paths[-3:]) and files.total_bytes == 9_000  # the three newest survive
    assert len({p.name for p in paths}) == 10  # every write its own random name


def test_interpolation_gifs_are_stored_once_and_bounded_by_the_cap(app_state, tmp_path):
    require_checkpoint(GAN_NAME)
    handlers = ImageHandlers(app_state.gan, GeneratedFiles(cap_bytes=400_000, parent=tmp_path))
    first = handlers.interpolate(0, 1, "Dress", 12, 1.0)
    assert handlers.interpolate(0, 1, "Dress", 12, 1.0) == first  # same knobs, same file, no second copy
    for seed_b in range(2, 12):
        handlers.interpolate(0, seed_b, "Dress", 12, 1.0)
    gifs = list(handlers.files.dir.glob("*/*.gif"))
    assert sum(g.stat().st_size for g in gifs) <= 400_000 and 1 <= len(gifs) < 11
    assert not Path(first).exists() and handlers.interpolate(0, 1, "Dress", 12, 1.0) != first  # pruned, then remade


def test_downloads_are_named_after_what_they_show(image_handlers):
    zeros = _zeros(image_handlers)
    moved = [0.0, 1.5, *zeros[2:]]
    assert Path(image_handlers.image_file("Dress", 5, 1.0, *zeros)).name == "dress-seed5-psi1.0.png"
    assert Path(image_handlers.image_file("T-shirt/top", 7, 0.75, *moved)).name == "t-shirt-top-seed7-psi0.75-d2+1.5.png"
    knobs = image_handlers.studio.knobs("random", 5, 1.0)  # 'random' is named after the class the seed drew
    assert Path(image_handlers.image_file("random", 5, 1.0)).name == image_name(knobs, image_handlers.class_of(knobs))
    assert not image_handlers.class_of(knobs) == "random"
    assert Path(image_handlers.grid_file("Dress", 5, 16, 1.0)).name == "dress-seeds5-20-psi1.0.png"
    assert Path(image_handlers.interpolate(5, 1, "Dress", 4, 1.0)).name == "dress-seed5-to-1-psi1.0.gif"
    assert [psi_text(p) for p in (1.0, 0.75, 0.5, 2.0, 0.05)] == ["1.0", "0.75", "0.5", "2.0", "0.05"]


def test_named_files_stay_private_and_a_planted_link_is_never_followed(tmp_path, monkeypatch):
    files = GeneratedFiles(cap_bytes=10_000, parent=tmp_path)
    path = Path(files.write_named("dress-seed5-psi1.0.png", lambda f: f.write(b"png")))
    assert path.name == "dress-seed5-psi1.0.png" and path.parent.parent == files.dir
    assert (path.parent.stat().st_mode & 0o777) == 0o700 and (path.stat().st_mode & 0o777) == 0o600
    victim = tmp_path / "victim"
    victim.mkdir()
    # A neighbour who guessed the next folder name and planted a link to a folder of theirs: refused, not followed.
    monkeypatch.setattr("demo.shared.secrets.token_hex", lambda n: "guessed")
    (files.dir / "guessed").symlink_to(victim)
    with pytest.raises(FileExistsError):
        files.write_named("dress-seed5-psi1.0.png", lambda f: f.write(b"x"))
    assert list(victim.iterdir()) == []
    for bad in ("../escape.png", ".hidden", "a/b.png", ""):
        with pytest.raises(ValueError):
            files.write_named(bad, lambda f: f.write(b"x"))


def test_named_files_stay_under_the_disk_cap_folders_and_all(tmp_path):
    files = GeneratedFiles(cap_bytes=10_000, parent=tmp_path)
    paths = [Path(files.write_named("same-name.png", lambda f: f.write(bytes(3_000)))) for _ in range(10)]
    assert len({p.parent for p in paths}) == 10  # one name, ten files: none rewritten in place
    on_disk = sorted(p for p in files.dir.rglob("*") if p.is_file())
    assert on_disk == sorted(paths[-3:]) and files.total_bytes == 9_000  # the three newest survive
    assert len(list(files.dir.iterdir())) == 3  # the pruned files' folders went with them


def test_the_api_grid_sheet_is_labelled(image_handlers):
    grid = image_handlers.grid("random", 40, 6, 1.0)
    layout = Layout.of(6)
    assert grid.size == layout.size and (layout.cols, layout.rows) == (3, 2)
    caption = grid.crop((0, layout.tile, layout.tile, layout.cell_h - 4))  # the band under the first tile
    assert min(caption.getdata()) < 100 < max(caption.getdata())  # dark text on a light band


def test_the_page_grid_is_tiles_captioned_with_class_and_seed_and_reused(image_handlers):
    tiles = image_handlers.grid_tiles("random", 40, 6, 1.0)
    assert len(tiles) == 6
    images, labels = image_handlers.studio.grid_images("random", 40, 6, 1.0)
    for i, ((path, caption), image, label) in enumerate(zip(tiles, images, labels)):
        assert caption == f"{CLASS_NAMES[label]}\nseed {40 + i}"
        assert Path(path).name == f"{slug(CLASS_NAMES[label])}-seed{40 + i}-psi1.0.png"
        with Image.open(path) as tile:  # the generator's own pixels, enlarged
            assert tile.size == (128, 128) and tile.resize((32, 32), Image.NEAREST).tobytes() == image.tobytes()
    shifted = image_handlers.grid_tiles("random", 42, 6, 1.0)  # seeds 42.. overlap: those files are reused
    assert shifted[:4] == tiles[2:]
def test_direction_sliders_have_names_hints_and_ranges_from_the_checkpoint(image_handlers):
    studio = image_handlers.studio
    names, hints, ranges = studio.direction_names, studio.direction_hints, studio.direction_ranges
    assert len(names) == len(hints) == len(ranges) == len(studio.directions)
    assert all(0.5 <= r <= limits.MAX_DIRECTION for r in ranges)
    strips = image_handlers.preview_strips("Dress", 5, 1.0)
    assert len(strips) == len(names) and strips[0].size == (2 * 64 + 4, 64 + 13)
    # The strip's halves are the images at -range and +range along that direction (as the slider draws them).
    for i in (0, len(names) - 1):
        for sign, box in ((-1, (0, 0, 64, 64)), (1, (68, 0, 132, 64))):
            moved = _zeros(image_handlers)
            moved[i] = sign * ranges[i]
            expected = image_handlers.studio.image(image_handlers.studio.knobs("Dress", 5, 1.0, moved)).resize((64, 64), Image.NEAREST)
            assert strips[i].crop(box).tobytes() == expected.tobytes()
    paths = image_handlers.preview_files("Dress", 5, 1.0)
    assert image_handlers.preview_files("Dress", 5, 1.0) == paths  # back to the same knobs: the same files
    assert Path(paths[0]).name == "dress-seed5-psi1.0-d1-minus-plus.png"


def test_a_picked_tile_sets_its_seed_and_odd_event_data_changes_nothing(image_handlers):
    def pick(index, seed=40):
        return image_handlers.tile_seed(seed, 6, gr.SelectData(None, {"index": index, "value": None}))

    assert pick(2) == 42 and pick(0) == 40 and pick(5) == 45
    for nothing in (6, -1, [1, 2], "x", None, 1.5):  # past the grid, not an index: no change
        assert pick(nothing) == gr.skip()
    assert pick(5, seed=limits.MAX_SEED) == gr.skip()  # past the last seed
    assert pick(0, seed=-1) == gr.skip()  # the seed's own note says what is wrong with it


def test_the_verdict_explanation_states_what_this_d_measures(app_state):
    """The tab's line about D quotes D's held-out card and what D does as psi grows: checked against the models, so a
    retrained D that behaves otherwise fails here until the line is rewritten."""
    import json
    import re
    import statistics

    from demo.image_handlers import VerdictHandler
    from demo.image_render import VERDICT_EXPLAIN
    from demo.locales import tr
    from core.gan.judge import DISCRIMINATOR_NAME
    from core.gan.latent import LatentStudio
    from tests.conftest import CHECKPOINTS

    require_checkpoint(DISCRIMINATOR_NAME)
    EXPLAIN = tr(VERDICT_EXPLAIN, "en")
    metrics = json.loads((CHECKPOINTS / DISCRIMINATOR_NAME / "config.json").read_text())["metrics"]
    assert f"real photos {metrics['mean_d_real_test']:.2f} and generated images {metrics['mean_d_generated']:.2f}" in EXPLAIN
    handler = VerdictHandler(LatentStudio(app_state.gan), app_state.judges)
    mean = {psi: statistics.mean(handler.judge("random", s, psi)[0].p_real for s in range(60)) for psi in (1.0, 2.0)}
    quoted = [float(x) for x in re.search(r"rises from ([0-9.]+) at ψ 1 to ([0-9.]+) at ψ 2", EXPLAIN).groups()]
    assert quoted == [round(mean[1.0], 2), round(mean[2.0], 2)] and mean[2.0] >= mean[1.0]
