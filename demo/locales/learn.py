"""The GPT learns tab's (Watch it learn, Train on your text) strings in both languages."""
from __future__ import annotations

LEARN: dict[str, dict[str, str]] = {
}
