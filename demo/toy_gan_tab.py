"""GAN playground tab, the layout and its wiring: a 2-D GAN (core/gan/toy2d.py) training live, GAN Lab style.

The server trains and sends a compact JSON view into a hidden textbox; a small script of the page (HEAD, passed to
launch by demo/build.py) draws it on two canvases whenever it changes.
Play is one streaming event: the server trains `steps per frame` steps and sends 12 frames a second; a knob moved
while it plays is sent on its own (`toy_gan_knobs`) and applies from the next frame. The handlers are
demo/toy_gan_handlers.py, what they show demo/toy_gan_render.py, the CSS and script demo/static/toy_gan.*.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

import json

from core import limits
from core.gan.toy2d import DATASETS, LOSSES, OPTIMISERS, Toy2DGAN, ToyKnobs
from core.gan.toy_sessions import MAX_STEPS_PER_FRAME, ToySessions
from core.validation import as_choice, as_float, as_int
from demo import toy_gan_render as render
from demo.errors import note_box
from demo.glossary import term_key
from demo.i18n import i18n
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.links import Draw, Links, Parse
from demo.shared import GROUPS, LATEX, head_script, queue_group, static_text
from demo.toy_gan_handlers import FIELDS, SEED_NAME, ToyGanHandlers

DEFAULT_SPEED = 5
LR_SLIDER = (0.0001, 0.05)
D_STEPS_SLIDER = (1, 10)
# The playground's own CSS (build.py joins every tab's CSS into the page's). Notes under a field look like the text
# tab's (.field-note, demo/text_tab.py). A formula wider than the screen scrolls in its own box, never the page. On a
# narrow screen the two columns stack and the view with its buttons (#toy-gan-output) sticks to the top of the screen
# while the knobs scroll under it, as the Images tab's picture does: the plane is sized to leave half the screen
# for the knobs.
CSS = static_text("toy_gan.css")

# Draws the JSON view in #toy-gan-view on canvases it adds to #toy-gan-canvas, on every new view (checked once per
# animation frame: a string comparison) and when the canvas is resized; its words in both languages come with it.
HEAD = head_script("toy_gan.js", WORDS=json.dumps(render.canvas_words(), ensure_ascii=False))


# Workers for Play streams: one per training slot, and two more so that a Play beyond the slots is answered "Busy" at
# once rather than queued behind streams that play for minutes (demo/shared.py GROUPS).
PLAY_WORKERS = GROUPS["toy-gan-play"].workers


def _note(name: str) -> gr.Markdown:
    return note_box(f"toy-gan-{name.replace('_', '-')}-note")


@dataclass
class ToyGanView:
    """Every component of the playground that an event reads or writes (lay_out makes them, wire binds them)."""

    canvas: gr.Textbox  # the view's JSON, drawn by HEAD's script
    play: gr.Button
    pause: gr.Button
    step: gr.Button
    reset: gr.Button
    pause_hidden: gr.Button
    status: gr.Markdown
    knobs: list[gr.components.Component]  # data, loss, optimiser, lr_g, lr_d, d_steps (ToyKnobs' order)
    speed: gr.Slider
    seed: gr.Number
    notes: dict[str, gr.Markdown]  # by field, as FIELDS names them


def build_toy_gan_tab(demo: gr.Blocks, sessions: ToySessions | None = None, links: Links | None = None) -> ToyGanHandlers:
    """Lay out the GAN playground and wire its events; `demo` is the enclosing Blocks (its unload frees the session)."""
    handlers = ToyGanHandlers(sessions or ToySessions(limits.MAX_TOY_GAN_PLAYING, limits.MAX_TOY_GAN_STEPS))
    view = lay_out()
    wire(handlers, view, demo)
    if links is not None:
        link(handlers, view, links)
    return handlers


def choices(knob: str, values: list[str]) -> list[tuple]:
    """A knob's choices, each named in the page's language (the value stays the core's)."""
    return [(i18n(render.choice_key(knob, value)), value) for value in values]


def lay_out() -> ToyGanView:
    """The components; the plane shows an untrained GAN of the default knobs (seed 0)."""
    defaults = ToyKnobs()
    note: dict[str, gr.Markdown] = {}
    gr.Markdown(i18n(render.INTRO), latex_delimiters=LATEX, elem_id="toy-gan-intro")
    with gr.Row(elem_id="toy-gan-row"):
        # The view and the buttons in one column: on a phone it sticks to the top of the screen (CSS) while the knobs
        # scroll under it, so Play and Pause stay in reach with the plane in view.
        with gr.Column(scale=3, min_width=300, elem_id="toy-gan-output"):
            with gr.Column(elem_id="toy-gan-canvas"):  # HEAD's script draws here
                canvas = gr.Textbox(render.view_json(Toy2DGAN(defaults, seed=0).view()), visible="hidden", elem_id="toy-gan-view",
                                    interactive=False, show_label=False, container=False, lines=1, max_lines=1)
            with gr.Row(elem_id="toy-gan-buttons"):
                play = gr.Button(i18n("toy_gan.play"), variant="primary", elem_id="toy-gan-play", min_width=60)
                pause = gr.Button(i18n("toy_gan.pause"), elem_id="toy-gan-pause", min_width=60)
                step = gr.Button(i18n("toy_gan.step"), elem_id="toy-gan-step", min_width=60)
                reset = gr.Button(i18n("toy_gan.reset"), elem_id="toy-gan-reset", min_width=60)
            # Clicked by HEAD's script, never by a person: the pause for a playground that went out of sight
            pause_hidden = gr.Button(i18n("toy_gan.pause_hidden"), visible="hidden", elem_id="toy-gan-pause-hidden")
            note["buttons"] = _note("buttons")
            status = gr.Markdown(i18n(render.READY), elem_id="toy-gan-status")
        with gr.Column(scale=2, min_width=280, elem_id="toy-gan-knobs"):
            data = gr.Dropdown(choices("data", DATASETS), value=defaults.data, label=i18n("toy_gan.data"), elem_id="toy-gan-dataset")
            note["data"] = _note("data")
            loss = gr.Radio(choices("loss", LOSSES), value=defaults.loss, label=i18n("toy_gan.loss"), elem_id="toy-gan-loss",
                            info=i18n(term_key("gan_losses")))
            note["loss"] = _note("loss")
            optimiser = gr.Radio(choices("optimiser", OPTIMISERS), value=defaults.optimiser, label=i18n("toy_gan.optimiser"),
                                 elem_id="toy-gan-optimiser")
            note["optimiser"] = _note("optimiser")
            slider = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves and typed values send release too (knob_release)
            lr_g = gr.Slider(*LR_SLIDER, value=defaults.lr_g, step=0.0001, label=i18n("toy_gan.lr_g"), elem_id="toy-gan-lr-g", **slider)
            note["lr_g"] = _note("lr_g")
            lr_d = gr.Slider(*LR_SLIDER, value=defaults.lr_d, step=0.0001, label=i18n("toy_gan.lr_d"), elem_id="toy-gan-lr-d", **slider)
            note["lr_d"] = _note("lr_d")
            d_steps = gr.Slider(*D_STEPS_SLIDER, value=defaults.d_steps, step=1, label=i18n("toy_gan.d_steps"), elem_id="toy-gan-d-steps", **slider)
            note["d_steps"] = _note("d_steps")
            speed = gr.Slider(1, MAX_STEPS_PER_FRAME, value=DEFAULT_SPEED, step=1, label=i18n("toy_gan.speed"),
                              elem_id="toy-gan-speed", **slider)
            note["speed"] = _note("speed")
            seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("toy_gan.seed"),
                             info=i18n("toy_gan.seed_info"), elem_id="toy-gan-seed", elem_classes=NUMBER_CLASSES)
            note["seed"] = _note("seed")
    # Under the view, not above it: on a phone the plane with its buttons and notes fits the first screen
    gr.Markdown(i18n("toy_gan.essay_note"), elem_id="toy-gan-essay-note")  # the real G and D beside the essay's
    gr.Markdown(i18n(render.MAP_NOTE), latex_delimiters=LATEX, elem_classes=["toy-gan-maths"])
    gr.Markdown(i18n(render.CURVES_NOTE), latex_delimiters=LATEX, elem_classes=["toy-gan-maths"])
    return ToyGanView(canvas, play, pause, step, reset, pause_hidden, status, [data, loss, optimiser, lr_g, lr_d, d_steps],
                      speed, seed, note)


