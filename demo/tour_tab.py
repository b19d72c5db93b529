"""Start here, the layout and its wiring: the tour through the three ideas (the GPT, GANs, reinforcement learning).

Each idea is an accordion of short steps: a paragraph with its formula (one Markdown, LaTeX rendered), a button that
opens the live view already set up, and beside a worked formula, where the essay simplifies and what this model does
instead, with a button to the view that shows it. The buttons are browser-only: demo/static/links.js `open` puts the
step's link in the URL and presses the page's hidden restore button, so a step and a shared link take one path
(demo/links.py). Each idea ends with a "check yourself" question the loaded model answers (demo/tour_handlers.py);
the text is demo/tour_render.py and demo/locales/tour.py, the CSS demo/static/tour.css.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from demo.app_state import AppState
from demo.errors import note_box
from demo.i18n import i18n
from demo.shared import LATEX, queue_group, static_text
from demo.tour_handlers import TourHandlers, empty_score
from demo.tour_render import IDEAS, STEPS, Step, open_js

CSS = static_text("tour.css")
# Each idea's questions run in the event group of the view they come from: the GPT's next-character bars, the
# discriminator's verdict, an episode of the agent.
QUIZ_GROUPS = {"gpt": "bars", "gan": "gan-verdict", "rl": "agent"}


@dataclass
class Quiz:
    """One idea's "check yourself": the components its two events read and write."""

    question: gr.Markdown
    image: gr.Image | None  # the generated picture (GANs only)
    answer: gr.Radio
    note: gr.Markdown
    ask: gr.Button
    check: gr.Button
    reveal: gr.Markdown
    score_line: gr.Markdown
    counter: gr.State  # the number of the next question to ask
    asked: gr.State  # {"idea", "n"} of the question on screen, None before the first


def slug(key: str) -> str:
    return key.replace(".", "-")


def build_tour(state: AppState) -> None:
    """Lay out the tour and wire its questions (call inside its gr.Tab)."""
    handlers = TourHandlers(state)
    gr.Markdown(i18n("tour.intro"), elem_id="tour-intro")
    quizzes: dict[str, Quiz] = {}
    for idea in IDEAS:
        with gr.Accordion(i18n(f"tour.idea.{idea}"), open=idea == "gpt", elem_id=f"tour-{idea}",
                          elem_classes=["tour-idea"]):
            for step in STEPS[idea]:
                lay_out_step(step)
            quizzes[idea] = lay_out_quiz(idea)
    wire(handlers, quizzes)


def open_button(label_key: str, query: str, elem_id: str, variant: str) -> gr.Button:
    """A button that opens the view of `query` (browser-only: no request of its own; the restore event does the work)."""
    button = gr.Button(i18n(label_key), size="sm", variant=variant, elem_id=elem_id, elem_classes=["tour-open"])  # type: ignore[arg-type]
    button.click(None, None, None, js=open_js(query))
    return button


def lay_out_step(step: Step) -> None:
    """A step: its text and formula, its button, then its notes on where the essay simplifies."""
    with gr.Column(elem_classes=["tour-step"]):
        gr.Markdown(i18n(f"tour.step.{step.key}"), latex_delimiters=LATEX, elem_id=f"tour-step-{slug(step.key)}")
        open_button(f"tour.open.{step.key}", step.query, f"tour-open-{slug(step.key)}", "primary")
        for note in step.notes:
            with gr.Column(elem_classes=["tour-note"]):
                gr.Markdown(i18n(f"tour.note.{note.key}"), latex_delimiters=LATEX, elem_id=f"tour-note-{slug(note.key)}")
                open_button(f"tour.open.note.{note.key}", note.query, f"tour-open-note-{slug(note.key)}", "secondary")


def lay_out_quiz(idea: str) -> Quiz:
    """The question, its choices (hidden until asked), the buttons, the reveal (hidden until checked), the score."""
    with gr.Column(elem_classes=["tour-quiz"], elem_id=f"tour-quiz-{idea}"):
        gr.Markdown(i18n("tour.quiz.heading"))
        question = gr.Markdown(i18n("tour.quiz.waiting"), elem_id=f"tour-quiz-{idea}-question")
        image = None
        if idea == "gan":
            image = gr.Image(None, type="pil", format="png", interactive=False, show_label=False, buttons=[],
                             visible=False, height=200, elem_id="tour-quiz-gan-image")
        answer = gr.Radio([], value=None, label=i18n("tour.quiz.answer"), visible=False,
                          elem_id=f"tour-quiz-{idea}-answer")
        note = note_box(f"tour-quiz-{idea}-note")
        with gr.Row(elem_classes=["tour-quiz-buttons"]):
            ask = gr.Button(i18n("tour.quiz.ask"), elem_id=f"tour-quiz-{idea}-ask")
            check = gr.Button(i18n("tour.quiz.check"), variant="primary", elem_id=f"tour-quiz-{idea}-check")
        reveal = gr.Markdown("", visible=False, elem_id=f"tour-quiz-{idea}-reveal")
        score_line = gr.Markdown(i18n("tour.quiz.score_none"), elem_id=f"tour-quiz-{idea}-score",
                                 elem_classes=["tour-score"])
    return Quiz(question, image, answer, note, ask, check, reveal, score_line, gr.State(0), gr.State(None))


def wire(handlers: TourHandlers, quizzes: dict[str, Quiz]) -> None:
    """Ask and Check for each idea (page events, off the API page); one score for the session, shown under each
    question."""
    score = gr.State(empty_score())
    lines = [quiz.score_line for quiz in quizzes.values()]
    for idea, quiz in quizzes.items():
        group = dict(**queue_group(QUIZ_GROUPS[idea]), api_visibility="undocumented")
        picture = [quiz.image] if quiz.image is not None else []
        quiz.ask.click(handlers.page_ask(idea), [quiz.counter],
                       [quiz.question, *picture, quiz.answer, quiz.reveal, quiz.counter, quiz.asked, quiz.note],
                       api_name=f"tour_ask_{idea}", show_progress="minimal", **group)
        quiz.check.click(handlers.page_check(idea, len(lines)), [quiz.asked, quiz.answer, score],
                         [quiz.reveal, score, *lines, quiz.note], api_name=f"tour_check_{idea}",
                         show_progress="minimal", **group)
