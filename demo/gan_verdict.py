"""The discriminator beside the slider image: D(x | y), the probability that the image is a real photo of its class,
and the classifier's guess, redrawn with every knob change (drawn with the image on the page; its own endpoint,
beside /image, for API users, so /image keeps its one output)."""
from __future__ import annotations

from typing import Any, Callable

import gradio as gr
import torch
from PIL import Image

from core.gan.data import CLASS_NAMES
from core.gan.judge import Judges, Verdict, pixels_to_tensor
from core.gan.latent import ImageKnobs, LatentStudio
from demo.errors import user_errors
from demo.shared import queue_group

EXPLAIN = ("$D(x\\mid y)$ is the discriminator's probability that the image $x$ is a real photo of class $y$; "
           "training pushes $D(G(z))$ down while $G$ pushes it up, until neither can gain: a draw near 0.5. This D, "
           "trained against the shipped generator, gives held-out real photos 0.58 and generated images 0.49 on "
           "average, so one verdict is a weak signal, and it does not fall as ψ or a direction makes an image "
           "stranger (its mean over 60 seeds rises from 0.52 at ψ 1 to 0.61 at ψ 2). Beat it in *Real or fake?* below.")


def verdict_markdown(v: Verdict, class_name: str) -> str:
    call = "looks **real** to D" if v.p_real > 0.5 else "D calls it **fake**"
    return (f"**D(x | {class_name}) = {v.p_real:.2f}**: {call}. "
            f"Classifier: **{v.predicted}** ({v.confidence:.0%})")


class VerdictHandler:
    def __init__(self, studio: LatentStudio, judges: Judges) -> None:
        self.studio, self.judges = studio, judges

    def judge(self, class_name: Any, seed: Any, psi: Any, *directions: Any) -> tuple[Verdict, str]:
        knobs = self.studio.knobs(class_name, seed, psi, directions)
        return self.judge_image(knobs, self.studio.image(knobs))

    def judge_image(self, knobs: ImageKnobs, image: Image.Image) -> tuple[Verdict, str]:
        """The verdict on `image`, the 32x32 pixels the user sees for `knobs` (drawn once by the caller)."""
        _, label = self.studio.latent(knobs)  # cached: the slider image's own latent and class
        return self.judges.judge(pixels_to_tensor([image]), torch.tensor([label]))[0], CLASS_NAMES[label]

    @user_errors
    def markdown(self, class_name: str, seed: int, psi: float, *directions: float) -> str:
        """The discriminator's verdict on the image for these knobs (how likely a real photo of its class) and the
        classifier's guess, as Markdown.

        Args:
            class_name: a Fashion-MNIST class ("Dress", "Sneaker", ...) or "random" (the seed picks the class)
            seed: the latent noise, 0 to 2**32-1
            psi: truncation, 0 (the class's average image) to 2 (wilder); 1 is as trained
        """
        verdict, name = self.judge(class_name, seed, psi, *directions)
        return verdict_markdown(verdict, name)


def build_verdict(studio: LatentStudio, judges: Judges | None, note: str, first_knobs: list[Any]) -> tuple[VerdictHandler | None, gr.Markdown]:
    """The verdict line for the knobs' first values (call where it should appear, beside the image); wire it with
    `wire_verdict`."""
    if judges is None:
        return None, gr.Markdown(f"The discriminator's verdict is not available: {note}", elem_id="gan-verdict", visible=bool(note))
    handler = VerdictHandler(studio, judges)
    return handler, gr.Markdown(handler.markdown(*first_knobs), elem_id="gan-verdict")


def verdict_explain(judges: Judges | None) -> None:
    """What D(x | y) means, placed by the knobs (the verdict line itself stays beside the image, in view)."""
    if judges is not None:
        gr.Markdown(EXPLAIN, elem_id="gan-verdict-explain", latex_delimiters=[{"left": "$", "right": "$", "display": False}])


def wire_verdict(markdown: Callable[..., str] | None, box: gr.Markdown, knobs: list[gr.components.Component]) -> None:
    """The API's /image_verdict: `markdown` (VerdictHandler.markdown, maybe with named parameters). The page draws
    the verdict in the same event as the image (demo/image_page.py), so this endpoint has no page trigger."""
    if markdown is None:
        return
    gr.on([], markdown, knobs, box, api_name="image_verdict", preprocess=False, show_progress="hidden",
          **queue_group("gan-verdict"))
