"""What GANs are used for (demo/gan_apps_*.py), the handlers on the shipped generator and judges: each task streams
its search and ends with what it compares against; the 1 024 drawn numbers are checked (wrong length, NaN, out of
range, not numbers) with messages in both languages; a refusal keeps the last view and shows one note by its field."""
from __future__ import annotations

import re

import gradio as gr
import pytest
import torch

from core.gan.invert import Settings
from core.validation import KnobError
from demo.errors import localized
from demo.gan_apps_handlers import DRAWING_SIZE, GanAppsHandlers, parse_drawing
from tests.conftest import require_checkpoint

QUICK = Settings(steps=20, candidates=64, every=10)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def handlers(app_state) -> GanAppsHandlers:
    for name in ("gan-fashion", "gan-fashion-discriminator", "fashion-classifier"):
        require_checkpoint(name)
    torch.set_num_threads(1)
    return GanAppsHandlers(app_state.gan, app_state.judges, app_state.real_sample, QUICK)


def drawing(value: float = 0.0) -> str:
    return ",".join([str(value)] * DRAWING_SIZE)


def is_hidden(note) -> bool:
    return isinstance(note, gr.Markdown) and not note.visible


def shown(note) -> str:
    assert isinstance(note, gr.Markdown) and note.visible, note
    return note.value


def test_repair_streams_then_reveals_the_original(handlers):
    frames = list(handlers.run("repair", "real", 5, "top-half", 4, ""))
    # at once what the search sees; its start (one scan chunk of 64); then every 10 steps
    assert len(frames) == 2 + QUICK.steps // QUICK.every
    assert "Choosing where to start: the best of 64" in frames[0] and frames[0].count("data:image/png") == 1
    assert "Original (shown at the end)" in frames[1] and "Original (shown at the end)" in frames[-2]
    assert "<figcaption>Original</figcaption>" in frames[-1] and "Mean squared error on the hidden pixels" in frames[-1]
    assert all("D: " in f and "classifier: " in f and "<svg" in f for f in frames[1:])
    assert frames[-1].count("data:image/png;base64,") == 4  # seen, G(z) now, result, original


def test_sharpen_shows_bicubic_and_both_psnrs(handlers):
    last = list(handlers.run("sharpen", "generated", 12, "top-half", 2, ""))[-1]
    assert "Bicubic upscaling" in last and re.search(r"GAN [\d.]+ dB, bicubic [\d.]+ dB", last)


def test_a_drawing_is_projected(handlers):
    lines = ["0"] * DRAWING_SIZE
    for row in range(6, 28):
        for col in (12, 13, 18, 19):
            lines[row * 32 + col] = "1"
    last = list(handlers.run("draw", "real", 0, "top-half", 4, ",".join(lines)))[-1]
    assert "Your drawing" in last and "Original" not in last and "Done: 20 steps" in last


def test_the_view_speaks_chinese(handlers):
    last = list(handlers.run("repair", "real", 1, "left-half", 4, "", lang="zh-CN"))[-1]
    assert "原图" in last and "判别器" in last and "完成" in last
    assert CHINESE.search(handlers.judge_drawing(drawing(0.5), "zh-CN"))


@pytest.mark.parametrize("bad, words", [
    ("0,1", "got 2"), (drawing() + ",0", "got 1025"), ("", "got 0"),
    (",".join(["nan"] * DRAWING_SIZE), "is nan"), (",".join(["inf"] * DRAWING_SIZE), "is inf"),
    (",".join(["0"] * 1000 + ["1.5"] * 24), "number 1001 is 1.5"), (",".join(["-0.1"] * DRAWING_SIZE), "number 1 is -0.1"),
    (",".join(["x"] * DRAWING_SIZE), "not a number"), (5, "got a int"), ([True] * DRAWING_SIZE, "not a number"),
])
def test_the_drawn_numbers_are_checked(bad, words):
    with pytest.raises(KnobError) as caught:
        parse_drawing(bad)
    assert words in str(caught.value)
    assert CHINESE.search(localized(caught.value, "zh-CN"))  # the page says it in the reader's language too


def test_a_good_drawing_is_read_row_by_row():
    values = [0.0] * DRAWING_SIZE
    values[32 * 3 + 5] = 1.0
    image = parse_drawing(values)
    assert image.shape == (1, 1, 32, 32) and image[0, 0, 3, 5] == 1.0 and image[0, 0, 5, 3] == -1.0
    assert torch.equal(parse_drawing(",".join(map(str, values))), image)


def test_the_page_keeps_its_view_and_notes_the_field(handlers):
    frames = list(handlers.page_search("draw", "real", 0, "top-half", 4, "0,1"))
    assert len(frames) == 1
    panel, picture_note, drawing_note = frames[0]
    assert panel == gr.skip()
    assert is_hidden(picture_note) and "got 2" in shown(drawing_note)
    frames = list(handlers.page_search("repair", "real", 10**6, "top-half", 4, ""))
    assert len(frames) == 1 and "picture number" in shown(frames[0][1]) and is_hidden(frames[0][2])
    frames = list(handlers.page_search("paint", "real", 0, "top-half", 4, ""))
    assert "task" in shown(frames[0][1])
    verdict, _, note = handlers.page_judge(drawing(2))
    assert verdict == gr.skip() and "from 0 to 1" in shown(note)


def test_the_page_streams_with_notes_cleared(handlers):
    frames = list(handlers.page_search("repair", "generated", 3, "centre-square", 4, ""))
    assert len(frames) >= 3
    assert all(is_hidden(n) for n in frames[0][1:])  # the first frame clears any earlier note
    assert "Done:" in frames[-1][0]
    verdict, picture_note, drawing_note = handlers.page_judge(drawing(0.0))
    assert "classifier: " in verdict and is_hidden(drawing_note)


def test_the_api_raises_a_refusal(handlers):
    with pytest.raises(gr.Error):
        list(handlers.api_search("draw", "real", 0, "top-half", 4, "1,2,3"))
