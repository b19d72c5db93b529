"""The Start here tour, what it shows (no Gradio): the three ideas' steps with the link each opens, the notes on where
the essay simplifies, and the check-yourself questions' text and reveals from the models' own numbers.

A step opens a live view by a link (demo/links.py): the same `?tab=...&<tab>-<knob>=...` a shared link carries, so
a tour step and a link are one path. The seeds named here were measured with the shipped checkpoints (the agent
lands seed 6 with a return near 320 in calm air and crashes on it in wind 15); the tests check them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from demo.locales import tr

IDEAS = ("gpt", "gan", "rl")
QUIZ_TEMPERATURE = 0.3  # "at temperature 0.3, which character comes next?"
QUIZ_WIND = 15.0  # "does the agent land in wind 15?"
QUIZ_CHOICES = 3  # the GPT question offers the model's top 3 characters
LANDING_SEED = 6  # the trained agent lands it well (return ~320) and crashes on it in wind 15


def link(tab: str, **knobs: object) -> str:
    """The query string that opens `tab` with its knobs set: `tab=inside&inside-prompt=hello%20world&...`. Knob
    names are the link parameters without the tab's prefix, underscores for dashes (layer, wind_power)."""
    params = {"tab": tab, **{f"{tab}-{name.replace('_', '-')}": _text(value) for name, value in knobs.items()}}
    return urlencode(params, quote_via=quote)


