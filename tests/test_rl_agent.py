"""The shipped agent: its snapshots load in training order, evaluation is reproducible from the seed, the
temperature knob (T = 0 is the argmax), the episode the app animates, and the evaluate command's output and errors."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from core.rl.episode import Conditions, play_episode, validate_conditions
from core.rl.evaluate import evaluate_policy
from core.rl.io import load_agent
from core.rl.policy import action_probabilities, choose_actions, validate_temperature
from core.validation import KnobError
from demo.app_state import AGENT_NAME
from tests.conftest import CHECKPOINTS, ROOT, require_checkpoint


@pytest.fixture(scope="module")
def agent():
    require_checkpoint(AGENT_NAME)
    torch.set_num_threads(1)
    return load_agent(CHECKPOINTS / AGENT_NAME)


def test_snapshots_load_in_training_order(agent):
    entries = agent.snapshot_entries
    assert 6 <= len(entries) <= 10 and entries[0]["update"] == 1
    steps = [e["steps"] for e in entries]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert entries[-1]["steps"] == agent.config["training"]["steps"]
    final = agent.model.state_dict()
    assert all(torch.equal(final[k], agent.snapshots[entries[-1]["name"]].state_dict()[k]) for k in final)
    # The first snapshot had barely learned; the last one is the shipped, measured policy.
    assert entries[0]["eval_return_mean"] < 0 < 200 <= entries[-1]["eval_return_mean"]
    assert agent.curve and agent.curve[-1]["steps"] == entries[-1]["steps"]


def test_card_metric_is_the_evaluate_commands(agent):
    metric = agent.config["metrics"]["eval_T0"]
    assert metric["episodes"] == 100 and metric["seed"] == 0 and metric["mean_return"] >= 200
    assert metric["mean_return"] == agent.snapshot_entries[-1]["eval_return_mean"]  # same seeds, same policy, T = 0
    card = (CHECKPOINTS / AGENT_NAME / "README.md").read_text()
    assert f"{metric['mean_return']} +- {metric['std_return']}" in card and metric["command"] in card


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_episodes_are_reproducible_from_the_seed(agent, temperature):
    first = evaluate_policy(agent.model, 3, seed=40, temperature=temperature)
    again = evaluate_policy(agent.model, 3, seed=40, temperature=temperature)
    assert first.returns == again.returns and first.lengths == again.lengths
    # Episode i depends only on its own seed, not on the episodes played beside it.
    alone = evaluate_policy(agent.model, 1, seed=42, temperature=temperature)
    assert alone.returns[0] == first.returns[2]
    other = evaluate_policy(agent.model, 3, seed=43, temperature=temperature)
    assert other.returns != first.returns


def test_temperature_zero_is_the_argmax():
    logits = torch.tensor([[0.3, 2.0, -1.0, 1.9], [5.0, 5.0, 0.0, 0.0]])
    probs = action_probabilities(logits, 0.0)
    assert probs.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]]  # ties go to the first, like torch.argmax
    uniforms = np.random.default_rng(0).random((50, 2))
    for u in uniforms:
        assert choose_actions(probs.numpy(), u).tolist() == [1, 0]
    assert torch.allclose(action_probabilities(logits, 1.0), torch.softmax(logits, -1))
    hot = action_probabilities(logits, 5.0)
    assert (hot.max(-1).values < torch.softmax(logits, -1).max(-1).values).all()  # higher T: flatter


def test_sampling_follows_the_probabilities():
    probs = np.tile(np.array([[0.1, 0.2, 0.3, 0.4]]), (20_000, 1))
    actions = choose_actions(probs, np.random.default_rng(1).random(20_000))
    assert np.allclose(np.bincount(actions, minlength=4) / 20_000, [0.1, 0.2, 0.3, 0.4], atol=0.015)


def test_app_episode_at_t0_plays_the_argmax(agent):
    episode = play_episode(agent.model, seed=7, temperature=0.0)
    n = episode["steps"]
    assert 1 <= n <= 1000 and len(episode["x"]) == n + 1 and len(episode["p"]) == len(episode["act"]) == len(episode["ret"]) == n
    assert all(p[a] == 1.0 for p, a in zip(episode["p"], episode["act"]))
    assert episode["return"] == episode["ret"][-1]
    assert episode == play_episode(agent.model, seed=7, temperature=0.0)
    # The same policy, seed and T as the evaluator: the same return.
    assert episode["return"] == pytest.approx(evaluate_policy(agent.model, 1, seed=7).returns[0], abs=0.06)
    json.dumps(episode)  # what the browser gets


def test_app_episode_sampled_and_in_new_conditions(agent):
    sampled = play_episode(agent.model, seed=7, temperature=1.0)
    assert sampled == play_episode(agent.model, seed=7, temperature=1.0)
    assert any(0 < max(p) < 1 for p in sampled["p"])
    windy = play_episode(agent.model, seed=7, temperature=0.0, conditions=validate_conditions(-10, True, 20.0))
    light = play_episode(agent.model, seed=7, temperature=0.0, conditions=Conditions(gravity=-2.0))
    plain = play_episode(agent.model, seed=7, temperature=0.0)
    assert windy["x"] != plain["x"] and light["y"] != plain["y"]
    assert windy["conditions"]["enable_wind"] is True


@pytest.mark.parametrize("bad,message", [
    (lambda: validate_temperature(-0.1), "Policy temperature must be from 0"),
    (lambda: validate_temperature("hot"), "Policy temperature must be a number"),
    (lambda: validate_conditions(gravity=-12), "Gravity must be from"),
    (lambda: validate_conditions(gravity=0), "Gravity must be from"),
    (lambda: validate_conditions(wind="yes"), "Wind must be true or false"),
    (lambda: validate_conditions(wind_power=25), "Wind strength must be from 0 to 20"),
])
def test_bad_knobs_get_a_clear_message(bad, message):
    with pytest.raises(KnobError, match=message):
        bad()


def test_bad_seed_in_episode(agent):
    with pytest.raises(KnobError, match="Episode seed must be from 0 to"):
        play_episode(agent.model, seed=-1, temperature=0)
    with pytest.raises(KnobError, match="Episode seed must be a whole number"):
        play_episode(agent.model, seed=1.5, temperature=0)


def run_evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.rl.evaluate", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})


def test_evaluate_command_prints_the_line(agent):
    done = run_evaluate(str(CHECKPOINTS / AGENT_NAME), "--episodes", "3", "--seed", "40", "--temperature", "1")
    assert done.returncode == 0, done.stderr
    expected = evaluate_policy(agent.model, 3, seed=40, temperature=1.0)
    assert done.stdout.splitlines()[0] == f"mean return {expected.mean:.1f} +- {expected.std:.1f} over 3 episodes"


@pytest.mark.parametrize("args,message", [
    (["--episodes", "0"], "--episodes must be from 1"),
    (["--seed", "-3"], "--seed must be from 0"),
    (["--temperature", "-1"], "Policy temperature must be from 0"),
])
def test_evaluate_command_refuses_bad_input(agent, args, message):
    done = run_evaluate(str(CHECKPOINTS / AGENT_NAME), *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_evaluate_command_missing_checkpoint(tmp_path):
    done = run_evaluate(str(tmp_path / "nothing"))
    assert done.returncode == 2 and "config.json is missing" in done.stderr and "Traceback" not in done.stderr
