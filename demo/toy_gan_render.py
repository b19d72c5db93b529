"""What the GAN playground shows: the explanations beside the plane, the status lines in the reader's language, the
words its canvas draws, and the compact JSON view
(points, D on a 24x24 grid, G's gradient arrows, thinned curves) that the page's script (demo/static/toy_gan.js)
draws on two canvases. Pure (no Gradio); the handlers are demo/toy_gan_handlers.py, the layout
demo/toy_gan_tab.py."""
from __future__ import annotations

import json
from typing import Any

from core.gan.toy2d import DATASETS, LOSSES, OPTIMISERS
from demo.locales import LANGUAGES, tr

# The explanations beside the plane and the first status line: catalog keys (demo/locales/toy_gan.py) the page
# translates; the status lines a handler sends are the functions below, in the request's language.
INTRO, MAP_NOTE, CURVES_NOTE, READY = "toy_gan.intro", "toy_gan.map_note", "toy_gan.curves_note", "toy_gan.ready"
# The words toy_gan.js draws, by the names it uses
CANVAS_KEYS = {"plane": "toy_gan.canvas_plane", "curves": "toy_gan.canvas_curves", "losses": "toy_gan.canvas_losses",
               "energy": "toy_gan.canvas_energy", "g_loss": "toy_gan.canvas_g_loss", "d_loss": "toy_gan.canvas_d_loss",
               "info": "toy_gan.canvas_info", "playing": "toy_gan.playing"}


def choice_key(knob: str, value: str) -> str:
    """The catalog key of a knob's choice ("data", "ring" -> "toy_gan.data_ring")."""
    return f"toy_gan.{knob}_{value}"


def canvas_words() -> dict[str, dict[str, Any]]:
    """The script's words in each language (it picks the page's): labels with {fields} it fills, the choices' names
    for its info line, and the Training status it watches for (the out-of-sight pause)."""
    return {lang: {**{name: tr(key, lang) for name, key in CANVAS_KEYS.items()},
                   "choices": {value: tr(choice_key(knob, value), lang)
                               for knob, values in (("data", DATASETS), ("loss", LOSSES), ("optimiser", OPTIMISERS))
                               for value in values}}
            for lang in LANGUAGES}


def playing(lang: str) -> str:
    return tr("toy_gan.playing", lang)


def paused(lang: str) -> str:
    return tr("toy_gan.paused", lang)


def paused_hidden(lang: str) -> str:
    """What the page's script gets when the playground's tab (or the browser tab) is no longer shown: nobody is
    watching, so it stops training; coming back, the status says so and Play goes on from there."""
    return tr("toy_gan.paused_hidden", lang)


def capped(max_steps: int, lang: str) -> str:
    """The status once a session has trained as many steps as one may."""
    return tr("toy_gan.capped", lang, max_steps=max_steps)


def new_gan(seed: int, lang: str) -> str:
    """The status after Reset, echoing the seed as the server read it."""
    return tr("toy_gan.new_gan", lang, seed=seed)


def view_json(view: dict[str, Any]) -> str:
    """The view as the page's script reads it: compact, and never NaN (which JSON.parse refuses)."""
    return json.dumps(view, allow_nan=False, separators=(",", ":"))
