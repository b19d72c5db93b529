"""Chromium on the launched app's Images tab, at 1280x900 and 390x844: every way a knob moves (reset arrow, typed
value, arrow keys, Reset all, a grid click) redraws the image, D's verdict, the grid and the interpolation; downloads
say what they show; the direction sliders carry names, hints, measured ranges and preview strips; the image stays in
view while the knobs move. Screenshots: image-live-*.png, directions-*.png, image-grid-*.png, image-phone.png."""
from __future__ import annotations

import httpx
import pytest

from demo.app_state import GAN_NAME
from demo.gan_grid import Layout
from tests.conftest import open_tab, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
KNOBS = ["gan-class", "gan-seed", "gan-psi"]  # + gan-direction-<i>


@pytest.fixture(scope="module", params=list(SIZES))
def page(request, app_url, browser):
    require_checkpoint(GAN_NAME)
    width, height = SIZES[request.param]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    open_tab(page, "Images (GAN)")
    page.locator("#gan-image img").wait_for()
    page.size_name = request.param
    yield page
    page.close()


def _src(page, elem_id: str) -> str:
    """The image's URL, decoded (a file name's + is %2B in it)."""
    return page.evaluate("(id) => decodeURIComponent(document.querySelector(`#${id} img`)?.src || '')", elem_id)


def _wait_src(page, elem_id: str, fragment: str) -> str:
    """Wait until the image in #elem_id is a file whose URL contains `fragment`; return the URL."""
    page.wait_for_function("([id, f]) => { const i = document.querySelector(`#${id} img`); return i && decodeURIComponent(i.src).includes(f); }",
                           arg=[elem_id, fragment])
    return _src(page, elem_id)


def _wait_src_not(page, elem_id: str, fragment: str) -> str:
    page.wait_for_function("([id, f]) => { const i = document.querySelector(`#${id} img`); return i && i.src.includes('/gradio_api/file=') && !decodeURIComponent(i.src).includes(f); }",
                           arg=[elem_id, fragment])
    return _src(page, elem_id)


def _verdict(page) -> str:
    return page.locator("#gan-verdict .md").inner_text()  # the verdict itself, not the queue status over it


def _wait_verdict(page, expected: str) -> None:
    """Wait until the verdict line reads `expected` (VerdictHandler.markdown's text without the Markdown)."""
    page.wait_for_function("(e) => document.querySelector('#gan-verdict .md')?.innerText.trim() === e", arg=expected)


@pytest.fixture(scope="module")
def verdict_text(app_state, image_handlers):
    """The verdict line the page should show for some knobs, from the handler (the same models, called directly)."""
    from demo.gan_verdict import VerdictHandler

    if app_state.judges is None:
        pytest.skip("the discriminator or the classifier checkpoint is missing")
    handler = VerdictHandler(image_handlers.studio, app_state.judges)
    return lambda *knobs: handler.markdown(*knobs).replace("**", "").strip()


def _number(page, elem_id: str):
    return page.locator(f"#{elem_id} input[type=number]")


def _set_seed(page, seed: int) -> None:
    box = page.locator("#gan-seed input")
    box.fill(str(seed))
    box.press("Tab")


