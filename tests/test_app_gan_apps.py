"""What GANs are used for (demo/gan_apps_*.py), the handlers on the shipped generator and judges: each task streams
its search and ends with what it compares against; the 1 024 drawn numbers and the 1 024 painted mask numbers are
checked (wrong length, NaN, out of range, not numbers; a mask that hides nothing or everything) with messages in both
languages; a painted-over pixel never enters the search; a refusal keeps the last view and shows one note by its
field. Against `python app.py`: one address holds at most its 2 inversion slots, and the rest of the app answers
while they run."""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import gradio as gr
import httpx
import pytest
import torch

from core.gan.invert import Observation, Settings, invert
from core.validation import KnobError
from demo.errors import localized
from demo.gan_apps_handlers import DRAWING_SIZE, GanAppsHandlers, parse_brush, parse_drawing
from demo.shared import GROUP_LIMITS
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


def painted(rows: range = range(4, 20), cols: range = range(8, 26)) -> list[int]:
    """A brush mask as the page sends it: 1 where painted (hidden), here an off-centre block with a notch."""
    values = [0] * DRAWING_SIZE
    for row in rows:
        for col in cols:
            values[row * 32 + col] = 1
    values[10 * 32 + 8] = 0
    return values


def is_hidden(note) -> bool:
    return isinstance(note, gr.Markdown) and not note.visible


def shown(note) -> str:
    assert isinstance(note, gr.Markdown) and note.visible, note
    return note.value


def test_repair_streams_then_reveals_the_original(handlers):
    frames = list(handlers.run("repair", "real", 5, "top-half", 4, ""))
    # at once the chosen start (its G(z) beside what the search sees: the candidates were drawn at start-up); then
    # every 10 steps
    assert len(frames) == 1 + QUICK.steps // QUICK.every
    assert "Choosing where to start: the best of 64" in frames[0] and "G(z) at step 0 of 20" in frames[0]
    assert frames[0].count("data:image/png") == 4  # seen, G(z) now, result, the original's place
    assert "Original (shown at the end)" in frames[0] and "Original (shown at the end)" in frames[-2]
    assert "<figcaption>Original</figcaption>" in frames[-1] and "Mean squared error on the hidden pixels" in frames[-1]
    assert all("D: " in f and "classifier: " in f and "<svg" in f for f in frames)
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
    panel, picture_note, brush_note, drawing_note = frames[0]
    assert panel == gr.skip()
    assert is_hidden(picture_note) and is_hidden(brush_note) and "got 2" in shown(drawing_note)
    frames = list(handlers.page_search("repair", "real", 10**6, "top-half", 4, ""))
    assert len(frames) == 1 and "picture number" in shown(frames[0][1]) and is_hidden(frames[0][2])
    frames = list(handlers.page_search("paint", "real", 0, "top-half", 4, ""))
    assert "task" in shown(frames[0][1])
    verdict, _, _, note = handlers.page_judge(drawing(2))
    assert verdict == gr.skip() and "from 0 to 1" in shown(note)


def test_the_page_streams_with_notes_cleared(handlers):
    frames = list(handlers.page_search("repair", "generated", 3, "centre-square", 4, ""))
    assert len(frames) >= 3
    assert all(is_hidden(n) for n in frames[0][1:])  # the first frame clears any earlier note
    assert "Done:" in frames[-1][0]
    verdict, picture_note, brush_note, drawing_note = handlers.page_judge(drawing(0.0))
    assert "classifier: " in verdict and is_hidden(drawing_note)


def test_the_api_raises_a_refusal(handlers):
    with pytest.raises(gr.Error):
        list(handlers.api_search("draw", "real", 0, "top-half", 4, "1,2,3"))


@pytest.mark.parametrize("bad, words", [
    ("0,1", "got 2"), (",".join(["0"] * (DRAWING_SIZE + 1)), "got 1025"), ("", "nothing is painted"),
    (",".join(["0"] * DRAWING_SIZE), "nothing is painted"), (",".join(["1"] * DRAWING_SIZE), "whole picture is painted"),
    (",".join(["0"] * 1000 + ["0.5"] * 24), "number 1001 is 0.5"), (",".join(["nan"] * DRAWING_SIZE), "number 1 is nan"),
    (",".join(["2"] * DRAWING_SIZE), "number 1 is 2"), (",".join(["x"] * DRAWING_SIZE), "number 1 is 'x'"),
    (5, "got a int"), ([True] * DRAWING_SIZE, "number 1 is bool"),
], ids=["short", "long", "blank", "nothing", "everything", "half", "nan", "two", "letters", "int", "bools"])
def test_the_painted_mask_is_checked(bad, words):
    with pytest.raises(KnobError) as caught:
        parse_brush(bad)
    assert words in str(caught.value)
    assert CHINESE.search(localized(caught.value, "zh-CN"))


def test_a_painted_mask_is_what_the_search_fits(handlers):
    """The page's 1 = painted = hidden becomes the search's 0 = hidden, row by row, as text or as a list."""
    values = painted()
    job = handlers.job("repair", "real", 5, "brush", 4, "", ",".join(map(str, values)))
    mask = job.observation.mask
    assert torch.equal(mask.flatten(), 1 - torch.tensor(values, dtype=torch.float32))
    assert mask[0, 0, 4, 9] == 0 and mask[0, 0, 10, 8] == 1 and mask[0, 0, 0, 0] == 1
    assert torch.equal(handlers.job("repair", "real", 5, "brush", 4, "", values).observation.mask, mask)
    assert torch.equal(job.observation.pixels, job.original * mask)  # the hidden pixels are not even sent on


