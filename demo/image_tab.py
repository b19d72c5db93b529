"""Images tab, the layout and its wiring: class, seed, truncation and direction sliders redraw the GAN image on every
change, however the knob moved (drag, keys, typed value, reset arrow: Gradio's `change` fires for each), with D's
verdict, a preview strip per direction, a labelled grid of samples whose tiles load into the main image, an
interpolation GIF between two seeds, and downloads named after what they show (dress-seed5-psi1.0.png). The handlers
are in demo/image_handlers.py, what they show in demo/image_render.py, the CSS in demo/static/image.css.

The slider image, D's verdict and the classifier's guess are drawn in the page where it can (issue #28): ONNX
Runtime Web runs the panel exported by core/gan/export_onnx.py (demo/static/image_web.js, served by
serve/latent_route.py), so a slider move asks the server nothing and a crowd costs the server only a seed's noise
(one small request per new seed). The server's own image event stays, behind a hidden button the script presses: for
a browser without WebAssembly, a model that fails to load, and a knob only the server's notes can refuse; /image and
/image_verdict stay for gradio_client and the API page. The previews, the grid and the GIF stay on the server: they
follow a new class or seed, and psi at the end of a move, not every step."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import gradio as gr

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.io import LoadedGAN
from core.gan.judge import Judges
from core.gan.latent import RANDOM_CLASS, ImageKnobs
from demo.errors import missing_model_notice, note_box
from demo.first_view import first_view
from demo.glossary import term_key
from demo.i18n import i18n
from demo.image_handlers import (ImageHandlers, ImagePage, VerdictHandler, direction_field, parse_class, parse_direction,
                                 parse_psi, parse_seed, random_image_seed, with_direction_params)
from demo.image_render import IMAGE_SCALE, PREVIEW_CAPTION, PREVIEW_SCALE, VERDICT_EXPLAIN, direction_keys
from demo.knob_release import SLIDER_CLASSES
from demo.locales import CATALOG, LANGUAGES
from demo.shared import head_script, queue_group, static_text
from demo.links import Draw, Links
from serve import latent_route

DEFAULT_GRID, DEFAULT_FRAMES = 16, 24
GRID_COLUMNS = 6  # the grid's columns (4 on a phone: image.css)
# The knobs column is long (8 direction sliders), so the image column stays in view while they move: sticky beside
# them on a desktop; on a phone the columns stack, so the image (smaller) goes first and sticks to the top of the
# screen above the knobs.
CSS = static_text("image.css")
# Sliders whose heavy views (grid, GIF) wait for the end of a move: demo/knob_release.py gives one moved by arrow keys
# or a typed value the `release` a drag's end sends.
RELEASE_ON_KEYS = SLIDER_CLASSES
LATEX = [{"left": "$", "right": "$", "display": False}]
# The slider panel drawn in the page (demo/static/image_web.js, issue #28): the strings it shows, in every language
WEB_KEYS = [*(f"image.class.{name}" for name in CLASS_NAMES), "image.verdict_line", "image.verdict_real",
            "image.verdict_fake", "image.image_label", "image.web_browser", "image.web_no_wasm", "image.web_failed",
            "image.web_download"]
HEAD = head_script("image_web.js", STRINGS=json.dumps({lang: {k: CATALOG[k][lang] for k in WEB_KEYS} for lang in LANGUAGES},
                                                     ensure_ascii=False),
                   ROUTE=latent_route.PREFIX, MAX_SEED=limits.MAX_SEED)
# Its runtime and model, loaded by a script first in the page's head (demo/static/image_web_loader.js): a page opened
# on the Images tab starts them at once (HttpGuard puts it there, beside the language script)
PAGE_SCRIPT = head_script("image_web_loader.js", ROUTE=latent_route.PREFIX)
# Where the page draws: a 32x32 canvas (shown 8x, crisp), its download, D's verdict and which path draws (the
# script fills the words in the page's language). Shown in place of the server's image and verdict once the model
# runs in the page (image.css, html[data-gan-draw="browser"]).
WEB_PANEL = ('<div id="gan-web"><figure id="gan-web-frame"><figcaption><span id="gan-web-label"></span>'
             '<button id="gan-web-download" type="button"></button></figcaption>'
             '<canvas id="gan-web-canvas" width="32" height="32" role="img"></canvas></figure>'
             '<div id="gan-web-verdict" class="prose"></div><p id="gan-web-path" aria-live="polite"></p></div>')
# The page's events call these in the browser (image_web.js): a move draws there (or presses the server's hidden
# button); a new class or seed (or the page's first knobs) is told to the page, then the server event goes on
PRESS_SERVER_MOVE = "document.getElementById('gan-server-move')?.click()"  # the one event that draws on the server
JS_MOVE = f"(...knobs) => {{ window.ganWeb ? window.ganWeb.move(knobs) : {PRESS_SERVER_MOVE}; }}"
# A new class or seed: the page fetches its noise, and the image and D's verdict are drawn by the one server event that
# draws them (server_move), as a move's are: two events writing the image ran at once and the older could land last
JS_LATENT = f"(...knobs) => {{ window.ganWeb?.latent(knobs); {PRESS_SERVER_MOVE}; return knobs; }}"
JS_FIRST = "(c, s, n, p, ...d) => { window.ganWeb?.latent([c, s, p, ...d]); return [c, s, n, p, ...d]; }"


@dataclass
class ImageView:
    """Every component of the Images tab that an event reads or writes (lay_out makes them, wire binds them)."""

    class_name: gr.Dropdown
    seed: gr.Number
    randomise: gr.Button
    psi: gr.Slider
    reset_all: gr.Button
    directions: list[gr.Slider]
    previews: list[gr.Image]
    image: gr.Image
    verdict: gr.Markdown
    server_move: gr.Button  # pressed by image_web.js when the server draws a move (the fallback path)
    count: gr.Slider
    grid_button: gr.Button
    grid: gr.Gallery
    sheet: gr.Image  # the API's /grid
    seed_b: gr.Number
    frames: gr.Slider
    animate_button: gr.Button
    animation: gr.Image
    notes: dict[str, gr.Markdown]  # by field: seed, psi, direction-<i>, count, seed-b, frames

    @property
    def knobs(self) -> list[Any]:
        return [self.class_name, self.seed, self.psi, *self.directions]


def knob_note(field: str) -> gr.Markdown:
    """The note under a knob that says why its value was refused (hidden while there is none)."""
    return note_box(f"gan-note-{field}")


def class_choices() -> list[tuple[Any, str]]:
    """The Class dropdown's choices: each class's name in the page's language, its value the English name (what
    the handlers, the API and links take)."""
    return [(i18n(f"image.class.{name}"), name) for name in [RANDOM_CLASS, *CLASS_NAMES]]


def direction_text(name: str, hint: str) -> tuple[Any, Any]:
    """A direction slider's (label, info): the app's translation when it has the checkpoint's name, the fallback
    "Direction i (PCi)" with its word translated, else the checkpoint's own words as they are."""
    name_key, hint_key = direction_keys(name)
    if fallback := re.fullmatch(r"Direction( \d+ \(PC\d+\))", name):
        label: Any = i18n("image.direction_fallback") + fallback.group(1)
    else:
        label = i18n(name_key) if name_key else name
    return label, (i18n(hint_key) if hint_key else hint or None)


