"""The Images tab's handlers: the operations over the GAN (ImageHandlers, VerdictHandler), each checking its knobs
once, with their API adapters (`user_errors`; `with_direction_params` names the directions) and the page's adapter
(ImagePage). What the results look like is demo/image_render.py; where they go on the page is demo/image_tab.py.

The page adapter follows two rules:
* A refusal is one note beside the field it concerns, and the last good output stays (a pop-up per slider event
  would stack, and an error would blank the image the user was looking at). Each knob is checked on its own so the
  note lands by the right field.
* One event per knob trigger. Gradio's page re-sends a trigger to *every* event bound to it when a deferred
  (`always_last`) event finishes, so two such events on one trigger keep re-triggering each other for as long as
  their runs overlap: an endless request loop. So each trigger feeds one event that returns everything the move
  redraws (image and verdict together), and slower views follow with `.then`, which re-runs only itself.
"""
from __future__ import annotations

import functools
import inspect
import tempfile
from functools import partial
from pathlib import Path
from typing import Any, Callable

import gradio as gr
import torch
from PIL import Image

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.io import LoadedGAN
from core.gan.judge import Judges, Verdict, pixels_to_tensor
from core.gan.latent import (MAX_PSI, ImageKnobs, LatentStudio, class_index, frames_to_gif, upscale, validate_class,
                             validate_seed)
from core.validation import KnobError, as_float, as_int
from demo import image_render as render
from demo.errors import USER_ERRORS, field_note, localized, user_errors
from demo.i18n import request_language, text
from demo.shared import GeneratedFiles, random_seed

# The page's note fields, in the order the events return them
VIEW_FIELDS_BASE = ("seed", "psi")  # + one per direction: "direction-<i>"


def direction_field(index: int) -> str:
    return f"direction-{index}"


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
        return upscale(self.studio.image(self.studio.knobs(class_name, seed, psi, directions)), render.IMAGE_SCALE)

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
        return self.files.write_named(render.image_name(knobs, self.class_of(knobs)),
                                      render.png(upscale(image, render.IMAGE_SCALE)))

    @user_errors
    def grid(self, class_name: str, first_seed: int, count: int, psi: float) -> Image.Image:
        """`count` samples with seeds first_seed, first_seed+1, ... in one enlarged sheet, each labelled."""
        images, labels = self.studio.grid_images(class_name, first_seed, count, psi)
        seed = int(first_seed)
        return render.labelled_sheet(images, [(CLASS_NAMES[lab], f"seed {seed + i}") for i, lab in enumerate(labels)])

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
        return self.files.write_named(render.grid_name(class_name, int(seed), int(count), float(psi)), render.png(sheet))

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
        data = self.gif(knobs, seed_b, frames)
        name = render.gif_name(knobs.class_name, knobs.seed, seed_b, knobs.psi)
        return self.files.write_named(name, lambda f: f.write(data), key)

    def gif(self, knobs: ImageKnobs, seed_b: int, frames: int) -> bytes:
        """The interpolation of checked knobs as GIF bytes."""
        return frames_to_gif(self.studio.interpolation(knobs.seed, seed_b, knobs.class_name, frames, knobs.psi),
                             scale=render.IMAGE_SCALE)

    def first_gif(self, knobs: ImageKnobs, seed_b: int, frames: int) -> str:
        """The first interpolation, in a file of its own that Gradio copies into its cache (and keeps) at start-up."""
        path = Path(tempfile.mkdtemp(prefix="gan-first-")) / render.gif_name(knobs.class_name, knobs.seed, seed_b, knobs.psi)
        path.write_bytes(self.gif(knobs, seed_b, frames))
        return str(path)

    def preview_strips(self, class_name: Any, seed: Any, psi: Any) -> list[Image.Image]:
        """Per direction: the image at -range and at +range along it (class, seed, psi as set, other directions at 0)."""
        knobs = self.studio.knobs(class_name, seed, psi)
        moves = self.studio.direction_ranges
        return [render.preview_strip(minus, plus, reach)
                for (minus, plus), reach in zip(self.studio.along_directions(knobs, moves), moves)]

    @user_errors
    def preview_files(self, class_name: Any, seed: Any, psi: Any) -> list[str]:
        """The preview strips as PNG files (kept per knobs: going back to a seed reuses them)."""
        knobs = self.studio.knobs(class_name, seed, psi)
        key = f"previews|{knobs.class_name}|{knobs.seed}|{knobs.psi}"
        paths = [self.files.find(f"{key}|{i}") for i in range(len(self.direction_names))]
        if all(paths):
            return paths  # type: ignore[return-value]
        drawn_as = self.class_of(knobs)
        return [self.files.write_named(render.preview_name(drawn_as, knobs.seed, knobs.psi, i), render.png(strip), f"{key}|{i}")
                for i, strip in enumerate(self.preview_strips(class_name, seed, psi))]

    def grid_tiles(self, class_name: Any, seed: Any, count: Any, psi: Any, lang: str = "en") -> list[tuple[str, str]]:
        """The grid as (file, caption) tiles for the page's gallery: each tile is a button (pick it with the mouse or
        the keyboard), captioned in `lang` in text that stays sharp at any size. A tile already drawn is reused."""
        images, labels = self.studio.grid_images(class_name, seed, count, psi)
        first = int(seed)
        tiles = []
        for i, (image, label) in enumerate(zip(images, labels)):
            name = render.tile_name(CLASS_NAMES[label], first + i, float(psi))
            key = f"tile|{name}"
            path = self.files.find(key) or self.files.write_named(name, render.png(upscale(image, render.TILE_SCALE)), key)
            tiles.append((path, render.tile_caption(CLASS_NAMES[label], first + i, lang)))
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


