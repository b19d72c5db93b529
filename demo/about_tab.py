"""About tab: how each model works and how well, drawn from the model cards shipped with the checkpoints."""
from __future__ import annotations

import re

import gradio as gr

from demo.app_state import CLASSIFIER_NAME, GAN_NAME, GPT_NAME, AppState

SECTIONS = [
    (GPT_NAME, "Text: a character-level GPT",
     "It reads the prompt one character at a time and predicts a probability for every possible next character; "
     "sampling one, appending it and repeating writes the text. The knobs reshape that distribution before each draw."),
    (GAN_NAME, "Images: a class-conditional DCGAN",
     "A generator turns a random latent vector and a class label into a 32x32 image; it was trained against a "
     "discriminator that learned to tell its images from real Fashion-MNIST ones. The seed picks the latent vector, "
     "the truncation scales it, and each direction slider moves it along one principal direction of the latent space."),
    (CLASSIFIER_NAME, "The classifier behind the image metrics",
     "A small CNN trained on Fashion-MNIST; its features and predictions score how real and how on-class the "
     "generated images are."),
]
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_IMAGE_LINE = re.compile(r"^!\[.*\]\(.*\)\s*$", re.M)


def card_body(card: str) -> str:
    """A model card without its YAML front matter or image links (the app serves no files), headings demoted."""
    body = _IMAGE_LINE.sub("", _FRONT_MATTER.sub("", card, count=1))
    return re.sub(r"^(#{1,3}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body, flags=re.M).strip()


def about_markdown(state: AppState) -> str:
    """The About page: per model a few sentences, then its card (metrics table included) or why it is missing."""
    parts = ["# How the playground works",
             "Both models run on the CPU of this machine. Every number below comes from the checkpoint's model card "
             "(`README.md` in its folder under `checkpoints/`), written by the training and evaluation commands it names."]
    for name, title, summary in SECTIONS:
        parts += [f"## {title}", summary]
        card = state.cards.get(name)
        parts.append(card_body(card) if card else f"*Pending:* {state.notes.get(name, f'{name}: not loaded')}.")
    return "\n\n".join(parts)


def build_about_tab(state: AppState) -> None:
    gr.Markdown(about_markdown(state), elem_id="about")