def build_image_tab(loaded: LoadedGAN | None, note: str, judges: Judges | None = None, judges_note: str = "",
                    links: Links | None = None, demo: gr.Blocks | None = None) -> None:
    """Lay out the image tab, wire its events and publish its API (call inside a gr.Blocks); with `judges`, D's
    verdict and the classifier's guess follow the slider image. With `links`, its knobs live in the page's URL; with
    `demo`, the tab's first opening draws the verdict and the grid's captions in its language (the layout's first values are
    English: they are drawn before any reader's language is known)."""
    if loaded is None:
        missing_model_notice("GAN", "python -m core.gan.train", note, elem_id="gan-missing")
        return
    handlers = ImageHandlers(loaded)
    verdict = VerdictHandler(handlers.studio, judges) if judges is not None else None
    # the slider panel for the page (serve/latent_route.py), exported to ONNX in the background from these weights
    latent_route.offer(handlers.studio, *((judges.d, judges.classifier) if judges is not None else ()))
    view = lay_out(handlers, verdict, judges_note)
    page = ImagePage(handlers, verdict)
    wire(page, view)
    if links is not None:
        link(page, view, links)
    if demo is not None:
        first_view("image", page.first_view, [view.class_name, view.seed, view.count, view.psi, *view.directions],
                   [view.verdict, view.grid], api_name="image_first_view", preprocess=False, js=JS_FIRST, **queue_group("gan-image"))
    publish_api(handlers, verdict, view)


