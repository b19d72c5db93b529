"""Evaluate a policy: `python -m core.rl.evaluate checkpoints/rl-lander --episodes 100 --seed 0 [--temperature T]`.

Plays episodes with environment seeds seed, seed+1, ... and prints `mean return <m> +- <std> over <n> episodes`
(std is the population std of the episode returns). Reproducible: episode i depends only on its seed, the policy
and T (at T > 0 its actions are drawn from numpy's generator seeded with the same episode seed), never on how
many episodes run beside it. The episodes run in lockstep, so one batched forward serves all that are still going.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from core.checkpoints import CheckpointError, save_config
from core.limits import MAX_SEED
from core.rl.model import ActorCritic, load_actor_critic
from core.rl.policy import action_probabilities, choose_actions, validate_temperature
from core.validation import KnobError, as_int

ENV_ID = "LunarLander-v3"
MAX_EVAL_EPISODES = 10_000


@dataclass
class EvalResult:
    returns: list[float]
    lengths: list[int]
    landed: list[bool]

    @property
    def mean(self) -> float:
        return float(np.mean(self.returns))

    @property
    def std(self) -> float:
        return float(np.std(self.returns))

    def line(self) -> str:
        return f"mean return {self.mean:.1f} +- {self.std:.1f} over {len(self.returns)} episodes"


def landed(env: gym.Env, terminated: bool) -> bool:
    """The lander ended the episode on its legs without crashing: either it came to rest (the env's own end, +100)
    or the 1 000-step limit found it standing on both legs, engines still flickering (a sampling policy rarely
    holds perfectly still)."""
    lander = env.unwrapped
    if not hasattr(lander, "lander"):  # another environment (the tests train on CartPole): no landing to speak of
        return False
    if lander.game_over or abs(lander.lander.position.x - 10.0) > 10.0:  # crashed, or flew off the screen
        return False
    return bool((terminated and not lander.lander.awake) or all(leg.ground_contact for leg in lander.legs))


@torch.no_grad()
def evaluate_policy(model: ActorCritic, episodes: int, seed: int = 0, temperature: float = 0.0,
                    env_kwargs: dict[str, Any] | None = None, env_id: str = ENV_ID) -> EvalResult:
    envs = [gym.make(env_id, **(env_kwargs or {})) for _ in range(episodes)]
    obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)])
    rngs = [np.random.default_rng(seed + i) for i in range(episodes)]
    returns, lengths, done, did_land = np.zeros(episodes), np.zeros(episodes, dtype=int), np.zeros(episodes, bool), np.zeros(episodes, bool)
    while not done.all():
        alive = np.flatnonzero(~done)
        probs = action_probabilities(model.logits(torch.as_tensor(obs[alive])), temperature).numpy()
        uniforms = np.array([rngs[i].random() for i in alive]) if temperature > 0 else np.zeros(len(alive))
        actions = choose_actions(probs, uniforms)
        for i, action in zip(alive, actions):
            obs[i], reward, terminated, truncated, _ = envs[i].step(int(action))
            returns[i] += reward
            lengths[i] += 1
            if terminated or truncated:
                done[i], did_land[i] = True, landed(envs[i], terminated)
    for env in envs:
        env.close()
    return EvalResult(returns.tolist(), lengths.tolist(), did_land.tolist())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="model dir, e.g. checkpoints/rl-lander")
    p.add_argument("--episodes", default="100", help=f"episodes to play (1..{MAX_EVAL_EPISODES})")
    p.add_argument("--seed", default="0", help=f"first episode's seed (0..{MAX_SEED}); episode i uses seed+i")
    p.add_argument("--temperature", default="0", help="policy temperature: 0 = most likely action, 1 = as trained")
    p.add_argument("--write-card", action="store_true", help="record the result in the checkpoint's config.json metrics")
    args = p.parse_args(argv)
    try:
        episodes = as_int("--episodes", args.episodes, 1, MAX_EVAL_EPISODES)
        seed = as_int("--seed", args.seed, 0, MAX_SEED - episodes + 1)
        temperature = validate_temperature(args.temperature)
        torch.set_num_threads(1)
        model, config = load_actor_critic(args.checkpoint)
    except (KnobError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = evaluate_policy(model, episodes, seed, temperature, env_id=config.get("env", {}).get("id", ENV_ID))
    print(result.line())
    print(f"landed {sum(result.landed)} of {episodes}; mean length {np.mean(result.lengths):.0f} steps")
    if args.write_card:
        key = f"eval_T{temperature:g}"
        config.setdefault("metrics", {})[key] = {
            "mean_return": round(result.mean, 1), "std_return": round(result.std, 1), "episodes": episodes, "seed": seed,
            "temperature": temperature, "landed": int(sum(result.landed)),
            "command": f"python -m core.rl.evaluate {args.checkpoint} --episodes {episodes} --seed {seed} --temperature {temperature:g} --write-card"}
        save_config(args.checkpoint, config)
        from core.rl.card import write_card
        write_card(Path(args.checkpoint))
    return 0


if __name__ == "__main__":
    sys.exit(main())
