"""Real or fake? The player against the discriminator (core/gan/game.py holds the rounds and their truth).

The browser gets the images (files with random names, the same processing for real and generated) and an opaque
round id; the truth, the classes and D's verdicts come back only with the answer. The running score lives in the
session's gr.State (server-side).

The page deals a round as it opens, so Reveal always has one to answer; a refusal (a round that expired) is a note
by the Reveal button, never a pop-up, and the last result stays. Programs call /game_new_round and /game_answer,
which raise gr.Error with the same messages."""
from __future__ import annotations

from typing import Any

import gradio as gr
from PIL import Image, ImageDraw

from core.gan.game import RealOrFake, RoundResult
from core.validation import KnobError
from demo.api_docs import hints_resolved
from demo.errors import field_note, user_errors
from demo.shared import GeneratedFiles, queue_group, static_text

SHOW_SCALE = 4  # 28x28 shown at 112x112
GAME_DISK_CAP = 32 * 2**20
EXPLAIN = ("Some of these are real Fashion-MNIST **test** photos (never seen in training), the others come from "
           "$G(z)$. Tick the ones you think are real, then reveal: you see the truth and $D(x\\mid y)$ for each "
           "(D says *real* above 0.5). Can you beat the discriminator?")
NEW_SCORE = {"rounds": 0, "images": 0, "player": 0, "d": 0}
# The result table on a phone: a line breaks only between words ("truth", "Sneaker" were broken mid-word at 390 px;
# "Ankle boot" may take two lines), a heading never; the table scrolls sideways inside its box if it must, never
# the page.
CSS = static_text("gan_game.css")


def result_markdown(result: RoundResult, score: dict[str, int]) -> str:
    rows = ["| # | truth | you | D(x \\| y) | D | class |", "|---|---|---|---|---|---|"]
    for i, (real, mark, v, name) in enumerate(zip(result.is_real, result.marked_real, result.verdicts, result.classes)):
        ok = lambda said: "\u00a0✓" if said == real else "\u00a0✗"  # noqa: E731  (no-break space: one line on a phone)
        rows.append(f"| {i + 1} | {'real' if real else 'fake'} | {'real' if mark else 'fake'}{ok(mark)} | {v.p_real:.2f} | "
                    f"{'real' if v.p_real > 0.5 else 'fake'}{ok(v.p_real > 0.5)} | {name} |")
    n = len(result.is_real)
    return "\n".join([f"**This round: you {result.player_correct}/{n}, D {result.d_correct}/{n}.** "
                      f"Running score over {score['rounds']} round(s): **you {score['player']}/{score['images']}, "
                      f"D {score['d']}/{score['images']}**.", "", *rows])


