"""The Agent tab's handlers called directly, and the same endpoints through gradio_client against the launched app."""
from __future__ import annotations

import json

import gradio as gr
import pytest

from demo.agent_handlers import AgentHandlers
from demo.agent_render import learning_curve_svg, snapshot_label
from demo.app_state import AGENT_NAME
from tests.conftest import require_checkpoint


@pytest.fixture(scope="module")
def handlers(app_state):
    require_checkpoint(AGENT_NAME)
    assert app_state.agent is not None, app_state.notes[AGENT_NAME]
    return AgentHandlers(app_state.agent)


def names(handlers) -> list[str]:
    return [e["name"] for e in handlers.agent.snapshot_entries]


def test_play_returns_the_episode(handlers):
    last = names(handlers)[-1]
    episode = json.loads(handlers.play(last, 11, 0, False, 15, -10))
    assert episode["snapshot"] == last and episode["seed"] == 11 and episode["temperature"] == 0
    assert len(episode["x"]) == episode["steps"] + 1 and isinstance(episode["landed"], bool)
    assert episode["conditions"] == {"gravity": -10.0, "enable_wind": False, "wind_power": 15.0, "turbulence_power": 1.5}
    # Strings from the API are read like the sliders' numbers.
    assert json.loads(handlers.play(last, "11", "0", False, "15", "-10"))["return"] == episode["return"]


def test_snapshots_play_differently(handlers):
    first, last = names(handlers)[0], names(handlers)[-1]
    early = json.loads(handlers.play(first, 5, 0, False, 15, -10))
    late = json.loads(handlers.play(last, 5, 0, False, 15, -10))
    assert early["terrain"] == late["terrain"]  # same seed, same moon
    assert early["act"] != late["act"]


@pytest.mark.parametrize("args,message", [
    (("nope", 0, 0, False, 15, -10), "Training progress must be one of the saved snapshots"),
    ((None, 0, 0, False, 15, -10), "Training progress must be one of the saved snapshots"),
    ((0, -1, 0, False, 15, -10), "Episode seed must be from 0"),
    ((0, 2**40, 0, False, 15, -10), "Episode seed must be from 0"),
    ((0, 0, -0.5, False, 15, -10), "Policy temperature must be from 0"),
    ((0, 0, float("nan"), False, 15, -10), "Policy temperature must be a finite number"),
    ((0, 0, 0, "maybe", 15, -10), "Wind must be true or false"),
    ((0, 0, 0, True, 99, -10), "Wind strength must be from 0 to 20"),
    ((0, 0, 0, False, 15, 3), "Gravity must be from"),
])
def test_bad_input_is_a_clear_error(handlers, args, message):
    snapshot = names(handlers)[-1] if args[0] == 0 else args[0]
    with pytest.raises(gr.Error, match=message):
        handlers.play(snapshot, *args[1:])


def test_learning_curve_marks_the_chosen_snapshot(handlers):
    entries = handlers.agent.snapshot_entries
    svg = learning_curve_svg(handlers.agent, entries[1]["name"])
    assert svg.startswith("<svg") and svg.count("<circle") == len(entries) + 1  # one dot each, one ring
    assert f"playing: {entries[1]['eval_return_mean']:.0f}" in svg and snapshot_label(entries[1]) in svg
    assert learning_curve_svg(handlers.agent, entries[-1]["name"]) != svg
    shown = handlers.curve(entries[1]["name"])  # the page gets a wide and a narrow drawing; its CSS shows one
    assert shown.count("<svg") == 2 and 'class="agent-curve-wide"' in shown and 'class="agent-curve-narrow"' in shown
    assert shown.count("<circle") == 2 * (len(entries) + 1) and 'viewBox="0 0 320 ' in shown
    with pytest.raises(gr.Error, match="Training progress must be one of"):
        handlers.curve("update_9999")


def test_gradio_client_plays_an_episode(client, handlers):
    last = names(handlers)[-1]
    result = client.predict(last, 3, 0, False, 15, -10, api_name="/play_episode")
    episode = json.loads(result)
    assert episode == json.loads(handlers.play(last, 3, 0, False, 15, -10))
    svg = client.predict(last, api_name="/learning_curve")
    assert svg.startswith("<svg")


def test_gradio_client_bad_seed_gets_the_message(client, handlers):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Episode seed must be from 0"):
        client.predict(names(handlers)[-1], -5, 0, False, 15, -10, api_name="/play_episode")


def test_missing_agent_shows_a_note(tmp_path):
    from demo.agent_tab import build_agent_tab
    from demo.app_state import load_app_state

    state = load_app_state(tmp_path)  # an empty checkpoints folder: the app still starts
    assert state.agent is None and "rl-lander: no checkpoint" in state.notes[AGENT_NAME]
    with gr.Blocks() as demo:
        build_agent_tab(state.agent, state.notes[AGENT_NAME])
    notes = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "agent-missing"]
    # The heading and the command in the page's language (a catalog key), then why, as the loader said it
    from demo.i18n import text

    assert notes and "errors.missing_agent" in notes[0].value and "rl-lander: no checkpoint" in notes[0].value
    assert all("python -m core.rl.ppo" in text("errors.missing_agent", lang) for lang in ("en", "zh-CN"))


def test_page_play_answers_a_bad_field_with_its_note_and_keeps_the_episode(handlers):
    """The page's Play: (episode, notes in FIELDS order); a refused value skips the player and notes its own field."""
    from demo.agent_handlers import FIELDS

    last = names(handlers)[-1]
    episode, *notes = handlers.page_play(last, 4294967295, 0, False, 15, -10)
    assert json.loads(episode)["seed"] == 4294967295 and all(not n.visible for n in notes)
    for args, field, words in [((last, -1, 0, False, 15, -10), "seed", "Episode seed must be from 0 to 4294967295"),
                               ((last, 4294967296, 0, False, 15, -10), "seed", "got 4294967296"),
                               ((last, 0, 9, False, 15, -10), "temperature", "Policy temperature must be from 0"),
                               ((last, 0, 0, False, 15, 3), "gravity", "Gravity must be from"),
                               (("nope", 0, 0, False, 15, -10), "snapshot", "Training progress must be one of")]:
        player, *notes = handlers.page_play(*args)
        assert player == {"__type__": "update"}  # gr.skip(): the episode shown stays
        shown = {name: n.value for name, n in zip(FIELDS, notes) if n.visible}
        assert list(shown) == [field] and words in shown[field], shown
    _, *notes = handlers.page_play(last, -1, 9, False, 15, -10)  # two bad fields: a note under each
    assert [name for name, n in zip(FIELDS, notes) if n.visible] == ["seed", "temperature"]
