"""The Agent tab's worked PPO step, its handlers: one operation (`worked`: a step of an episode through PPO's
arithmetic, core/rl/worked_step.py) with a thin API adapter (user_errors: refusals as gr.Error, numbers as JSON) and
the page's adapters, which read the episode from the player (its snapshot, seed, temperature and conditions, so the
step worked is one of the episode on screen) and show a refusal as a note under the step slider, the last worked step
staying. What they show is demo/agent_maths_render.py; where it goes demo/agent_maths_tab.py."""
from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from typing import Any

import gradio as gr

from core.rl.episode import Conditions, play_episode, validate_conditions, validate_seed
from core.rl.io import LoadedAgent
from core.rl.policy import validate_temperature
from core.rl.ppo import PPOConfig
from core.rl.worked_step import Rollout, WorkedStep, largest_advantage_step, rollout, validate_step, work_step
from demo import agent_maths_render as render
from demo.errors import FieldNotes, about, refusal, user_errors
from demo.i18n import request_language, text

NOTES = FieldNotes(("step",), fallback="step")  # the one field a refusal can concern: the step slider
CACHED_EPISODES = 16  # rollouts kept, so that moving the slider replays nothing


class AgentMathsHandlers:
    """The worked step over the loaded agent (no handler loads weights); the episode's rollout is computed once per
    (snapshot, seed, temperature, conditions) and kept while it is among the last CACHED_EPISODES used."""

    def __init__(self, agent: LoadedAgent):
        self.agent = agent
        self.ppo = {**dataclasses.asdict(PPOConfig()), **(agent.config.get("training", {}).get("ppo") or {})}
        self.updates = {e["name"]: e["update"] for e in agent.snapshot_entries}
        self._rollouts: OrderedDict[tuple, Rollout] = OrderedDict()
        self._lock = threading.Lock()
        # The page's adapters: (slider, timeline, worked step, the step's note), (timeline, worked step, note) and
        # (slider, timeline, worked step, note)
        self.page_episode = NOTES.on_page(self.episode_view, 3)
        self.page_step = NOTES.on_page(self.step_view, 2)
        self.page_pick = NOTES.on_page(self.pick_view, 3)

    def rollout(self, snapshot: str, seed: int, temperature: float, conditions: Conditions) -> Rollout:
        """The episode play_episode plays for these knobs (the player's), as a rollout with the playing snapshot's
        values and GAE's advantages; knobs already checked."""
        key = (snapshot, seed, temperature, conditions)
        with self._lock:
            if key in self._rollouts:
                self._rollouts.move_to_end(key)
                return self._rollouts[key]
        _, policy = self.agent.policy(snapshot)
        episode = play_episode(policy, seed, temperature, conditions)
        run = rollout(policy, episode["act"], seed, conditions, self.ppo["gamma"], self.ppo["gae_lambda"])
        with self._lock:
            self._rollouts[key] = run
            while len(self._rollouts) > CACHED_EPISODES:
                self._rollouts.popitem(last=False)
        return run

    def work(self, run: Rollout, snapshot: str, step: Any) -> WorkedStep:
        with about("step"):
            t = validate_step(step, run.steps)
        return work_step(run, t, self.agent.snapshots, snapshot, self.ppo["clip_coef"])

    @user_errors
    def worked(self, snapshot: str, seed: Any, temperature: Any, wind: Any, wind_power: Any, gravity: Any,
               step: Any) -> str:
        """The API: step `step` of the episode these knobs play, worked through PPO, every number as JSON."""
        self.agent.policy(snapshot)
        conditions = validate_conditions(gravity, wind, wind_power)
        run = self.rollout(snapshot, validate_seed(seed), validate_temperature(temperature), conditions)
        return json.dumps(dataclasses.asdict(self.work(run, snapshot, step)))

    def episode_knobs(self, player: Any) -> tuple[str, int, float, Conditions] | None:
        """The knobs of the episode in the player (its JSON), checked as Play checks them; None before any Play."""
        if not player:
            return None
        try:
            episode = json.loads(player)
            snapshot, seed, temperature = episode["snapshot"], episode["seed"], episode["temperature"]
            c = episode["conditions"]
            conditions = validate_conditions(c["gravity"], c["enable_wind"], c["wind_power"], c["turbulence_power"])
        except (TypeError, ValueError, KeyError):
            raise refusal("agent_maths.bad_episode") from None
        self.agent.policy(snapshot)
        return snapshot, validate_seed(seed), validate_temperature(temperature), conditions

    def shown(self, run: Rollout, snapshot: str, t: Any, lang: str) -> tuple[str, str]:
        """(the timeline, the worked step) for step t, in `lang`."""
        w = self.work(run, snapshot, t)
        action = text(f"agent.action_{w.action}", lang)
        return (render.timeline_html(run, w.t, lang),
                render.worked_markdown(w, action, self.updates, self.ppo, lang))

    def episode_view(self, player: Any, request: gr.Request = None) -> tuple[Any, ...]:
        """A new episode in the player: the slider spans its steps and starts at the largest advantage."""
        lang = request_language(request)
        knobs = self.episode_knobs(player)
        if knobs is None:
            return gr.Slider(value=0, maximum=1, interactive=False), "", text("agent_maths.waiting", lang)
        run = self.rollout(*knobs)
        t = largest_advantage_step(run)
        return (gr.Slider(value=t, maximum=max(run.steps - 1, 1), interactive=True),
                *self.shown(run, knobs[0], t, lang))

    def step_view(self, player: Any, step: Any, request: gr.Request = None) -> tuple[Any, ...]:
        """Another step of the episode shown."""
        lang = request_language(request)
        knobs = self.episode_knobs(player)
        if knobs is None:
            return "", text("agent_maths.waiting", lang)
        return self.shown(self.rollout(*knobs), knobs[0], step, lang)

    def pick_view(self, player: Any, evt: gr.SelectData, request: gr.Request = None) -> tuple[Any, ...]:
        """A click on the timeline picked a step (its index): the slider moves to it, and it is worked."""
        step = getattr(evt, "index", None)
        shown = self.step_view(player, step, request)
        return (gr.skip() if shown[0] == "" else step, *shown)
