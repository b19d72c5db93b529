"""The Start here tour's strings in both languages."""
from __future__ import annotations

TOUR: dict[str, dict[str, str]] = {
}