def lay_out(handlers: ImageHandlers, verdict_handler: VerdictHandler | None, judges_note: str) -> ImageView:
    """The components, each with its first value (the default knobs' image, verdict, previews, grid and GIF)."""
    studio = handlers.studio
    defaults = ImageKnobs()
    first_knobs = [defaults.class_name, defaults.seed, defaults.psi, *[0.0] * len(studio.direction_names)]
    with gr.Row(elem_id="gan-studio"):
        with gr.Column(scale=2, elem_id="gan-knobs"):
            class_name = gr.Dropdown(class_choices(), value=defaults.class_name, label=i18n("image.class_label"),
                                     elem_id="gan-class", info=i18n("image.class_info"))
            with gr.Row():
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("image.seed"),
                                 elem_id="gan-seed", scale=3)
                randomise = gr.Button(i18n("image.randomise"), scale=1, elem_id="gan-randomise")
            notes = {"seed": knob_note("seed")}
            psi = gr.Slider(0.0, limits.MAX_PSI, defaults.psi, step=0.05, label=i18n("image.psi_label"),
                            info=i18n("image.psi_info"), elem_id="gan-psi", elem_classes=RELEASE_ON_KEYS)
            notes["psi"] = knob_note("psi")
            if verdict_handler is not None:  # what D(x | y) means, by the knobs (the verdict stays by the image, in view)
                gr.Markdown(i18n(VERDICT_EXPLAIN), elem_id="gan-verdict-explain", latex_delimiters=LATEX)
            with gr.Row(elem_id="gan-directions-head"):
                gr.Markdown(i18n("image.directions_explain"), elem_id="gan-directions-explain")
                reset_all = gr.Button(i18n("image.reset_all"), size="sm", scale=0, min_width=96, elem_id="gan-directions-reset")
            gr.Markdown(i18n(term_key("ganspace")), elem_id="gan-directions-term", elem_classes=["gan-term"])
            directions, previews = [], []
            first_strips = handlers.preview_strips(defaults.class_name, defaults.seed, defaults.psi)
            for i, (name, hint, reach) in enumerate(zip(studio.direction_names, studio.direction_hints, studio.direction_ranges)):
                with gr.Row(elem_classes="gan-direction-row"):
                    label, info = direction_text(name, hint)
                    directions.append(gr.Slider(-reach, reach, 0.0, step=0.1, label=label, info=info, scale=4,
                                                elem_id=f"gan-direction-{i}", elem_classes="gan-direction-slider"))
                    previews.append(gr.Image(first_strips[i], type="filepath", format="png", image_mode="L", interactive=False,
                                             show_label=False, container=False, buttons=[], height=32 * PREVIEW_SCALE + PREVIEW_CAPTION,
                                             elem_id=f"gan-direction-preview-{i}", elem_classes="gan-direction-preview",
                                             alt_text=f"{name} at −{reach:g} and +{reach:g}"))
                notes[direction_field(i)] = knob_note(direction_field(i))
        with gr.Column(scale=2, elem_id="gan-output"):
            image = gr.Image(handlers.image(*first_knobs), type="pil", format="png", image_mode="L", buttons=["download"],
                             interactive=False, label=i18n("image.image_label"),
                             elem_id="gan-image", height=32 * IMAGE_SCALE + 40)
            if verdict_handler is None:
                verdict = gr.Markdown(i18n("image.verdict_missing") + judges_note, elem_id="gan-verdict", visible=bool(judges_note))
            else:
                verdict = gr.Markdown(verdict_handler.markdown(*first_knobs), elem_id="gan-verdict")
            gr.HTML(WEB_PANEL, elem_id="gan-web-box", container=False, padding=False)
            server_move = gr.Button("draw", visible="hidden", elem_id="gan-server-move")
    with gr.Row(elem_id="gan-more"):
        with gr.Column(scale=2):
            with gr.Row():
                count = gr.Slider(1, limits.MAX_GRID_IMAGES, DEFAULT_GRID, step=1, precision=0, scale=3, elem_id="gan-grid-count",
                                  elem_classes=RELEASE_ON_KEYS,
                                  label=i18n("image.grid_count"))
                grid_button = gr.Button(i18n("image.grid_button"), elem_id="gan-grid-button", scale=1)
            notes["count"] = knob_note("count")
            gr.Markdown(i18n("image.grid_explain"), elem_id="gan-grid-explain")
            grid = gr.Gallery(handlers.grid_tiles(defaults.class_name, defaults.seed, DEFAULT_GRID, defaults.psi),
                              columns=GRID_COLUMNS, height="auto", allow_preview=False, show_label=False, label=i18n("image.grid_label"),
                              object_fit="contain", elem_id="gan-grid")
            sheet = gr.Image(type="filepath", format="png", visible=False, elem_id="gan-grid-sheet")
        with gr.Column(scale=2):
            with gr.Row():
                seed_b = gr.Number(1, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("image.second_seed"),
                                   elem_id="gan-seed-b")
                frames = gr.Slider(2, limits.MAX_INTERPOLATION_FRAMES, DEFAULT_FRAMES, step=1, precision=0, label=i18n("image.frames"),
                                   elem_id="gan-frames", elem_classes=RELEASE_ON_KEYS)
            notes["seed-b"], notes["frames"] = knob_note("seed-b"), knob_note("frames")
            animate_button = gr.Button(i18n("image.animate"), elem_id="gan-interpolate-button")
            animation = gr.Image(handlers.first_gif(defaults, 1, DEFAULT_FRAMES), type="filepath", interactive=False,
                                 buttons=["download"], label=i18n("image.animation_label"),
                                 elem_id="gan-interpolation", height=32 * IMAGE_SCALE + 40)
    return ImageView(class_name, seed, randomise, psi, reset_all, directions, previews, image, verdict, server_move, count, grid_button,
                     grid, sheet, seed_b, frames, animate_button, animation, notes)


