"""Image tab: class, seed, truncation and direction sliders redraw the GAN image on every change, however the knob
moved (drag, keys, typed value, reset arrow: Gradio's `change` fires for each), with D's verdict, a preview strip per
direction, a labelled grid of samples whose tiles load into the main image, an interpolation GIF between two seeds,
and downloads named after what they show (dress-seed5-psi1.0.png)."""
from __future__ import annotations

import functools
import inspect
import tempfile
from pathlib import Path
from typing import IO, Any, Callable

import gradio as gr
from PIL import Image, ImageDraw, ImageFont

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.io import LoadedGAN
from core.gan.judge import Judges
from core.gan.latent import RANDOM_CLASS, ImageKnobs, LatentStudio, class_index, frames_to_gif, upscale, validate_seed
from core.validation import KnobError, as_int
from demo.errors import missing_model_notice, user_errors
from demo.gan_grid import labelled_sheet, slug
from demo.gan_verdict import build_verdict, verdict_explain, wire_verdict
from demo.image_page import ImagePage, direction_field
from demo.knob_release import SLIDER_CLASSES
from demo.shared import DISK_CAP_BYTES, GeneratedFiles, queue_group, random_seed, static_text  # noqa: F401  (DISK_CAP_BYTES: bench/abuse.py)

IMAGE_SCALE = 8  # 32x32 shown as 256x256, nearest neighbour so pixels stay crisp
PREVIEW_SCALE = 2  # the direction previews: two 64x64 tiles
TILE_SCALE = 4  # grid tiles written 128x128 (the page scales them, pixelated)
PREVIEW_CAPTION = 13  # px under them for the move each shows (-3.5, +3.5)
PNG_COMPRESS_LEVEL = 1  # 0.3 ms instead of 1 ms per 256x256 slider image, and no bigger (its 8x8 blocks compress well)
DEFAULT_GRID, DEFAULT_FRAMES = 16, 24
GRID_COLUMNS = 6  # the grid's columns (4 on a phone: CSS below)
# The image tab's own CSS (build.py joins every tab's CSS into the page's). The knobs column is long (8 direction
# sliders), so the image column stays in view while they move: sticky beside them on a desktop; on a phone the
# columns stack, so the image (smaller) goes first and sticks to the top of the screen above the knobs.
CSS = static_text("image.css")
# Sliders whose heavy views (grid, GIF) wait for the end of a move: demo/knob_release.py gives one moved by arrow keys
# or a typed value the `release` a drag's end sends.
RELEASE_ON_KEYS = SLIDER_CLASSES
def psi_text(psi: float) -> str:
    """1.0 -> "1.0", 0.75 -> "0.75": at least one decimal, as a file name reads it."""
    text = f"{psi:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def image_name(knobs: ImageKnobs, class_name: str) -> str:
    """dress-seed5-psi1.0.png; moved directions are added as -d2+1.5 (direction 2 at +1.5)."""
    moves = "".join(f"-d{i + 1}{v:+g}" for i, v in enumerate(knobs.directions) if v != 0.0)
    return f"{slug(class_name)}-seed{knobs.seed}-psi{psi_text(knobs.psi)}{moves}.png"


def _png(image: Image.Image) -> Callable[[IO[bytes]], object]:
    return lambda f: image.save(f, format="png", compress_level=PNG_COMPRESS_LEVEL)