def _text(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Note:
    """Where the essay simplifies, beside a step: the sentence (tour.note.<key>) and the view that shows it."""

    key: str
    query: str


@dataclass(frozen=True)
class Step:
    """One step: its paragraph and formula (tour.step.<key>), its button's label (tour.open.<key>) and link."""

    key: str
    query: str
    notes: tuple[Note, ...] = ()

    @property
    def idea(self) -> str:
        return self.key.split(".")[0]


HELLO = "hello world"  # the essay's own example
STEPS: dict[str, tuple[Step, ...]] = {
    "gpt": (
        Step("gpt.next", link("text", prompt="ROMEO:", temperature=QUIZ_TEMPERATURE)),
        Step("gpt.attention", link("inside", prompt=HELLO, step=10, layer=1, head=2), (
            Note("gpt.mask", link("inside", prompt=HELLO, layer=1, head=1)),
            Note("gpt.positions", link("inside", prompt=HELLO, layer=2, head=3)))),
        Step("gpt.block", link("inside", prompt=HELLO, layer=6, head=1), (
            Note("gpt.gelu", link("inside", prompt=HELLO, layer=4, head=1)),
            Note("gpt.residual", link("inside", prompt=HELLO, layer=6, head=4)),
            Note("gpt.layers", link("inside", prompt=HELLO, layer=3, head=5)))),
        Step("gpt.learn", link("learn", step=100, prompt="ROMEO:")),
    ),
    "gan": (
        Step("gan.generator", link("image", **{"class": "Sneaker", "seed": 7}), (
            Note("gan.generator", link("image", **{"class": "Dress", "seed": 11})),)),
        Step("gan.discriminator", link("image", **{"class": "Bag", "seed": 3, "psi": 1}), (
            Note("gan.discriminator", link("image", **{"class": "Ankle boot", "seed": 5})),)),
        Step("gan.game", link("toy-gan", data="ring", loss="non-saturating")),
        Step("gan.latent", link("image", **{"class": "Sneaker", "seed": 7, "psi": 0.5, "dir1": 1.5})),
    ),
    "rl": (
        Step("rl.policy", link("agent", seed=LANDING_SEED, temperature=0)),
        Step("rl.return", link("agent", seed=LANDING_SEED, temperature=1)),
        Step("rl.critic", link("agent", seed=0, temperature=0)),
        Step("rl.ppo", link("agent", snapshot="update_0001", seed=LANDING_SEED)),
        Step("rl.wind", link("agent", seed=LANDING_SEED, wind=True, wind_power=QUIZ_WIND)),
    ),
}


def all_links() -> list[tuple[str, str]]:
    """Every button's (label key, query): each step's and each note's, in page order (the browser test clicks them)."""
    out: list[tuple[str, str]] = []
    for steps in STEPS.values():
        for step in steps:
            out.append((f"tour.open.{step.key}", step.query))
            out += [(f"tour.open.note.{note.key}", note.query) for note in step.notes]
    return out


def open_js(query: str) -> str:
    """The browser-only click of a step's button: links.js sets the URL and presses the hidden restore button; the
    page scrolls up to the tabs, where the opened view starts (on a phone the step's button is far down)."""
    return f"() => {{ window.playgroundLinks.open('?{query}'); window.scrollTo(0, 0); return []; }}"


def step_markdown(step: Step, lang: str) -> str:
    """A step as the page shows it: title, paragraph, formula (the tab gives Gradio the key; tests read this)."""
    return tr(f"tour.step.{step.key}", lang)


# ---- Check yourself ------------------------------------------------------------------------------------------------
# Each idea's questions, in turn; the answers are not stored: the model gives them when the reader checks.
GPT_PROMPTS = ("ROMEO:\nWhat say", HELLO, "To be, or not to b", "First Citizen:\nWe are accounted poor citi",
               "KING HENRY:\nMy lord, I")
GAN_IMAGES = (("Sneaker", 0, 2.0), ("Bag", 3, 1.0), ("Shirt", 3, 1.0), ("Sneaker", 0, 1.0), ("Bag", 0, 2.0),
              ("Shirt", 1, 1.0))
RL_SEEDS = (LANDING_SEED, 0, 9, 13, 8, 2)


def question_count(idea: str) -> int:
    return {"gpt": len(GPT_PROMPTS), "gan": len(GAN_IMAGES), "rl": len(RL_SEEDS)}[idea]


def char_label(char: str, lang: str) -> str:
    """A character as a choice shows it: a space or a new line gets a visible sign and a word."""
    if char == " ":
        return tr("tour.quiz.space", lang)
    if char == "\n":
        return tr("tour.quiz.newline", lang)
    return f"“{char}”"


def prompt_block(prompt: str) -> str:
    """The prompt in a code block (its line breaks kept), ending where the next character goes (▸)."""
    return "```text\n" + prompt.replace("`", "'") + "▸\n```"


def gpt_question(prompt: str, lang: str) -> str:
    return f"{tr('tour.quiz.gpt.question', lang)}\n\n{prompt_block(prompt)}"


def gan_question(class_name: str, seed: int, psi: float, lang: str) -> str:
    return tr("tour.quiz.gan.question", lang, cls=class_name, seed=seed, psi=f"{psi:g}")


def rl_question(seed: int, lang: str) -> str:
    return tr("tour.quiz.rl.question", lang, seed=seed)


def gpt_reveal(candidates: list[tuple[str, float]], lang: str) -> str:
    """The model's probabilities for the offered characters, the likeliest named."""
    probs = tr("tour.quiz.list_sep", lang).join(f"{char_label(c, lang)} {percent(p)}" for c, p in candidates)
    return tr("tour.quiz.gpt.reveal", lang, probs=probs, answer=char_label(candidates[0][0], lang))


def percent(p: float) -> str:
    """A probability as a percentage that never rounds a tiny one to 0 nor a near-certain one to 100."""
    if p < 0.001:
        return "<0.1%"
    if p > 0.999:
        return ">99.9%"
    return f"{p:.1%}"


def gan_reveal(p_real: float, lang: str) -> str:
    word = tr("tour.quiz.gan.real_word" if p_real > 0.5 else "tour.quiz.gan.fake_word", lang)
    return tr("tour.quiz.gan.reveal", lang, p=p_real, verdict=word)


def rl_reveal(landed: bool, episode_return: float, steps: int, lang: str) -> str:
    key = "tour.quiz.rl.reveal_landed" if landed else "tour.quiz.rl.reveal_failed"
    return tr(key, lang, ret=episode_return, steps=steps)


def verdict_line(right: bool, counted_before: bool, lang: str) -> str:
    line = tr("tour.quiz.right" if right else "tour.quiz.wrong", lang)
    return f"{line} {tr('tour.quiz.counted', lang)}" if counted_before else line


def score_line(right: int, answered: int, lang: str) -> str:
    """"k of n right" for the session."""
    if not answered:
        return tr("tour.quiz.score_none", lang)
    return tr("tour.quiz.score", lang, right=right, answered=answered)
