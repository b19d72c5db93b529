"""One real step of an episode worked through PPO with its own numbers, by the functions core/rl/ppo.py's train()
calls (td_error, gae_advantages, policy_distribution, policy_ratio, clipped_objective_terms, clipped_policy_loss,
clipped_branch_active), so that the worked example cannot drift from the code that trained the agent.

The episode is the one the Agent tab plays: core/rl/episode.py play_episode chooses the actions, and `replay` runs
them again in the same game (the same seed and conditions give the same terrain, wind and outcome) to keep what the
player does not send: each observation and reward. The rollout is laid out as train() stores one env's: rewards,
the critic's values V(s_t), dones (0: one episode) and the state after the last step.

Roles, as in training: the snapshot that played the episode collected the step, so its critic gives V and GAE's
advantages, and it is pi_theta_old, the ratio's denominator; pi_theta is the next snapshot, what training made of it
some updates later. The last snapshot has no later one: there theta_old is the snapshot before it and theta the one
that played (`ratio_pair`).

Two things training does that a single episode cannot: its rollouts are cut every n_steps (GAE then continues from
V of the state it was cut in), and it standardises the advantages over each minibatch of batch_size before the
clipped objective; the worked step uses the whole episode and the advantage as GAE gives it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
import torch

from core.rl.episode import Conditions
from core.rl.evaluate import ENV_ID
from core.rl.model import ActorCritic
from core.rl.ppo import (clipped_branch_active, clipped_objective_terms, clipped_policy_loss, gae_advantages,
                         policy_distribution, policy_ratio, td_error)
from core.validation import as_int

TERMS_SHOWN = 3  # GAE's sum written out to this many terms


@dataclass(frozen=True)
class Rollout:
    """One played episode laid out as train() stores one env's rollout, with GAE's advantages."""

    obs: torch.Tensor  # [T + 1, obs_dim]: s_0 .. s_T (s_T: the state after the last step)
    actions: torch.Tensor  # [T] long
    rewards: torch.Tensor  # [T] float32, as train() stores them
    values: torch.Tensor  # [T]: V(s_t) by the critic of the snapshot that played
    dones: torch.Tensor  # [T]: all 0 (obs t never begins a new episode inside one episode)
    next_value: torch.Tensor  # V(s_T)
    next_done: torch.Tensor  # 1 if the episode ended (landed, crashed, flew off), 0 if the time limit cut it
    advantages: torch.Tensor  # [T]: ppo.gae_advantages
    gamma: float
    gae_lambda: float

    @property
    def steps(self) -> int:
        return len(self.actions)

    @property
    def terminated(self) -> bool:
        return bool(self.next_done)

    def following(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(V(s_t+1), 1 - done) for every t, as gae_advantages pairs them."""
        following = torch.cat([self.values[1:], self.next_value.reshape(1)])
        not_done = torch.cat([1.0 - self.dones[1:], (1.0 - self.next_done).reshape(1)])
        return following, not_done

    def deltas(self) -> torch.Tensor:
        """delta_t for every t, by ppo.td_error."""
        following, not_done = self.following()
        return td_error(self.rewards, self.values, following, not_done, self.gamma)


def replay(actions: Sequence[int], seed: int, conditions: Conditions) -> tuple[np.ndarray, np.ndarray, bool]:
    """The game of `seed` under `conditions` with these actions: (observations s_0..s_T, rewards, terminated)."""
    env = gym.make(ENV_ID, **conditions.env_kwargs())
    obs, _ = env.reset(seed=seed)
    observations, rewards, terminated = [obs], [], False
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(int(action))
        observations.append(obs)
        rewards.append(reward)
        if terminated or truncated:
            break
    env.close()
    return np.stack(observations).astype(np.float32), np.asarray(rewards, dtype=np.float32), bool(terminated)


@torch.no_grad()
def rollout(model: ActorCritic, actions: Sequence[int], seed: int, conditions: Conditions, gamma: float,
            gae_lambda: float) -> Rollout:
    """The episode as a rollout with `model`'s values and ppo.gae_advantages. An episode the time limit cut continues
    from V of the state it was in (next_done 0), as train()'s bootstrap does."""
    observations, rewards, terminated = replay(actions, seed, conditions)
    obs = torch.as_tensor(observations)
    steps = len(rewards)
    values = model.value(obs)
    dones = torch.zeros(steps)
    next_value, next_done = values[steps], torch.tensor(float(terminated))
    rewards_t = torch.as_tensor(rewards)
    advantages = gae_advantages(rewards_t, values[:steps], dones, next_value, next_done, gamma, gae_lambda)
    return Rollout(obs, torch.as_tensor(np.asarray(actions[:steps], dtype=np.int64)), rewards_t, values[:steps], dones,
                   next_value, next_done, advantages, float(gamma), float(gae_lambda))


def ratio_pair(names: Sequence[str], playing: str) -> tuple[str, str]:
    """(theta_old, theta) for the snapshot that played: it and the next one; the last: the one before it and it."""
    i = list(names).index(playing)
    if i + 1 < len(names):
        return playing, names[i + 1]
    return (names[i - 1] if i > 0 else playing), playing


