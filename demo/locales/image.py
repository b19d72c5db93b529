"""The Images tab's (the image, the verdict, Real or fake?, Watch it learn) strings in both languages."""
from __future__ import annotations

IMAGE: dict[str, dict[str, str]] = {
}
