"""core/rl/ppo.py for real: a short seeded PPO run on CartPole-v1 learns, its snapshots are in order, --resume
continues the run, and the model dir it writes loads."""
from __future__ import annotations

import csv
import json

import pytest
import torch

from core.rl.io import load_agent
from core.rl.ppo import main as ppo_main
from core.rl.ppo import snapshot_updates

CARTPOLE = ["--env-id", "CartPole-v1", "--n-envs", "4", "--n-steps", "128", "--batch-size", "64", "--n-epochs", "4",
            "--gamma", "0.99", "--gae-lambda", "0.95", "--lr", "0.001", "--quiet"]


@pytest.fixture(scope="module")
def cartpole_run(tmp_path_factory):
    """16 384 steps (32 updates, ~5 s of CPU): the untrained-ish first snapshot against the last."""
    root = tmp_path_factory.mktemp("cartpole")
    torch.set_num_threads(1)
    ppo_main(CARTPOLE + ["--out", str(root / "model"), "--state-dir", str(root / "state"), "--total-steps", "16384",
                        "--eval-every", "8", "--eval-episodes", "5", "--snapshots", "3", "--snapshot-episodes", "10",
                        "--save-every", "8", "--seed", "3"])
    return root


def test_short_run_improves_return(cartpole_run):
    config = json.loads((cartpole_run / "model" / "config.json").read_text())
    first, last = config["snapshots"][0], config["snapshots"][-1]
    assert first["update"] == 1 and last["update"] == 32
    # CartPole pays 1 a step up to 500; after one update the policy keeps the pole up for well under 150 steps.
    assert first["eval_return_mean"] < 150
    assert last["eval_return_mean"] >= 2 * first["eval_return_mean"] and last["eval_return_mean"] >= 150, (first, last)


def test_snapshots_load_in_training_order(cartpole_run):
    agent = load_agent(cartpole_run / "model")
    entries = agent.snapshot_entries
    assert [e["update"] for e in entries] == [1, 16, 32]
    assert [e["steps"] for e in entries] == sorted(e["steps"] for e in entries)
    assert list(agent.snapshots) == [e["name"] for e in entries]
    final, last = agent.model.state_dict(), agent.snapshots[entries[-1]["name"]].state_dict()
    assert all(torch.equal(final[k], last[k]) for k in final)  # the last snapshot is the shipped policy
    first = agent.snapshots[entries[0]["name"]].state_dict()
    assert not all(torch.equal(final[k], first[k]) for k in final)


def test_training_log_has_the_learning_curve(cartpole_run):
    rows = list(csv.DictReader(open(cartpole_run / "model" / "training_log.csv")))
    assert [int(r["update"]) for r in rows] == list(range(1, 33))
    evaluated = [r for r in rows if r["eval_return_mean"]]
    assert [int(r["update"]) for r in evaluated] == [8, 16, 24, 32]
    card = (cartpole_run / "model" / "README.md").read_text()
    assert "16,384 environment steps" in card and "python -m core.rl.ppo" in card


def test_resume_continues_the_run(tmp_path):
    args = CARTPOLE + ["--out", str(tmp_path / "model"), "--state-dir", str(tmp_path / "state"), "--eval-every", "0",
                       "--snapshots", "2", "--snapshot-episodes", "2", "--save-every", "1"]
    ppo_main(args + ["--total-steps", "1024"])
    ppo_main(args + ["--total-steps", "2048", "--resume"])
    rows = list(csv.DictReader(open(tmp_path / "model" / "training_log.csv")))
    assert [int(r["global_step"]) for r in rows] == [512, 1024, 1536, 2048]
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["training"]["steps"] == 2048
    assert "--resume" not in config["train_command"]


def test_snapshot_schedule_spans_the_run():
    assert snapshot_updates(61, 8) == [1, 10, 18, 27, 35, 44, 52, 61]
    assert snapshot_updates(3, 8) == [1, 2, 3]
    assert snapshot_updates(10, 1) == [10]
