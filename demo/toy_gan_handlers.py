"""The GAN playground's handlers: the page's events over one browser session's 2-D GAN (core/gan/toy_sessions.py
paces Play, holds the slots and the cap, and ends a stream on Pause, when the page closes, or when nobody reads it
any more). Each returns (the view JSON, the status line, every field's note): a refused value gets a note under its
field and the view keeps its last frame (no pop-up, no error). What they show is demo/toy_gan_render.py; where it
goes is demo/toy_gan_tab.py."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

import gradio as gr

from core import limits
from core.gan.toy2d import ToyKnobs
from core.gan.toy_sessions import MAX_STEPS_PER_FRAME, ToySessions
from core.validation import KnobError, as_int
from demo import toy_gan_render as render
from demo.errors import field_note, localized
from demo.i18n import request_language

# Every field that can be refused has a note under it: the six knobs of ToyKnobs, the speed, the seed, and "buttons"
# (under Play / One step / Reset: Busy, the cap per session, no browser session).
KNOB_FIELDS = ("data", "loss", "optimiser", "lr_g", "lr_d", "d_steps")
FIELDS = (*KNOB_FIELDS, "speed", "seed", "buttons")
SEED_NAME = "Seed"


def _sid(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def field_errors(values: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """Each given field checked on its own ("" when it is fine), so a refusal lands under the field that is wrong
    (under each of them when several are), in `lang` where the catalog has the refusal. A knob is checked as
    ToyKnobs checks it, the others left at their defaults: one validator, the GAN's own."""
    errors = {}
    for name, value in values.items():
        try:
            if name in KNOB_FIELDS:
                ToyKnobs(**{name: value}).validated()
            elif name == "speed":
                as_int("Steps per frame", value, 1, MAX_STEPS_PER_FRAME)
            elif name == "seed":
                as_int(SEED_NAME, value, 0, limits.MAX_SEED)
            errors[name] = ""
        except KnobError as exc:
            errors[name] = localized(exc, lang)
    return errors


def notes(errors: dict[str, str]) -> list[Any]:
    """The update of every note, in FIELDS order: a message or a cleared note for the fields in `errors`, untouched
    (gr.skip) for the others."""
    return [field_note(errors[name]) if name in errors else gr.skip() for name in FIELDS]


def untouched() -> list[Any]:
    return [gr.skip() for _ in FIELDS]


class ToyGanHandlers:
    """The playground's page events (see the module's docstring)."""

    def __init__(self, sessions: ToySessions) -> None:
        self.sessions = sessions

    @staticmethod
    def _knob_values(data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any) -> dict[str, Any]:
        return dict(zip(KNOB_FIELDS, (data, loss, optimiser, lr_g, lr_d, d_steps)))

    def play(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any,
             request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Stream (view, status, notes) frames until paused, ended or capped; beyond the slots, "Busy" under Play."""
        lang = request_language(request)
        errors = {**field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "speed": speed}, lang), "buttons": ""}
        if any(errors.values()):
            yield gr.skip(), gr.skip(), *notes(errors)
            return
        try:
            frames = self.sessions.play(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed)
        except KnobError as exc:  # Busy, the cap, no browser session
            yield gr.skip(), gr.skip(), *notes({"buttons": localized(exc, lang)})
            return
        status: Any = render.playing(lang)
        first = notes(errors)
        with closing(frames):  # closed early (the page went away, Gradio stopped reading): the slot is freed at once
            while True:
                try:
                    view = next(frames)
                except StopIteration as stop:  # its value says why the stream ended
                    reason = stop.value
                    break
                yield render.view_json(view), status, *first
                status, first = gr.skip(), untouched()
        if reason == "cap":
            yield gr.skip(), render.capped(self.sessions.max_steps, lang), *untouched()

    def pause(self, request: gr.Request) -> str:
        self.sessions.pause(_sid(request))
        return render.paused(request_language(request))

    def pause_hidden(self, request: gr.Request) -> str:
        """The page's script asks for this when the playground is no longer shown (another tab, a hidden window)."""
        self.sessions.pause(_sid(request))
        return render.paused_hidden(request_language(request))

    def set_knobs(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any,
                  request: gr.Request) -> tuple[Any, ...]:
        """A knob moved: it applies now (a playing stream trains with it from its next frame); the view redraws."""
        lang = request_language(request)
        errors = field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "speed": speed}, lang)
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        try:
            view = self.sessions.set_knobs(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed)
        except KnobError as exc:
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": localized(exc, lang)})
        return render.view_json(view), gr.skip(), *notes(errors)

    def step(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, request: gr.Request) -> tuple[Any, ...]:
        lang = request_language(request)
        errors = {**field_errors(self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), lang), "buttons": ""}
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        try:
            view = self.sessions.step(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps))
        except KnobError as exc:  # the cap, no browser session
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": localized(exc, lang)})
        return render.view_json(view), gr.skip(), *notes(errors)

    def reset(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, seed: Any,
              request: gr.Request) -> tuple[Any, ...]:
        """A new GAN from `seed` (also what a link draws); the status echoes the seed as the server read it."""
        lang = request_language(request)
        errors = {**field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "seed": seed}, lang), "buttons": ""}
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        seed = as_int(SEED_NAME, seed, 0, limits.MAX_SEED)
        try:
            view = self.sessions.reset(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), seed)
        except KnobError as exc:
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": localized(exc, lang)})
        return render.view_json(view), render.new_gan(seed, lang), *notes(errors)

    @staticmethod
    def check_seed(seed: Any, request: gr.Request = None) -> Any:
        """The seed was typed (Enter, or a pause in typing): its note now, though only Reset uses it."""
        return field_note(field_errors({"seed": seed}, request_language(request))["seed"])

    def toy_gan_end(self, request: gr.Request) -> None:
        self.sessions.end(_sid(request))
