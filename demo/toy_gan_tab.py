"""GAN playground tab: a 2-D GAN (core/gan/toy2d.py) training live, GAN Lab style.

The server trains and sends a compact JSON view (points, D on a 24x24 grid, G's gradient arrows, thinned curves)
into a hidden textbox; a small script of the page (HEAD, passed to launch by demo/build.py) draws it on two
canvases whenever it changes. Not gr.HTML: its templates and js_on_load need 'unsafe-eval', which the app's CSP
(serve/http_guard.py) refuses; an inline script in the page head is allowed ('unsafe-inline'). Play is one streaming
event: the server trains `steps per frame` steps and sends 12 frames a second (core/gan/toy_sessions.py paces it,
holds the slots and the cap, and ends it on Pause, when the page closes, or when nobody reads it any more); a knob
moved while it plays is sent on its own (`toy_gan_knobs`) and applies from the next frame.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import gradio as gr

from core import limits
from core.gan.toy2d import DATASETS, LOSSES, OPTIMISERS, Toy2DGAN, ToyKnobs
from core.gan.toy_sessions import MAX_STEPS_PER_FRAME, ToySessions
from core.validation import KnobError, as_int
from demo.errors import field_note
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.shared import GROUPS, head_script, queue_group, static_text

DEFAULT_SPEED = 5
LR_SLIDER = (0.0001, 0.05)
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]

INTRO = r"""Two small networks play the game of the essay on points in the plane. $G(z)$ turns 2-D noise $z$ into a
point; $D(x)$ says how likely a point $x$ is real. They train against each other on
$$\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
Press **Play** and change the knobs while it runs (GAN Lab style, on this server's CPU)."""

MAP_NOTE = r"""**The plane.** Background: $D(x)$ at every point, green where D says *real* ($D(x)\to 1$), purple where
it says *fake* ($D(x)\to 0$). Green dots: real samples $x$. Purple dots: fakes $G(z)$ for fixed noise $z$. Faint
purple mesh: $G$ applied to a square grid of noise $z \in [-2, 2]^2$, showing how $G$ bends and folds the plane of
noise onto the data (where the mesh bunches up, many $z$ land on few points).
Arrows: $-\nabla_x$ of G's loss at $x = G(z)$ (for the non-saturating loss, $-\log D(G(z))$): where G is pushing
each fake point, up the slope of $D$."""

CURVES_NOTE = r"""**Curves.** Blue: D's loss $-\log D(x) - \log(1 - D(G(z)))$ (about $2\log 2 \approx 1.39$ when D
can no longer tell). Orange: G's loss $-\log D(G(z))$. Black (own scale): the energy distance between the fake and
real points, 0 only when the two distributions are the same."""

# The playground's own CSS (build.py joins every tab's CSS into the page's). Notes under a field look like the text
# tab's (.field-note, demo/text_tab.py). A formula wider than the screen scrolls in its own box, never the page. On a
# narrow screen the two columns stack and the view with its buttons (#toy-gan-output) sticks to the top of the screen
# while the knobs scroll under it, as the Images tab's picture does: the plane is sized to leave half the screen
# for the knobs.
CSS = static_text("toy_gan.css")

# Draws the JSON view in #toy-gan-view on canvases it adds to #toy-gan-canvas, on every new view (checked once per
# animation frame: a string comparison) and when the canvas is resized.
HEAD = head_script("toy_gan.js")


def _sid(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _json(view: dict[str, Any]) -> str:
    return json.dumps(view, allow_nan=False, separators=(",", ":"))


PLAYING = "Training: change any knob, it takes effect at the next frame."
PAUSED = "Paused."
# What the page's script sends when the playground's tab (or the browser tab) is no longer shown: nobody is watching,
# so it stops training; coming back, the status says so and Play goes on from there.
PAUSED_HIDDEN = "Paused while the playground was out of sight. Press **Play** to go on."
# Workers for Play streams: one per training slot, and two more so that a Play beyond the slots is answered "Busy" at
# once rather than queued behind streams that play for minutes (demo/shared.py GROUPS).
PLAY_WORKERS = GROUPS["toy-gan-play"].workers

# Every field that can be refused has a note under it: the six knobs of ToyKnobs, the speed, the seed, and "buttons"
# (under Play / One step / Reset: Busy, the cap per session, no browser session).
KNOB_FIELDS = ("data", "loss", "optimiser", "lr_g", "lr_d", "d_steps")
FIELDS = (*KNOB_FIELDS, "speed", "seed", "buttons")
SEED_NAME = "Seed"


def field_errors(values: dict[str, Any]) -> dict[str, str]:
    """Each given field checked on its own ("" when it is fine), so a refusal lands under the field that is wrong
    (under each of them when several are). A knob is checked as ToyKnobs checks it, the others left at their
    defaults: one validator, the GAN's own."""
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
            errors[name] = str(exc)
    return errors


def notes(errors: dict[str, str]) -> list[Any]:
    """The update of every note, in FIELDS order: a message or a cleared note for the fields in `errors`, untouched
    (gr.skip) for the others."""
    return [field_note(errors[name]) if name in errors else gr.skip() for name in FIELDS]


def untouched() -> list[Any]:
    return [gr.skip() for _ in FIELDS]


class ToyGanHandlers:
    """The playground's page events. Each returns (the view JSON, the status line, every field's note): a refused
    value gets a note under its field and the view keeps its last frame (no pop-up, no error)."""

    def __init__(self, sessions: ToySessions) -> None:
        self.sessions = sessions

    @staticmethod
    def _knob_values(data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any) -> dict[str, Any]:
        return dict(zip(KNOB_FIELDS, (data, loss, optimiser, lr_g, lr_d, d_steps)))

    def play(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any,
             request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Stream (view, status, notes) frames until paused, ended or capped; beyond the slots, "Busy" under Play."""
        errors = {**field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "speed": speed}), "buttons": ""}
        if any(errors.values()):
            yield gr.skip(), gr.skip(), *notes(errors)
            return
        try:
            frames = self.sessions.play(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed)
        except KnobError as exc:  # Busy, the cap, no browser session
            yield gr.skip(), gr.skip(), *notes({"buttons": str(exc)})
            return
        status: Any = PLAYING
        first = notes(errors)
        with closing(frames):  # closed early (the page went away, Gradio stopped reading): the slot is freed at once
            while True:
                try:
                    view = next(frames)
                except StopIteration as stop:  # its value says why the stream ended
                    reason = stop.value
                    break
                yield _json(view), status, *first
                status, first = gr.skip(), untouched()
        if reason == "cap":
            yield (gr.skip(), f"Stopped: {self.sessions.max_steps} steps is the cap per session. Press Reset to start again.",
                   *untouched())

    def pause(self, request: gr.Request) -> str:
        self.sessions.pause(_sid(request))
        return PAUSED

    def pause_hidden(self, request: gr.Request) -> str:
        """The page's script asks for this when the playground is no longer shown (another tab, a hidden window)."""
        self.sessions.pause(_sid(request))
        return PAUSED_HIDDEN

    def set_knobs(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, speed: Any,
                  request: gr.Request) -> tuple[Any, ...]:
        """A knob moved: it applies now (a playing stream trains with it from its next frame); the view redraws."""
        errors = field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "speed": speed})
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        try:
            view = self.sessions.set_knobs(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), speed)
        except KnobError as exc:
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": str(exc)})
        return _json(view), gr.skip(), *notes(errors)

    def step(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, request: gr.Request) -> tuple[Any, ...]:
        errors = {**field_errors(self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps)), "buttons": ""}
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        try:
            view = self.sessions.step(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps))
        except KnobError as exc:  # the cap, no browser session
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": str(exc)})
        return _json(view), gr.skip(), *notes(errors)

    def reset(self, data: Any, loss: Any, optimiser: Any, lr_g: Any, lr_d: Any, d_steps: Any, seed: Any,
              request: gr.Request) -> tuple[Any, ...]:
        """A new GAN from `seed`; the status echoes the seed as the server read it."""
        errors = {**field_errors({**self._knob_values(data, loss, optimiser, lr_g, lr_d, d_steps), "seed": seed}), "buttons": ""}
        if any(errors.values()):
            return gr.skip(), gr.skip(), *notes(errors)
        seed = as_int(SEED_NAME, seed, 0, limits.MAX_SEED)
        try:
            view = self.sessions.reset(_sid(request), ToyKnobs(data, loss, optimiser, lr_g, lr_d, d_steps), seed)
        except KnobError as exc:
            return gr.skip(), gr.skip(), *notes({**errors, "buttons": str(exc)})
        return _json(view), f"A new GAN from seed {seed}: press **Play** or **One step**.", *notes(errors)

    @staticmethod
    def check_seed(seed: Any) -> Any:
        """The seed was typed (Enter, or a pause in typing): its note now, though only Reset uses it."""
        return field_note(field_errors({"seed": seed})["seed"])

    def toy_gan_end(self, request: gr.Request) -> None:
        self.sessions.end(_sid(request))