class ImageHandlers:
    """The image tab's handlers over one loaded GAN (loaded once at start-up; no handler loads weights)."""

    def __init__(self, loaded: LoadedGAN, files: GeneratedFiles | None = None):
        self.studio = LatentStudio(loaded)
        self.files = files or GeneratedFiles()

    @property
    def direction_names(self) -> list[str]:
        return list(self.studio.direction_names)

    def class_of(self, knobs: ImageKnobs) -> str:
        """The class the image is drawn as ('random' resolved by the seed)."""
        return CLASS_NAMES[class_index(knobs.class_name, knobs.seed)]

    @user_errors
    def image(self, class_name: str, seed: int, psi: float, *directions: float) -> Image.Image:
        """The image for these knobs, enlarged; a direction move reuses the cached latent of (class, seed, psi)."""
        return upscale(self.studio.image(self.studio.knobs(class_name, seed, psi, directions)), IMAGE_SCALE)

    @user_errors
    def image_file(self, class_name: str, seed: int, psi: float, *directions: float) -> str:
        """One generated 32x32 piece of clothing, shown 8x, as a PNG file.

        Args:
            class_name: a Fashion-MNIST class ("Dress", "Sneaker", ...) or "random" (the seed picks the class)
            seed: the latent noise, 0 to 2**32-1
            psi: truncation, 0 (the class's average image) to 2 (wilder); 1 is as trained
        """
        # A file per call, complete before it is returned (GeneratedFiles): returning the PIL image would let Gradio
        # write it into its cache under a name made from its content, in place, so two users asking for the same
        # image at once could be served a file the other request is rewriting. Bad knobs are refused before any file.
        knobs = self.studio.knobs(class_name, seed, psi, directions)
        return self.write_image(knobs, self.studio.image(knobs))

    def write_image(self, knobs: ImageKnobs, image: Image.Image) -> str:
        """The 32x32 image drawn for `knobs`, enlarged, in a new file named after them."""
        return self.files.write_named(image_name(knobs, self.class_of(knobs)), _png(upscale(image, IMAGE_SCALE)))

    @user_errors
    def grid(self, class_name: str, first_seed: int, count: int, psi: float) -> Image.Image:
        """`count` samples with seeds first_seed, first_seed+1, ... in one enlarged sheet, each labelled."""
        images, labels = self.studio.grid_images(class_name, first_seed, count, psi)
        seed = int(first_seed)
        return labelled_sheet(images, [(CLASS_NAMES[lab], f"seed {seed + i}") for i, lab in enumerate(labels)])

    @user_errors
    def grid_file(self, class_name: str, seed: int, count: int, psi: float) -> str:
        """A sheet of generated samples for seeds seed, seed+1, ..., each labelled with its class and seed, as a PNG.

        Args:
            class_name: a Fashion-MNIST class ("Dress", "Sneaker", ...) or "random" (each seed picks its class)
            seed: the first seed, 0 to 2**32-1
            count: how many samples, 1 to 64
            psi: truncation, 0 (the class's average image) to 2 (wilder); 1 is as trained
        """
        sheet = self.grid(class_name, seed, count, psi)  # bad knobs are refused before any file exists
        first, n = int(seed), int(count)
        name = f"{slug(class_name)}-seeds{first}-{first + n - 1}-psi{psi_text(float(psi))}.png"
        return self.files.write_named(name, _png(sheet))

    @user_errors
    def interpolate(self, seed_a: int, seed_b: int, class_name: str, frames: int, psi: float) -> str:
        """A looping GIF that walks the latent noise from one seed's image to another's.

        Args:
            seed_a: the first seed, 0 to 2**32-1
            seed_b: the last seed, 0 to 2**32-1
            class_name: a Fashion-MNIST class ("Dress", "Sneaker", ...) or "random"
            frames: frames in the loop, 2 to 60
            psi: truncation, 0 (the class's average image) to 2 (wilder); 1 is as trained
        """
        knobs = self.studio.knobs(class_name, seed_a, psi)
        seed_b = validate_seed(seed_b, "seed B")
        frames = as_int("frames", frames, 2, limits.MAX_INTERPOLATION_FRAMES)
        key = f"gif|{knobs.class_name}|{knobs.seed}|{seed_b}|{frames}|{knobs.psi}"
        if (path := self.files.find(key)) is not None:  # same knobs, same file: repeated clicks do not fill the disk
            return path
        data = frames_to_gif(self.studio.interpolation(knobs.seed, seed_b, knobs.class_name, frames, knobs.psi), scale=IMAGE_SCALE)
        name = f"{slug(knobs.class_name)}-seed{knobs.seed}-to-{seed_b}-psi{psi_text(knobs.psi)}.gif"
        return self.files.write_named(name, lambda f: f.write(data), key)

    def preview_strips(self, class_name: Any, seed: Any, psi: Any) -> list[Image.Image]:
        """Per direction: the image at -range and at +range along it (class, seed, psi as set, other directions at 0)."""
        knobs = self.studio.knobs(class_name, seed, psi)
        strips, size = [], 32 * PREVIEW_SCALE
        font = ImageFont.load_default(size=11)
        moves = self.studio.direction_ranges
        for (minus, plus), reach in zip(self.studio.along_directions(knobs, moves), moves):
            strip = Image.new("L", (2 * size + 4, size + PREVIEW_CAPTION), 255)
            draw = ImageDraw.Draw(strip)
            for x, image, text in ((0, minus, f"-{reach:g}"), (size + 4, plus, f"+{reach:g}")):  # Pillow's font has no U+2212
                strip.paste(image.resize((size, size), Image.NEAREST), (x, 0))
                draw.text((x + size / 2, size + 1), text, fill=0, font=font, anchor="ma")
            strips.append(strip)
        return strips

    @user_errors
    def preview_files(self, class_name: Any, seed: Any, psi: Any) -> list[str]:
        """The preview strips as PNG files (kept per knobs: going back to a seed reuses them)."""
        knobs = self.studio.knobs(class_name, seed, psi)
        key = f"previews|{knobs.class_name}|{knobs.seed}|{knobs.psi}"
        paths = [self.files.find(f"{key}|{i}") for i in range(len(self.direction_names))]
        if all(paths):
            return paths  # type: ignore[return-value]
        base = f"{slug(self.class_of(knobs))}-seed{knobs.seed}-psi{psi_text(knobs.psi)}"
        return [self.files.write_named(f"{base}-d{i + 1}-minus-plus.png", _png(strip), f"{key}|{i}")
                for i, strip in enumerate(self.preview_strips(class_name, seed, psi))]

    def grid_tiles(self, class_name: Any, seed: Any, count: Any, psi: Any) -> list[tuple[str, str]]:
        """The grid as (file, caption) tiles for the page's gallery: each tile is a button (pick it with the mouse or
        the keyboard), captioned in text that stays sharp at any size. A tile already drawn is reused."""
        images, labels = self.studio.grid_images(class_name, seed, count, psi)
        first, psi_name = int(seed), psi_text(float(psi))
        tiles = []
        for i, (image, label) in enumerate(zip(images, labels)):
            name = f"{slug(CLASS_NAMES[label])}-seed{first + i}-psi{psi_name}.png"
            key = f"tile|{name}"
            path = self.files.find(key) or self.files.write_named(name, _png(upscale(image, TILE_SCALE)), key)
            tiles.append((path, f"{CLASS_NAMES[label]}\nseed {first + i}"))
        return tiles

    def tile_seed(self, seed: Any, count: Any, evt: gr.SelectData) -> Any:
        """A tile picked (click, or Enter on a focused tile): its seed becomes the seed. The index comes from the
        browser, so it is checked; anything odd changes nothing."""
        try:
            first = validate_seed(seed)
            n = as_int("grid size", count, 1, limits.MAX_GRID_IMAGES)
            index = as_int("tile", evt.index, 0, n - 1)
        except (KnobError, AttributeError):
            return gr.skip()
        return first + index if first + index <= limits.MAX_SEED else gr.skip()


