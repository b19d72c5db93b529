"""The Agent tab's handlers: play one episode (the API's /play_episode, refusals as gr.Error) and draw the learning
curve, with the page's adapter (page_play: each field checked on its own, a refusal a note under its field, the
episode shown stays). What they show is demo/agent_render.py; where it goes is demo/agent_tab.py."""
from __future__ import annotations

from typing import Any

import gradio as gr

from core.rl.episode import play_episode, validate_conditions, validate_seed
from core.rl.io import LoadedAgent
from core.rl.policy import validate_temperature
from demo import agent_render as render
from demo.errors import USER_ERRORS, field_note, localized, user_errors
from demo.i18n import request_language
from demo.shared import random_seed

# Every knob whose value can be refused has a note under it (the page's knobs keep to their ranges; a typed seed may not)
FIELDS = ("snapshot", "seed", "temperature", "wind", "wind_power", "gravity")


def random_episode_seed() -> int:
    """A fresh episode seed (LunarLander's reset and the policy's draws take any seed in core/limits.py's range)."""
    return random_seed()


class AgentHandlers:
    """The agent tab's handlers over the loaded agent (no handler loads weights)."""

    def __init__(self, agent: LoadedAgent):
        self.agent = agent

    @user_errors
    def play(self, snapshot: str, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any) -> str:
        """One episode as JSON for the player (and for API callers: per-step columns, return, landed)."""
        conditions = validate_conditions(gravity, wind, wind_power)
        _, policy = self.agent.policy(snapshot)
        return render.episode_json(play_episode(policy, seed, temperature, conditions), snapshot)

    def field_errors(self, snapshot: Any, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any,
                     lang: str = "en") -> dict[str, str]:
        """Each field checked on its own by the validator play uses ("" when it is fine), so a refusal lands under the
        field that is wrong (under each of them when several are), in `lang` where the catalog has the refusal."""
        checks = {"snapshot": lambda: self.agent.policy(snapshot), "seed": lambda: validate_seed(seed),
                  "temperature": lambda: validate_temperature(temperature), "wind": lambda: validate_conditions(wind=wind),
                  "wind_power": lambda: validate_conditions(wind_power=wind_power),
                  "gravity": lambda: validate_conditions(gravity=gravity)}
        errors = {}
        for name, check in checks.items():
            try:
                check()
                errors[name] = ""
            except USER_ERRORS as exc:
                errors[name] = localized(exc, lang)
        return errors

    def page_play(self, snapshot: Any, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any,
                  request: gr.Request = None) -> tuple[Any, ...]:
        """The page's Play and knobs (and a link's draw): (the episode, every field's note). A refused value gets a
        note under its field in the page's language and the player keeps the episode it shows (no pop-up)."""
        errors = self.field_errors(snapshot, seed, temperature, wind, wind_power, gravity, request_language(request))
        notes = [field_note(errors[name]) for name in FIELDS]
        if any(errors.values()):
            return gr.skip(), *notes
        return self.play(snapshot, seed, temperature, wind, wind_power, gravity), *notes

    @user_errors
    def curve(self, snapshot: str, request: gr.Request = None) -> str:
        """The learning curve with `snapshot` ringed, in the page's language (drawn when the page loads, since the
        words of an SVG are not the page's to translate, and on every other snapshot)."""
        self.agent.policy(snapshot)
        return render.learning_curve_html(self.agent, snapshot, request_language(request))
