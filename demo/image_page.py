"""The Images tab's page adapter: the page's events call these, never the API endpoints.

Two rules shape it:
* A refusal is one note beside the field it concerns, and the last good output stays (a pop-up per slider event
  would stack, and an error would blank the image the user was looking at). Each knob is checked on its own so the
  note lands by the right field.
* One event per knob trigger. Gradio's page re-sends a trigger to *every* event bound to it when a deferred
  (`always_last`) event finishes, so two such events on one trigger keep re-triggering each other for as long as
  their runs overlap: an endless request loop. So each trigger feeds one event that returns everything the move
  redraws (image and verdict together), and slower views follow with `.then`, which re-runs only itself.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable

import gradio as gr

from core import limits
from core.gan.latent import MAX_PSI, validate_seed
from core.validation import KnobError, as_float, as_int
from demo.errors import USER_ERRORS, field_note
from demo.gan_verdict import VerdictHandler, verdict_markdown

if TYPE_CHECKING:  # image_tab builds the page from its handlers
    from demo.image_tab import ImageHandlers

# The page's note fields, in the order the events return them
VIEW_FIELDS_BASE = ("seed", "psi")  # + one per direction: "direction-<i>"


def direction_field(index: int) -> str:
    return f"direction-{index}"


class ImagePage:
    """Page events over the image handlers: each knob validated where the user can see it."""

    def __init__(self, handlers: ImageHandlers, verdict: VerdictHandler | None) -> None:
        self.handlers, self.verdict = handlers, verdict
        studio = handlers.studio
        self.ranges = list(studio.direction_ranges)
        self.names = list(studio.direction_names)
        self.view_fields = [*VIEW_FIELDS_BASE, *(direction_field(i) for i in range(len(self.names)))]

    # ---- checks, one field at a time --------------------------------------------------------------------------
    def view_problems(self, seed: Any, psi: Any, directions: tuple[Any, ...]) -> dict[str, str]:
        """{field: what is wrong and what is accepted} for the slider image's knobs; {} when all are good.

        A direction is held to its slider's range, the range where images stay images (measured with the
        classifier); the API accepts up to ±MAX_DIRECTION, where the page's hint would no longer hold."""
        problems = refusals({"seed": partial(validate_seed, seed, "Seed"), "psi": partial(as_float, "Noise scale ψ", psi, 0.0, MAX_PSI),
                             **{direction_field(i): partial(as_float, f"'{name}'", value, -reach, reach)
                                for i, (value, name, reach) in enumerate(zip(directions, self.names, self.ranges))}})
        return {field: message + (" Past its range the image stops looking like clothing (measured with the classifier)."
                                  if field.startswith("direction-") else "") for field, message in problems.items()}

    def notes(self, fields: list[str], problems: dict[str, str]) -> list[Any]:
        return [field_note(problems.get(field, "")) for field in fields]

    # ---- events ------------------------------------------------------------------------------------------------
    def view(self, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Any, ...]:
        """A knob moved: (image, verdict, *notes). A bad knob keeps the last image and verdict and says why."""
        problems = self.view_problems(seed, psi, directions)
        if problems:
            return (gr.skip(), gr.skip(), *self.notes(self.view_fields, problems))
        try:
            knobs = self.handlers.studio.knobs(class_name, seed, psi, directions)
        except USER_ERRORS as exc:  # a class the dropdown never sends: said by the seed, the nearest field
            return (gr.skip(), gr.skip(), *self.notes(self.view_fields, {"seed": str(exc)}))
        image = self.handlers.studio.image(knobs)  # drawn once for the file and D's verdict on it
        verdict = verdict_markdown(*self.verdict.judge_image(knobs, image)) if self.verdict else gr.skip()
        return (self.handlers.write_image(knobs, image), verdict, *self.notes(self.view_fields, {}))

    def view_and_previews(self, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Any, ...]:
        """The class or seed changed: the view, then the direction previews for the new latent."""
        view = self.view(class_name, seed, psi, *directions)
        return (*view, *self.previews(class_name, seed, psi))

    def previews(self, class_name: Any, seed: Any, psi: Any) -> list[Any]:
        """The -/+ preview strips; the last ones stay while a knob is refused (its note already says why)."""
        try:
            return self.handlers.preview_files(class_name, seed, psi)
        except (gr.Error, *USER_ERRORS):
            return [gr.skip()] * len(self.names)

    def grid(self, class_name: Any, seed: Any, count: Any, psi: Any) -> tuple[Any, Any]:
        """(the grid's tiles, the count's note); a bad seed or ψ keeps the last grid (their notes say why)."""
        if problems := refusals({"count": partial(as_int, "Samples in the grid", count, 1, limits.MAX_GRID_IMAGES)}):
            return gr.skip(), field_note(problems["count"])
        try:
            return self.handlers.grid_tiles(class_name, seed, count, psi), field_note()
        except USER_ERRORS:
            return gr.skip(), field_note()

    def interpolation(self, seed: Any, seed_b: Any, class_name: Any, frames: Any, psi: Any) -> tuple[Any, Any, Any]:
        """(the GIF, the second seed's note, the frames' note); a bad first seed or ψ keeps the last GIF."""
        problems = refusals({"seed-b": partial(validate_seed, seed_b, "Second seed"),
                             "frames": partial(as_int, "Frames", frames, 2, limits.MAX_INTERPOLATION_FRAMES)})
        notes = self.notes(["seed-b", "frames"], problems)
        if problems:
            return (gr.skip(), *notes)
        try:
            return (self.handlers.interpolate(seed, seed_b, class_name, frames, psi), *notes)
        except (gr.Error, *USER_ERRORS):
            return (gr.skip(), *notes)


def refusals(checks: dict[str, Callable[[], object]]) -> dict[str, str]:
    """Run each field's check; {field: its refusal message} for the fields whose value is refused."""
    found = {}
    for field, check in checks.items():
        try:
            check()
        except KnobError as exc:
            found[field] = str(exc)
    return found

