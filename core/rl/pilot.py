"""A scripted baseline pilot: Gymnasium's own LunarLander `heuristic`, a hand-written PD controller (aim the angle at
the pad, hover lower as it gets closer, fire the engines that correct the worst error). It is the "human-like"
reference that needs no humans: the shipped agent's mean return against it on the same seeds.

    python -m core.rl.pilot --seeds 100 --json

plays seeds first .. first+N-1 with both pilots (the agent at T = 0, as core.rl.evaluate does) and prints each one's
mean return, how many landed, and the agent's wins on the seeds they share.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.envs.box2d.lunar_lander import heuristic

from core.checkpoints import CheckpointError
from core.limits import MAX_SEED
from core.rl.episode import Conditions
from core.rl.evaluate import ENV_ID, EvalResult, evaluate_policy, landed
from core.rl.model import load_actor_critic
from core.validation import KnobError, as_int

MAX_PILOT_SEEDS = 10_000


def pilot_action(env: gym.Env, obs: np.ndarray) -> int:
    """The scripted pilot's action for one observation (Gymnasium's heuristic, deterministic; it reads the env only
    to know whether the actions are discrete)."""
    return int(heuristic(env, obs))


def fly_pilot(seed: int, conditions: Conditions = Conditions()) -> tuple[float, int, bool]:
    """One episode flown by the scripted pilot: (return, steps, landed)."""
    env = gym.make(ENV_ID, **conditions.env_kwargs())
    obs, _ = env.reset(seed=seed)
    total, steps, terminated = 0.0, 0, False
    for steps in range(1, 1001):
        obs, reward, terminated, truncated, _ = env.step(pilot_action(env, obs))
        total += float(reward)
        if terminated or truncated:
            break
    did_land = landed(env, bool(terminated))
    env.close()
    return total, steps, did_land


def evaluate_pilot(episodes: int, seed: int = 0, conditions: Conditions = Conditions()) -> EvalResult:
    runs = [fly_pilot(seed + i, conditions) for i in range(episodes)]
    return EvalResult([r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs])


def compare(checkpoint: str, episodes: int, seed: int = 0) -> dict[str, Any]:
    """The agent (T = 0) and the scripted pilot on seeds seed .. seed+episodes-1, as a JSON-ready dict."""
    model, _ = load_actor_critic(checkpoint)
    agent = evaluate_policy(model, episodes, seed, 0.0)
    pilot = evaluate_pilot(episodes, seed)

    def summary(r: EvalResult) -> dict[str, Any]:
        return {"mean_return": round(r.mean, 1), "std_return": round(r.std, 1), "landed": int(sum(r.landed)),
                "mean_steps": round(float(np.mean(r.lengths)), 1)}

    wins = int(sum(a > p for a, p in zip(agent.returns, pilot.returns)))
    return {"checkpoint": checkpoint, "episodes": episodes, "first_seed": seed, "agent": summary(agent),
            "pilot": summary(pilot), "agent_better_on": wins,
            "command": f"python -m core.rl.pilot --checkpoint {checkpoint} --seeds {episodes} --seed {seed} --json"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="checkpoints/rl-lander", help="the agent's model dir")
    p.add_argument("--seeds", default="100", help=f"episodes (1..{MAX_PILOT_SEEDS}); episode i uses seed+i")
    p.add_argument("--seed", default="0", help=f"first seed (0..{MAX_SEED})")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    try:
        episodes = as_int("--seeds", args.seeds, 1, MAX_PILOT_SEEDS)
        seed = as_int("--seed", args.seed, 0, MAX_SEED - episodes + 1)
        torch.set_num_threads(1)
        result = compare(args.checkpoint, episodes, seed)
    except (KnobError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        for who in ("agent", "pilot"):
            r = result[who]
            print(f"{who}: mean return {r['mean_return']} +- {r['std_return']}, landed {r['landed']} of {episodes}")
        print(f"the agent scored more on {result['agent_better_on']} of {episodes} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
