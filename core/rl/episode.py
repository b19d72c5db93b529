"""One episode played for the app: the whole episode runs on the server without rendering (cheap: no pixels), and
what the browser needs to draw and animate it comes back as compact JSON: the terrain once, then per step the
lander's and legs' positions and angles, the action taken, the policy's probabilities, the critic's value and the
running return. The browser draws it on a canvas at the game's 50 frames per second, so the server never renders.

Knobs: the episode seed, the policy temperature, and conditions the agent never trained on (wind, gravity).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from core.limits import MAX_SEED, MAX_GRAVITY, MAX_TURBULENCE_POWER, MAX_WIND_POWER, MIN_GRAVITY
from core.rl.evaluate import ENV_ID, landed
from core.rl.model import ActorCritic
from core.rl.policy import action_probabilities, choose_actions, validate_temperature
from core.validation import KnobError, as_float, as_int

FPS = 50  # LunarLander's own frame rate (metadata render_fps)
DEFAULT_GRAVITY = -10.0


@dataclass(frozen=True)
class Conditions:
    """The environment's physics knobs, validated; the defaults are what the agent trained on."""
    gravity: float = DEFAULT_GRAVITY
    wind: bool = False
    wind_power: float = 15.0
    turbulence_power: float = 1.5

    def env_kwargs(self) -> dict[str, Any]:
        return {"gravity": self.gravity, "enable_wind": self.wind, "wind_power": self.wind_power,
                "turbulence_power": self.turbulence_power}


def validate_seed(value: Any) -> int:
    return as_int("Episode seed", value, 0, MAX_SEED)


def validate_conditions(gravity: Any = DEFAULT_GRAVITY, wind: Any = False, wind_power: Any = 15.0,
                        turbulence_power: Any = 1.5) -> Conditions:
    if not isinstance(wind, (bool, np.bool_)):
        raise KnobError(f"Wind must be true or false; got {wind!r}.", "errors.wind", got=repr(wind))
    return Conditions(
        gravity=as_float("Gravity", gravity, MIN_GRAVITY, MAX_GRAVITY),
        wind=bool(wind),
        wind_power=as_float("Wind strength", wind_power, 0.0, MAX_WIND_POWER),
        turbulence_power=as_float("Turbulence", turbulence_power, 0.0, MAX_TURBULENCE_POWER),
    )


def _r(values: Any, digits: int) -> list[float]:
    return [round(float(v), digits) for v in values]


@torch.no_grad()
def play_episode(model: ActorCritic, seed: int, temperature: float, conditions: Conditions = Conditions()) -> dict[str, Any]:
    """Play one episode (at most 1 000 steps) and return it as a JSON-ready dict of per-step columns.

    Deterministic for (model, seed, temperature, conditions): the same seed gives the same terrain, start and, at
    T > 0, the same action draws (numpy's generator seeded with the seed, as in core.rl.evaluate).
    """
    seed, temperature = validate_seed(seed), validate_temperature(temperature)
    env = gym.make(ENV_ID, **conditions.env_kwargs())
    obs, _ = env.reset(seed=seed)
    game = env.unwrapped
    rng = np.random.default_rng(seed)
    terrain = [_r(poly[0], 2) for poly in game.sky_polys] + [_r(game.sky_polys[-1][1], 2)]
    cols: dict[str, list] = {k: [] for k in ("x", "y", "a", "l1", "l2", "act", "p", "v", "ret", "contact")}
    total, terminated = 0.0, False
    for _ in range(1000):
        logits, value = model(torch.as_tensor(obs).unsqueeze(0))
        probs = action_probabilities(logits, temperature)[0].numpy()
        action = int(choose_actions(probs[None], np.array([rng.random() if temperature > 0 else 0.0]))[0])
        body, legs = game.lander, game.legs
        cols["x"].append(round(body.position.x, 3)), cols["y"].append(round(body.position.y, 3)), cols["a"].append(round(body.angle, 3))
        cols["l1"].append(_r((legs[0].position.x, legs[0].position.y, legs[0].angle), 3))
        cols["l2"].append(_r((legs[1].position.x, legs[1].position.y, legs[1].angle), 3))
        cols["contact"].append(int(legs[0].ground_contact) + 2 * int(legs[1].ground_contact))
        cols["act"].append(action), cols["p"].append(_r(probs, 3)), cols["v"].append(round(float(value[0]), 1))
        obs, reward, terminated, truncated, _ = env.step(action)
        total += float(reward)
        cols["ret"].append(round(total, 1))
        if terminated or truncated:
            break
    did_land = landed(env, bool(terminated))
    env.close()
    body = game.lander
    # The final pose, so the animation ends where the episode did (one frame more than there are actions).
    cols["x"].append(round(body.position.x, 3)), cols["y"].append(round(body.position.y, 3)), cols["a"].append(round(body.angle, 3))
    cols["l1"].append(_r((game.legs[0].position.x, game.legs[0].position.y, game.legs[0].angle), 3))
    cols["l2"].append(_r((game.legs[1].position.x, game.legs[1].position.y, game.legs[1].angle), 3))
    cols["contact"].append(int(game.legs[0].ground_contact) + 2 * int(game.legs[1].ground_contact))
    return {
        "seed": seed, "temperature": temperature, "conditions": conditions.env_kwargs(), "fps": FPS,
        "world": {"w": 20.0, "h": round(400 / 30, 3), "pad": [round(game.helipad_x1, 3), round(game.helipad_x2, 3), round(game.helipad_y, 3)]},
        "terrain": terrain, "steps": len(cols["act"]), "return": round(total, 1), "landed": did_land,
        "crashed": bool(game.game_over), **cols,
    }
