"""The Agent tab's strings in both languages."""
from __future__ import annotations

AGENT: dict[str, dict[str, str]] = {
}
