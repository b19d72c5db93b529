"""Chromium on the launched app's Images tab, at 1280x900 and 390x844: every way a knob moves (reset arrow, typed
value, arrow keys, Reset all, a grid click) redraws the image, D's verdict, the grid and the interpolation; downloads
say what they show; the direction sliders carry names, hints, measured ranges and preview strips; the image stays in
view while the knobs move. Screenshots: image-live-*.png, directions-*.png, image-grid-*.png, image-phone.png.

These run the server path (the page's WebAssembly removed): the one gradio_client and the API page use, and the
fallback of a browser without WebAssembly. The path that draws in the page: tests/test_browser_image_web.py."""
from __future__ import annotations

import httpx
import pytest

from demo.app_state import GAN_NAME
from demo.image_render import Layout
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
    page.add_init_script("delete window.WebAssembly")  # the server path (see the module's docstring)
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


def _wait_grid(page, first_seed: int, psi: str) -> None:
    """Wait until the grid's first tile is seed `first_seed` at this psi (its file name says so)."""
    page.wait_for_function("(f) => decodeURIComponent(document.querySelector('#gan-grid .thumbnail-item img')?.src || '').includes(f)",
                           arg=f"-seed{first_seed}-psi{psi}.png")


def _verdict(page) -> str:
    return page.locator("#gan-verdict .md").inner_text()  # the verdict itself, not the queue status over it


def _wait_verdict(page, expected: str) -> None:
    """Wait until the verdict line reads `expected` (VerdictHandler.markdown's text without the Markdown)."""
    page.wait_for_function("(e) => document.querySelector('#gan-verdict .md')?.innerText.trim() === e", arg=expected)