class GameHandlers:
    def __init__(self, game: RealOrFake, files: GeneratedFiles | None = None) -> None:
        self.game, self.files = game, files or GeneratedFiles(cap_bytes=GAME_DISK_CAP)

    def _strip(self, images: Any) -> str:
        """The round's images in one PNG, three to a row (it fits a phone's width), numbered 1..n below each."""
        tile, gap, band, cols = 28 * SHOW_SCALE, 8, 20, 3
        rows = -(-len(images) // cols)
        strip = Image.new("L", (cols * tile + (cols - 1) * gap, rows * (tile + band)), 255)
        draw = ImageDraw.Draw(strip)
        for i, pixels in enumerate(images):
            x, y = (i % cols) * (tile + gap), (i // cols) * (tile + band)
            strip.paste(Image.fromarray(pixels, "L").resize((tile, tile), Image.NEAREST), (x, y))
            draw.text((x + tile // 2, y + tile + band // 2), str(i + 1), fill=0, anchor="mm", font_size=16)
        return self.files.write("round", ".png", lambda f: strip.save(f, format="png", compress_level=1))

    @user_errors
    def new_round(self) -> tuple[str, str, Any, str]:
        """(the round's images in one numbered strip; the round id; cleared marks; cleared result)."""
        round_id, images = self.game.new_round()
        return self._strip(images), round_id, gr.CheckboxGroup(value=[]), ""

    def page_answer(self, round_id: Any, marked: Any, score: Any) -> tuple[Any, Any, Any]:
        """Reveal on the page: (result, score, the note by Reveal). A refusal is the note, and the result and score
        shown stay as they were."""
        try:
            result, score = self.answer(round_id, marked, score)
        except KnobError as exc:
            return gr.skip(), gr.skip(), field_note(str(exc))
        return result, score, field_note()

    def api_answer(self, round_id: str, marked: list[str]) -> str:
        """/game_answer for programs: the result table of a round (a fresh running score), or gr.Error."""
        return user_errors(self.answer)(round_id, marked, None)[0]

    def answer(self, round_id: Any, marked: Any, score: Any) -> tuple[str, dict[str, int]]:
        """marked: the 1-based numbers of the images the player thinks are real. Raises KnobError."""
        if marked is None:
            marked = []
        if not isinstance(marked, list) or any(isinstance(m, bool) or not isinstance(m, (int, str)) or not str(m).isdigit() for m in marked):
            raise KnobError(f"Mark images by their numbers 1 to {self.game.n}; got {str(marked)[:60]}.")
        positions = [int(m) - 1 for m in marked]
        if any(not 0 <= p < self.game.n for p in positions):
            raise KnobError(f"Mark images by their numbers 1 to {self.game.n}; got {str(marked)[:60]}.")
        result, first = self.game.answer(round_id, positions)
        score = dict(score) if isinstance(score, dict) and set(score) == set(NEW_SCORE) else dict(NEW_SCORE)
        if first:
            score = {"rounds": score["rounds"] + 1, "images": score["images"] + len(result.is_real),
                     "player": score["player"] + result.player_correct, "d": score["d"] + result.d_correct}
        return result_markdown(result, score), score


def make_game(gan: Any, judges: Any, sample: Any, notes: list[str]) -> tuple[RealOrFake | None, str]:
    """The game over the app's generator, judges and real sample, or None and the notes of what is missing."""
    if gan is None or judges is None or sample is None:
        return None, "; ".join(n for n in notes if n)
    return RealOrFake(gan.generator, judges, sample), ""


def build_gan_game(game: RealOrFake | None, note: str = "", demo: gr.Blocks | None = None) -> None:
    """The game's panel (call inside the Images tab); with `demo`, each page opens with a round dealt."""
    with gr.Accordion("Real or fake? You against the discriminator", open=True, elem_id="gan-game"):
        if game is None:
            gr.Markdown(f"The game is not available: {note}", elem_id="gan-game-missing")
            return
        handlers = GameHandlers(game)
        gr.Markdown(EXPLAIN, latex_delimiters=[{"left": "$", "right": "$", "display": False}])
        new_button = gr.Button("New round", elem_id="gan-game-new", variant="primary")
        gallery = gr.Image(label="Which are real?", type="filepath", interactive=False, buttons=[],
                           elem_id="gan-game-images")
        marks = gr.CheckboxGroup([str(i + 1) for i in range(game.n)], label="Tick the REAL ones (the rest are fake)",
                                 elem_id="gan-game-marks")
        reveal = gr.Button("Reveal", elem_id="gan-game-reveal")
        reveal_note = gr.Markdown("", visible=False, elem_id="gan-game-note", elem_classes=["field-note"])
        result = gr.Markdown(elem_id="gan-game-result")
        round_id = gr.Textbox(visible=False, elem_id="gan-game-round")
        score = gr.State(dict(NEW_SCORE))
    # A round lives in the page (its id, the marks, the running score): page plumbing, left off the API page
    # (api_visibility="undocumented", still callable); D's verdict on any image is the public /image_verdict.
    dealt = [gallery, round_id, marks, result]
    new_button.click(handlers.new_round, None, dealt, api_name="game_new_round",
                     **queue_group("gan-game"), api_visibility="undocumented")
    if demo is not None:
        demo.load(handlers.new_round, None, dealt, api_name="game_first_round", **queue_group("gan-game"),
                  api_visibility="private", show_progress="hidden")
    reveal.click(handlers.page_answer, [round_id, marks, score], [result, score, reveal_note], api_name="game_reveal",
                 preprocess=False, **queue_group("gan-game"), api_visibility="undocumented")
    gr.api(hints_resolved(handlers.api_answer), api_name="game_answer", **queue_group("gan-game"),
           api_visibility="undocumented")
