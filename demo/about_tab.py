"""About tab: how each model works and how well, drawn from the model cards shipped with the checkpoints."""
from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
from PIL import Image

from demo.app_state import AGENT_NAME, CLASSIFIER_NAME, GAN_NAME, GPT_NAME, AppState
from demo.shared import static_text

SECTIONS = [
    (GPT_NAME, "Text: a character-level GPT",
     "It reads the prompt one character at a time and predicts a probability for every possible next character; "
     "sampling one, appending it and repeating writes the text. The knobs reshape that distribution before each draw."),
    (GAN_NAME, "Images: a class-conditional DCGAN",
     "A generator turns a random latent vector and a class label into a 32x32 image; it was trained against a "
     "discriminator that learned to tell its images from real Fashion-MNIST ones. The seed picks the latent vector, "
     "the truncation scales it, and each direction slider moves it along one principal direction of the latent space."),
    (AGENT_NAME, "Agent: a PPO policy that lands on the moon",
     "Reinforcement learning, the third pillar: nobody shows the agent how to land. It plays Gymnasium's LunarLander "
     "(reward for approaching the pad slowly and upright, +100 for coming to rest, -100 for crashing) and PPO nudges "
     "its policy, a softmax over four engine actions, towards the actions that turned out better than its critic "
     "expected. The mean return over 100 test episodes below is the score; 200 counts as solved."),
    (CLASSIFIER_NAME, "The classifier behind the image metrics",
     "A small CNN trained on Fashion-MNIST; its features and predictions score how real and how on-class the "
     "generated images are."),
]
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_IMAGE_LINE = re.compile(r"^!\[.*\]\((.*)\)\s*$", re.M)
INTRO = ("# How the playground works\n\nThree ideas, three models, all running on the CPU of this machine: a GPT that "
         "writes text, a GAN that paints images and a reinforcement-learning agent that learns to land (plus the small "
         "classifier that scores the GAN's images). Every number below comes from the checkpoint's model card "
         "(`README.md` in its folder under `checkpoints/`), written by the training and evaluation commands it names.")


def card_body(card: str) -> str:
    """A model card without its YAML front matter or image links (shown as images instead), headings demoted."""
    body = _IMAGE_LINE.sub("", _FRONT_MATTER.sub("", card, count=1))
    return re.sub(r"^(#{1,3}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body, flags=re.M).strip()


def card_pictures(card: str, directory: Path) -> list[Path]:
    """The card's pictures that are plain files in its checkpoint dir (never a path outside it)."""
    names = [m.group(1).strip() for m in _IMAGE_LINE.finditer(card)]
    return [directory / n for n in names if re.fullmatch(r"[\w.-]+\.png", n) and (directory / n).is_file()]


def about_sections(state: AppState) -> list[tuple[str, list[Path]]]:
    """Per model a few sentences, then its card (metrics table included) or why it is missing; with its pictures."""
    sections: list[tuple[str, list[Path]]] = [(INTRO, [])]
    for name, title, summary in SECTIONS:
        card = state.cards.get(name)
        body = card_body(card) if card else f"*Pending:* {state.notes.get(name, f'{name}: not loaded')}."
        pictures = card_pictures(card, state.dirs[name]) if card else []
        sections.append((f"## {title}\n\n{summary}\n\n{body}", pictures))
    return sections


def about_markdown(state: AppState) -> str:
    return "\n\n".join(text for text, _ in about_sections(state))


# Phones: a metric table keeps each number whole (the table scrolls sideways if it must) instead of breaking "4.556"
# into "4.5" and "56"; a card's picture (a sheet of 32x32 samples) is shown at twice its size where there is room,
# the full width on a phone, pixels kept square.
CSS = static_text("about.css")


def build_about_tab(state: AppState) -> None:
    with gr.Column(elem_id="about"):
        for text, pictures in about_sections(state):
            gr.Markdown(text)
            for path in pictures:  # loaded here, re-encoded into Gradio's cache: the app serves its own copy
                with Image.open(path) as picture:
                    gr.Image(picture.copy(), format="png", label=path.name, interactive=False, buttons=[],
                             elem_classes=["about-picture"])