def direction_knob(name: str, lang: str) -> str:
    """A direction as its note names it: quoted in English ('Tall ↔ wide'); in another language the catalog's
    message quotes the name itself."""
    return f"'{name}'" if lang == "en" else render.direction_label(name, lang)


# ---- a link's text to a knob's value (demo/links.py): a bad or stale value raises KnobError and is ignored --------
def parse_class(value: str) -> str:
    """A class as the Class dropdown's value ("Sneaker", "random"), matched case-insensitively."""
    return validate_class(value)


def parse_seed(value: str) -> int:
    return validate_seed(value)


def parse_psi(value: str) -> float:
    return as_float("psi", value, 0.0, MAX_PSI)


def parse_direction(value: str, reach: float) -> float:
    """A direction slider's move, held to that slider's range."""
    return as_float("direction", value, -reach, reach)


def random_image_seed() -> int:
    """A fresh random seed for the image knobs."""
    return random_seed()


class VerdictHandler:
    """The discriminator beside the slider image: D(x | y), the probability that the image is a real photo of its
    class, and the classifier's guess (drawn with the image on the page; its own endpoint, beside /image, for API
    users, so /image keeps its one output)."""

    def __init__(self, studio: LatentStudio, judges: Judges) -> None:
        self.studio, self.judges = studio, judges

    def judge(self, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Verdict, str]:
        knobs = self.studio.knobs(class_name, seed, psi, directions)
        return self.judge_image(knobs, self.studio.image(knobs))

    def judge_image(self, knobs: ImageKnobs, image: Image.Image) -> tuple[Verdict, str]:
        """The verdict on `image`, the 32x32 pixels the user sees for `knobs` (drawn once by the caller)."""
        _, label = self.studio.latent(knobs)  # cached: the slider image's own latent and class
        return self.judges.judge(pixels_to_tensor([image]), torch.tensor([label]))[0], CLASS_NAMES[label]

    @user_errors
    def markdown(self, class_name: str, seed: int, psi: float, *directions: float) -> str:
        """The discriminator's verdict on the image for these knobs (how likely a real photo of its class) and the
        classifier's guess, as Markdown.

        Args:
            class_name: a Fashion-MNIST class ("Dress", "Sneaker", ...) or "random" (the seed picks the class)
            seed: the latent noise, 0 to 2**32-1
            psi: truncation, 0 (the class's average image) to 2 (wilder); 1 is as trained
        """
        verdict, name = self.judge(class_name, seed, psi, *directions)
        return render.verdict_markdown(verdict, name)


def with_direction_params(fn: Callable[..., Any], names: list[str], ranges: list[float]) -> Callable[..., Any]:
    """The API adapter: fn(class_name, seed, psi, *directions) with the directions as named parameters direction_1,
    direction_2, ..., so the API page lists them by name (and describes each) instead of param_3, param_4, ..."""
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


