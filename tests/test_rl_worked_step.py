"""The Agent tab's worked PPO step (core/rl/worked_step.py, demo/agent_maths_*): its numbers are those of
core/rl/ppo.py's training code for the same transition, train() itself is unchanged by the functions it now exposes,
the replayed episode is the one the player shows, and bad input gets a note, never a traceback."""
from __future__ import annotations

import json

import gradio as gr
import pytest
import torch

import core.rl.ppo as ppo
from core.rl.episode import Conditions, play_episode
from core.rl.worked_step import largest_advantage_step, rollout, work_step
from demo import agent_maths_render as render
from demo.agent_maths_handlers import AgentMathsHandlers
from demo.agent_render import episode_json
from demo.app_state import AGENT_NAME
from demo.locales import LANGUAGES
from tests.conftest import require_checkpoint


# --- train() is bit for bit what it was: the old inline code, swapped in for the functions it now calls ---------

def old_gae(rewards, values, dones, next_value, next_done, gamma, gae_lambda):
    """train()'s GAE loop as it was written inline before the worked step needed it."""
    n_steps, n_envs = rewards.shape
    advantages = torch.zeros_like(rewards)
    last = torch.zeros(n_envs)
    for t in reversed(range(n_steps)):
        not_done = 1.0 - (next_done if t == n_steps - 1 else dones[t + 1])
        following = next_value if t == n_steps - 1 else values[t + 1]
        delta = rewards[t] + gamma * following * not_done - values[t]
        advantages[t] = last = delta + gamma * gae_lambda * not_done * last
    return advantages


def old_ratio(new_logprob, old_logprob):
    log_ratio = new_logprob - old_logprob
    ratio = log_ratio.exp()
    return ratio, log_ratio


def old_loss(ratio, adv, clip_coef):
    return torch.max(-adv * ratio, -adv * ratio.clamp(1 - clip_coef, 1 + clip_coef))


def tiny_run(tmp_path, name: str) -> dict[str, torch.Tensor]:
    """Two short updates of real PPO on LunarLander (writes its model dir under tmp_path)."""
    torch.set_num_threads(1)
    cfg = ppo.PPOConfig(total_steps=512, n_envs=2, n_steps=128, batch_size=64, n_epochs=2, eval_every=0, snapshots=1,
                        snapshot_episodes=1, save_every=100)
    model = ppo.train(cfg, tmp_path / name / "out", tmp_path / name / "state", quiet=True)
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_training_is_bit_identical_to_the_inline_code_it_replaced(tmp_path, monkeypatch) -> None:
    now = tiny_run(tmp_path, "now")
    calls = {"gae": 0, "ratio": 0, "loss": 0}

    def counted(name, fn):
        def call(*args):
            calls[name] += 1
            return fn(*args)
        return call

    monkeypatch.setattr(ppo, "gae_advantages", counted("gae", old_gae))
    monkeypatch.setattr(ppo, "policy_ratio", counted("ratio", old_ratio))
    monkeypatch.setattr(ppo, "clipped_policy_loss", counted("loss", old_loss))
    before = tiny_run(tmp_path, "before")
    assert calls["gae"] == 2 and calls["ratio"] == calls["loss"] == 2 * 2 * 4  # train() calls each: 2 updates x 2 epochs x 4 minibatches
    assert now.keys() == before.keys()
    changed = [k for k in now if not torch.equal(now[k], before[k])]
    assert not changed, f"train() no longer gives the same weights: {changed}"


# --- the worked numbers are the training code's --------------------------------------------------------------

@pytest.fixture(scope="module")
def agent(app_state):
    require_checkpoint(AGENT_NAME)
    assert app_state.agent is not None, app_state.notes[AGENT_NAME]
    return app_state.agent


@pytest.fixture(scope="module")
def handlers(agent) -> AgentMathsHandlers:
    return AgentMathsHandlers(agent)


EPISODES = [(-1, 3, 0.0, Conditions()), (1, 11, 1.0, Conditions(wind=True, wind_power=12.0)),
            (0, 5, 0.0, Conditions(gravity=-6.0))]  # (snapshot index, seed, temperature, conditions)


