"""Fly it yourself, the handler: `fly` (a flight's stream: the Agent tab's seed, wind and gravity, the chosen pace),
for the session that sends it (serve/flights.py). The keys go by their own route (serve/fly_keys.py), with the
steering key the stream's first message carries. What it shows is demo/fly_render.py; where it goes is
demo/fly_tab.py."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core.rl.episode import validate_conditions, validate_seed
from core.rl.io import LoadedAgent
from core.validation import KnobError
from demo import fly_render as render
from demo.errors import USER_ERRORS, localized
from demo.i18n import request_language
from serve.flights import Flights, validate_pace

def _session(request: gr.Request | None) -> tuple[str, str]:
    """The session a flight belongs to, and the client's address (for the slots per address)."""
    if request is None or not getattr(request, "session_hash", None):
        raise KnobError("Flying needs a browser session: open the page to fly.", "fly.no_session")
    client = getattr(request, "client", None)
    return str(request.session_hash), str(getattr(client, "host", "") or "")


class FlyHandlers:
    def __init__(self, agent: LoadedAgent, flights: Flights | None = None) -> None:
        self.agent, self.flights = agent, flights or Flights()

    def fly(self, seed: Any, wind: Any, wind_power: Any, gravity: Any, pace: Any,
            request: gr.Request = None) -> Iterator[str]:
        """The page's Fly: the flight's messages (start, a frame a step, end) for the player, at the chosen pace; a
        refused knob or a full house is one note in the player (the Agent tab's own notes show a bad seed too)."""
        lang = request_language(request)
        try:
            seed, conditions, pace = validate_seed(seed), validate_conditions(gravity, wind, wind_power), validate_pace(pace)
            sid, address = _session(request)
            stream = self.flights.fly(sid, self.agent.model, seed, conditions, pace, self._summary, address)
            first = next(stream)
        except USER_ERRORS as exc:
            yield render.note(localized(exc, lang))
            return
        # Each message carries the flight's world: the page may see only the newest of several that arrive at once
        world = {k: v for k, v in first.items() if k not in ("kind", "frame")}
        yield render.message({**first, "world": world})
        for msg in stream:
            yield render.message({**msg, "world": world})

    def _summary(self, flight: Any) -> dict[str, Any]:
        """Your flight against the agent's on its seed (the final policy, its most likely action each step)."""
        return flight.summary(self.agent.model, 0.0)
