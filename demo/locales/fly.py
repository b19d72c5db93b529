"""The Agent tab's Fly it yourself strings in both languages."""
from __future__ import annotations

FLY: dict[str, dict[str, str]] = {
}
