"""Real or fake? The handlers: deal a round and answer it (core/gan/game.py holds the rounds and their truth), with a
thin page adapter (a refusal is the note by Reveal; the result shown stays) and a thin API adapter (gr.Error).

The browser gets the images (files with random names, the same processing for real and generated) and an opaque
round id; the truth, the classes and D's verdicts come back only with the answer. The running score lives in the
session's gr.State (server-side). What a round looks like is demo/gan_game_render.py."""
from __future__ import annotations

from typing import Any

import gradio as gr

from core.gan.game import RealOrFake
from core.validation import KnobError
from demo.errors import field_note, localized, refusal, user_errors
from demo.i18n import request_language
from demo.gan_game_render import result_markdown, round_strip
from demo.shared import GeneratedFiles

GAME_DISK_CAP = 32 * 2**20
NEW_SCORE = {"rounds": 0, "images": 0, "player": 0, "d": 0}


class GameHandlers:
    def __init__(self, game: RealOrFake, files: GeneratedFiles | None = None) -> None:
        self.game, self.files = game, files or GeneratedFiles(cap_bytes=GAME_DISK_CAP)

    def _strip(self, images: Any) -> str:
        """The round's numbered strip as a PNG file."""
        strip = round_strip(images)
        return self.files.write("round", ".png", lambda f: strip.save(f, format="png", compress_level=1))

    @user_errors
    def new_round(self) -> tuple[str, str, Any, str]:
        """(the round's images in one numbered strip; the round id; cleared marks; cleared result)."""
        round_id, images = self.game.new_round()
        return self._strip(images), round_id, gr.CheckboxGroup(value=[]), ""

    def page_answer(self, round_id: Any, marked: Any, score: Any, request: gr.Request | None = None) -> tuple[Any, Any, Any]:
        """Reveal on the page: (result, score, the note by Reveal), in the page's language. A refusal is the note, and
        the result and score shown stay as they were."""
        lang = request_language(request)
        try:
            result, score = self.answer(round_id, marked, score, lang)
        except KnobError as exc:
            return gr.skip(), gr.skip(), field_note(localized(exc, lang))
        return result, score, field_note()

    def api_answer(self, round_id: str, marked: list[str]) -> str:
        """/game_answer for programs: the result table of a round (a fresh running score), or gr.Error."""
        return user_errors(self.answer)(round_id, marked, None)[0]

    def answer(self, round_id: Any, marked: Any, score: Any, lang: str = "en") -> tuple[str, dict[str, int]]:
        """marked: the 1-based numbers of the images the player thinks are real. Raises KnobError."""
        if marked is None:
            marked = []
        if not isinstance(marked, list) or any(isinstance(m, bool) or not isinstance(m, (int, str)) or not str(m).isdigit() for m in marked):
            raise refusal("image.error_marks", n=self.game.n, got=str(marked)[:60])
        positions = [int(m) - 1 for m in marked]
        if any(not 0 <= p < self.game.n for p in positions):
            raise refusal("image.error_marks", n=self.game.n, got=str(marked)[:60])
        result, first = self.game.answer(round_id, positions)
        score = dict(score) if isinstance(score, dict) and set(score) == set(NEW_SCORE) else dict(NEW_SCORE)
        if first:
            score = {"rounds": score["rounds"] + 1, "images": score["images"] + len(result.is_real),
                     "player": score["player"] + result.player_correct, "d": score["d"] + result.d_correct}
        return result_markdown(result, score, lang), score


def make_game(gan: Any, judges: Any, sample: Any, notes: list[str]) -> tuple[RealOrFake | None, str]:
    """The game over the app's generator, judges and real sample, or None and the notes of what is missing."""
    if gan is None or judges is None or sample is None:
        return None, "; ".join(n for n in notes if n)
    return RealOrFake(gan.generator, judges, sample), ""