def _note(name: str) -> gr.Markdown:
    return gr.Markdown("", visible=False, elem_id=f"toy-gan-{name.replace('_', '-')}-note", elem_classes=["field-note"])


def build_toy_gan_tab(demo: gr.Blocks, sessions: ToySessions | None = None) -> ToyGanHandlers:
    """Lay out the GAN playground and wire its events; `demo` is the enclosing Blocks (its unload frees the session)."""
    handlers = ToyGanHandlers(sessions or ToySessions(limits.MAX_TOY_GAN_PLAYING, limits.MAX_TOY_GAN_STEPS))
    defaults = ToyKnobs()
    note: dict[str, gr.Markdown] = {}
    gr.Markdown(INTRO, latex_delimiters=LATEX, elem_id="toy-gan-intro")
    with gr.Row(elem_id="toy-gan-row"):
        # The view and the buttons in one column: on a phone it sticks to the top of the screen (CSS) while the knobs
        # scroll under it, so Play and Pause stay in reach with the plane in view.
        with gr.Column(scale=3, min_width=300, elem_id="toy-gan-output"):
            with gr.Column(elem_id="toy-gan-canvas"):  # HEAD's script draws here
                canvas = gr.Textbox(_json(Toy2DGAN(defaults, seed=0).view()), visible="hidden", elem_id="toy-gan-view",
                                    interactive=False, show_label=False, container=False, lines=1, max_lines=1)
            with gr.Row(elem_id="toy-gan-buttons"):
                play = gr.Button("▶ Play", variant="primary", elem_id="toy-gan-play", min_width=60)
                pause = gr.Button("Pause", elem_id="toy-gan-pause", min_width=60)
                step = gr.Button("One step", elem_id="toy-gan-step", min_width=60)
                reset = gr.Button("Reset", elem_id="toy-gan-reset", min_width=60)
            # Clicked by HEAD's script, never by a person: the pause for a playground that went out of sight
            pause_hidden = gr.Button("Pause (out of sight)", visible="hidden", elem_id="toy-gan-pause-hidden")
            note["buttons"] = _note("buttons")
            status = gr.Markdown("Press **Play** to train, or **One step** to take one update at a time.", elem_id="toy-gan-status")
        with gr.Column(scale=2, min_width=280, elem_id="toy-gan-knobs"):
            data = gr.Dropdown(DATASETS, value=defaults.data, label="Real data", elem_id="toy-gan-dataset")
            note["data"] = _note("data")
            loss = gr.Radio(LOSSES, value=defaults.loss, label="Loss", elem_id="toy-gan-loss",
                            info="non-saturating: G maximises log D(G(z)); least squares: (D(G(z)) - 1)²")
            note["loss"] = _note("loss")
            optimiser = gr.Radio(OPTIMISERS, value=defaults.optimiser, label="Optimiser", elem_id="toy-gan-optimiser")
            note["optimiser"] = _note("optimiser")
            slider = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves and typed values send release too (knob_release)
            lr_g = gr.Slider(*LR_SLIDER, value=defaults.lr_g, step=0.0001, label="G's learning rate", elem_id="toy-gan-lr-g", **slider)
            note["lr_g"] = _note("lr_g")
            lr_d = gr.Slider(*LR_SLIDER, value=defaults.lr_d, step=0.0001, label="D's learning rate", elem_id="toy-gan-lr-d", **slider)
            note["lr_d"] = _note("lr_d")
            d_steps = gr.Slider(1, 10, value=defaults.d_steps, step=1, label="D steps per G step", elem_id="toy-gan-d-steps", **slider)
            note["d_steps"] = _note("d_steps")
            speed = gr.Slider(1, MAX_STEPS_PER_FRAME, value=DEFAULT_SPEED, step=1, label="Steps per frame (12 frames a second)",
                              elem_id="toy-gan-speed", **slider)
            note["speed"] = _note("speed")
            seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label=f"{SEED_NAME} (used by Reset)",
                             info=limits.SEED_RANGE_TEXT, elem_id="toy-gan-seed", elem_classes=NUMBER_CLASSES)
            note["seed"] = _note("seed")
    gr.Markdown(MAP_NOTE, latex_delimiters=LATEX, elem_classes=["toy-gan-maths"])
    gr.Markdown(CURVES_NOTE, latex_delimiters=LATEX, elem_classes=["toy-gan-maths"])
    knobs = [data, loss, optimiser, lr_g, lr_d, d_steps]
    outputs = [canvas, status, *(note[name] for name in FIELDS)]
    # The GAN playground's events drive one page session's 2-D GAN: page plumbing, left off the API page
    # (api_visibility="undocumented": still callable, as bench/load_test.py does). Play streams for as long as it
    # plays, so it has a group of its own: a few more workers than training slots, so that a Play beyond the slots
    # is answered "Busy" at once (PLAY_WORKERS), and clicks and knobs (the "toy-gan" group) never wait behind it.
    hidden = dict(preprocess=False, show_progress="hidden", api_visibility="undocumented")
    clicks = dict(**queue_group("toy-gan"), **hidden)
    play.click(handlers.play, [*knobs, speed], outputs, api_name="toy_gan_play", **queue_group("toy-gan-play"), **hidden)
    pause.click(handlers.pause, None, status, api_name="toy_gan_pause", **clicks)
    pause_hidden.click(handlers.pause_hidden, None, status, api_name="toy_gan_pause_hidden", **clicks)
    # Every way a knob can change ends here: a drag's every step, arrow keys, a typed value, the reset arrow (change),
    # and the end of a move (release: a drag's end, or knob_release's after keys and typing), the newest value last.
    gr.on([knob.change for knob in [*knobs, speed]] + [knob.release for knob in [lr_g, lr_d, d_steps, speed]],
          handlers.set_knobs, [*knobs, speed], outputs, api_name="toy_gan_knobs", trigger_mode="always_last", **clicks)
    seed.submit(handlers.check_seed, seed, note["seed"], api_name="toy_gan_check_seed", trigger_mode="always_last", **clicks)
    step.click(handlers.step, knobs, outputs, api_name="toy_gan_step", **clicks)
    reset.click(handlers.reset, [*knobs, seed], outputs, api_name="toy_gan_reset", **clicks)
    demo.unload(handlers.toy_gan_end)  # the browser tab closed: drop its GAN and its slot
    return handlers
