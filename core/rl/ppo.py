"""PPO for Gymnasium's LunarLander-v3, in one file to read top to bottom (in the manner of CleanRL's ppo.py).

    python -m core.rl.ppo --out checkpoints/rl-lander           # 1 M steps, the rl-baselines3-zoo settings
    python -m core.rl.ppo --out checkpoints/rl-lander --resume  # continue from --state-dir after a stop

The loop, once per update:
  1. Rollout: n_envs copies of the game (gymnasium.vector.SyncVectorEnv) each play n_steps steps with actions
     sampled from the current policy pi(a|s) = softmax(actor(s)); keep obs, action, log pi(a|s), reward, V(s).
     An episode cut off by the 1 000-step time limit is not a failure: its last reward gets + gamma * V(final obs),
     the value of the state it was in (Stable-Baselines3 does the same), so hovering is not mistaken for crashing.
  2. Advantages by GAE: delta_t = r_t + gamma V(s_t+1) - V(s_t),  A_t = delta_t + gamma lambda A_t+1 (reset at episode
     ends); the critic's targets are A_t + V(s_t).
  3. n_epochs passes over the rollout in shuffled minibatches of batch_size, minimising
        -min(ratio A, clip(ratio, 1-eps, 1+eps) A)  +  vf_coef (V - target)^2  -  ent_coef H[pi]
     with ratio = pi_new(a|s) / pi_old(a|s), A normalised per minibatch, gradients clipped to max_grad_norm, the
     learning rate annealed linearly to 0. The value loss can be clipped like the policy (--vf-clip, CleanRL's
     default); it is off by default as in SB3, whose settings these are: LunarLander's returns are in the hundreds,
     and a value that may move only 0.2 per update learns too slowly.
  4. Every --eval-every updates: a deterministic evaluation (T = 0, the most likely action) on fixed seeds that the
     final test does not use (1 000 + i), logged with the losses to training_log.csv. At ~8 points from the first
     update to the last, a snapshot of the policy (a copy of its weights, ~40 KB) evaluated on seeds 0..99 at T = 0.
  5. Every --save-every updates and at the end: the model dir (config.json + model.safetensors + README.md card,
     snapshots.safetensors, training_log.csv) and the training state for --resume, each file written atomically.

--resume restores the weights, Adam's moments, the step count, the log and the snapshots; the environments start
fresh episodes (their seeds depend on the update), so a resumed run is a faithful continuation, not a bit-identical
replay. One thread is enough (the network is tiny; the simulator is most of the time).
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import shlex
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from core.checkpoints import atomic_write, load_tensors, load_training_state, save_model_dir, save_tensors, save_training_state
from core.rl.evaluate import evaluate_policy
from core.rl.model import ACTION_NAMES, LOG_FILE, MODEL_TYPE, SNAPSHOTS_FILE, ActorCritic, ActorCriticConfig, model_config_dict, num_parameters


@dataclass
class PPOConfig:
    env_id: str = "LunarLander-v3"
    total_steps: int = 1_000_000  # environment steps, all envs together
    n_envs: int = 16
    n_steps: int = 1024  # steps per env per rollout: one update sees n_envs * n_steps = 16 384 transitions
    batch_size: int = 64  # minibatch size
    n_epochs: int = 4
    gamma: float = 0.999
    gae_lambda: float = 0.98
    lr: float = 3e-4
    anneal_lr: bool = True
    clip_coef: float = 0.2
    vf_clip: float = 0.0  # 0 = value loss not clipped (SB3's default); CleanRL clips it with clip_coef
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    hidden: int = 64
    seed: int = 1
    eval_every: int = 1  # updates between deterministic evaluations (0 = none)
    eval_episodes: int = 20
    snapshots: int = 8
    snapshot_episodes: int = 100
    save_every: int = 2  # updates between checkpoints

    @property
    def rollout_size(self) -> int:
        return self.n_envs * self.n_steps

    @property
    def num_updates(self) -> int:
        return max(1, self.total_steps // self.rollout_size)


LOG_FIELDS = ["update", "global_step", "minutes", "steps_per_s", "lr", "train_return_mean", "train_episodes",
              "eval_return_mean", "eval_return_std", "eval_landed", "pg_loss", "v_loss", "entropy", "approx_kl",
              "clipfrac", "explained_variance"]


def snapshot_updates(num_updates: int, count: int) -> list[int]:
    """`count` update indices spread evenly from the first update (1) to the last, without repeats."""
    if count <= 1:
        return [num_updates]
    return sorted({round(1 + k * (num_updates - 1) / (count - 1)) for k in range(count)})


def policy_distribution(logits: torch.Tensor) -> torch.distributions.Categorical:
    """pi(.|s) = softmax(logits): the distribution a rollout draws actions from and the update reads log pi(a|s) from."""
    return torch.distributions.Categorical(logits=logits)


def td_error(reward: torch.Tensor, value: torch.Tensor, next_value: torch.Tensor, next_not_done: torch.Tensor,
             gamma: float) -> torch.Tensor:
    """delta_t = r_t + gamma V(s_t+1) - V(s_t), V(s_t+1) counted 0 where the episode ended at t (next_not_done = 0):
    how much better the step went than the critic expected. The worked example (core/rl/worked_step.py) calls it too."""
    return reward + gamma * next_value * next_not_done - value


def gae_advantages(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, next_value: torch.Tensor,
                   next_done: torch.Tensor, gamma: float, gae_lambda: float) -> torch.Tensor:
    """GAE over a rollout indexed [t, ...]: A_t = delta_t + gamma lambda A_t+1, from the last step back, reset where an
    episode ends (dones[t] = 1: obs t began a new episode; next_done, next_value: the state after the last step)."""
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[0])
    n_steps = len(rewards)
    for t in reversed(range(n_steps)):
        not_done = 1.0 - (next_done if t == n_steps - 1 else dones[t + 1])
        following = next_value if t == n_steps - 1 else values[t + 1]
        delta = td_error(rewards[t], values[t], following, not_done, gamma)
        advantages[t] = last = delta + gamma * gae_lambda * not_done * last
    return advantages


def policy_ratio(new_logprob: torch.Tensor, old_logprob: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(ratio, log ratio): ratio = pi_theta(a|s) / pi_theta_old(a|s), taken as exp of the log-probabilities' difference
    (the log ratio also feeds the KL estimate)."""
    log_ratio = new_logprob - old_logprob
    return log_ratio.exp(), log_ratio


