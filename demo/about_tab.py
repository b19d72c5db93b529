"""About tab: a page for learners (the three ideas, where to try each, a glossary of the words the app uses), in the
reader's language; then, for developers, how each model was trained and how well, drawn from the model cards shipped
with the checkpoints (the cards stay in English: the training and evaluation commands write them)."""
from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
from PIL import Image

from demo.app_state import AGENT_NAME, CLASSIFIER_NAME, GAN_NAME, GPT_NAME, AppState
from demo.i18n import i18n, text
from demo.shared import static_text

# The learners' part, in order: the introduction, the glossary (demo/locales/glossary.py), the cards' heading.
LEARNER_KEYS = ("about.intro", "about.glossary", "about.cards")
# Each model: its section's title and summary (translated), then its card.
SECTIONS = [(GPT_NAME, "about.gpt"), (GAN_NAME, "about.gan"), (AGENT_NAME, "about.agent"),
            (CLASSIFIER_NAME, "about.classifier")]
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_IMAGE_LINE = re.compile(r"^!\[.*\]\((.*)\)\s*$", re.M)


def card_body(card: str) -> str:
    """A model card without its YAML front matter or image links (shown as images instead), headings demoted."""
    body = _IMAGE_LINE.sub("", _FRONT_MATTER.sub("", card, count=1))
    return re.sub(r"^(#{1,3}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body, flags=re.M).strip()


def card_pictures(card: str, directory: Path) -> list[Path]:
    """The card's pictures that are plain files in its checkpoint dir (never a path outside it)."""
    names = [m.group(1).strip() for m in _IMAGE_LINE.finditer(card)]
    return [directory / n for n in names if re.fullmatch(r"[\w.-]+\.png", n) and (directory / n).is_file()]


def card_section(state: AppState, name: str) -> tuple[str, list[Path]]:
    """A model's card (metrics table included) or why it is missing, with its pictures."""
    card = state.cards.get(name)
    if not card:
        return f"*Pending:* {state.notes.get(name, f'{name}: not loaded')}.", []
    return card_body(card), card_pictures(card, state.dirs[name])


def about_sections(state: AppState, lang: str = "en") -> list[tuple[str, list[Path]]]:
    """The page in `lang`: the learners' part, then per model its title and summary, its card and its pictures."""
    sections: list[tuple[str, list[Path]]] = [(text(key, lang), []) for key in LEARNER_KEYS]
    for name, key in SECTIONS:
        body, pictures = card_section(state, name)
        sections.append((f"{text(key, lang)}\n\n{body}", pictures))
    return sections


def about_markdown(state: AppState, lang: str = "en") -> str:
    return "\n\n".join(section for section, _ in about_sections(state, lang))


# Phones: a metric table keeps each number whole (the table scrolls sideways if it must) instead of breaking "4.556"
# into "4.5" and "56"; a card's picture (a sheet of 32x32 samples) is shown at twice its size where there is room,
# the full width on a phone, pixels kept square.
CSS = static_text("about.css")


def build_about_tab(state: AppState) -> None:
    """The translated parts as i18n keys (the page shows them in its language), the cards as they are."""
    with gr.Column(elem_id="about"):
        for key in LEARNER_KEYS:
            gr.Markdown(i18n(key), elem_id=f"about-{key.split('.')[1]}")
        for name, key in SECTIONS:
            gr.Markdown(i18n(key))
            body, pictures = card_section(state, name)
            gr.Markdown(body)
            for path in pictures:  # loaded here, re-encoded into Gradio's cache: the app serves its own copy
                with Image.open(path) as picture:
                    gr.Image(picture.copy(), format="png", label=path.name, interactive=False, buttons=[],
                             elem_classes=["about-picture"])
