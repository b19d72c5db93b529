"""The model card (README.md) of an RL checkpoint, written from its config.json so the card never disagrees with it."""
from __future__ import annotations

from pathlib import Path

from core.checkpoints import atomic_write_text, load_config


def write_card(directory: Path) -> str:
    config = load_config(directory)
    training, metrics, ppo = config.get("training", {}), config.get("metrics", {}), config.get("training", {}).get("ppo", {})
    lines = [
        "---", "library_name: pytorch", "tags: [reinforcement-learning, ppo, LunarLander-v3, gymnasium]", "---", "",
        f"# PPO actor-critic for Gymnasium {config.get('env', {}).get('id', 'LunarLander-v3')}", "",
        "Two tanh MLPs (actor: 4 action logits; critic: the value V(s)), "
        f"{config['model']['hidden']} units x 2 layers each, {training.get('parameters', '?'):,} parameters, trained from scratch "
        "with `core/rl/ppo.py` (CleanRL-style PPO, rl-baselines3-zoo's LunarLander settings).", "",
        "## Evaluation", "",
        "Episodes with environment seeds 0, 1, 2, ...; T = 0 plays the most likely action, T = 1 samples as trained. "
        "A mean return of 200 counts as solved.", "",
        "| temperature | mean return +- std | episodes | landed | command |", "|---|---|---|---|---|",
    ]
    evals = [v for k, v in sorted(metrics.items()) if k.startswith("eval_T")]
    for m in evals:
        lines.append(f"| {m['temperature']:g} | {m['mean_return']} +- {m['std_return']} | {m['episodes']} | {m['landed']} | `{m['command']}` |")
    if not evals:
        lines.append("| - | not measured yet | | | run `python -m core.rl.evaluate DIR --write-card` |")
    lines += ["", "## Training", "",
              f"{training.get('steps', 0):,} environment steps ({training.get('updates', 0)} updates) in "
              f"{training.get('train_minutes', '?')} minutes on one CPU thread.", "",
              f"Command: `{config.get('train_command', '')}`", "",
              "Settings: " + ", ".join(f"{k}={v}" for k, v in ppo.items()), "",
              "## Snapshots (snapshots.safetensors)", "",
              "The policy at points through training, each evaluated at T = 0 on the seeds listed.", "",
              "| snapshot | steps | mean return +- std | landed | seeds |", "|---|---|---|---|---|"]
    for s in config.get("snapshots", []):
        lines.append(f"| {s['name']} | {s['steps']:,} | {s['eval_return_mean']} +- {s['eval_return_std']} | {s['eval_landed']}/{s['eval_episodes']} | {s['eval_seeds']} |")
    lines += ["", "The learning curve (deterministic evaluation on seeds 1000..1019 after every update) is in training_log.csv.",
              "Landed: the episode ended with the lander at rest, or standing on both legs at the 1 000-step limit, "
              "without crashing.", ""]
    if config.get("notes"):
        lines += ["## Notes", "", *[f"- {note}" for note in config["notes"]], ""]
    text = "\n".join(lines)
    atomic_write_text(Path(directory) / "README.md", text)
    return text


if __name__ == "__main__":
    import sys
    print(write_card(Path(sys.argv[1])))
