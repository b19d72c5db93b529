"""A page-wide script: a knob moved from the keyboard gets the `release` event a drag's end sends.

Gradio 6's slider sends `release` when a drag ends, when its reset arrow is pressed and when its number box loses
focus, but arrow keys on the slider and typing in its number box send only `input`/`change`. Views that should follow
the end of a move, not every step of it (the text re-run, the image tab's grid and GIF), listen to `release`; this
script sends it for a knob with the RELEASE_ON_KEYS classes once no key has changed it for KEY_RELEASE_MS, or at once
on Enter in a slider's number box. A number box with only "release-on-keys" (a seed) gets Enter, its submit. It stays
out of the way during a drag (the drag sends its own release)."""
from __future__ import annotations

KEY_RELEASE_MS = 300
SLIDER_CLASSES = ["knob-slider", "release-on-keys"]  # elem_classes of a slider that should release after keys
NUMBER_CLASSES = ["release-on-keys"]  # elem_classes of a number box that should submit after typing stops

HEAD = """<script>
(() => {
  const waiting = new WeakMap();
  let pointerDown = false;
  const release = (input) => {
    clearTimeout(waiting.get(input));
    if (input.closest(".knob-slider")) input.dispatchEvent(new PointerEvent("pointerup", {bubbles: true}));
    else input.dispatchEvent(new KeyboardEvent("keypress", {key: "Enter", bubbles: true}));
  };
  document.addEventListener("pointerdown", () => { pointerDown = true; }, true);
  document.addEventListener("pointerup", () => { pointerDown = false; }, true);
  document.addEventListener("pointercancel", () => { pointerDown = false; }, true);
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (pointerDown || !(input instanceof HTMLInputElement) || !input.closest(".release-on-keys")) return;
    clearTimeout(waiting.get(input));
    waiting.set(input, setTimeout(() => release(input), %d));
  }, true);
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || !(target instanceof HTMLInputElement) || !target.closest(".release-on-keys")) return;
    if (target.closest(".knob-slider")) release(target);  // a slider's number box has no submit of its own
    else clearTimeout(waiting.get(target));  // a number box submits Enter itself
  }, true);
})();
</script>""" % KEY_RELEASE_MS
