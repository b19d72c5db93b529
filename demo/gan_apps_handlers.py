"""What GANs are used for (Images tab), the handlers: one streaming operation (`search`: repair, sharpen or project
a drawing, all core/gan/invert.py's inversion) and two cheap ones (`judge_drawing`: D's verdict and the classifier's
guess on the drawing, live while drawing; `picture_under_brush`: the picture the repair's brush paints its mask on).
Each checks its input once, at the edge (`parse_drawing` for the 1 024 drawn numbers, `parse_brush` for the 1 024
painted ones); the page adapters (`page_search`, `page_judge`, `page_brush_picture`) show a refusal as a note by its
field and keep the last view, the API adapters raise it (`user_errors`). What they show is demo/gan_apps_render.py."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from numbers import Real
from typing import Any

import gradio as gr
import torch

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.invert import FACTORS, MASKS, Observation, Progress, Settings, bicubic, make_mask, psnr, search, shrink
from core.gan.io import LoadedGAN
from core.gan.images import to_uint8
from core.gan.judge import Judges, pixels_to_tensor
from core.gan.latent import random_class, seed_to_z
from core.gan.real_sample import RealSample
from core.validation import as_choice, as_int
from demo import gan_apps_render as render
from demo.errors import USER_ERRORS, FieldNotes, about, refusal, user_errors
from demo.i18n import request_language
from demo.locales import DEFAULT, tr

TASKS = ("repair", "sharpen", "draw")
SOURCES = ("real", "generated")
BRUSH = "brush"  # the repair's own mask: the learner paints the hidden part on the picture
MASK_CHOICES = (*MASKS, BRUSH)
DRAWING_SIZE = 32 * 32
FIELDS = ("picture", "brush", "drawing")  # the fields a refusal can concern, each with a note under it (gan_apps_tab.py)
NOTES = FieldNotes(FIELDS, "picture")
PAGE_SETTINGS = Settings()  # the page searches as the CLI measured (docs/gan_apps.md)


def parse_drawing(value: Any) -> torch.Tensor:
    """The drawn canvas: 1 024 numbers from 0 (black) to 1 (white ink), row by row, as a list or as comma-separated
    text (what the page's hidden box holds) -> (1, 1, 32, 32) in [-1, 1]. Every refusal says what was wrong."""
    items = _items(value, "gan_apps.drawing_type")
    if len(items) != DRAWING_SIZE:
        raise refusal("gan_apps.drawing_length", got=len(items))
    numbers = []
    for index, item in enumerate(items, 1):
        number = _number(item, index)
        if math.isnan(number) or math.isinf(number):
            raise refusal("gan_apps.drawing_nan", index=index, got=str(number))
        if not 0.0 <= number <= 1.0:
            raise refusal("gan_apps.drawing_range", index=index, got=f"{number:g}")
        numbers.append(number)
    return torch.tensor(numbers, dtype=torch.float32).view(1, 1, 32, 32).mul(2).sub(1)


def parse_brush(value: Any) -> torch.Tensor:
    """The repair's painted mask: 1 024 numbers, 1 where the learner painted (hidden) and 0 elsewhere, row by row, as
    a list or comma-separated text (the page's hidden box) -> the (1, 1, 32, 32) mask the search takes (1 = visible).
    Refused: another length, a value other than 0 or 1, nothing painted, or everything painted (nothing to fit)."""
    items = _items(value, "gan_apps.brush_type")
    if not items:
        raise refusal("gan_apps.brush_empty")
    if len(items) != DRAWING_SIZE:
        raise refusal("gan_apps.brush_length", got=len(items))
    painted = []
    for index, item in enumerate(items, 1):
        number = _number(item, index, "gan_apps.brush_value")
        if number not in (0.0, 1.0):
            raise refusal("gan_apps.brush_value", index=index, got=f"{number:g}")
        painted.append(number)
    hidden = sum(painted)
    if hidden == 0:
        raise refusal("gan_apps.brush_empty")
    if hidden == DRAWING_SIZE:
        raise refusal("gan_apps.brush_all")
    return 1 - torch.tensor(painted, dtype=torch.float32).view(1, 1, 32, 32)


def _items(value: Any, type_key: str) -> list[Any]:
    """A canvas's numbers as a list: a list or tuple as it is, text (the page's hidden box) split at commas and line
    breaks; anything else is refused with `type_key`."""
    if isinstance(value, str):
        return [v for v in value.replace("\n", ",").split(",") if v.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise refusal(type_key, kind=type(value).__name__)


def _number(item: Any, index: int, key: str = "gan_apps.drawing_number") -> float:
    if isinstance(item, bool) or not isinstance(item, (Real, str)):
        raise refusal(key, index=index, got=type(item).__name__)
    try:
        return float(item.strip()) if isinstance(item, str) else float(item)
    except (ValueError, OverflowError):
        raise refusal(key, index=index, got=repr(item)[:20]) from None


@dataclass(frozen=True)
class Job:
    """One checked request: what the search gets and what the view shows beside it."""

    task: str
    observation: Observation
    original: torch.Tensor | None  # (1, 1, 32, 32), revealed at the end (none for a drawing)
    baseline: torch.Tensor | None  # bicubic upscaling (sharpen)


class GanAppsHandlers:
    """The section's operations over the generator and judges loaded once at start-up."""

    def __init__(self, gan: LoadedGAN, judges: Judges, sample: RealSample | None, settings: Settings = PAGE_SETTINGS) -> None:
        self.generator, self.judges, self.sample, self.settings = gan.generator.eval(), judges, sample, settings
        self.warm_up()

    def warm_up(self) -> None:
        """A two-step search at start-up with the page's candidates: torch loads what a backward pass needs on first
        use (seconds), and the scan's candidate images are drawn once and kept (core/gan/invert.py FrozenGenerator),
        both of which the first visitor's search would otherwise wait for."""
        image = torch.zeros(1, 1, 32, 32)
        for _ in search(self.generator, [Observation(image, torch.ones_like(image))], replace(self.settings, steps=2)):
            pass

    # ----- checking the input, once -------------------------------------------------------------------------------
    def picture_range(self) -> int:
        """The largest picture number: the real sample's last index (seeds reach further)."""
        return len(self.sample.images) - 1 if self.sample is not None else 0

    def source_image(self, source: Any, picture: Any) -> torch.Tensor:
        """(1, 1, 32, 32): real test image number `picture`, or the generated image of seed `picture`."""
        source = as_choice("source", source, list(SOURCES))
        if source == "real" and self.sample is not None:
            index = as_int("picture number", picture, 0, self.picture_range())
            return self.sample.images[index:index + 1]
        seed = as_int("picture number", picture, 0, limits.MAX_SEED)
        z = seed_to_z(seed, self.generator.config.z_dim)[None]
        with torch.inference_mode():
            return self.generator(z, torch.tensor([random_class(seed)])).clone()

    def job(self, task: Any, source: Any, picture: Any, mask: Any, factor: Any, drawing: Any, brush: Any = "") -> Job:
        """The checked request: a refusal names its field (picture: task, source, number, mask, factor; brush: the
        painted mask, read only when the mask is the brush; drawing)."""
        with about("picture"):
            task = as_choice("task", task, list(TASKS))
        if task == "draw":
            with about("drawing"):
                image = parse_drawing(drawing)
            return Job(task, Observation(image, torch.ones_like(image)), None, None)
        with about("picture"):
            image = self.source_image(source, picture)
            if task == "repair":
                mask = as_choice("mask", mask, list(MASK_CHOICES))
                if mask == BRUSH:
                    with about("brush"):
                        visible = parse_brush(brush)
                else:
                    visible = make_mask(mask)
                return Job(task, Observation(image * visible, visible), image, None)
            factor = as_int("shrink factor", factor, min(FACTORS), max(FACTORS))
            small = shrink(image, factor)
            return Job(task, Observation(small, torch.ones_like(small), factor), image, bicubic(small))

    # ----- the operations -------------------------------------------------------------------------------------------
    def run(self, task: Any, source: Any, picture: Any, mask: Any, factor: Any, drawing: Any, brush: Any = "",
            lang: str = DEFAULT) -> Iterator[str]:
        """The search, streamed: the panel (pictures, judges' line, status, loss curve) at the chosen start and every
        few steps; the last one reveals the original (and, for sharpen, bicubic's and the GAN's PSNR)."""
        job = self.job(task, source, picture, mask, factor, drawing, brush)
        for (progress,) in search(self.generator, [job.observation], self.settings):
            # The first frame is the chosen start's G(z) at once: the scan's candidates were drawn at start-up
            # (warm_up), so it only scores them; a frame with no G(z) before it would cost the page a round trip.
            yield self.view(job, progress, lang)

    def seen_picture(self, job: Job, lang: str) -> render.Picture:
        obs = job.observation
        return render.Picture(tr("gan_apps.seen" if job.task != "draw" else "gan_apps.your_drawing", lang),
                              render.png_uri(render.seen_image(obs.pixels, obs.mask)))

    def view(self, job: Job, progress: Progress, lang: str) -> str:
        obs = job.observation
        label = progress.class_index
        verdict = self.judges.judge(pixels_to_tensor(to_uint8(progress.image)), torch.tensor([label]))[0]
        seen = self.seen_picture(job, lang)
        now = render.Picture(tr("gan_apps.now", lang, step=progress.step, steps=progress.steps), render.png_uri(render.grey(progress.image)))
        pictures, extra = [seen, now], ""
        if job.task == "repair":
            filled = obs.pixels * obs.mask + progress.image * (1 - obs.mask)
            pictures.append(render.Picture(tr("gan_apps.result", lang), render.png_uri(render.grey(filled))))
            if progress.done:
                hidden = 1 - obs.mask
                mse = float(((progress.image - job.original) * hidden).pow(2).sum() / hidden.sum().clamp_min(1))
                extra = tr("gan_apps.error_repair", lang, gan=f"{mse:.3f}")
        if job.task == "sharpen":
            pictures.append(render.Picture(tr("gan_apps.bicubic", lang), render.png_uri(render.grey(job.baseline))))
            if progress.done:
                extra = tr("gan_apps.psnr", lang, gan=f"{psnr(progress.image, job.original):.1f}",
                           cubic=f"{psnr(job.baseline, job.original):.1f}")
        if job.original is not None:
            shown = progress.done
            pictures.append(render.Picture(tr("gan_apps.original" if shown else "gan_apps.original_hidden", lang),
                                           render.png_uri(render.grey(job.original) if shown else render.blank_picture())))
        name = tr(f"image.class.{CLASS_NAMES[label]}", lang)
        status = (tr("gan_apps.status_start", lang, candidates=self.settings.candidates) if progress.step == 0 else
                  render.status_line(progress.step, progress.steps, progress.loss, progress.done, progress.seconds, lang))
        return render.panel(pictures, render.loss_curve(progress.curve, progress.steps, lang),
                            render.verdict_line(verdict, name, lang), status, extra)

    def judge_drawing(self, drawing: Any, lang: str = DEFAULT) -> str:
        """D's verdict and the classifier's guess on the drawing (D is asked about the class the classifier sees)."""
        with about("drawing"):
            image = parse_drawing(drawing)
        with torch.inference_mode():
            guess = int(self.judges.classifier(image).argmax(1))
        verdict = self.judges.judge(image, torch.tensor([guess]))[0]
        return render.verdict_line(verdict, tr(f"image.class.{CLASS_NAMES[guess]}", lang), lang)

    def picture_under_brush(self, source: Any, picture: Any) -> str:
        """The chosen picture as an <img> (a 32x32 PNG) for the page's brush to paint the hidden part on."""
        with about("picture"):
            image = self.source_image(source, picture)
        return render.brush_picture(render.png_uri(render.grey(image)))

    # ----- the adapters ---------------------------------------------------------------------------------------------
    def page_search(self, task: Any, source: Any, picture: Any, mask: Any, factor: Any, drawing: Any, brush: Any = "",
                    request: gr.Request = None) -> Iterator[tuple[Any, ...]]:
        """The page's Search / Project it: (panel, *notes) frames; a refusal keeps the last panel and shows its note."""
        lang = request_language(request)
        try:
            frames = self.run(task, source, picture, mask, factor, drawing, brush, lang)
            first = next(frames)
        except USER_ERRORS as exc:
            yield (gr.skip(), *NOTES.refusal(exc, lang))
            return
        yield (first, *NOTES.show())
        for frame in frames:
            yield (frame, *NOTES.skip)

    def page_judge(self, drawing: Any, request: gr.Request = None) -> tuple[Any, ...]:
        """The drawing changed: the judges' line under the canvas, and the drawing's note."""
        lang = request_language(request)
        try:
            return (self.judge_drawing(drawing, lang), *NOTES.show())
        except USER_ERRORS as exc:
            return (gr.skip(), *NOTES.refusal(exc, lang))

    def page_brush_picture(self, source: Any, picture: Any, request: gr.Request = None) -> tuple[Any, ...]:
        """The picture under the brush changed: its <img>, and the picture's note."""
        lang = request_language(request)
        try:
            return (self.picture_under_brush(source, picture), *NOTES.show())
        except USER_ERRORS as exc:
            return (gr.skip(), *NOTES.refusal(exc, lang))

    @user_errors
    def api_search(self, task: str, source: str, picture: int, mask: str, factor: int, drawing: str,
                   brush: str = "") -> Iterator[str]:
        """For programs: the same search, refusals raised as gr.Error. `brush` (mask "brush"): 1 024 numbers, 1 where
        hidden."""
        yield from self.run(task, source, picture, mask, factor, drawing, brush)


__all__ = ["GanAppsHandlers", "parse_drawing", "parse_brush", "TASKS", "SOURCES", "MASKS", "MASK_CHOICES", "BRUSH",
           "FACTORS", "FIELDS"]