def test_settings_are_the_checkpoints(agent, handlers) -> None:
    trained = agent.config["training"]["ppo"]
    assert (handlers.ppo["gamma"], handlers.ppo["gae_lambda"], handlers.ppo["clip_coef"]) == \
        (trained["gamma"], trained["gae_lambda"], trained["clip_coef"])


@pytest.mark.parametrize("index,seed,temperature,conditions", EPISODES)
def test_the_rollout_is_the_episode_the_player_shows(agent, handlers, index, seed, temperature, conditions) -> None:
    name = agent.snapshot_entries[index]["name"]
    episode = play_episode(agent.snapshots[name], seed, temperature, conditions)
    run = handlers.rollout(name, seed, temperature, conditions)
    assert run.actions.tolist() == episode["act"]
    assert max(abs(a - b) for a, b in zip(run.values.tolist(), episode["v"])) <= 0.05 + 1e-6  # the player rounds V to 0.1
    assert float(run.rewards.sum()) == pytest.approx(episode["return"], abs=0.06)
    assert run.terminated == (episode["landed"] or episode["crashed"] or run.steps < 1000)


@pytest.mark.parametrize("index,seed,temperature,conditions", EPISODES)
def test_worked_numbers_equal_the_training_codes(agent, handlers, index, seed, temperature, conditions) -> None:
    """Each number of the worked step, against ppo.py's functions called as train() calls them (the rollout laid out
    [t, env] with one env; log pi from model(obs) as the update does), plus the arithmetic checked by hand."""
    name = agent.snapshot_entries[index]["name"]
    run = handlers.rollout(name, seed, temperature, conditions)
    gamma, lam, clip = handlers.ppo["gamma"], handlers.ppo["gae_lambda"], handlers.ppo["clip_coef"]
    column = lambda x: x.reshape(-1, 1)  # noqa: E731  (train()'s storage: [t, env])
    trained = ppo.gae_advantages(column(run.rewards), column(run.values), column(run.dones), run.next_value.reshape(1),
                                 run.next_done.reshape(1), gamma, lam)[:, 0]
    assert torch.equal(trained, run.advantages)
    branches = set()
    for t in sorted({0, run.steps // 2, largest_advantage_step(run), run.steps - 1}):
        w = work_step(run, t, agent.snapshots, name, clip)
        last = t == run.steps - 1
        not_done = 1.0 - float(run.next_done) if last else 1.0
        following = run.next_value if last else run.values[t + 1]
        assert w.delta == float(ppo.td_error(run.rewards[t], run.values[t], following, torch.tensor(not_done), gamma))
        assert w.advantage == float(trained[t])
        assert w.advantage == pytest.approx(w.delta + gamma * lam * w.next_advantage, rel=1e-5, abs=1e-4)
        assert w.delta == pytest.approx(w.reward + gamma * w.next_value - w.value, rel=1e-5, abs=1e-4)
        old, new = agent.snapshots[w.old_name], agent.snapshots[w.new_name]
        obs, action = run.obs[t:t + 1], run.actions[t:t + 1]
        logits_old, logits_new = old(obs)[0], new(obs)[0]
        ratio, _ = ppo.policy_ratio(ppo.policy_distribution(logits_new).log_prob(action),
                                    ppo.policy_distribution(logits_old).log_prob(action))
        assert w.ratio == float(ratio[0])
        assert w.ratio == pytest.approx(w.new_probs[w.action] / w.old_probs[w.action], rel=1e-4)
        adv = trained[t:t + 1]
        assert w.objective == -float(ppo.clipped_policy_loss(ratio, adv, clip)[0])
        assert w.objective == pytest.approx(min(w.ratio * w.advantage, min(max(w.ratio, 1 - clip), 1 + clip) * w.advantage),
                                            rel=1e-5, abs=1e-5)
        textbook = (w.advantage > 0 and w.ratio > 1 + clip) or (w.advantage < 0 and w.ratio < 1 - clip)
        assert w.clipped_active == textbook, (t, w.ratio, w.advantage)
        branches.add(w.case)
    assert branches  # every step got a reason


def test_both_branches_occur(agent, handlers) -> None:
    """The branch test above can fail both ways: the shipped agent's episodes have clipped and unclipped steps."""
    name = agent.snapshot_entries[-1]["name"]
    run = handlers.rollout(name, 3, 0.0, Conditions())
    cases = {work_step(run, t, agent.snapshots, name, handlers.ppo["clip_coef"]).clipped_active
             for t in range(0, run.steps, 10)}
    assert cases == {True, False}


# --- the page: the episode from the player, every step and language renders, bad input is a note -----------

def player_value(agent, index: int = -1, seed: int = 3) -> str:
    name = agent.snapshot_entries[index]["name"]
    return episode_json(play_episode(agent.snapshots[name], seed, 0.0, Conditions()), name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_new_episode_works_its_largest_advantage_step(agent, handlers, lang) -> None:
    slider, timeline, worked = handlers.episode_view(player_value(agent), None)
    run = handlers.rollout(agent.snapshot_entries[-1]["name"], 3, 0.0, Conditions())
    assert slider.value == largest_advantage_step(run) and slider.maximum == run.steps - 1
    assert "<svg" in timeline and "\\delta_t" in worked and "\\rho_t" in worked
    for t in (0, run.steps - 1):
        md = render.worked_markdown(work_step(run, t, agent.snapshots, agent.snapshot_entries[-1]["name"], 0.2),
                                    "x", handlers.updates, handlers.ppo, lang)
        assert "{" + "t}" not in md and "$$" in md  # every placeholder filled
        assert md.count("$$") % 2 == 0


def test_a_click_on_the_timeline_works_the_step_under_it_and_moves_the_slider(agent, handlers) -> None:
    player = player_value(agent)
    slider, timeline, worked, note = handlers.page_pick(player, gr.SelectData(None, {"index": 12, "value": 12}))
    assert slider == 12 and "t = 12" in timeline and worked == handlers.step_view(player, 12)[1] and not note.visible
    run = handlers.rollout(agent.snapshot_entries[-1]["name"], 3, 0.0, Conditions())
    n = len(run.advantages)  # the page turns a click's x into a step from the drawing's own extent
    assert f'data-n="{n}"' in timeline and timeline.count('class="agent-maths-pick"') == 2
    refused = handlers.page_pick(player, gr.SelectData(None, {"index": 5000, "value": 5000}))
    assert all(isinstance(x, type(gr.skip())) for x in refused[:3]) and refused[3].visible  # the view stays


def test_every_branch_has_its_reason_in_both_languages() -> None:
    from demo.locales import CATALOG
    for case in ("inside", "zero", "clipped_up", "clipped_down", "unclipped_up", "unclipped_down"):
        assert set(LANGUAGES) <= CATALOG[f"agent_maths.case_{case}"].keys()


def test_bad_input_is_a_note_and_the_view_stays(agent, handlers) -> None:
    page = handlers.page_step(player_value(agent), 5000)
    assert all(isinstance(x, type(gr.skip())) for x in page[:2])
    assert page[2].visible and "Step" in page[2].value
    page = handlers.page_episode("{not json", None)
    assert all(isinstance(x, type(gr.skip())) for x in page[:3]) and page[3].visible
    waiting = handlers.page_episode(None, None)
    assert "Play" in waiting[2] and not waiting[3].visible
    with pytest.raises(gr.Error):
        handlers.worked("update_9999", 3, 0.0, False, 15.0, -10.0, 0)
    with pytest.raises(gr.Error):
        handlers.worked(agent.snapshot_entries[-1]["name"], 3, 0.0, False, 15.0, -10.0, -1)


def test_the_api_answers_json(agent, handlers) -> None:
    name = agent.snapshot_entries[-1]["name"]
    numbers = json.loads(handlers.worked(name, 3, 0.0, False, 15.0, -10.0, 7))
    assert numbers["t"] == 7 and numbers["gamma"] == handlers.ppo["gamma"] and numbers["played_by"] == name
