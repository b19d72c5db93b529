"""Page-wide CSS: readable contrast (WCAG AA, 4.5:1 for text), a visible focus ring, and phone layout rules shared
by every tab. Each tab's own CSS lives in its module; build.py joins them."""
from __future__ import annotations

CSS = ""
