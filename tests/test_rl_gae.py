"""core/rl/ppo.py's advantages (GAE) and its time-limit bootstrap, against an example worked by hand.

The real train() runs one update on a scripted game whose rewards and observations do not depend on the actions,
with a real ActorCritic of hidden size 1 whose critic weights are set so that V(s) = tanh(tanh(s)) / tanh(tanh(1)),
which is exactly V(0) = 0, V(1) = 1, V(-1) = -1. The advantages are read from train()'s own variables when the
first minibatch runs (before any weight changes), and training stops there.

The rollout (one env, n_steps = 4, gamma = 0.5, lambda = 0.5, so gamma * lambda = 0.25):

    t  obs  V(obs)  reward  then
    0   0     0       1     obs 1
    1   1     1       1     cut off by the time limit in state 1: reward 1 + gamma V(1) = 1.5 (the bootstrap)
    2   0     0       2     terminated (no bootstrap: the episode really ended)
    3   0     0       1     obs 1, the rollout ends: GAE continues from V(next obs) = V(1) = 1

    delta_t = r_t + gamma V(s_t+1) (0 where the episode ended at t) - V(s_t);  A_t = delta_t + 0.25 A_t+1 (same)
    A_3 = 1 + 0.5 * 1 - 0            = 1.5
    A_2 = 2 - 0                      = 2      (terminated: no V of the next state)
    A_1 = 1.5 - 1                    = 0.5    (truncated: the bootstrap is in the reward, the next episode's V is not)
    A_0 = 1 + 0.5 * 1 - 0 + 0.25 A_1 = 1.625
    returns = A + V                  = 1.625, 1.5, 2, 1.5

Treating the time limit as a crash would give A_1 = 0 and A_0 = 1.5; bootstrapping from the next episode's first
state (V = 0) instead of the state the lander was in would give the same.
"""
from __future__ import annotations

import math
import sys

import gymnasium as gym
import numpy as np
import pytest
import torch

import core.rl.ppo as ppo
from core.rl.model import ActorCritic, ActorCriticConfig

ENV_ID = "ScriptedSteps-v0"
# Each episode: its steps as (reward, next obs, terminated, truncated); every episode starts in state 0.
EPISODES = [[(1.0, 1.0, False, False), (1.0, 1.0, False, True)],
            [(2.0, -1.0, True, False)],
            [(1.0, 1.0, False, False), (0.0, 0.0, True, False)]]
GAMMA = LAMBDA = 0.5


class ScriptedSteps(gym.Env):
    """The same episodes whatever the agent does, in the order of EPISODES."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self) -> None:
        self.episode, self.t = -1, 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.episode, self.t = self.episode + 1, 0
        return np.zeros(1, np.float32), {}

    def step(self, action):
        reward, obs, terminated, truncated = EPISODES[self.episode % len(EPISODES)][self.t]
        self.t += 1
        return np.array([obs], np.float32), reward, terminated, truncated, {}


class Captured(Exception):
    """Stops train() once the first minibatch has run: what it computed is in `rollout`."""

    def __init__(self, rollout: dict[str, torch.Tensor]):
        super().__init__("captured")
        self.rollout = rollout


def critic_with_known_values(config: ActorCriticConfig) -> ActorCritic:
    """A real ActorCritic (hidden size 1) whose critic is V(s) = tanh(tanh(s)) / tanh(tanh(1)), then a hook that hands
    train()'s rollout tensors over when the optimisation starts (the model is put in training mode there)."""
    model = ActorCritic(config)
    with torch.no_grad():
        first, second, last = (m for m in model.critic if isinstance(m, torch.nn.Linear))
        for layer, weight in ((first, 1.0), (second, 1.0), (last, 1.0 / math.tanh(math.tanh(1.0)))):
            layer.weight.fill_(weight)
            layer.bias.zero_()

    def capture(module, inputs, output) -> None:
        if module.training:
            frame = sys._getframe(1)
            while frame.f_code is not ppo.train.__code__:
                frame = frame.f_back
            names = ("rewards", "values", "dones", "advantages", "returns")
            raise Captured({name: frame.f_locals[name][:, 0].clone() for name in names})

    model.register_forward_hook(capture)
    return model


@pytest.fixture(scope="module")
def rollout() -> dict[str, torch.Tensor]:
    gym.register(ENV_ID, entry_point=ScriptedSteps)
    patch = pytest.MonkeyPatch()
    patch.setattr(ppo, "ActorCritic", critic_with_known_values)
    cfg = ppo.PPOConfig(env_id=ENV_ID, total_steps=4, n_envs=1, n_steps=4, batch_size=4, n_epochs=1, gamma=GAMMA,
                        gae_lambda=LAMBDA, hidden=1, eval_every=0)
    try:
        with pytest.raises(Captured) as captured:
            ppo.train(cfg, out=None, state_dir=None, quiet=True)  # stops before it writes anything
    finally:
        patch.undo()
        gym.registry.pop(ENV_ID, None)
    return captured.value.rollout


def test_the_critic_has_the_values_the_example_uses(rollout) -> None:
    assert rollout["values"].tolist() == pytest.approx([0.0, 1.0, 0.0, 0.0], abs=1e-6)
    assert rollout["dones"].tolist() == [0.0, 0.0, 1.0, 1.0]  # obs 2 and 3 each begin an episode


def test_a_time_limit_bootstraps_from_the_state_the_episode_was_cut_off_in(rollout) -> None:
    assert rollout["rewards"].tolist() == pytest.approx([1.0, 1.0 + GAMMA * 1.0, 2.0, 1.0], abs=1e-6)


def test_gae_matches_the_hand_computed_example(rollout) -> None:
    assert rollout["advantages"].tolist() == pytest.approx([1.625, 0.5, 2.0, 1.5], abs=1e-6)
    assert rollout["returns"].tolist() == pytest.approx([1.625, 1.5, 2.0, 1.5], abs=1e-6)
