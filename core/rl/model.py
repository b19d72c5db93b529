"""The actor-critic: two small tanh MLPs over the 8 numbers LunarLander reports (no shared trunk, as in CleanRL and
Stable-Baselines3's default MlpPolicy for PPO), one giving 4 action logits (the policy is softmax over them), one
giving the critic's value V(s), the discounted return it expects from this state on.

Saved as a model dir (config.json + model.safetensors + README.md card) by core/checkpoints.py; the training
snapshots live beside it in one extra safetensors file (each a full copy of these weights, ~40 KB).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from core.checkpoints import CheckpointError, build_from_dir, load_tensors, load_state_into

MODEL_TYPE = "ppo-actor-critic"
SNAPSHOTS_FILE = "snapshots.safetensors"
LOG_FILE = "training_log.csv"
ACTION_NAMES = ["do nothing", "fire left engine", "fire main engine", "fire right engine"]


@dataclass
class ActorCriticConfig:
    obs_dim: int = 8
    n_actions: int = 4
    hidden: int = 64


def layer(n_in: int, n_out: int, std: float = float(np.sqrt(2))) -> nn.Linear:
    """Orthogonal weights, zero bias: the PPO implementation detail that makes small MLPs train reliably."""
    linear = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(linear.weight, std)
    nn.init.zeros_(linear.bias)
    return linear


class ActorCritic(nn.Module):
    def __init__(self, config: ActorCriticConfig) -> None:
        super().__init__()
        if min(config.obs_dim, config.n_actions, config.hidden) < 1:
            raise ValueError(f"obs_dim, n_actions and hidden must be >= 1; got {config}")
        self.config = config
        h = config.hidden
        self.critic = nn.Sequential(layer(config.obs_dim, h), nn.Tanh(), layer(h, h), nn.Tanh(), layer(h, 1, std=1.0))
        # A tiny last layer: the first policy is close to uniform, so early updates explore every action.
        self.actor = nn.Sequential(layer(config.obs_dim, h), nn.Tanh(), layer(h, h), nn.Tanh(), layer(h, config.n_actions, std=0.01))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self.actor(obs)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.logits(obs), self.value(obs)


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def config_from_dict(config: dict[str, Any]) -> ActorCriticConfig:
    return ActorCriticConfig(**config["model"])


def model_config_dict(model: ActorCritic) -> dict[str, Any]:
    return asdict(model.config)


def load_actor_critic(directory: str | Path) -> tuple[ActorCritic, dict[str, Any]]:
    """The final policy and its config.json (metrics, snapshots list, training settings)."""
    model, config = build_from_dir(directory, MODEL_TYPE, lambda c: ActorCritic(config_from_dict(c)))
    return model, config  # type: ignore[return-value]


def load_snapshots(directory: str | Path, config: dict[str, Any]) -> list[tuple[dict[str, Any], ActorCritic]]:
    """Every snapshot listed in config.json's "snapshots", in training order, each as (its entry, its model)."""
    path = Path(directory) / SNAPSHOTS_FILE
    entries = config.get("snapshots") or []
    if not entries:
        return []
    if not path.is_file():
        raise CheckpointError(f"{path} is missing but config.json lists {len(entries)} snapshots; re-download the checkpoint or re-run training.")
    tensors = load_tensors(path)
    out = []
    for entry in entries:
        prefix = entry["name"] + "."
        model = ActorCritic(config_from_dict(config))
        load_state_into(model, {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, path)
        out.append((entry, model.eval()))
    return out