def clipped_objective_terms(ratio: torch.Tensor, advantage: torch.Tensor, clip_coef: float) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's two candidate losses per sample, (-ratio A, -clip(ratio, 1-eps, 1+eps) A): the loss is the larger, so the
    objective min(ratio A, clip(ratio) A) is the smaller; where the clipped one is larger the min takes the clipped
    branch (clipped_branch_active), whose gradient is 0: the step does not push that action's probability further."""
    return -advantage * ratio, -advantage * ratio.clamp(1 - clip_coef, 1 + clip_coef)


def clipped_policy_loss(ratio: torch.Tensor, advantage: torch.Tensor, clip_coef: float) -> torch.Tensor:
    """-min(ratio A, clip(ratio, 1-eps, 1+eps) A) per sample (train() averages it over a minibatch)."""
    return torch.max(*clipped_objective_terms(ratio, advantage, clip_coef))


def clipped_branch_active(unclipped: torch.Tensor, clipped: torch.Tensor) -> torch.Tensor:
    """Where clipped_policy_loss's max takes the clipped term, from the two terms it compares (equal terms, a ratio
    inside [1-eps, 1+eps]: the unclipped branch, which then has the same value and gradient)."""
    return clipped > unclipped


def make_envs(cfg: PPOConfig) -> gym.vector.SyncVectorEnv:
    # SAME_STEP: an env that finishes is reset inside step() and its last observation comes back in info["final_obs"]
    # (the bootstrap in step 1 needs it); the next obs is already the new episode's first.
    return gym.vector.SyncVectorEnv([lambda: gym.make(cfg.env_id) for _ in range(cfg.n_envs)],
                                    autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)