def wire(handlers: ToyGanHandlers, view: ToyGanView, demo: gr.Blocks) -> None:
    """The playground's events drive one page session's 2-D GAN: page plumbing, left off the API page
    (api_visibility="undocumented": still callable, as bench/load_test.py does). Play streams for as long as it
    plays, so it has a group of its own: a few more workers than training slots, so that a Play beyond the slots is
    answered "Busy" at once (PLAY_WORKERS), and clicks and knobs (the "toy-gan" group) never wait behind it."""
    knobs, speed, seed, status = view.knobs, view.speed, view.seed, view.status
    outputs = [view.canvas, status, *(view.notes[name] for name in FIELDS)]
    hidden = dict(preprocess=False, show_progress="hidden", api_visibility="undocumented")
    clicks = dict(**queue_group("toy-gan"), **hidden)
    view.play.click(handlers.play, [*knobs, speed], outputs, api_name="toy_gan_play", **queue_group("toy-gan-play"), **hidden)
    view.pause.click(handlers.pause, None, status, api_name="toy_gan_pause", **clicks)
    view.pause_hidden.click(handlers.pause_hidden, None, status, api_name="toy_gan_pause_hidden", **clicks)
    # Every way a knob can change ends here: a drag's every step, arrow keys, a typed value, the reset arrow (change),
    # and the end of a move (release: a drag's end, or knob_release's after keys and typing), the newest value last.
    sliders = knobs[3:] + [speed]  # lr_g, lr_d, d_steps, speed
    gr.on([knob.change for knob in [*knobs, speed]] + [knob.release for knob in sliders],
          handlers.set_knobs, [*knobs, speed], outputs, api_name="toy_gan_knobs", trigger_mode="always_last", **clicks)
    seed.submit(handlers.check_seed, seed, view.notes["seed"], api_name="toy_gan_check_seed", trigger_mode="always_last", **clicks)
    view.step.click(handlers.step, knobs, outputs, api_name="toy_gan_step", **clicks)
    view.reset.click(handlers.reset, [*knobs, seed], outputs, api_name="toy_gan_reset", **clicks)
    demo.unload(handlers.toy_gan_end)  # the browser tab closed: drop its GAN and its slot


