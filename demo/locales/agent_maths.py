"""The Agent tab's worked PPO step strings in both languages."""
from __future__ import annotations

AGENT_MATHS: dict[str, dict[str, str]] = {
}