def test_the_events_follow_every_change_with_the_drags_debounce(app_url) -> None:
    """Every view hangs on `change` (which Gradio's slider fires for a drag, keys, a typed value and its reset arrow,
    and when another event sets it), with trigger_mode always_last: the newest value waits, none pile up."""
    require_checkpoint(GAN_NAME)
    config = httpx.get(f"{app_url}/config", timeout=30).json()
    ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    deps = {d["api_name"]: d for d in config["dependencies"] if d.get("api_name")}
    directions = sorted(e for e in ids.values() if e and e.startswith("gan-direction-") and "preview" not in e)
    assert len(directions) == 8
    for name, follows in [("image", KNOBS + directions), ("image_verdict", KNOBS + directions),
                          ("direction_previews", KNOBS)]:
        triggers = {(ids.get(target), event) for target, event in deps[name]["targets"]}
        assert {(k, "change") for k in follows} <= triggers, name
        assert deps[name]["trigger_mode"] == "always_last", name
    # The grid and the GIF (up to ~0.3 s each) follow class and seed, and psi at the end of a move (a drag's release,
    # or the one the page script sends after keys or a typed value): one each per drag, not one per step.
    for name in ("grid", "interpolate"):
        triggers = {(ids.get(target), event) for target, event in deps[name]["targets"]}
        assert {("gan-class", "change"), ("gan-seed", "change"), ("gan-psi", "release")} <= triggers, name
        assert ("gan-psi", "change") not in triggers, name
        assert deps[name]["trigger_mode"] == "always_last", name
    # The API page lists the public image endpoints, each with a line for users, and none of the plumbing.
    info = httpx.get(f"{app_url}/gradio_api/info", timeout=30).json()["named_endpoints"]
    for name in ("/image", "/image_verdict", "/grid", "/interpolate", "/random_image_seed"):
        assert info[name]["description"] and "cache" not in info[name]["description"], name
    assert not {"/direction_previews", "/grid_tile", "/reset_directions"} & set(info)
    params = {p["parameter_name"]: p["python_type"]["type"] for p in info["/image"]["parameters"]}
    assert params["seed"] == "int" and params["direction_1"] == "float" and len(params) == 11
    assert {p["parameter_name"]: p["python_type"]["type"] for p in info["/grid"]["parameters"]}["count"] == "int"


def test_reset_arrow_typed_value_and_arrow_keys_redraw_image_and_verdict(page, verdict_text) -> None:
    _set_seed(page, 3)
    _wait_src(page, "gan-image", "-seed3-psi1.0.png")
    _wait_verdict(page, verdict_text("random", 3, 1.0))
    start = _src(page, "gan-image")
    # Typed into the slider's number box: no Enter, no drag
    _number(page, "gan-direction-0").fill("3")
    _wait_src(page, "gan-image", "-seed3-psi1.0-d1+3.png")  # the file name says what it shows
    _wait_verdict(page, verdict_text("random", 3, 1.0, 3.0))
    # The slider's reset arrow: back to 0, image and verdict back to what they were
    page.locator("#gan-direction-0").get_by_role("button", name="Reset to default value").click()
    assert _wait_src(page, "gan-image", "-seed3-psi1.0.png") != start  # a fresh file of the same image
    _wait_verdict(page, verdict_text("random", 3, 1.0))
    # Arrow keys on the focused slider
    page.locator("#gan-direction-1 input[type=range]").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    _wait_src(page, "gan-image", "-d2+0.3.png")
    _wait_verdict(page, verdict_text("random", 3, 1.0, 0.0, 0.3))
    page.locator("#gan-output").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"image-live-{page.size_name}.png")), full_page=False)
    # psi typed: the image, the grid and the interpolation all follow, without their buttons
    grid, gif = _src(page, "gan-grid"), _src(page, "gan-interpolation")
    _number(page, "gan-psi").fill("0.5")
    _wait_src(page, "gan-image", "-psi0.5-d2+0.3.png")
    assert grid != _wait_src(page, "gan-grid", "-seeds3-18-psi0.5.png")
    assert gif != _wait_src(page, "gan-interpolation", "-seed3-to-1-psi0.5.gif")
    page.locator("#gan-psi").get_by_role("button", name="Reset to default value").click()
    _wait_src(page, "gan-grid", "-seeds3-18-psi1.0.png")


