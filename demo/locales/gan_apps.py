"""The Images tab's "What GANs are used for" section's strings (repair, sharpen, draw your own) in both languages."""
from __future__ import annotations

GAN_APPS: dict[str, dict[str, str]] = {
}
