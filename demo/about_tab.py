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


def card_rows(card: str, first_header: str) -> list[dict[str, str]]:
    """The rows of the card's Markdown table whose first column is headed `first_header`, by column heading."""
    lines = card.splitlines()
    for i, line in enumerate(lines):
        cells = _cells(line)
        if cells and cells[0] == first_header and i + 1 < len(lines) and set(lines[i + 1]) <= set("|-: "):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(dict(zip(cells, _cells(row))))
            return rows
    return []


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []


def _cell(rows: list[dict[str, str]], first: str, column: str) -> str | None:
    """The table cell in `column` of the row whose first cell is `first`."""
    for row in rows:
        if next(iter(row.values()), None) == first:
            return row.get(column)
    return None


# Each model's measured figures, as the About tab sums them up: (label key, the heading of the table's first column,
# the row's first cell, the column; "a/b" shows column a out of column b).
# The figures are read from the card, never retyped here; one its card lacks is left out.
FIGURES: dict[str, list[tuple[str, str, str, str]]] = {
    GPT_NAME: [("about.figure_gpt_loss", "metric", "validation loss, sliding window", "value"),
               ("about.figure_gpt_perplexity", "metric", "perplexity", "value")],
    GAN_NAME: [("about.figure_gan_ratio", "metric", "ratio (target: at most 5)", "psi 1"),
               ("about.figure_gan_fidelity", "metric", "class fidelity (share classified as the requested class)",
                "psi 1")],
    AGENT_NAME: [("about.figure_agent_return", "temperature", "0", "mean return +- std"),
                 ("about.figure_agent_landed", "temperature", "0", "landed/episodes")],
    CLASSIFIER_NAME: [("about.figure_classifier", "metric", "test accuracy (10 000 Fashion-MNIST test images)", "value")],
}


def figures(card: str, name: str) -> list[tuple[str, str]]:
    """The model's measured figures from its card: (label key, the figure as the card writes it)."""
    found = []
    for key, first_header, row, columns in FIGURES.get(name, []):
        rows = card_rows(card, first_header)
        cells = [_cell(rows, row, column) for column in columns.split("/")]  # "a/b": a out of b
        if all(cells):
            found.append((key, "/".join(cells).replace("+-", "±")))  # type: ignore[arg-type]
    return found


def figure_line(label: str, value: str) -> str:
    """One figure as a list line: its label (translated: an i18n key for the page, or the text) and its value."""
    return f"- {label} **{value}**"


def card_section(state: AppState, name: str) -> tuple[str | None, list[Path]]:
    """A model's card (metrics table included) with its pictures, or None if it is missing."""
    card = state.cards.get(name)
    if not card:
        return None, []
    return card_body(card), card_pictures(card, state.dirs[name])


def pending(state: AppState, name: str) -> str:
    """Why a model's card is missing, as the loader said it (it names the files)."""
    return f"{state.notes.get(name, f'{name}: not loaded')}."


def summary(state: AppState, name: str, key: str, lang: str) -> str:
    """A model's section title and summary in `lang`, with its measured figures (or why it is missing)."""
    card = state.cards.get(name)
    if not card:
        return f"{text(key, lang)}\n\n{text('about.pending', lang)} {pending(state, name)}"
    lines = [figure_line(text(label, lang), value) for label, value in figures(card, name)]
    return "\n\n".join([text(key, lang), text("about.measured", lang), "\n".join(lines)] if lines else [text(key, lang)])


def about_sections(state: AppState, lang: str = "en") -> list[tuple[str, list[Path]]]:
    """The page in `lang`: the learners' part, then per model its title, summary and figures, its card (English, for
    developers) and its pictures."""
    sections: list[tuple[str, list[Path]]] = [(text(key, lang), []) for key in LEARNER_KEYS]
    for name, key in SECTIONS:
        body, pictures = card_section(state, name)
        sections.append((summary(state, name, key, lang) + (f"\n\n{body}" if body else ""), pictures))
    return sections


def about_markdown(state: AppState, lang: str = "en") -> str:
    return "\n\n".join(section for section, _ in about_sections(state, lang))


# Phones: a metric table keeps each number whole (the table scrolls sideways if it must) instead of breaking "4.556"
# into "4.5" and "56"; a card's picture (a sheet of 32x32 samples) is shown at twice its size where there is room,
# the full width on a phone, pixels kept square.
CSS = static_text("about.css")


def build_about_tab(state: AppState) -> None:
    """The translated parts as i18n keys (the page shows them in its language; a figure line is its translated label
    and the card's number), the cards as they are (English: written by the commands they name)."""
    with gr.Column(elem_id="about"):
        for key in LEARNER_KEYS:
            gr.Markdown(i18n(key), elem_id=f"about-{key.split('.')[1]}")
        for name, key in SECTIONS:
            gr.Markdown(i18n(key))
            card = state.cards.get(name)
            if not card:
                gr.Markdown(f"{i18n('about.pending')} {pending(state, name)}")
                continue
            shown = figures(card, name)
            if shown:
                with gr.Column(elem_classes=["about-figures"]):
                    gr.Markdown(i18n("about.measured"))
                    for label, value in shown:  # one Markdown a line: the page translates one key per value
                        gr.Markdown(figure_line(i18n(label), value))
            body, pictures = card_section(state, name)
            gr.Markdown(body, elem_classes=["model-card"])
            for path in pictures:  # loaded here, re-encoded into Gradio's cache: the app serves its own copy
                with Image.open(path) as picture:
                    gr.Image(picture.copy(), format="png", label=i18n("about.card_picture"), interactive=False,
                             buttons=[], elem_classes=["about-picture"])
