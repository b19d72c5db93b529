"""The glossary's helpers: a term's one-line explanation for a tooltip (`info=term("rope", lang)` on the server, or
`info=i18n(term_key("rope"))` for the page to translate) and the whole list for the About tab. The strings are in
demo/locales/glossary.py."""
from __future__ import annotations

from demo.i18n import text
from demo.locales.glossary import TERMS

TERM_KEYS: tuple[str, ...] = tuple(TERMS)


def term_key(key: str) -> str:
    """The catalog key of a term's one line (for i18n(...) on a component)."""
    if key not in TERMS:
        raise KeyError(f"{key!r} is not in the glossary (demo/locales/glossary.py)")
    return f"term.{key}"


def term(key: str, lang: str) -> str:
    """A term's one-line explanation in `lang`."""
    return text(term_key(key), lang)


def term_name(key: str, lang: str) -> str:
    """A term's name in `lang` (the Chinese one carries the English term in brackets)."""
    return text(term_key(key) + ".name", lang)


def glossary_markdown(lang: str) -> str:
    """The About tab's glossary section in `lang`."""
    return text("about.glossary", lang)
