"""Both languages complete (issue #25): the built page shows no English prose that is not a catalog key.

Walks the page config Gradio sends to the browser: every label, hint, placeholder, alt text, button and Markdown/HTML
value and choice label a visitor can read must be given as `i18n(key)` (demo/i18n.py), so the page shows it in the
reader's language. Strings without letters (numbers, "ψ"), a text box's value (the visitor's content: a prompt) and
hidden components are not prose. Strings a handler returns later are checked by each tab's zh-CN browser test."""
from __future__ import annotations

import html
import json
import re
from typing import Any, Iterator

import pytest

from demo.first_view import CLASS as FIRST_VIEW

pytestmark = pytest.mark.slow  # builds the whole app

I18N_MARK = re.compile(r"__i18n__\{[^{}]*\}")
WORD = re.compile(r"[A-Za-z]{2,}")
# Component props a visitor reads.
SHOWN = ("label", "info", "placeholder", "title")
VALUE_SHOWN = {"markdown", "button", "html", "downloadbutton", "accordion"}
CHOICES = {"radio", "dropdown", "checkboxgroup"}
# Words that read the same in both languages: names of models, data sets and units, and formula symbols.
SAME_IN_BOTH = {"GPT", "GAN", "GANs", "DCGAN", "PPO", "RL", "MNIST", "Fashion", "LunarLander", "Gymnasium", "RoPE", "GELU",
                "ReLU", "LayerNorm", "GANSpace", "softmax", "Adam", "SGD", "top", "nats", "char", "px", "ms", "fps",
                "QK", "d_k", "sqrt", "frac", "mathrm", "left", "right", "cdot", "text", "log", "exp", "max", "min", "mathbb",
                "tanh", "sigma", "ln", "dim", "Hugging", "Face", "Gradio", "API", "GitHub", "CPU", "PNG", "GIF", "JSON", "OK"}


def visible_text(value: str) -> str:
    """An HTML or Markdown value's readable text: scripts, styles, tags, LaTeX and code spans dropped, and every
    translated piece (an embedded i18n key) removed."""
    value = I18N_MARK.sub(" ", value)
    value = re.sub(r"<(script|style)\b.*?</\1>", " ", value, flags=re.S | re.I)
    value = re.sub(r"<[^>]+>", " ", value)
    value = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\\\(.*?\\\)", " ", value, flags=re.S)
    value = re.sub(r"https?://\S+|\S+\.(py|md|json|safetensors)\b", " ", value)
    return html.unescape(value)


def english_words(value: Any) -> list[str]:
    if not isinstance(value, str) or value.startswith("__i18n__") and I18N_MARK.fullmatch(value):
        return []
    return [w for w in WORD.findall(visible_text(value)) if w not in SAME_IN_BOTH]


# Shown on purpose as they are: each language's own name in the switch, a model's generated text, and alt texts of
# pictures (Gradio 6.31 translates no alt_text).
AS_THEY_ARE = {("html", "language-switch", "value"), ("html", "gpt-learning-text", "value")}


def redrawn_when_the_page_opens(config: dict[str, Any]) -> set[int]:
    """Components a page-load event, or their tab's first opening (demo/first_view.py), fills in the page's language:
    their first value is replaced before, or as, they are first shown."""
    first_views = {c["id"] for c in config["components"] if FIRST_VIEW in (c.get("props", {}).get("elem_classes") or [])}
    return {output for dep in config["dependencies"]
            if any(event == "load" or (target in first_views and event == "click") for target, event in dep["targets"])
            for output in dep["outputs"]}


def both_languages_inside(value: Any) -> bool:
    """An HTML value that carries its text in both languages, the page showing one (demo/static/*.css hides the other
    by html[data-playground-lang])."""
    return isinstance(value, str) and 'data-lang="en"' in value and 'data-lang="zh-CN"' in value


def untranslated(config: dict[str, Any]) -> Iterator[str]:
    redrawn = redrawn_when_the_page_opens(config)
    for component in config["components"]:
        kind, props = component["type"], component.get("props", {})
        if props.get("visible") in (False, "hidden") or kind in {"api", "state"} or component["id"] in redrawn:
            continue
        if "model-card" in (props.get("elem_classes") or []):
            continue  # a model card is for developers and stays English (issue #25)
        where = f"{kind} #{props.get('elem_id') or component['id']}"
        for prop in SHOWN:
            if (kind, props.get("elem_id"), prop) in AS_THEY_ARE:
                continue
            if english_words(props.get(prop)):
                yield f"{where} {prop}: {str(props[prop])[:90]!r}"
        if (kind, props.get("elem_id"), "value") in AS_THEY_ARE or both_languages_inside(props.get("value")):
            continue
        if kind in VALUE_SHOWN and english_words(props.get("value")):
            yield f"{where} value: {visible_text(str(props['value'])).strip()[:90]!r}"
        if kind in CHOICES:
            for choice in props.get("choices") or []:
                label = choice[0] if isinstance(choice, (list, tuple)) else choice
                if english_words(label):
                    yield f"{where} choice: {str(label)[:60]!r}"


@pytest.fixture(scope="module")
def page_config(app_state) -> dict[str, Any]:
    from demo.build import build_demo

    return json.loads(json.dumps(build_demo(app_state).config, default=lambda o: o.to_dict() if hasattr(o, "to_dict") else str(o)))


def test_every_string_the_page_shows_is_translated(page_config):
    missing = sorted(set(untranslated(page_config)))
    assert not missing, f"{len(missing)} strings shown without a translation:\n" + "\n".join(missing)


def test_the_check_finds_english_prose_and_passes_keys_and_content():
    assert english_words("Temperature") == ["Temperature"]
    assert english_words('__i18n__{"__type__": "translation_metadata", "key": "tab.text"}') == []
    assert english_words("<b>3.2</b> ψ $\\frac{QK}{\\sqrt{d_k}}$") == []
    assert english_words('x __i18n__{"__type__": "translation_metadata", "key": "a"} of GPT') == ["of"]
