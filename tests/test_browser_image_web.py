"""The Images tab's slider panel drawn in the page (issue #28, demo/static/image_web.js) in Chromium:
- the page's pixels equal the server's /image within 1 grey level, over random knobs in every class, extreme psi and
  direction moves, and its verdict line reads as the server's;
- a drag asks the server nothing; a new seed asks for its noise once (and a seed seen before, not at all);
- without WebAssembly, or with a model that fails to load, the server draws, and the page says so once;
- the download is the canvas's image under the server's file name.
Screenshots: image-web-<size>.png."""
from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.judge import DISCRIMINATOR_NAME
from demo.app_state import GAN_NAME
from demo.i18n import text
from demo.image_render import IMAGE_SCALE, image_name
from tests.conftest import SIZES, open_sized_page, require_checkpoint, screenshot_path

pytestmark = pytest.mark.browser

# The page draws the panel, and has drawn the tab's first view (its knobs, sent when the tab first opens: a knob set
# by a test before that would be overwritten by them)
BROWSER_PATH = ("() => document.documentElement.dataset.ganDraw === 'browser'"
                " && Number(document.getElementById('gan-web-canvas')?.dataset.drawn || 0) >= 1")
# Draw these knobs in the page as a new class or seed does, wait until the canvas shows them, read its grey levels
PAGE_PIXELS = """async (knobs) => {
  window.ganWeb.latent(knobs);
  const until = Date.now() + 30000;
  while (!window.ganWeb.painted(knobs)) {
    if (Date.now() > until) throw new Error('not painted: ' + JSON.stringify(knobs));
    await new Promise((r) => setTimeout(r, 5));
  }
  const data = document.getElementById('gan-web-canvas').getContext('2d').getImageData(0, 0, 32, 32).data;
  return {pixels: Array.from(data.filter((_, i) => i % 4 === 0)), verdict: document.getElementById('gan-web-verdict').innerText,
          name: document.getElementById('gan-web-canvas').dataset.name};
}"""


def _open(browser, url: str, size: str = "desktop", init: str | None = None):
    require_checkpoint(GAN_NAME)
    context = browser.new_context(viewport=SIZES[size], has_touch=size == "phone")
    if init:
        context.add_init_script(init)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return context, page


def _server_pixels(image_handlers, knobs: list) -> np.ndarray:
    """What the server's /image draws for the knobs, back at 32x32 (its PNG is the 32x32 image enlarged)."""
    big = image_handlers.image(*knobs)
    return np.asarray(big, dtype=np.int16)[::IMAGE_SCALE, ::IMAGE_SCALE]


def _random_knobs(rng: random.Random, class_name: str, ranges: list[float]) -> list:
    psi = rng.choice([0.0, limits.MAX_PSI, round(rng.uniform(0, limits.MAX_PSI), 2)])
    moves = [rng.choice([-r, r, round(rng.uniform(-r, r), 1), 0.0]) for r in ranges]
    return [class_name, rng.randint(0, limits.MAX_SEED), psi, *moves]


def test_the_page_draws_the_servers_pixels_and_verdict(app_url, browser, image_handlers, app_state) -> None:
    require_checkpoint(DISCRIMINATOR_NAME)
    from demo.image_handlers import VerdictHandler

    context, page = _open(browser, f"{app_url}/?tab=image")
    try:
        page.wait_for_function(BROWSER_PATH)
        ranges = list(image_handlers.studio.direction_ranges)
        rng = random.Random(28)
        cases = [_random_knobs(rng, name, ranges) for name in [*CLASS_NAMES, "random"] for _ in range(4)]
        cases += [["Bag", 7, psi, *[sign * r for r in ranges]] for psi in (0.0, limits.MAX_PSI) for sign in (-1, 1)]
        cases += [["Dress", limits.MAX_SEED, 1.0, *[0.0] * len(ranges)]]
        verdicts = VerdictHandler(image_handlers.studio, app_state.judges)
        worst = 0
        for knobs in cases:
            shown = page.evaluate(PAGE_PIXELS, knobs)
            page_pixels = np.array(shown["pixels"], dtype=np.int16).reshape(32, 32)
            worst = max(worst, int(np.abs(page_pixels - _server_pixels(image_handlers, knobs)).max()))
            assert worst <= 1, knobs
            assert shown["verdict"].strip() == verdicts.markdown(*knobs).replace("**", "").strip(), knobs
            k = image_handlers.studio.knobs(*knobs[:3], knobs[3:])
            assert shown["name"] == image_name(k, image_handlers.class_of(k)), knobs
    finally:
        context.close()


