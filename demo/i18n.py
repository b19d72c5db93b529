"""The one place the app's strings live in two languages, and how a request's language is known.

- The page: a component takes `i18n("key")` for its label, info or value; Gradio's page translates it in the browser
  from I18N (passed to launch by demo/build.py), in the language the page chose when it loaded.
- The server: a handler that formats a string (numbers in it) calls `text("key", request_language(request), n=3)`.
- Which language: demo/static/language.js, run first thing in the page's head, picks `?lang=`, then the reader's last
  choice (localStorage "playground-lang"), then the browser's languages; it makes Gradio see that choice and stores
  it in the cookie COOKIE, which `request_language` reads (else the Accept-Language header, else English).

The strings: demo/locales/<area>.py, each a dict key -> {"en": ..., "zh-CN": ...}; tests/test_i18n.py fails when one
lacks a language or when the page uses a key that is not here. How to add one: docs/development.md.
"""
from __future__ import annotations

import json
import re
from typing import Any

import gradio as gr

from demo.locales import CATALOG, DEFAULT, LANGUAGES, tr
from demo.shared import head_script, static_text

COOKIE = "playground_lang"  # set by demo/static/language.js
STORAGE_KEY = "playground-lang"  # the reader's choice in the browser's localStorage (language.js)


# What launch(i18n=...) takes: per language, key -> string. Gradio's own strings (buttons, the settings panel) come
# with Gradio in both languages.
I18N = gr.I18n(**{lang: {key: entry[lang] for key, entry in CATALOG.items()} for lang in LANGUAGES})


def i18n(key: str) -> Any:
    """A string for a component, translated by the page: the key must be in CATALOG (a typo fails at build time, not
    as a raw key on the page)."""
    if key not in CATALOG:
        raise KeyError(f"{key!r} is not in the string catalog (demo/locales/)")
    return I18N(key)


def i18n_filled(key: str, **values: Any) -> Any:
    """A component string with values in it ("Training snapshot, step 400"), translated by the page: Gradio's page
    translates keys, not templates, so the key's text is filled now in every language and registered in I18N under
    a key of its own ("key|step=400"), made while the page is built (before launch reads I18N)."""
    if key not in CATALOG:
        raise KeyError(f"{key!r} is not in the string catalog (demo/locales/)")
    filled = key + "|" + "|".join(f"{name}={value}" for name, value in sorted(values.items()))
    for lang in LANGUAGES:
        I18N.translations.setdefault(lang, {})[filled] = tr(key, lang, **values)
    return I18N(filled)


text = tr  # the string `key` in `lang`, {name} filled (demo/locales/__init__.py: render modules use it without Gradio)


def language_of(tag: str | None) -> str | None:
    """The app's language for a language tag ("zh", "zh-Hans-CN", "en-GB"), or None if the app has none for it."""
    if not tag:
        return None
    primary = tag.strip().lower().replace("_", "-").split("-")[0]
    return {"en": "en", "zh": "zh-CN"}.get(primary)


def accepted_language(header: str | None) -> str | None:
    """The first language the app has among an Accept-Language header's, in the order of their q weights."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        match = re.search(r"q=([^;\s]*)", params)
        try:
            weight = float(match.group(1)) if match else 1.0
        except ValueError:  # a malformed weight: that language is not wanted
            weight = 0.0
        if weight > 0:
            ranked.append((-weight, i, tag))
    for _, _, tag in sorted(ranked):
        lang = language_of(tag)
        if lang:
            return lang
    return None


def request_language(request: gr.Request | None) -> str:
    """The language of the page that sent `request`: its cookie (what the page shows), else its Accept-Language
    header (an API call), else English."""
    if request is None:
        return DEFAULT
    cookies = getattr(request, "cookies", None) or {}
    chosen = cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    headers = getattr(request, "headers", None) or {}
    return accepted_language(headers.get("accept-language")) or DEFAULT


# The switch above the title (build.py), its CSS, and the script the HTTP guard puts first in the page's head
# (demo/build.py launch_demo; serve/gradio_internals.py page_html_sender).
SWITCH_HTML = static_text("language_switch.html")
CSS = static_text("language.css")
PAGE_SCRIPT = head_script("language.js", LANGUAGES=json.dumps(list(LANGUAGES)), STORAGE_KEY=json.dumps(STORAGE_KEY),
                          COOKIE=json.dumps(COOKIE), TITLES=json.dumps(CATALOG["page.title"], ensure_ascii=False))
