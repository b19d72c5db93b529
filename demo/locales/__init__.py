"""The app's strings in both languages, one module per area of the page, joined here into one catalog.

Each module holds a dict key -> {"en": ..., "zh-CN": ...}. Keys are "<area>.<name>" so two areas never collide
(a key stated twice fails at import; tests/test_i18n.py checks that every entry has both languages). This package
has no Gradio in it, so render modules (demo/<tab>_render.py) look their strings up with `tr`; components take
demo/i18n.py `i18n(key)`, which Gradio's page translates."""
from __future__ import annotations

from typing import Any

from demo.locales.about import ABOUT
from demo.locales.agent import AGENT
from demo.locales.agent_maths import AGENT_MATHS
from demo.locales.errors import ERRORS
from demo.locales.fly import FLY
from demo.locales.frame import FRAME
from demo.locales.gan_apps import GAN_APPS
from demo.locales.glossary import catalog as glossary_catalog
from demo.locales.image import IMAGE
from demo.locales.inside import INSIDE
from demo.locales.learn import LEARN
from demo.locales.text import TEXT
from demo.locales.tour import TOUR
from demo.locales.toy_gan import TOY_GAN

LANGUAGES = ("en", "zh-CN")
DEFAULT = "en"


def _join(*areas: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One catalog from the areas' dicts; a key stated in two areas is a mistake, refused at import."""
    joined: dict[str, dict[str, str]] = {}
    for area in areas:
        twice = joined.keys() & area.keys()
        if twice:
            raise ValueError(f"catalog keys stated twice: {sorted(twice)}")
        joined.update(area)
    return joined


CATALOG: dict[str, dict[str, str]] = _join(FRAME, ABOUT, INSIDE, TEXT, LEARN, IMAGE, TOY_GAN, AGENT, ERRORS, TOUR,
                                           GAN_APPS, AGENT_MATHS, FLY, glossary_catalog())


def tr(key: str, lang: str, **values: Any) -> str:
    """The string `key` in `lang` (English for a language the app does not have), with {name} filled from values."""
    entry = CATALOG[key]
    chosen = entry.get(lang, entry[DEFAULT])
    return chosen.format(**values) if values else chosen