def train(cfg: PPOConfig, out: Path, state_dir: Path, resume: bool = False, command: str = "", quiet: bool = False) -> ActorCritic:
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    envs = make_envs(cfg)
    obs_dim, n_actions = envs.single_observation_space.shape[0], int(envs.single_action_space.n)
    model = ActorCritic(ActorCriticConfig(obs_dim, n_actions, cfg.hidden))
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, eps=1e-5)

    update, global_step, elapsed = 0, 0, 0.0
    log_rows: list[dict] = []
    snapshots: list[dict] = []
    snapshot_tensors: dict[str, torch.Tensor] = {}
    if resume:
        info, rng = load_training_state(state_dir, model, optimizer)
        update, global_step, elapsed = info["update"], info["global_step"], info["elapsed_s"]
        log_rows, snapshots = info["log"], info["snapshots"]
        if snapshots:
            snapshot_tensors = load_tensors(state_dir / SNAPSHOTS_FILE)
        if "torch" in rng:
            torch.set_rng_state(rng["torch"])
    shuffle_rng = np.random.default_rng([cfg.seed, update])
    planned_snapshots = snapshot_updates(cfg.num_updates, cfg.snapshots)

    # Rollout storage: index [t, env].
    obs_buf = torch.zeros(cfg.n_steps, cfg.n_envs, obs_dim)
    actions = torch.zeros(cfg.n_steps, cfg.n_envs, dtype=torch.long)
    logprobs = torch.zeros(cfg.n_steps, cfg.n_envs)
    rewards = torch.zeros(cfg.n_steps, cfg.n_envs)
    dones = torch.zeros(cfg.n_steps, cfg.n_envs)  # dones[t] = 1: obs[t] is the first of a new episode
    values = torch.zeros(cfg.n_steps, cfg.n_envs)

    next_obs = torch.as_tensor(envs.reset(seed=cfg.seed * 100_003 + update * cfg.n_envs)[0])
    next_done = torch.zeros(cfg.n_envs)
    episode_return = np.zeros(cfg.n_envs)
    recent_returns: deque[float] = deque(maxlen=100)
    finished_episodes = 0
    bar = tqdm(total=cfg.num_updates * cfg.rollout_size, initial=global_step, desc="ppo", unit="step",
               dynamic_ncols=True, disable=quiet)

    while update < cfg.num_updates:
        started = time.time()
        update += 1
        lr = cfg.lr * (1 - (update - 1) / cfg.num_updates) if cfg.anneal_lr else cfg.lr
        for group in optimizer.param_groups:
            group["lr"] = lr

        # 1. Rollout
        model.eval()
        for t in range(cfg.n_steps):
            obs_buf[t], dones[t] = next_obs, next_done
            with torch.no_grad():
                logits, value = model(next_obs)
                dist = policy_distribution(logits)
                action = dist.sample()
            actions[t], logprobs[t], values[t] = action, dist.log_prob(action), value
            obs, reward, terminated, truncated, info = envs.step(action.numpy())
            episode_return += reward
            reward = reward.astype(np.float32)
            if truncated.any():  # time limit: bootstrap from the state the lander was in
                final = np.flatnonzero(truncated & ~terminated)
                if len(final):
                    final_obs = torch.as_tensor(np.stack([info["final_obs"][i] for i in final]))
                    with torch.no_grad():
                        reward[final] += cfg.gamma * model.value(final_obs).numpy()
            rewards[t] = torch.as_tensor(reward)
            done = terminated | truncated
            for i in np.flatnonzero(done):
                recent_returns.append(float(episode_return[i]))
                episode_return[i] = 0.0
                finished_episodes += 1
            next_obs, next_done = torch.as_tensor(obs), torch.as_tensor(done, dtype=torch.float32)

        # 2. Generalised advantage estimation
        with torch.no_grad():
            next_value = model.value(next_obs)
        advantages = gae_advantages(rewards, values, dones, next_value, next_done, cfg.gamma, cfg.gae_lambda)
        returns = advantages + values

        # 3. Clipped-objective optimisation over shuffled minibatches
        b_obs, b_actions, b_logprobs = obs_buf.reshape(-1, obs_dim), actions.reshape(-1), logprobs.reshape(-1)
        b_adv, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), values.reshape(-1)
        model.train()
        clipfracs, kls = [], []
        for _ in range(cfg.n_epochs):
            order = torch.as_tensor(shuffle_rng.permutation(cfg.rollout_size))
            for start in range(0, cfg.rollout_size, cfg.batch_size):
                mb = order[start:start + cfg.batch_size]
                logits, new_value = model(b_obs[mb])
                dist = policy_distribution(logits)
                ratio, log_ratio = policy_ratio(dist.log_prob(b_actions[mb]), b_logprobs[mb])
                with torch.no_grad():
                    kls.append(((ratio - 1) - log_ratio).mean().item())  # low-variance KL estimate
                    clipfracs.append(((ratio - 1).abs() > cfg.clip_coef).float().mean().item())
                adv = b_adv[mb]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                pg_loss = clipped_policy_loss(ratio, adv, cfg.clip_coef).mean()
                if cfg.vf_clip > 0:
                    clipped = b_values[mb] + (new_value - b_values[mb]).clamp(-cfg.vf_clip, cfg.vf_clip)
                    v_loss = 0.5 * torch.max((new_value - b_returns[mb]) ** 2, (clipped - b_returns[mb]) ** 2).mean()
                else:
                    v_loss = 0.5 * ((new_value - b_returns[mb]) ** 2).mean()
                entropy = dist.entropy().mean()
                loss = pg_loss - cfg.ent_coef * entropy + cfg.vf_coef * v_loss
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
                optimizer.step()
        global_step += cfg.rollout_size
        elapsed += time.time() - started
        explained = float(1 - (b_returns - b_values).var() / (b_returns.var() + 1e-8))

        # 4. Evaluation, log, snapshots
        model.eval()
        row = {"update": update, "global_step": global_step, "minutes": round(elapsed / 60, 2),
               "steps_per_s": round(cfg.rollout_size / (time.time() - started)), "lr": f"{lr:.3g}",
               "train_return_mean": round(float(np.mean(recent_returns)), 1) if recent_returns else "",
               "train_episodes": finished_episodes, "eval_return_mean": "", "eval_return_std": "", "eval_landed": "",
               "pg_loss": round(pg_loss.item(), 4), "v_loss": round(v_loss.item(), 2), "entropy": round(entropy.item(), 4),
               "approx_kl": round(float(np.mean(kls)), 5), "clipfrac": round(float(np.mean(clipfracs)), 4),
               "explained_variance": round(explained, 3)}
        if cfg.eval_every and (update % cfg.eval_every == 0 or update == cfg.num_updates):
            result = evaluate_policy(model, cfg.eval_episodes, seed=1000, temperature=0.0, env_id=cfg.env_id)
            row.update(eval_return_mean=round(result.mean, 1), eval_return_std=round(result.std, 1), eval_landed=sum(result.landed))
        log_rows.append(row)
        if update in planned_snapshots:
            result = evaluate_policy(model, cfg.snapshot_episodes, seed=0, temperature=0.0, env_id=cfg.env_id)
            name = f"update_{update:04d}"
            snapshots = [s for s in snapshots if s["name"] != name] + [{
                "name": name, "update": update, "steps": global_step, "eval_return_mean": round(result.mean, 1),
                "eval_return_std": round(result.std, 1), "eval_landed": int(sum(result.landed)),
                "eval_episodes": cfg.snapshot_episodes, "eval_seeds": f"0..{cfg.snapshot_episodes - 1}", "temperature": 0}]
            snapshot_tensors.update({f"{name}.{k}": v.detach().clone() for k, v in model.state_dict().items()})
        bar.update(cfg.rollout_size)
        bar.set_postfix(train=row["train_return_mean"], eval=row["eval_return_mean"], kl=row["approx_kl"])
        if not quiet:
            tqdm.write(json.dumps(row))

        # 5. Checkpoints
        if update % cfg.save_every == 0 or update == cfg.num_updates:
            info = {"update": update, "global_step": global_step, "elapsed_s": elapsed, "log": log_rows, "snapshots": snapshots,
                    "config": dataclasses.asdict(cfg)}
            if snapshot_tensors:
                atomic_write(state_dir / SNAPSHOTS_FILE, lambda tmp: save_tensors(snapshot_tensors, tmp))
            save_training_state(state_dir, model, optimizer, info, {"torch": torch.get_rng_state()})
            export(model, out, cfg, log_rows, snapshots, snapshot_tensors, global_step, elapsed, command)
    bar.close()
    envs.close()
    return model