def test_directions_have_names_ranges_previews_and_reset_all(page, image_handlers) -> None:
    studio = image_handlers.studio  # the names, hints and ranges in the checkpoint's config.json
    assert not any("(PC" in name for name in studio.direction_names), "name the directions: python -m core.gan.direction_preview"
    for i, (name, hint, reach) in enumerate(zip(studio.direction_names, studio.direction_hints, studio.direction_ranges)):
        block = page.locator(f"#gan-direction-{i}")
        assert name in block.inner_text() and hint in block.inner_text()
        assert float(block.locator("input[type=range]").get_attribute("max")) == reach < 10  # a measured range
    _set_seed(page, 4)
    _wait_src(page, "gan-direction-preview-0", "-seed4-psi1.0-d1-minus-plus.png")  # previews follow the seed
    _wait_src(page, "gan-direction-preview-7", "-seed4-psi1.0-d8-minus-plus.png")
    _number(page, "gan-direction-2").fill("1.5")
    _wait_src(page, "gan-image", "-d3+1.5.png")
    _number(page, "gan-direction-4").fill("-2")
    _wait_src(page, "gan-image", "-d3+1.5-d5-2.png")
    page.locator("#gan-direction-4").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"directions-{page.size_name}.png")), full_page=False)
    page.locator("#gan-directions-reset").click()
    _wait_src(page, "gan-image", "-seed4-psi1.0.png")
    assert [_number(page, f"gan-direction-{i}").input_value() for i in range(8)] == ["0"] * 8


def test_a_grid_tile_click_loads_its_seed_into_the_image(page) -> None:
    _set_seed(page, 20)
    _wait_src(page, "gan-grid", "-seeds20-35-psi1.0.png")
    grid = page.locator("#gan-grid img")
    grid.scroll_into_view_if_needed()
    layout = Layout.of(16)  # 4x4 tiles with captions: click the middle of tile 6 (row 1, col 2), seed 20 + 6
    page.wait_for_function("() => { const i = document.querySelector('#gan-grid img'); return i.complete && i.naturalWidth > 0; }")
    # Where the sheet's pixels are inside the img element (Gradio scales it down to fit, centred)
    box = page.evaluate("""() => { const i = document.querySelector('#gan-grid img'); const r = i.getBoundingClientRect();
        const s = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight, 1);
        return {s, x: (r.width - i.naturalWidth * s) / 2, y: (r.height - i.naturalHeight * s) / 2}; }""")
    grid.click(position={"x": box["x"] + (2 * layout.cell_w + layout.tile / 2) * box["s"],
                         "y": box["y"] + (layout.cell_h + layout.tile / 2) * box["s"]})
    _wait_src(page, "gan-image", "-seed26-psi1.0.png")
    assert page.locator("#gan-seed input").input_value() == "26"
    _wait_src(page, "gan-grid", "-seeds26-41-psi1.0.png")  # the grid follows: the clicked tile comes first
    _wait_src(page, "gan-interpolation", "-seed26-to-1-psi1.0.gif")
    page.locator("#gan-grid").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"image-grid-{page.size_name}.png")), full_page=False)


def test_the_image_stays_in_view_while_the_lowest_knob_moves(page) -> None:
    slider = page.locator("#gan-direction-7")
    # The lowest knob in the middle of the screen, as a visitor scrolls to it (at the very top of the screen the
    # knobs' row ends just below it, and a sticky image cannot leave its row)
    page.evaluate("() => document.querySelector('#gan-direction-7').scrollIntoView({block: 'center'})")
    before = _src(page, "gan-image")
    slider.locator("input[type=range]").focus()
    page.keyboard.press("ArrowLeft")
    _wait_src_not(page, "gan-image", before.rsplit("/", 1)[-1])
    height = SIZES[page.size_name][1]
    image = page.locator("#gan-image img").bounding_box()
    knob = slider.locator("input[type=range]").bounding_box()
    assert image and knob and 0 <= image["y"] and image["y"] + image["height"] <= height, image  # the image in view
    assert 0 <= knob["y"] <= height, knob
    if page.size_name == "phone":  # stacked: the image sits above the knob, not over it
        assert image["y"] + image["height"] <= knob["y"], (image, knob)
    # and nothing covers the knob being moved
    centre = page.evaluate("([x, y]) => !!document.elementFromPoint(x, y).closest('#gan-direction-7')",
                           [knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2])
    assert centre
    page.screenshot(path=str(screenshot_path("image-phone.png" if page.size_name == "phone" else "image-desktop-sticky.png")),
                    full_page=False)
    page.locator("#gan-directions-reset").click()