# The URL parameter of each linked knob (the tour opens views with these names: keep them)
LINK_PARAMS = ("toy-gan-data", "toy-gan-loss", "toy-gan-optimiser", "toy-gan-lr-g", "toy-gan-lr-d", "toy-gan-d-steps",
               "toy-gan-speed", "toy-gan-seed")


def link_parsers() -> list[Parse]:
    """Each linked knob's parse of a link's text, within the knob's own range (a bad value: KnobError, so the link's
    note names it and the knob keeps its value)."""
    return [lambda v: as_choice("data set", v, DATASETS), lambda v: as_choice("loss", v, LOSSES),
            lambda v: as_choice("optimiser", v, OPTIMISERS), lambda v: as_float("G's learning rate", v, *LR_SLIDER),
            lambda v: as_float("D's learning rate", v, *LR_SLIDER), lambda v: as_int("D steps per G step", v, *D_STEPS_SLIDER),
            lambda v: as_int("Steps per frame", v, 1, MAX_STEPS_PER_FRAME), lambda v: as_int(SEED_NAME, v, 0, limits.MAX_SEED)]


def link(handlers: ToyGanHandlers, view: ToyGanView, links: Links) -> None:
    """The playground's knobs live in the URL; a link draws a fresh GAN of its settings (what Reset shows), not
    playing: the visitor presses Play."""
    components = [*view.knobs, view.speed, view.seed]
    outputs = [view.canvas, view.status, *(view.notes[name] for name in FIELDS)]
    links.view("toy-gan", dict(zip(LINK_PARAMS, zip(components, link_parsers()))),
               Draw(handlers.reset, [*view.knobs, view.seed], outputs, queue_group("toy-gan")))
