"""A human flight: one LunarLander episode stepped by the server, one action per step chosen by a person (the page
sends the engine their keys hold), with the agent watching: for every state the person reaches, the policy's action
probabilities (what the agent would do here) and the critic's V(s) (the return it expects from here).

When the flight ends, `summary` sets it against the agent's own episode on the same seed and conditions
(core.rl.episode.play_episode): both returns, both trajectories over the terrain, the steps where the person's action
was least likely under the policy and where V(s) fell most.

Deterministic: the same seed, conditions and actions give the same flight (Box2D is deterministic for a seed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from core.rl.episode import FPS, Conditions, play_episode, validate_seed
from core.rl.evaluate import ENV_ID, landed
from core.rl.model import ActorCritic
from core.validation import KnobError, as_int

MAX_STEPS = 1000  # LunarLander-v3's own limit
N_MOMENTS = 3  # moments shown at the end, of each kind
ACTIONS = 4


def validate_action(value: Any) -> int:
    """0 do nothing, 1 left engine, 2 main engine, 3 right engine (LunarLander's discrete actions)."""
    return as_int("Action", value, 0, ACTIONS - 1)


def _pose(game: Any) -> dict[str, Any]:
    body, legs = game.lander, game.legs
    return {"x": round(body.position.x, 3), "y": round(body.position.y, 3), "a": round(body.angle, 3),
            "l1": [round(legs[0].position.x, 3), round(legs[0].position.y, 3), round(legs[0].angle, 3)],
            "l2": [round(legs[1].position.x, 3), round(legs[1].position.y, 3), round(legs[1].angle, 3)],
            "contact": int(legs[0].ground_contact) + 2 * int(legs[1].ground_contact)}


@dataclass
class Flight:
    """One person's episode. `step(action)` advances it one frame; the agent's view of each state rides along."""
    model: ActorCritic
    seed: int
    conditions: Conditions = field(default_factory=Conditions)
    actions: list[int] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    probs: list[list[float]] = field(default_factory=list)  # the policy's probabilities for each state reached
    values: list[float] = field(default_factory=list)  # V(s) for each state reached (one more than actions at the end)
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    done: bool = False
    landed: bool = False
    crashed: bool = False

    def __post_init__(self) -> None:
        self.seed = validate_seed(self.seed)
        self.env = gym.make(ENV_ID, **self.conditions.env_kwargs())
        self.obs, _ = self.env.reset(seed=self.seed)
        self.game = self.env.unwrapped
        self._watch()

    @torch.no_grad()
    def _watch(self) -> None:
        """The agent's policy (as trained, T = 1) and critic on the state the person is in now."""
        logits, value = self.model(torch.as_tensor(self.obs).unsqueeze(0))
        self.probs.append([round(float(p), 4) for p in torch.softmax(logits[0], -1)])
        self.values.append(round(float(value[0]), 2))
        self.xs.append(round(self.game.lander.position.x, 3)), self.ys.append(round(self.game.lander.position.y, 3))

    @property
    def total(self) -> float:
        return float(sum(self.rewards))

    def terrain(self) -> dict[str, Any]:
        """What the page draws once: the ground line and the pad (world units, as core.rl.episode sends them)."""
        g = self.game
        ground = [[round(p[0][0], 2), round(p[0][1], 2)] for p in g.sky_polys] + [[round(g.sky_polys[-1][1][0], 2), round(g.sky_polys[-1][1][1], 2)]]
        return {"terrain": ground, "world": {"w": 20.0, "h": round(400 / 30, 3), "pad": [round(g.helipad_x1, 3), round(g.helipad_x2, 3), round(g.helipad_y, 3)]},
                "seed": self.seed, "conditions": self.conditions.env_kwargs(), "fps": FPS}

    def frame(self) -> dict[str, Any]:
        """The state now: pose, the agent's probabilities and V(s) for it, the running return."""
        return {"i": len(self.actions), **_pose(self.game), "p": self.probs[-1], "v": self.values[-1],
                "ret": round(self.total, 1), "r": round(self.rewards[-1], 2) if self.rewards else 0.0,
                "act": self.actions[-1] if self.actions else 0, "done": self.done, "landed": self.landed,
                "crashed": self.crashed}

    def step(self, action: Any) -> dict[str, Any]:
        """Apply one action (validated) for one frame; after the end it changes nothing and returns the last frame."""
        if self.done:
            return self.frame()
        action = validate_action(action)
        self.obs, reward, terminated, truncated, _ = self.env.step(action)
        self.actions.append(action)
        self.rewards.append(float(reward))
        self._watch()
        if terminated or truncated or len(self.actions) >= MAX_STEPS:
            self.done, self.landed, self.crashed = True, landed(self.env, bool(terminated)), bool(self.game.game_over)
            self.env.close()
        return self.frame()

    def moments(self) -> dict[str, list[dict[str, Any]]]:
        """The steps where the person's action was least likely under the policy, and where V(s) fell most from one
        state to the next: N_MOMENTS of each, at least a quarter second apart so one long moment is not three."""
        n = len(self.actions)
        chosen = np.array([self.probs[t][a] for t, a in enumerate(self.actions)]) if n else np.zeros(0)
        falls = np.array([self.values[t] - self.values[t + 1] for t in range(n)]) if n else np.zeros(0)

        def pick(scores: np.ndarray) -> list[int]:
            out: list[int] = []
            for t in np.argsort(-scores, kind="stable"):
                if all(abs(int(t) - s) >= FPS // 4 for s in out):
                    out.append(int(t))
                if len(out) == N_MOMENTS:
                    break
            return sorted(out)

        disagree = [{"i": t, "you": self.actions[t], "agent": int(np.argmax(self.probs[t])),
                     "p_you": self.probs[t][self.actions[t]], "x": self.xs[t], "y": self.ys[t]} for t in pick(-chosen)]
        fell = [{"i": t, "v": self.values[t], "v_next": self.values[t + 1], "fall": round(float(falls[t]), 2),
                 "x": self.xs[t], "y": self.ys[t]} for t in pick(falls) if falls[t] > 0]
        return {"disagree": disagree, "value_fell": fell}

    def summary(self, agent_model: ActorCritic | None = None, temperature: float = 0.0) -> dict[str, Any]:
        """The flight against the agent's own episode on the same seed and conditions."""
        agent = play_episode(agent_model or self.model, self.seed, temperature, self.conditions)
        return {"seed": self.seed, "you": {"return": round(self.total, 1), "steps": len(self.actions), "landed": self.landed,
                                           "crashed": self.crashed, "x": self.xs, "y": self.ys},
                "agent": {"return": agent["return"], "steps": agent["steps"], "landed": agent["landed"],
                          "crashed": agent["crashed"], "x": agent["x"], "y": agent["y"]},
                **self.moments()}


def fly_script(model: ActorCritic, seed: int, actions: list[int], conditions: Conditions = Conditions()) -> Flight:
    """A flight flown by a fixed action list (then nothing pressed until it ends): how tests replay key sequences."""
    flight = Flight(model, seed, conditions)
    for t in range(MAX_STEPS):
        if flight.done:
            break
        flight.step(actions[t] if t < len(actions) else 0)
    return flight


__all__ = ["Flight", "KnobError", "fly_script", "validate_action"]