class ImagePage:
    """The page adapter: the page's events call these, never the API endpoints; each knob validated where the user
    can see it (see the module's docstring), every note and the verdict in the page's language.

    `view` and `view_and_previews` take the request first: their directions are *args, and Gradio passes gr.Request
    only to a parameter before them."""

    def __init__(self, handlers: ImageHandlers, verdict: VerdictHandler | None) -> None:
        self.handlers, self.verdict = handlers, verdict
        studio = handlers.studio
        self.ranges = list(studio.direction_ranges)
        self.names = list(studio.direction_names)
        self.view_fields = [*VIEW_FIELDS_BASE, *(direction_field(i) for i in range(len(self.names)))]

    # ---- checks, one field at a time --------------------------------------------------------------------------
    def view_problems(self, seed: Any, psi: Any, directions: tuple[Any, ...], lang: str = "en") -> dict[str, str]:
        """{field: what is wrong and what is accepted} for the slider image's knobs, in `lang`; {} when all are good.

        A direction is held to its slider's range, the range where images stay images (measured with the
        classifier); the API accepts up to ±MAX_DIRECTION, where the page's hint would no longer hold."""
        problems = refusals({"seed": partial(validate_seed, seed, text("image.seed_name", lang)),
                             "psi": partial(as_float, text("image.psi_name", lang), psi, 0.0, MAX_PSI),
                             **{direction_field(i): partial(as_float, direction_knob(name, lang), value, -reach, reach)
                                for i, (value, name, reach) in enumerate(zip(directions, self.names, self.ranges))}}, lang)
        tail = text("image.direction_tail", lang)
        return {field: message + (tail if field.startswith("direction-") else "") for field, message in problems.items()}

    def notes(self, fields: list[str], problems: dict[str, str]) -> list[Any]:
        return [field_note(problems.get(field, "")) for field in fields]

    # ---- events ------------------------------------------------------------------------------------------------
    def view(self, request: gr.Request, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Any, ...]:
        """A knob moved: (image, verdict, *notes). A bad knob keeps the last image and verdict and says why."""
        lang = request_language(request)
        problems = self.view_problems(seed, psi, directions, lang)
        if problems:
            return (gr.skip(), gr.skip(), *self.notes(self.view_fields, problems))
        try:
            knobs = self.handlers.studio.knobs(class_name, seed, psi, directions)
        except USER_ERRORS as exc:  # a class the dropdown never sends: said by the seed, the nearest field
            return (gr.skip(), gr.skip(), *self.notes(self.view_fields, {"seed": localized(exc, lang)}))
        image = self.handlers.studio.image(knobs)  # drawn once for the file and D's verdict on it
        verdict = render.verdict_markdown(*self.verdict.judge_image(knobs, image), lang) if self.verdict else gr.skip()
        return (self.handlers.write_image(knobs, image), verdict, *self.notes(self.view_fields, {}))

    def view_and_previews(self, request: gr.Request, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Any, ...]:
        """The class or seed changed: the view, then the direction previews for the new latent."""
        view = self.view(request, class_name, seed, psi, *directions)
        return (*view, *self.previews(class_name, seed, psi))

    def latent_previews(self, class_name: Any, seed: Any, psi: Any, *directions: Any) -> list[Any]:
        """The class or seed changed: the direction previews for the new latent (the image and the verdict are the
        move event's, which the page presses too: one event writes them, so an older draw never lands last)."""
        return self.previews(class_name, seed, psi)

    def first_view(self, request: gr.Request, class_name: Any, seed: Any, count: Any, psi: Any,
                   *directions: Any) -> tuple[Any, ...]:
        """What the page opens with, in its language: (the verdict, the grid's tiles). The image and the previews
        have no words, so the layout's first values stay."""
        lang = request_language(request)
        verdict: Any = gr.skip()
        if self.verdict is not None:
            try:
                knobs = self.handlers.studio.knobs(class_name, seed, psi, directions)
                verdict = render.verdict_markdown(*self.verdict.judge_image(knobs, self.handlers.studio.image(knobs)), lang)
            except USER_ERRORS:
                pass
        grid, _ = self.grid(class_name, seed, count, psi, request)
        return verdict, grid

    def previews(self, class_name: Any, seed: Any, psi: Any) -> list[Any]:
        """The -/+ preview strips; the last ones stay while a knob is refused (its note already says why)."""
        try:
            return self.handlers.preview_files(class_name, seed, psi)
        except (gr.Error, *USER_ERRORS):
            return [gr.skip()] * len(self.names)

    def grid(self, class_name: Any, seed: Any, count: Any, psi: Any, request: gr.Request | None = None) -> tuple[Any, Any]:
        """(the grid's tiles, the count's note); a bad seed or ψ keeps the last grid (their notes say why)."""
        lang = request_language(request)
        name = text("image.grid_count_name", lang)
        if problems := refusals({"count": partial(as_int, name, count, 1, limits.MAX_GRID_IMAGES)}, lang):
            return gr.skip(), field_note(problems["count"])
        try:
            return self.handlers.grid_tiles(class_name, seed, count, psi, lang), field_note()
        except USER_ERRORS:
            return gr.skip(), field_note()

    def interpolation(self, seed: Any, seed_b: Any, class_name: Any, frames: Any, psi: Any,
                      request: gr.Request | None = None) -> tuple[Any, Any, Any]:
        """(the GIF, the second seed's note, the frames' note); a bad first seed or ψ keeps the last GIF."""
        lang = request_language(request)
        problems = refusals({"seed-b": partial(validate_seed, seed_b, text("image.second_seed", lang)),
                             "frames": partial(as_int, text("image.frames", lang), frames, 2, limits.MAX_INTERPOLATION_FRAMES)},
                            lang)
        notes = self.notes(["seed-b", "frames"], problems)
        if problems:
            return (gr.skip(), *notes)
        try:
            return (self.handlers.interpolate(seed, seed_b, class_name, frames, psi), *notes)
        except (gr.Error, *USER_ERRORS):
            return (gr.skip(), *notes)


def refusals(checks: dict[str, Callable[[], object]], lang: str = "en") -> dict[str, str]:
    """Run each field's check; {field: its refusal message in `lang`} for the fields whose value is refused."""
    found = {}
    for field, check in checks.items():
        try:
            check()
        except KnobError as exc:
            found[field] = localized(exc, lang)
    return found