def _drag(page, selector: str, start: float, end: float, steps: int = 12) -> None:
    box = page.locator(selector).bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, y, steps=steps)
    page.mouse.up()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_drag_asks_the_server_nothing_and_a_new_seed_once(app_url, browser, size) -> None:
    context, page = _open(browser, f"{app_url}/?tab=image", size)
    try:
        page.wait_for_function(BROWSER_PATH)
        slider = "#gan-direction-2 input[type=range]"
        page.locator(slider).scroll_into_view_if_needed()
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        # every server event starts with a queue join (or a call); the page's own routes are /image-web/ (files that
        # images already on the page load lazily while it scrolls are not asks)
        ours = lambda: [u for u in asked if "/gradio_api/queue/" in u or "/gradio_api/call" in u  # noqa: E731
                        or "/image-web/" in u]
        drawn = page.evaluate("() => window.ganWeb.state.drawn")
        _drag(page, slider, 0.5, 0.85)
        page.wait_for_function("(n) => window.ganWeb.state.drawn > n + 3", arg=drawn)  # the drag redrew, step by step
        assert float(page.locator("#gan-direction-2 input[type=number]").input_value()) > 0
        assert ours() == [], ours()  # no request per move
        seed = page.locator("#gan-seed input")
        for new_seed, fetches in ((41, 1), (42, 1), (41, 0)):  # a seed seen before: its noise is already here
            asked.clear()
            seed.fill(str(new_seed))
            seed.press("Enter")
            page.wait_for_function("(s) => (document.getElementById('gan-web-canvas')?.dataset.name || '').includes(`-seed${s}-`)",
                                   arg=new_seed)
            assert len([u for u in asked if "/image-web/z" in u]) == fetches, asked
        page.locator("#gan-output").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"image-web-{size}.png")))
    finally:
        context.close()


@pytest.mark.parametrize("why, init, route", [
    ("image.web_no_wasm", "delete window.WebAssembly", None),
    ("image.web_failed", None, "**/image-web/panel-*.onnx"),
])
def test_without_the_model_in_the_page_the_server_draws_and_says_so(app_url, browser, why, init, route) -> None:
    context, page = _open(browser, "about:blank", init=init)
    try:
        if route:
            page.route(route, lambda r: r.abort())
        page.goto(f"{app_url}/?tab=image")
        note = page.locator("#gan-web-path")
        note.get_by_text(text(why, "en")).wait_for()
        assert page.evaluate("() => document.documentElement.dataset.ganDraw") == "server"
        assert not page.locator("#gan-web-canvas").is_visible()
        image = page.locator("#gan-image img")
        image.wait_for()
        before = image.get_attribute("src")
        psi = page.locator("#gan-psi input[type=number]")
        psi.fill("0.5")
        psi.press("Enter")  # a move, drawn by the server
        page.wait_for_function("() => decodeURIComponent(document.querySelector('#gan-image img').src).includes('-psi0.5.png')")
        assert image.get_attribute("src") != before
    finally:
        context.close()


def test_the_download_is_the_canvas_under_the_servers_name(app_url, browser, image_handlers) -> None:
    context, page = _open(browser, f"{app_url}/?tab=image&image-class=Coat&image-seed=12&image-psi=0.75&image-dir3=1.5")
    try:
        page.wait_for_function(BROWSER_PATH)
        page.wait_for_function("() => (document.getElementById('gan-web-canvas')?.dataset.name || '').includes('-d3+1.5')")
        with page.expect_download() as info:
            page.locator("#gan-web-download").click()
        download = info.value
        assert download.suggested_filename == "coat-seed12-psi0.75-d3+1.5.png"
        with Image.open(download.path()) as png:
            pixels = np.asarray(png.convert("L"), dtype=np.int16)
        server = np.asarray(image_handlers.image("Coat", 12, 0.75, 0, 0, 1.5, 0, 0, 0, 0, 0), dtype=np.int16)
        assert pixels.shape == server.shape and np.abs(pixels - server).max() <= 1
    finally:
        context.close()