@dataclass(frozen=True)
class WorkedStep:
    """Every number of one step's PPO arithmetic, as Python floats for the page (and as JSON for the API)."""

    t: int
    steps: int
    action: int
    reward: float
    value: float  # V(s_t)
    next_value: float  # V(s_t+1) as the TD error uses it (0 after the episode's last step if it ended)
    not_done: float  # 1 - done: 0 only for the last step of an episode that ended
    time_limit: bool  # the last step of an episode the time limit cut
    gamma: float
    gae_lambda: float
    delta: float
    advantage: float
    next_advantage: float  # A_t+1 (0 after the last step)
    sum_terms: list[float]  # (gamma lambda)^l delta_t+l, l = 0 .. TERMS_SHOWN - 1 (fewer near the end)
    sum_count: int  # how many terms the whole sum has: T - t
    played_by: str  # the snapshot that played the episode
    old_name: str  # theta_old and theta (ratio_pair)
    new_name: str
    old_probs: list[float]  # pi_theta_old(. | s_t)
    new_probs: list[float]
    old_logprob: float
    new_logprob: float
    ratio: float
    clip_coef: float
    clipped_ratio: float
    unclipped_objective: float  # ratio * A
    clipped_objective: float  # clip(ratio, 1 - eps, 1 + eps) * A
    objective: float  # min of the two: -ppo.clipped_policy_loss
    clipped_active: bool  # the min takes the clipped branch (ppo.clipped_branch_active)
    case: str  # why: see `branch_case`


def validate_step(value: Any, steps: int) -> int:
    return as_int("Step", value, 0, max(steps - 1, 0))


def branch_case(ratio: float, advantage: float, clip_coef: float, clipped_active: bool) -> str:
    """Why the min takes the branch it takes, in one word the page explains:
    inside (ratio within 1 +- eps: both terms equal), zero (A = 0: both 0), clipped_up (A > 0 and the ratio already
    above 1 + eps: no reward for pushing further), clipped_down (A < 0, ratio under 1 - eps), unclipped_up (A < 0 but the
    ratio above 1 + eps: the min keeps the full penalty), unclipped_down (A > 0, ratio under 1 - eps)."""
    if clipped_active:
        return "clipped_up" if advantage > 0 else "clipped_down"
    if advantage == 0:
        return "zero"
    if 1 - clip_coef <= ratio <= 1 + clip_coef:
        return "inside"
    return "unclipped_up" if ratio > 1 else "unclipped_down"


@torch.no_grad()
def work_step(run: Rollout, t: int, snapshots: dict[str, ActorCritic], played_by: str, clip_coef: float) -> WorkedStep:
    """Step t of `run` (played by the snapshot `played_by`) worked through: TD error, GAE, the ratio between two
    consecutive snapshots (`snapshots`: name -> policy, in training order; ratio_pair) and the clipped objective."""
    t = validate_step(t, run.steps)
    old_name, new_name = ratio_pair(list(snapshots), played_by)
    old, new = snapshots[old_name], snapshots[new_name]
    following, not_done = run.following()
    deltas = run.deltas()
    gl = run.gamma * run.gae_lambda
    terms = [gl ** l * float(deltas[t + l]) for l in range(min(TERMS_SHOWN, run.steps - t))]
    s, a = run.obs[t:t + 1], run.actions[t:t + 1]
    old_dist, new_dist = policy_distribution(old.logits(s)), policy_distribution(new.logits(s))
    old_logprob, new_logprob = old_dist.log_prob(a), new_dist.log_prob(a)
    ratio, _ = policy_ratio(new_logprob, old_logprob)
    advantage = run.advantages[t:t + 1]
    unclipped_loss, clipped_loss = clipped_objective_terms(ratio, advantage, clip_coef)
    active = bool(clipped_branch_active(unclipped_loss, clipped_loss)[0])
    r, adv = float(ratio[0]), float(advantage[0])
    last = t == run.steps - 1
    return WorkedStep(
        t=t, steps=run.steps, action=int(a[0]), reward=float(run.rewards[t]), value=float(run.values[t]),
        next_value=float(following[t]) if not_done[t] else 0.0, not_done=float(not_done[t]),
        time_limit=last and not run.terminated, gamma=run.gamma, gae_lambda=run.gae_lambda, delta=float(deltas[t]),
        advantage=adv, next_advantage=0.0 if last else float(run.advantages[t + 1]), sum_terms=terms,
        sum_count=run.steps - t, played_by=played_by, old_name=old_name, new_name=new_name,
        old_probs=old_dist.probs[0].tolist(), new_probs=new_dist.probs[0].tolist(), old_logprob=float(old_logprob[0]),
        new_logprob=float(new_logprob[0]), ratio=r, clip_coef=float(clip_coef),
        clipped_ratio=float(ratio.clamp(1 - clip_coef, 1 + clip_coef)[0]),
        unclipped_objective=-float(unclipped_loss[0]), clipped_objective=-float(clipped_loss[0]),
        objective=-float(clipped_policy_loss(ratio, advantage, clip_coef)[0]), clipped_active=active,
        case=branch_case(r, adv, clip_coef, active))


def largest_advantage_step(run: Rollout) -> int:
    """The step whose advantage is largest in size: where the critic was most wrong, so PPO's push is strongest."""
    return int(run.advantages.abs().argmax())
