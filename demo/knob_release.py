"""A page-wide script: a knob moved from the keyboard gets the `release` event a drag's end sends.

Gradio 6's slider sends `release` when a drag ends, when its reset arrow is pressed and when its number box loses
focus, but arrow keys on the slider and typing in its number box send only `input`/`change`. Views that should follow
the end of a move, not every step of it (the text re-run, the image tab's grid and GIF), listen to `release`; this
script sends it for a knob with the RELEASE_ON_KEYS classes once no key has changed it for KEY_RELEASE_MS, or at once
on Enter in a slider's number box. A number box with only "release-on-keys" (a seed) gets Enter, its submit. It stays
out of the way during a drag (the drag sends its own release)."""
from __future__ import annotations

from demo.shared import head_script

KEY_RELEASE_MS = 300
SLIDER_CLASSES = ["knob-slider", "release-on-keys"]  # elem_classes of a slider that should release after keys
NUMBER_CLASSES = ["release-on-keys"]  # elem_classes of a number box that should submit after typing stops

HEAD = head_script("knob_release.js", KEY_RELEASE_MS=KEY_RELEASE_MS)