def write_log(path: Path, rows: list[dict]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=LOG_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    atomic_write(path, write)


def export(model: ActorCritic, out: Path, cfg: PPOConfig, log_rows: list[dict], snapshots: list[dict],
           snapshot_tensors: dict[str, torch.Tensor], global_step: int, elapsed: float, command: str) -> None:
    """The model dir the app loads: the current policy, its snapshots and the learning curve, and a card."""
    from core.rl.card import write_card

    previous_metrics = {}
    config_path = out / "config.json"
    if config_path.is_file():  # keep the evaluate command's measurements only if they are of these weights
        old = json.loads(config_path.read_text("utf-8"))
        if old.get("training", {}).get("steps") == global_step:
            previous_metrics = old.get("metrics", {})
    snaps = sorted(snapshots, key=lambda s: s["update"])
    if snapshot_tensors:
        atomic_write(out / SNAPSHOTS_FILE, lambda tmp: save_tensors(snapshot_tensors, tmp))
    write_log(out / LOG_FILE, log_rows)
    config = {
        "model_type": MODEL_TYPE,
        "model": model_config_dict(model),
        "env": {"id": cfg.env_id},
        "action_names": ACTION_NAMES,
        "metrics": previous_metrics,
        "training": {"steps": global_step, "planned_steps": cfg.num_updates * cfg.rollout_size, "updates": len(log_rows),
                     "train_minutes": round(elapsed / 60, 1), "parameters": num_parameters(model),
                     "ppo": dataclasses.asdict(cfg)},
        "snapshots": snaps,
        "train_command": command,
    }
    save_model_dir(out, config, model.state_dict())
    write_card(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/rl-lander", help="model dir (config.json, model.safetensors, card, snapshots, log)")
    p.add_argument("--state-dir", default="runs/rl-lander", help="training state for --resume")
    p.add_argument("--resume", action="store_true", help="continue from --state-dir (same settings)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for this tiny network)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or per-update lines")
    for field in dataclasses.fields(PPOConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool", bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            kind = {"int": int, "float": float, "str": str}[field.type if isinstance(field.type, str) else field.type.__name__]
            p.add_argument(flag, type=kind, default=field.default, help=f"default {field.default}")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> ActorCritic:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = PPOConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(PPOConfig)})
    if args.resume:  # the run's own settings win over the command line's defaults, except how long to run
        saved = json.loads((Path(args.state_dir) / "train_state.json").read_text("utf-8"))["info"]["config"] \
            if (Path(args.state_dir) / "train_state.json").is_file() else {}
        cfg = dataclasses.replace(cfg, **{k: v for k, v in saved.items() if k not in ("total_steps", "save_every", "eval_every")})
    command = "python -m core.rl.ppo " + shlex.join(a for a in (sys.argv[1:] if argv is None else argv) if a != "--resume")
    print(f"PPO on {cfg.env_id}: {cfg.num_updates} updates of {cfg.rollout_size} steps, {args.threads} thread(s)", flush=True)
    return train(cfg, Path(args.out), Path(args.state_dir), args.resume, command, args.quiet)


if __name__ == "__main__":
    main()