@pytest.fixture(scope="module")
def verdict_text(app_state, image_handlers):
    """The verdict line the page should show for some knobs, from the handler (the same models, called directly)."""
    from demo.image_handlers import VerdictHandler

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
    and when another event sets it), with trigger_mode always_last: the newest value waits, none pile up. One event
    per trigger (tests/test_request_loop.py says why): a move redraws image and verdict in one event, which a new
    class or seed presses too; they also redraw the previews, then the grid and the GIF follow with .then; psi's
    release redraws previews, grid and GIF, not every step of a drag."""
    require_checkpoint(GAN_NAME)
    config = httpx.get(f"{app_url}/config", timeout=30).json()
    ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    deps = {d["api_name"]: d for d in config["dependencies"] if d.get("api_name")}
    by_id = {d["id"]: d for d in config["dependencies"]}
    directions = sorted(e for e in ids.values() if e and e.startswith("gan-direction-") and "preview" not in e)
    assert len(directions) == 8
    outputs = lambda d: {ids.get(o) for o in d["outputs"]}  # noqa: E731
    # A move goes to the page's own drawing (image_web.js; no backend), which presses the server's hidden button
    # when the server draws (the fallback): that button's click is the server's move event.
    move = deps["image_move"]
    assert {(ids.get(t), e) for t, e in move["targets"]} == {(k, "change") for k in ["gan-psi", *directions]}
    assert not move["backend_fn"] and "ganWeb" in move["js"]
    for name, follows, draws in [("image_view", [("gan-server-move", "click")], {"gan-image", "gan-verdict"}),
                                 ("image_view_new_latent", [("gan-class", "change"), ("gan-seed", "change")],
                                  {"gan-direction-preview-0", "gan-direction-preview-7"})]:
        triggers = {(ids.get(target), event) for target, event in deps[name]["targets"]}
        assert triggers == set(follows), name
        assert draws <= outputs(deps[name]) and deps[name]["trigger_mode"] == "always_last", name
    # One page event writes the image and the verdict as knobs move, the move's: a new class or seed presses it too.
    # Two that could run at once (4 workers) let a draw started with older knobs land after the newest (seen under a
    # busy machine). Besides it, once each: the tab's first view (its verdict, when the tab is first opened) and a
    # link's draw (demo/links.py, after the link has set every knob).
    writers = {d["api_name"] for d in deps.values() if d["targets"] and {"gan-image", "gan-verdict"} & outputs(d)}
    assert writers == {"image_view", "image_first_view", "view_and_previews"}, writers
    assert "gan-server-move" in deps["image_view_new_latent"]["js"]
    assert {(ids.get(t), e) for t, e in deps["direction_previews"]["targets"]} == {("gan-psi", "release")}
    # the grid and the GIF (up to ~0.3 s each) chained after those, always_last too: one each per drag
    for first, chained in [("image_view_new_latent", ["grid_new_latent", "interpolate_new_latent"]),
                           ("direction_previews", ["grid_new_psi", "interpolate_new_psi"])]:
        for name in chained:
            assert by_id[deps[name]["trigger_after"]]["api_name"] == first and deps[name]["trigger_mode"] == "always_last"
            first = name
    assert {(ids.get(t), e) for t, e in deps["page_grid"]["targets"]} == {("gan-grid-button", "click"), ("gan-grid-count", "release")}
    # The public endpoints have no page trigger: the page's refusals are notes, the API's are error messages
    for name in ("image", "image_verdict", "grid", "interpolate"):
        assert deps[name]["targets"] == [] and deps[name]["api_visibility"] == "public", name
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
    _number(page, "gan-direction-0").fill("2")
    _wait_src(page, "gan-image", "-seed3-psi1.0-d1+2.png")  # the file name says what it shows
    _wait_verdict(page, verdict_text("random", 3, 1.0, 2.0))
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
    gif = _src(page, "gan-interpolation")
    _number(page, "gan-psi").fill("0.5")
    _wait_src(page, "gan-image", "-psi0.5-d2+0.3.png")
    _wait_grid(page, 3, "0.5")
    assert gif != _wait_src(page, "gan-interpolation", "-seed3-to-1-psi0.5.gif")
    page.locator("#gan-psi").get_by_role("button", name="Reset to default value").click()
    _wait_grid(page, 3, "1.0")


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


def _tile(page, index: int):
    return page.locator("#gan-grid button.thumbnail-item").nth(index)


def test_a_grid_tile_picked_by_click_or_keyboard_loads_its_seed_into_the_image(page) -> None:
    _set_seed(page, 20)
    page.wait_for_function("() => document.querySelector('#gan-grid .thumbnail-item .caption-label')?.innerText.includes('seed 20')")
    tile = _tile(page, 6)
    assert tile.inner_text().split("\n")[-1] == "seed 26"  # the caption is text under the tile, not pixels
    # nothing covers the first row (the old sheet's label covered its top fifth)
    _tile(page, 0).scroll_into_view_if_needed()
    first = _tile(page, 0).locator("img").bounding_box()
    covering = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.tagName", [first["x"] + 8, first["y"] + 8])
    assert covering == "IMG", covering
    tile.scroll_into_view_if_needed()
    tile.click()
    _wait_src(page, "gan-image", "-seed26-psi1.0.png")
    assert page.locator("#gan-seed input").input_value() == "26"
    page.wait_for_function("() => document.querySelector('#gan-grid .caption-label')?.innerText.includes('seed 26')")  # the grid follows
    _wait_src(page, "gan-interpolation", "-seed26-to-1-psi1.0.gif")
    page.locator("#gan-grid").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"image-grid-{page.size_name}.png")), full_page=False)
    # the keyboard: Tab to a tile, Enter picks it
    _tile(page, 0).focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText.split('\\n').pop()") == "seed 28"
    page.keyboard.press("Enter")
    _wait_src(page, "gan-image", "-seed28-psi1.0.png")
    assert page.locator("#gan-seed input").input_value() == "28"


def test_a_64_tile_grid_keeps_its_captions_readable(page) -> None:
    count = page.locator("#gan-grid-count input[type=number]")
    count.fill("64")
    count.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#gan-grid .thumbnail-item').length === 64")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#gan-grid .caption-label')).fontSize)")
    assert size >= 12, size  # text, not pixels shrunk with the sheet
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    count.fill("16")
    count.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#gan-grid .thumbnail-item').length === 16")


def test_a_bad_seed_or_a_direction_past_its_range_is_one_note_by_the_field_and_the_image_stays(page) -> None:
    toasts = page.locator(".toast-body")
    _set_seed(page, 7)
    before = _wait_src(page, "gan-image", "-seed7-psi1.0.png")
    page.locator("#gan-seed input").fill("-1")
    page.locator("#gan-seed input").press("Tab")
    note = page.locator("#gan-note-seed")
    note.wait_for(state="visible")
    assert "Seed must be from 0 to 4294967295; got -1." in note.inner_text()
    visible_notes = page.locator(".block.field-note:visible")  # Gradio puts the class on the block and its prose
    assert visible_notes.count() == 1 and toasts.count() == 0
    assert _src(page, "gan-image") == before  # the last good image stays
    # the largest seed is typed and kept exactly (a browser's numbers are exact up to 2**53)
    _set_seed(page, 4294967295)
    _wait_src(page, "gan-image", "-seed4294967295-psi1.0.png")
    note.wait_for(state="hidden")
    assert page.locator("#gan-seed input").input_value() == "4294967295"
    # a direction typed far past its slider's range: refused by that slider, the image stays
    reach = float(page.locator("#gan-direction-0 input[type=range]").get_attribute("max"))
    shown = _src(page, "gan-image")
    _number(page, "gan-direction-0").fill("10")
    _number(page, "gan-direction-0").press("Enter")
    direction_note = page.locator("#gan-note-direction-0")
    direction_note.wait_for(state="visible")
    assert f"from {-reach:g} to {reach:g}" in direction_note.inner_text() and toasts.count() == 0
    assert _src(page, "gan-image") == shown
    page.locator("#gan-directions-reset").click()
    direction_note.wait_for(state="hidden")
    _set_seed(page, 0)
    _wait_src(page, "gan-image", "-seed0-psi1.0.png")


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


def test_touch_on_the_images_tab_logs_no_passive_listener_errors(browser, app_url) -> None:
    """A finger dragging a knob or swiping over any part of the Images tab: no "Unable to preventDefault inside
    passive event listener" in the console (one was reported six times per touch)."""
    require_checkpoint(GAN_NAME)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(app_url)
    page.get_by_role("tab", name="Text (GPT)").wait_for()
    open_tab(page, "Images (GAN)")
    page.locator("#gan-image img").wait_for()
    cdp = context.new_cdp_session(page)
    targets = ["#gan-class", "#gan-seed", "#gan-psi input[type=range]", "#gan-direction-0 input[type=range]",
               "#gan-direction-preview-0", "#gan-image:visible, #gan-web-frame:visible",  # the server's or the page's
               "#gan-verdict:visible, #gan-web-verdict:visible", "#gan-grid", "#gan-interpolation",
               "#gan-frames input[type=range]"]
    for selector in targets:
        element = page.locator(selector).first
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        for horizontal in (True, False):  # a drag along a slider, a swipe that scrolls
            points = [(box["x"] + box["width"] * (0.3 + 0.04 * i), box["y"] + box["height"] / 2) if horizontal else
                      (box["x"] + box["width"] / 2, box["y"] + box["height"] * (0.8 - 0.06 * i)) for i in range(10)]
            for kind, (x, y) in [("touchStart", points[0]), *[("touchMove", p) for p in points[1:]], ("touchEnd", points[-1])]:
                cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    passive = [m for m in messages if "passive event listener" in m]
    context.close()
    assert not passive, passive
