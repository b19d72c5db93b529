"""The Start here tour's handlers: "check yourself", one question per idea at a time, answered by the loaded models
(never by stored answers): the GPT's next-character probabilities at temperature 0.3 (core/gpt/sampling.py), the
discriminator's verdict on a generated image (core/gan/judge.py), one episode of the agent in wind (core/rl/episode.py).

Two operations, `ask` and `check`, each checking its input once; the page adapters (`page_ask`, `page_check`) add
the reader's language and turn a refusal into one note under the answer (demo/errors.py `localized`), leaving the
last good view as it was. The score is the session's gr.State: {"right": k, "answered": [question ids]}; a question
counts once however often it is checked. Nothing here loads weights: the models come from AppState.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import gradio as gr
import torch
from PIL import Image

from core.gan.data import CLASS_NAMES
from core.gan.judge import pixels_to_tensor
from core.gan.latent import LatentStudio, upscale
from core.gpt.sampling import NextTokenExplorer, validate_knobs
from core.rl.episode import Conditions, play_episode
from core.validation import KnobError, as_int
from demo import tour_render as render
from demo.app_state import AppState
from demo.errors import USER_ERRORS, field_note, localized, refusal
from demo.i18n import request_language

IMAGE_SCALE = 6  # the 32x32 picture shown at 192x192 (pixels kept sharp)


@dataclass(frozen=True)
class Asked:
    """A question as the page shows it: its text, the picture (GAN only), the choices as (label, value)."""

    text: str
    image: Image.Image | None
    choices: list[tuple[str, str]]


def empty_score() -> dict[str, Any]:
    return {"right": 0, "answered": []}


class TourHandlers:
    """The questions over the models loaded at start-up; an idea whose model is missing refuses with the note."""

    def __init__(self, state: AppState):
        self.state = state
        self.explorer = NextTokenExplorer(state.gpt.model, state.gpt.tokenizer) if state.gpt else None
        self.studio = LatentStudio(state.gan) if state.gan else None
        self.episodes_run = 0  # tests: a check plays the episode, an ask does not

    # ---- the models' answers ---------------------------------------------------------------------------------------
    def _need(self, present: bool, name: str) -> None:
        if not present:
            raise refusal("tour.error_missing", note=self.state.notes.get(name, name))

    def gpt_candidates(self, n: int) -> list[tuple[str, float]]:
        """The shipped GPT's top characters after question n's prompt at temperature 0.3 (likeliest first)."""
        self._need(self.explorer is not None, "gpt-shakespeare")
        knobs = validate_knobs(temperature=render.QUIZ_TEMPERATURE, top_k=0, top_p=1.0)
        return self.explorer.candidates(render.GPT_PROMPTS[n], knobs, top=render.QUIZ_CHOICES)  # type: ignore[union-attr]

    def gan_image(self, n: int) -> tuple[Image.Image, int]:
        """Question n's generated picture and its class index."""
        self._need(self.studio is not None and self.state.judges is not None, "gan-fashion-discriminator")
        class_name, seed, psi = render.GAN_IMAGES[n]
        return self.studio.image(self.studio.knobs(class_name, seed, psi)), CLASS_NAMES.index(class_name)  # type: ignore[union-attr]

    def gan_p_real(self, n: int) -> float:
        """D(G(z)) for question n's picture: the discriminator's probability that it is real, on the shown pixels."""
        image, label = self.gan_image(n)
        return self.state.judges.judge(pixels_to_tensor([image]), torch.tensor([label]))[0].p_real  # type: ignore[union-attr]

    def rl_episode(self, n: int) -> dict[str, Any]:
        """Question n's episode: the trained agent (the last snapshot, as the Agent tab plays it) at temperature 0 in
        wind 15."""
        agent = self.state.agent
        self._need(agent is not None and bool(agent.snapshot_entries), "rl-lander")
        _, policy = agent.policy(agent.snapshot_entries[-1]["name"])  # type: ignore[union-attr]
        self.episodes_run += 1
        return play_episode(policy, render.RL_SEEDS[n], 0.0, Conditions(wind=True, wind_power=render.QUIZ_WIND))

    # ---- operations ------------------------------------------------------------------------------------------------
    def ask(self, idea: str, n: Any, lang: str) -> Asked:
        """Question n (mod the idea's count) with its choices; the answer is not computed here (a GAN question shows
        its picture, which needs the generator; its verdict waits for the check)."""
        n = self._index(idea, n)
        if idea == "gpt":
            choices = sorted(c for c, _ in self.gpt_candidates(n))  # a fixed order that gives nothing away
            return Asked(render.gpt_question(render.GPT_PROMPTS[n], lang), None,
                         [(render.char_label(c, lang), c) for c in choices])
        if idea == "gan":
            image, _ = self.gan_image(n)
            class_name, seed, psi = render.GAN_IMAGES[n]
            return Asked(render.gan_question(class_name, seed, psi, lang), upscale(image, IMAGE_SCALE),
                         [(render.tr("tour.quiz.real", lang), "real"), (render.tr("tour.quiz.fake", lang), "fake")])
        self._need(self.state.agent is not None, "rl-lander")
        return Asked(render.rl_question(render.RL_SEEDS[n], lang), None,
                     [(render.tr("tour.quiz.yes", lang), "yes"), (render.tr("tour.quiz.no", lang), "no")])

    def check(self, idea: str, asked: Any, choice: Any, score: Any, lang: str) -> tuple[str, dict[str, Any]]:
        """The reveal (right or not, and the model's own numbers) and the new score; a question counts once."""
        n = self._asked(idea, asked)
        if choice in (None, ""):
            raise refusal("tour.error_no_choice")
        if idea == "gpt":
            candidates = self.gpt_candidates(n)
            truth, options = candidates[0][0], [c for c, _ in candidates]
            reveal = render.gpt_reveal(candidates, lang)
        elif idea == "gan":
            p_real = self.gan_p_real(n)
            truth, options = ("real" if p_real > 0.5 else "fake"), ["real", "fake"]
            reveal = render.gan_reveal(p_real, lang)
        else:
            options = ["yes", "no"]
            if choice not in options:
                raise refusal("tour.error_bad_choice")
            episode = self.rl_episode(n)
            truth = "yes" if episode["landed"] else "no"
            reveal = render.rl_reveal(episode["landed"], episode["return"], episode["steps"], lang)
        if choice not in options:
            raise refusal("tour.error_bad_choice")
        score = self._score(score)
        question_id = f"{idea}-{n}"
        counted_before = question_id in score["answered"]
        if not counted_before:
            score = {"right": score["right"] + (choice == truth), "answered": [*score["answered"], question_id]}
        return f"{render.verdict_line(choice == truth, counted_before, lang)} {reveal}", score

    # ---- input checks ----------------------------------------------------------------------------------------------
    @staticmethod
    def _index(idea: str, n: Any) -> int:
        if idea not in render.IDEAS:
            raise KnobError(f"idea must be one of {', '.join(render.IDEAS)}; got {str(idea)[:20]!r}.")
        return as_int("question", n if n is not None else 0, 0, 10**6) % render.question_count(idea)

    def _asked(self, idea: str, asked: Any) -> int:
        """The asked question's number; a refusal when none was asked for this idea."""
        if not isinstance(asked, dict) or asked.get("idea") != idea or not isinstance(asked.get("n"), int):
            raise refusal("tour.error_no_question")
        return self._index(idea, asked["n"])

    @staticmethod
    def _score(score: Any) -> dict[str, Any]:
        if not isinstance(score, dict) or not isinstance(score.get("right"), int) or not isinstance(score.get("answered"), list):
            return empty_score()
        return {"right": score["right"], "answered": [str(a) for a in score["answered"]]}

    # ---- page adapters ---------------------------------------------------------------------------------------------
    def page_ask(self, idea: str):
        """The page's Ask / Another question for `idea`: (question, [picture,] choices, reveal, next number, asked,
        note); on a refusal the view stays and the note says why."""

        def ask(counter: Any, request: gr.Request) -> tuple[Any, ...]:
            lang = request_language(request)
            try:
                n = self._index(idea, counter)
                asked = self.ask(idea, n, lang)
            except USER_ERRORS as exc:
                skipped = (gr.skip(),) * (6 if idea == "gan" else 5)
                return (*skipped, field_note(localized(exc, lang)))
            picture = (gr.Image(asked.image, visible=True),) if idea == "gan" else ()
            return (asked.text, *picture, gr.Radio(choices=asked.choices, value=None, visible=True),
                    gr.Markdown("", visible=False), n + 1, {"idea": idea, "n": n}, field_note(""))

        return ask

    def page_check(self, idea: str, score_lines: int = 1):
        """The page's Check for `idea`: (reveal, score, the score line `score_lines` times, note) for each yield; the
        agent's question says "running" first (an episode takes a moment)."""
        skip_lines = (gr.skip(),) * score_lines

        def check(asked: Any, choice: Any, score: Any, request: gr.Request) -> Iterator[tuple[Any, ...]]:
            lang = request_language(request)
            try:
                if idea == "rl":
                    self._asked(idea, asked)
                    if choice in (None, ""):
                        raise refusal("tour.error_no_choice")
                    yield (gr.Markdown(render.tr("tour.quiz.running", lang), visible=True), gr.skip(), *skip_lines,
                           field_note(""))
                reveal, new_score = self.check(idea, asked, choice, score, lang)
            except USER_ERRORS as exc:
                yield (gr.skip(), gr.skip(), *skip_lines, field_note(localized(exc, lang)))
                return
            line = render.score_line(new_score["right"], len(new_score["answered"]), lang)
            yield (gr.Markdown(reveal, visible=True), new_score, *(line,) * score_lines, field_note(""))

        return check