def test_a_painted_over_pixel_never_enters_the_search(handlers):
    """Change the picture anywhere under the paint (even to NaN) and the search runs exactly the same; change one
    visible pixel and it does not (so the first half could fail)."""
    job = handlers.job("repair", "real", 5, "brush", 4, "", painted())
    mask, original = job.observation.mask, job.original
    changed = original.clone()
    changed[mask == 0] = torch.rand(int((mask == 0).sum())) * 2 - 1
    changed[0, 0, 12, 12] = float("nan")
    assert mask[0, 0, 12, 12] == 0
    settings = Settings(steps=20, candidates=64)
    a = invert(handlers.generator, Observation(original, mask), settings)
    b = invert(handlers.generator, Observation(changed, mask), settings)
    assert torch.equal(a.image, b.image) and a.curve == b.curve
    seen = original.clone()
    seen[0, 0, 0, 0] = -seen[0, 0, 0, 0] + 0.5
    assert invert(handlers.generator, Observation(seen, mask), settings).curve != a.curve


def test_a_brush_repair_streams_and_the_page_notes_a_bad_mask(handlers):
    last = list(handlers.run("repair", "generated", 7, "brush", 4, "", painted()))[-1]
    assert "Done: 20 steps" in last and "Mean squared error on the hidden pixels" in last
    frames = list(handlers.page_search("repair", "real", 0, "brush", 4, "", ",".join(["0"] * DRAWING_SIZE)))
    assert len(frames) == 1 and frames[0][0] == gr.skip()
    picture_note, brush_note, drawing_note = frames[0][1:]
    assert "nothing is painted" in shown(brush_note) and is_hidden(picture_note) and is_hidden(drawing_note)
    frames = list(handlers.page_search("repair", "real", 0, "top-half", 4, "", "junk"))  # a preset ignores the brush
    assert "Done:" in frames[-1][0]


def test_the_picture_under_the_brush(handlers):
    html, *notes = handlers.page_brush_picture("real", 3)
    assert html.startswith('<img class="gan-apps-brush-picture" src="data:image/png;base64,') and all(map(is_hidden, notes))
    html, picture_note, _, _ = handlers.page_brush_picture("real", -1)
    assert html == gr.skip() and "picture number" in shown(picture_note)


# ----- against `python app.py`: the inversion slots per address ------------------------------------------------------
INVERT = GROUP_LIMITS["gan-invert"]
API = "/gradio_api"
SEARCH = ["repair", "real", 0, "top-half", 4, "", ""]


async def _call(http: httpx.AsyncClient, name: str, data: list, session: str) -> tuple[int, str]:
    response = await http.post(f"/call/{name}", json={"data": data, "session_hash": session})
    return response.status_code, response.json().get("event_id") or response.json()["detail"]


async def _finish(http: httpx.AsyncClient, name: str, event_id: str) -> str:
    """The final SSE event's kind ('complete' or 'error')."""
    async with http.stream("GET", f"/call/{name}/{event_id}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: ") and line[7:] in ("complete", "error"):
                return line[7:]
    return "none"


def test_one_address_holds_two_inversions_and_the_app_stays_live(app_process):
    """Address A starts its 2 inversions; a third from A is refused at once (429, "your address"); while A's run,
    address B starts one of its own and the Images tab's picture is answered; every accepted search completes, and
    the picture is back before A's inversions end."""
    url = app_process[0] + API
    assert INVERT.per_address == 2

    def transport(address: str) -> httpx.AsyncHTTPTransport:
        return httpx.AsyncHTTPTransport(local_address=address)

    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, transport=transport("127.0.0.40")) as a, \
                httpx.AsyncClient(base_url=url, timeout=120, transport=transport("127.0.0.41")) as b:
            accepted = [await _call(a, "gan_apps_search", SEARCH, f"invert-a{i}") for i in range(2)]
            assert [status for status, _ in accepted] == [200, 200], accepted
            status, detail = await _call(a, "gan_apps_search", SEARCH, "invert-a2")
            assert status == 429 and "your address" in detail, detail
            runs = [asyncio.create_task(_finish(a, "gan_apps_search", event)) for _, event in accepted]
            status, event = await _call(b, "gan_apps_search", SEARCH, "invert-b")
            assert status == 200, event
            other = asyncio.create_task(_finish(b, "gan_apps_search", event))
            n = len(httpx.get(f"{url}/info", timeout=10).json()["named_endpoints"]["/image"]["parameters"])
            status, image = await _call(b, "image", ["Bag", 3, 1.0] + [0.0] * (n - 3), "image-b")
            assert status == 200, image
            assert await asyncio.wait_for(_finish(b, "image", image), 60) == "complete"
            assert not all(run.done() for run in runs)  # the picture came back while A's inversions still ran
            assert await asyncio.wait_for(asyncio.gather(*runs, other), 120) == ["complete"] * 3

    with ThreadPoolExecutor(1) as pool:  # asyncio.run in a thread of its own (Playwright may hold the main loop)
        pool.submit(asyncio.run, scenario()).result()