def knob_note(field: str) -> gr.Markdown:
    """The note under a knob that says why its value was refused (hidden while there is none)."""
    return gr.Markdown("", visible=False, elem_id=f"gan-note-{field}", elem_classes=["field-note"])


def with_direction_params(fn: Callable[..., Any], names: list[str], ranges: list[float]) -> Callable[..., Any]:
    """fn(class_name, seed, psi, *directions) with the directions as named parameters direction_1, direction_2, ...,
    so the API page lists them by name (and describes each) instead of param_3, param_4, ..."""
    base = inspect.signature(fn)
    fixed = [p for p in base.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    moves = [inspect.Parameter(f"direction_{i + 1}", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=0.0, annotation=float)
             for i in range(len(names))]

    @functools.wraps(fn)
    def endpoint(*args: Any) -> Any:
        return fn(*args)

    endpoint.__signature__ = base.replace(parameters=[*fixed, *moves])  # type: ignore[attr-defined]
    endpoint.__annotations__ = {**{p.name: p.annotation for p in fixed}, **{p.name: float for p in moves},
                                "return": base.return_annotation}
    endpoint.__doc__ = (fn.__doc__ or "").rstrip() + "".join(
        f"\n            direction_{i + 1}: {name}, a move from -{reach:g} to {reach:g} (the API takes up to ±{limits.MAX_DIRECTION:g})"
        for i, (name, reach) in enumerate(zip(names, ranges))) + "\n"
    return endpoint


def random_image_seed() -> int:
    """A fresh random seed for the image knobs."""
    return random_seed()


def _first_gif(handlers: ImageHandlers, knobs: ImageKnobs, seed_b: int) -> str:
    """The first interpolation, in a file of its own that Gradio copies into its cache (and keeps) at start-up."""
    frames = handlers.studio.interpolation(knobs.seed, seed_b, knobs.class_name, DEFAULT_FRAMES, knobs.psi)
    path = Path(tempfile.mkdtemp(prefix="gan-first-")) / f"{slug(knobs.class_name)}-seed{knobs.seed}-to-{seed_b}-psi{psi_text(knobs.psi)}.gif"
    path.write_bytes(frames_to_gif(frames, scale=IMAGE_SCALE))
    return str(path)


def build_image_tab(loaded: LoadedGAN | None, note: str, judges: Judges | None = None, judges_note: str = "") -> None:
    """Lay out the image tab and wire its events (call inside a gr.Blocks); with `judges`, D's verdict and the
    classifier's guess follow the slider image (demo/gan_verdict.py)."""
    if loaded is None:
        missing_model_notice("GAN", "python -m core.gan.train", note, elem_id="gan-missing")
        return
    handlers = ImageHandlers(loaded)
    studio = handlers.studio
    defaults = ImageKnobs()
    first_knobs = [defaults.class_name, defaults.seed, defaults.psi, *[0.0] * len(studio.direction_names)]
    with gr.Row(elem_id="gan-studio"):
        with gr.Column(scale=2, elem_id="gan-knobs"):
            class_name = gr.Dropdown([RANDOM_CLASS, *CLASS_NAMES], value=defaults.class_name, label="Class", elem_id="gan-class",
                                     info="'random' lets the seed pick the class")
            with gr.Row():
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed",
                                 elem_id="gan-seed", scale=3)
                randomise = gr.Button("Randomise", scale=1, elem_id="gan-randomise")
            notes = {"seed": knob_note("seed")}
            psi = gr.Slider(0.0, limits.MAX_PSI, defaults.psi, step=0.05, label="Noise scale (truncation ψ)",
                            info="0 = the average image of the class; 1 = as trained; above 1 = wilder", elem_id="gan-psi",
                            elem_classes=RELEASE_ON_KEYS)
            notes["psi"] = knob_note("psi")
            verdict_explain(judges)
            with gr.Row(elem_id="gan-directions-head"):
                gr.Markdown("**Directions**: the main axes along which this GAN's images vary (GANSpace), named by what "
                            "they do. Each preview shows the image at − and + the slider's end.", elem_id="gan-directions-explain")
                reset_all = gr.Button("Reset all", size="sm", scale=0, min_width=96, elem_id="gan-directions-reset")
            directions, previews = [], []
            first_strips = handlers.preview_strips(defaults.class_name, defaults.seed, defaults.psi)
            for i, (name, hint, reach) in enumerate(zip(studio.direction_names, studio.direction_hints, studio.direction_ranges)):
                with gr.Row(elem_classes="gan-direction-row"):
                    directions.append(gr.Slider(-reach, reach, 0.0, step=0.1, label=name, info=hint or None, scale=4,
                                                elem_id=f"gan-direction-{i}", elem_classes="gan-direction-slider"))
                    previews.append(gr.Image(first_strips[i], type="filepath", format="png", image_mode="L", interactive=False,
                                             show_label=False, container=False, buttons=[], height=32 * PREVIEW_SCALE + PREVIEW_CAPTION,
                                             elem_id=f"gan-direction-preview-{i}", elem_classes="gan-direction-preview",
                                             alt_text=f"{name} at −{reach:g} and +{reach:g}"))
                notes[direction_field(i)] = knob_note(direction_field(i))
        with gr.Column(scale=2, elem_id="gan-output"):
            image = gr.Image(handlers.image(*first_knobs), type="pil", format="png", image_mode="L", buttons=["download"],
                             interactive=False, label=f"Generated image (32x32, shown {IMAGE_SCALE}x; download as PNG)",
                             elem_id="gan-image", height=32 * IMAGE_SCALE + 40)
            verdict_handler, verdict = build_verdict(studio, judges, judges_note, first_knobs)
    with gr.Row(elem_id="gan-more"):
        with gr.Column(scale=2):
            with gr.Row():
                count = gr.Slider(1, limits.MAX_GRID_IMAGES, DEFAULT_GRID, step=1, precision=0, scale=3, elem_id="gan-grid-count",
                                  elem_classes=RELEASE_ON_KEYS,
                                  label="Samples in the grid (seeds: seed, seed+1, ...)")
                grid_button = gr.Button("Redraw grid", elem_id="gan-grid-button", scale=1)
            notes["count"] = knob_note("count")
            gr.Markdown("**Grid**: seeds seed, seed+1, ... Pick a sample (click it, or Tab to it and press Enter) to "
                        "load it above; its seed becomes the first.", elem_id="gan-grid-explain")
            grid = gr.Gallery(handlers.grid_tiles(defaults.class_name, defaults.seed, DEFAULT_GRID, defaults.psi),
                              columns=GRID_COLUMNS, height="auto", allow_preview=False, show_label=False, label="Grid",
                              object_fit="contain", elem_id="gan-grid")
            sheet = gr.Image(type="filepath", format="png", visible=False, elem_id="gan-grid-sheet")  # the API's /grid
        with gr.Column(scale=2):
            with gr.Row():
                seed_b = gr.Number(1, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Second seed", elem_id="gan-seed-b")
                frames = gr.Slider(2, limits.MAX_INTERPOLATION_FRAMES, DEFAULT_FRAMES, step=1, precision=0, label="Frames",
                                   elem_id="gan-frames", elem_classes=RELEASE_ON_KEYS)
            notes["seed-b"], notes["frames"] = knob_note("seed-b"), knob_note("frames")
            animate_button = gr.Button("Redraw seed → second seed", elem_id="gan-interpolate-button")
            animation = gr.Image(_first_gif(handlers, defaults, 1), type="filepath", interactive=False, buttons=["download"],
                                 label="Interpolation (GIF): seed → second seed", elem_id="gan-interpolation",
                                 height=32 * IMAGE_SCALE + 40)
    knobs = [class_name, seed, psi, *directions]
    page = ImagePage(handlers, verdict_handler)
    view_notes = [notes[field] for field in page.view_fields]
    named = functools.partial(with_direction_params, names=studio.direction_names, ranges=studio.direction_ranges)
    # The page: one event per trigger (see demo/image_page.py for the request loop two would start), the newest
    # value winning (always_last: while one runs, only the newest waits). A move redraws the image and D's verdict in
    # one event; the class or the seed also redraws the previews; the grid and the GIF follow with .then, and follow
    # psi at the end of a move (release; demo/knob_release.py sends it after keys or a typed value), not every step.
    page_event = dict(preprocess=False, api_visibility="undocumented", trigger_mode="always_last", show_progress="hidden")
    heavy = dict(page_event, **queue_group("gan-heavy"))
    grid_io = dict(fn=page.grid, inputs=[class_name, seed, count, psi], outputs=[grid, notes["count"]])
    gif_io = dict(fn=page.interpolation, inputs=[seed, seed_b, class_name, frames, psi],
                  outputs=[animation, notes["seed-b"], notes["frames"]])
    gr.on([psi.change, *[d.change for d in directions]], page.view, knobs, [image, verdict, *view_notes],
          api_name="image_view", **queue_group("gan-image"), **page_event)
    gr.on([class_name.change, seed.change], page.view_and_previews, knobs, [image, verdict, *view_notes, *previews],
          api_name="image_view_new_latent", **queue_group("gan-image"), **page_event,
          ).then(api_name="grid_new_latent", **grid_io, **heavy).then(api_name="interpolate_new_latent", **gif_io, **heavy)
    psi.release(page.previews, [class_name, seed, psi], previews, api_name="direction_previews", **queue_group("gan-image"),
                **page_event,
                ).then(api_name="grid_new_psi", **grid_io, **heavy).then(api_name="interpolate_new_psi", **gif_io, **heavy)
    gr.on([grid_button.click, count.release], api_name="page_grid", **grid_io, **heavy)
    gr.on([animate_button.click, seed_b.change, frames.release], api_name="page_interpolate", **gif_io, **heavy)
    reset_all.click(None, None, directions, js=f"() => Array({len(directions)}).fill(0)", api_name="reset_directions",
                    api_visibility="private")
    grid.select(handlers.tile_seed, [seed, count], seed, api_name="grid_tile", api_visibility="private", preprocess=False,
                show_progress="hidden")
    randomise.click(random_image_seed, None, seed, api_name="random_image_seed", show_progress="hidden")
    # The API: the same handlers with no page trigger (gr.on with no triggers), so a program's call raises its
    # refusal as an error message while the page shows notes, and the page's triggers stay one event each.
    api = dict(preprocess=False, show_progress="hidden")
    gr.on([], named(handlers.image_file), knobs, image, api_name="image", **queue_group("gan-image"), **api)
    wire_verdict(verdict_handler and named(verdict_handler.markdown), verdict, knobs)
    gr.on([], handlers.grid_file, [class_name, seed, count, psi], sheet, api_name="grid", **queue_group("gan-heavy"), **api)
    gr.on([], handlers.interpolate, [seed, seed_b, class_name, frames, psi], animation, api_name="interpolate",
          **queue_group("gan-heavy"), **api)
