"""GPT learns, the layout and its wiring: a slider over the snapshots of one training run of the shipped GPT
(checkpoints/gpt-shakespeare-snapshots), the loss curve with the chosen step marked, and at that step the prompt
continued with a fixed seed and the next-character bars. The handlers are demo/gpt_learning_handlers.py, what they
show demo/gpt_learning_render.py, the CSS demo/static/gpt_learning.css."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from core import limits
from demo.api_docs import public_endpoint
from demo.gpt_learning_handlers import (DEFAULT_PROMPT, MAX_PROMPT_CHARS, NEW_CHARS, SEED, TEMPERATURE,
                                        GptLearningHandlers)
from demo.gpt_learning_render import caption_html, explain, in_every_language
from demo.gpt_models import GptModels, snapshot_key
from demo.inside_tab import InsideEntry
from demo.knob_release import SLIDER_CLASSES
from demo.shared import queue_group, static_text
from demo.errors import note_box
from demo.i18n import i18n
from demo.links import Draw, Links

CSS = static_text("gpt_learning.css")
API_PROMPT = "ROMEO:"  # the API page puts it inside "..." in its snippet: no newline


@dataclass
class LearningView:
    """The view's components that its events read or write (lay_out makes them, wire binds them)."""

    number: gr.Slider
    prompt: gr.Textbox
    run: gr.Button
    inside: gr.Button
    shown: list[Any]  # caption, continued text, bars, curve
    notes: list[gr.Markdown]  # gpt_learning_handlers.NOTE_FIELDS' order
    step: gr.Number  # hidden: the training step of the snapshot shown (the slider counts snapshots), for links


def build_gpt_learning(models: GptModels, note: str = "", inside: InsideEntry | None = None,
                       tabs: gr.Tabs | None = None, links: Links | None = None) -> GptLearningHandlers | None:
    """Lay out the view, wire its events and publish its API (call inside its gr.Tab); a note instead when the
    snapshot pack could not be loaded. With `inside` and `tabs`, a button opens Inside the GPT on the snapshot shown.
    Returns the handlers (None without a pack)."""
    if models.pack is None:
        with gr.Column(elem_id="gpt-learning-missing"):
            gr.Markdown(i18n("learn.missing_title"))
            gr.Markdown(note or i18n("learn.missing_none"))  # the loader's note names the file and the fix
            gr.Markdown(i18n("learn.missing_make"))
            gr.Markdown("`python -m core.gpt.train --snapshot-steps 0,50,100,150,250,400,700,1000,1500,2000 "
                        "--snapshot-dir checkpoints/gpt-shakespeare-snapshots`")
        return None
    handlers = GptLearningHandlers(models)
    view = lay_out(handlers, inside is not None and tabs is not None)
    wire(handlers, view)
    if links is not None:
        link(links, handlers, view)
    if inside is not None and tabs is not None:
        inside.open_with(view.inside, tabs, lambda number: snapshot_key(handlers.step_of(number)), view.number,
                         api_name="gpt_learning_inside")
    publish_api(handlers)
    return handlers


