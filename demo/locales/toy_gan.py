"""The GAN playground's strings in both languages."""
from __future__ import annotations

TOY_GAN: dict[str, dict[str, str]] = {
}