def wire(page: ImagePage, view: ImageView) -> None:
    """The page's events: one event per trigger (see demo/image_handlers.py for the request loop two would start), the
    newest value winning (always_last: while one runs, only the newest waits). A move goes to the page's own drawing
    (image_move, no backend: JS_MOVE), which presses the hidden server_move button when the server draws; that
    button's event redraws the image and D's verdict in one event, and is the only event of the page that draws them:
    a new class or seed presses it too (JS_LATENT), so a draw that started with older knobs is always followed by one
    with the newest. The class or the seed also redraws the previews; the grid and the GIF follow with .then, and
    follow psi at the end of a move (release; demo/knob_release.py sends it after keys or a typed value), not every
    step."""
    v, notes = view, view.notes
    view_notes = [notes[field] for field in page.view_fields]
    page_event = dict(preprocess=False, api_visibility="undocumented", trigger_mode="always_last", show_progress="hidden")
    heavy = dict(page_event, **queue_group("gan-heavy"))
    grid_io = dict(fn=page.grid, inputs=[v.class_name, v.seed, v.count, v.psi], outputs=[v.grid, notes["count"]])
    gif_io = dict(fn=page.interpolation, inputs=[v.seed, v.seed_b, v.class_name, v.frames, v.psi],
                  outputs=[v.animation, notes["seed-b"], notes["frames"]])
    gr.on([v.psi.change, *[d.change for d in v.directions]], None, v.knobs, None, js=JS_MOVE, api_name="image_move",
          api_visibility="private", show_progress="hidden")
    v.server_move.click(page.view, v.knobs, [v.image, v.verdict, *view_notes], api_name="image_view",
                        **queue_group("gan-image"), **page_event)
    gr.on([v.class_name.change, v.seed.change], page.latent_previews, v.knobs, v.previews,
          api_name="image_view_new_latent", js=JS_LATENT, **queue_group("gan-image"), **page_event,
          ).then(api_name="grid_new_latent", **grid_io, **heavy).then(api_name="interpolate_new_latent", **gif_io, **heavy)
    v.psi.release(page.previews, [v.class_name, v.seed, v.psi], v.previews, api_name="direction_previews",
                  **queue_group("gan-image"), **page_event,
                  ).then(api_name="grid_new_psi", **grid_io, **heavy).then(api_name="interpolate_new_psi", **gif_io, **heavy)
    gr.on([v.grid_button.click, v.count.release], api_name="page_grid", **grid_io, **heavy)
    gr.on([v.animate_button.click, v.seed_b.change, v.frames.release], api_name="page_interpolate", **gif_io, **heavy)
    v.reset_all.click(None, None, v.directions, js=f"() => Array({len(v.directions)}).fill(0)", api_name="reset_directions",
                      api_visibility="private")
    v.grid.select(page.handlers.tile_seed, [v.seed, v.count], v.seed, api_name="grid_tile", api_visibility="private",
                  preprocess=False, show_progress="hidden")
    v.randomise.click(random_image_seed, None, v.seed, api_name="random_image_seed", show_progress="hidden")