def lay_out(handlers: GptLearningHandlers, with_inside: bool = False) -> LearningView:
    """The components, showing the last snapshot's view of the default prompt."""
    steps = handlers.steps
    count = len(steps)
    caption, text, bars, curve = handlers.at_step(steps[-1], DEFAULT_PROMPT)
    # built before the page's language is known: every language's version, the page's CSS shows its own
    caption = in_every_language(lambda lang: caption_html(handlers.pack, steps[-1], handlers.shipped_loss, lang))
    curve = in_every_language(lambda lang: handlers.plots[lang].svg(steps[-1]))
    gr.HTML(in_every_language(lambda lang: f"<p>{explain(handlers.pack, lang)}</p>"), elem_id="gpt-learning-explain")
    step = gr.Number(steps[-1], precision=0, visible=False, elem_id="gpt-learning-step-of")  # the training step, for links
    with gr.Row(elem_id="gpt-learning-row"):
        with gr.Column(scale=3, min_width=300):
            number = gr.Slider(1, count, count, step=1, label=i18n("learn.snapshot_label"), buttons=[],
                               elem_id="gpt-learning-step", elem_classes=SLIDER_CLASSES)
            step_note = note_box("gpt-learning-step-note")
            with gr.Row(elem_id="gpt-learning-caption-row"):
                shown_caption = gr.HTML(caption, elem_id="gpt-learning-caption-box", scale=4)
                inside = gr.Button(i18n("learn.inside"), size="sm", scale=1, min_width=150, visible=with_inside,
                                   elem_id="gpt-learning-inside")
            shown_text = gr.HTML(text, elem_id="gpt-learning-text", label=i18n("learn.text_label"))
            gr.Markdown(i18n("learn.how"), elem_id="gpt-learning-how")
            with gr.Row(elem_id="gpt-learning-prompt-row"):
                prompt = gr.Textbox(DEFAULT_PROMPT, lines=2, max_lines=6, scale=3, elem_id="gpt-learning-prompt",
                                    label=i18n("learn.prompt_label"))
                run = gr.Button(i18n("learn.run"), variant="primary", scale=1, min_width=120,
                                elem_id="gpt-learning-run")
            prompt_note = note_box("gpt-learning-prompt-note")
        with gr.Column(scale=2, min_width=280):
            shown_curve = gr.HTML(curve, elem_id="gpt-learning-curve")
            shown_bars = gr.Label(bars, num_top_classes=limits.NEXT_TOKEN_CANDIDATES, show_heading=False,
                                  label=i18n("learn.bars_label"),
                                  elem_id="gpt-learning-bars")
    return LearningView(number, prompt, run, inside, [shown_caption, shown_text, shown_bars, shown_curve], [step_note, prompt_note],
                        step)


def wire(handlers: GptLearningHandlers, view: LearningView) -> None:
    """One event per trigger: the slider's release (drag end, a click, keys through demo/knob_release.py) shows one
    snapshot; a submitted prompt is continued at every snapshot. Page plumbing: callable, not on the API page."""
    group = dict(**queue_group("gpt-learning"), show_progress="hidden", preprocess=False, api_visibility="undocumented")
    outputs = [*view.shown, *view.notes]
    view.number.release(handlers.page_at_snapshot, [view.number, view.prompt], outputs, api_name="gpt_learning_step",
                        trigger_mode="always_last", **group)
    gr.on([view.prompt.submit, view.run.click], handlers.page_all_snapshots, [view.number, view.prompt], outputs,
          api_name="gpt_learning_prompt", trigger_mode="always_last", **group)


def link(links: Links, handlers: GptLearningHandlers, view: LearningView) -> None:
    """The view's knobs in the page's URL (demo/links.py): the training step of a snapshot (learn-step=400) and the
    prompt; a link with them shows that snapshot's view. The slider counts snapshots, so the step it stands for is
    mirrored into a hidden number in the page alone."""
    steps = json.dumps(handlers.steps)
    view.number.change(None, [view.number], [view.step], js=f"(n) => {steps}[Math.round(n) - 1] ?? {handlers.steps[-1]}",
                       show_progress="hidden")
    links.view("learn", {"learn-step": (view.step, handlers.check_step), "learn-prompt": (view.prompt, handlers.check_prompt)},
               Draw(handlers.page_at_linked_step, [view.step, view.prompt], [view.number, *view.shown, *view.notes],
                    queue_group("gpt-learning")))


def publish_api(handlers: GptLearningHandlers) -> None:
    """/gpt_snapshot: one snapshot's continuation and next-character probabilities as JSON (a refusal: gr.Error)."""
    last = handlers.steps[-1]

    def gpt_snapshot(step: int = last, prompt: str = API_PROMPT) -> dict[str, Any]:
        return handlers.snapshot_json(step, prompt)

    public_endpoint(gpt_snapshot, "gpt_snapshot",
                    "One training snapshot of the shipped GPT: the prompt continued with a fixed seed (temperature "
                    f"{TEMPERATURE:g}, {NEW_CHARS} characters) and its next-character probabilities, with the "
                    "snapshot's held-out loss.",
                    {"step": f"the training step of a snapshot: one of {', '.join(map(str, handlers.steps))}",
                     "prompt": f"the text to continue: up to {MAX_PROMPT_CHARS} characters the model knows"},
                    [({}, "{'step', 'val_loss' (held-out nats per character), 'prompt', 'continuation', "
                          "'temperature', 'seed', 'next' [[character, probability], ...], 'steps'}")],
                    **queue_group("gpt-learning"))
