"""The refusals' (core's KnobError messages and the handlers') strings in both languages."""
from __future__ import annotations

ERRORS: dict[str, dict[str, str]] = {
}
