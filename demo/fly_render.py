"""Fly it yourself, what the page shows (no Gradio): the player's words in each language, and each message of a
flight's stream as the compact JSON demo/static/fly.js reads (the terrain once, then a frame a step, then the end)."""
from __future__ import annotations

import json
from typing import Any

from core.rl.model import ACTION_NAMES
from demo.locales import LANGUAGES, tr

# The player's words, by the name fly.js reads them under
PLAYER_KEYS = {name: f"fly.{name}" for name in (
    "ready", "canvas", "agent_would", "value", "value_tip", "return", "step", "left", "main", "right", "landed",
    "crashed", "ended", "versus", "disagree", "disagree_line", "fell", "fell_line", "score", "score_line", "lost")}


def player_labels() -> dict[str, dict[str, Any]]:
    """The player's words in each language (the script picks the page's), with the action names the Agent tab uses."""
    return {lang: {**{name: tr(key, lang) for name, key in PLAYER_KEYS.items()},
                   "actions": [tr(f"agent.action_{i}", lang) for i in range(len(ACTION_NAMES))]}
            for lang in LANGUAGES}


def message(msg: dict[str, Any]) -> str:
    """One stream message for the player, as small as JSON gets (a frame is ~250 bytes)."""
    return json.dumps(msg, separators=(",", ":"))


def note(text: str) -> str:
    """A refusal shown in the player's status line (the flight shown before stays drawn)."""
    return message({"kind": "note", "text": text})