def link(page: ImagePage, view: ImageView, links: Links) -> None:
    """The tab's knobs in the page's URL (image-class, image-seed, image-psi, image-dir1..N), drawn from a link by
    the page's own operation for a new class or seed: the image, D's verdict, the notes and the previews."""
    knobs = {"image-class": (view.class_name, parse_class), "image-seed": (view.seed, parse_seed),
             "image-psi": (view.psi, parse_psi),
             **{f"image-dir{i + 1}": (slider, functools.partial(parse_direction, reach=reach))
                for i, (slider, reach) in enumerate(zip(view.directions, page.ranges))}}
    outputs = [view.image, view.verdict, *(view.notes[field] for field in page.view_fields), *view.previews]
    links.view("image", knobs, Draw(page.view_and_previews, view.knobs, outputs, queue_group("gan-image")))


def publish_api(handlers: ImageHandlers, verdict: VerdictHandler | None, view: ImageView) -> None:
    """The API: the same handlers with no page trigger (gr.on with no triggers), so a program's call raises its
    refusal as an error message while the page shows notes, and the page's triggers stay one event each.
    /image_verdict is D's verdict beside /image, so /image keeps its one output."""
    studio = handlers.studio
    named = functools.partial(with_direction_params, names=studio.direction_names, ranges=studio.direction_ranges)
    api = dict(preprocess=False, show_progress="hidden")
    gr.on([], named(handlers.image_file), view.knobs, view.image, api_name="image", **queue_group("gan-image"), **api)
    if verdict is not None:
        gr.on([], named(verdict.markdown), view.knobs, view.verdict, api_name="image_verdict", **queue_group("gan-verdict"), **api)
    gr.on([], handlers.grid_file, [view.class_name, view.seed, view.count, view.psi], view.sheet, api_name="grid",
          **queue_group("gan-heavy"), **api)
    gr.on([], handlers.interpolate, [view.seed, view.seed_b, view.class_name, view.frames, view.psi], view.animation,
          api_name="interpolate", **queue_group("gan-heavy"), **api)
