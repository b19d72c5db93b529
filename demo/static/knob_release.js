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
    waiting.set(input, setTimeout(() => release(input), {{KEY_RELEASE_MS}}));
  }, true);
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || !(target instanceof HTMLInputElement) || !target.closest(".release-on-keys")) return;
    if (target.closest(".knob-slider")) release(target);  // a slider's number box has no submit of its own
    else clearTimeout(waiting.get(target));  // a number box submits Enter itself
  }, true);
})();
