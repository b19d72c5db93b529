"""Real or fake? (Images tab), the layout and its wiring: the player against the discriminator. The page deals a
round as it opens, so Reveal always has one to answer; a refusal (a round that expired) is a note by the Reveal
button, never a pop-up, and the last result stays. Programs call /game_new_round and /game_answer, which raise
gr.Error with the same messages. The handlers are demo/gan_game_handlers.py, what they show
demo/gan_game_render.py, the CSS demo/static/gan_game.css."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from core.gan.game import RealOrFake
from demo.api_docs import hints_resolved
from demo.gan_game_handlers import NEW_SCORE, GameHandlers
from demo.gan_game_render import EXPLAIN
from demo.shared import queue_group, static_text
from demo.errors import note_box
from demo.first_view import first_view
from demo.i18n import i18n

# The result table on a phone: a line breaks only between words ("truth", "Sneaker" were broken mid-word at 390 px;
# "Ankle boot" may take two lines), a heading never; the table scrolls sideways inside its box if it must, never
# the page.
CSS = static_text("gan_game.css")


@dataclass
class GameView:
    """The game's components that its events read or write."""

    new_button: gr.Button
    gallery: gr.Image
    marks: gr.CheckboxGroup
    reveal: gr.Button
    reveal_note: gr.Markdown
    result: gr.Markdown
    round_id: gr.Textbox
    score: gr.State


def build_gan_game(game: RealOrFake | None, note: str = "", demo: gr.Blocks | None = None) -> None:
    """The game's panel (call inside the Images tab); with `demo`, a round is dealt when the tab is first opened."""
    with gr.Accordion(i18n("image.game_title"), open=True, elem_id="gan-game"):
        if game is None:
            gr.Markdown(i18n("image.game_missing") + note, elem_id="gan-game-missing")
            return
        view = lay_out(game.n)
    handlers = GameHandlers(game)
    wire(handlers, view, demo)
    publish_api(handlers)


def lay_out(n: int) -> GameView:
    """The explanation, the round's images, a box per image to tick and Reveal."""
    gr.Markdown(i18n(EXPLAIN), latex_delimiters=[{"left": "$", "right": "$", "display": False}])
    new_button = gr.Button(i18n("image.game_new"), elem_id="gan-game-new", variant="primary")
    gallery = gr.Image(label=i18n("image.game_images"), type="filepath", interactive=False, buttons=[], elem_id="gan-game-images")
    marks = gr.CheckboxGroup([str(i + 1) for i in range(n)], label=i18n("image.game_marks"),
                             elem_id="gan-game-marks")
    reveal = gr.Button(i18n("image.game_reveal"), elem_id="gan-game-reveal")
    reveal_note = note_box("gan-game-note")
    result = gr.Markdown(elem_id="gan-game-result")
    round_id = gr.Textbox(visible=False, elem_id="gan-game-round")
    score = gr.State(dict(NEW_SCORE))
    return GameView(new_button, gallery, marks, reveal, reveal_note, result, round_id, score)


def wire(handlers: GameHandlers, view: GameView, demo: gr.Blocks | None) -> None:
    """A round lives in the page (its id, the marks, the running score): page plumbing, left off the API page
    (api_visibility="undocumented", still callable); D's verdict on any image is the public /image_verdict."""
    dealt = [view.gallery, view.round_id, view.marks, view.result]
    view.new_button.click(handlers.new_round, None, dealt, api_name="game_new_round",
                          **queue_group("gan-game"), api_visibility="undocumented")
    if demo is not None:
        first_view("image", handlers.new_round, None, dealt, api_name="game_first_round", **queue_group("gan-game"))
    view.reveal.click(handlers.page_answer, [view.round_id, view.marks, view.score], [view.result, view.score, view.reveal_note],
                      api_name="game_reveal", preprocess=False, **queue_group("gan-game"), api_visibility="undocumented")


def publish_api(handlers: GameHandlers) -> None:
    """/game_answer: a round's result for programs (undocumented, as the rounds are dealt by the page's events)."""
    gr.api(hints_resolved(handlers.api_answer), api_name="game_answer", **queue_group("gan-game"),
           api_visibility="undocumented")
