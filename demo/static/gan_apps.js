(() => {
// "What GANs are used for" (demo/gan_apps_tab.py): the 32x32 drawing canvas with a brush and an eraser, and the
// section's task switch. The drawing goes to the server as 1 024 numbers from 0 to 1 in a hidden text box (never a
// file upload), written while drawing (at most every SEND_MS) and at the end of each stroke.
const WORDS = {{WORDS}};
const words = () => WORDS[document.documentElement.dataset.playgroundLang] || WORDS.en;
const SIZE = 32, SEND_MS = 150;
const pixels = new Float32Array(SIZE * SIZE);
let canvas = null, tool = 'brush', drawing = false, lastSent = 0, pending = null, last = null;

function paint(x, y) {
  // The brush lays a soft dot (full at its centre, less on its four neighbours); the eraser clears a 3x3 square.
  const put = (i, j, v) => {
    if (i < 0 || j < 0 || i >= SIZE || j >= SIZE) return;
    const k = j * SIZE + i;
    pixels[k] = tool === 'eraser' ? 0 : Math.max(pixels[k], v);
  };
  if (tool === 'eraser') { for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) put(x + dx, y + dy, 0); return; }
  put(x, y, 1); put(x + 1, y, 0.6); put(x - 1, y, 0.6); put(x, y + 1, 0.6); put(x, y - 1, 0.6);
}
function stroke(to) {
  // Every pixel on the line from the last point to this one, so a quick stroke leaves no gaps.
  const from = last || to, steps = Math.max(Math.abs(to[0] - from[0]), Math.abs(to[1] - from[1]), 1);
  for (let s = 1; s <= steps; s++) paint(Math.round(from[0] + (to[0] - from[0]) * s / steps), Math.round(from[1] + (to[1] - from[1]) * s / steps));
  if (!last) paint(...to);
  last = to;
}
function show() {
  const ctx = canvas.getContext('2d'), image = ctx.createImageData(SIZE, SIZE);
  for (let k = 0; k < pixels.length; k++) {
    const v = Math.round(pixels[k] * 255);
    image.data[4 * k] = image.data[4 * k + 1] = image.data[4 * k + 2] = v; image.data[4 * k + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
function send() {
  // Gradio reads the hidden box's value on its input event; the drawing's change event then asks for the verdict.
  const box = document.querySelector('#gan-apps-drawing textarea, #gan-apps-drawing input');
  if (!box) return;
  box.value = Array.from(pixels, v => +v.toFixed(2)).join(',');
  box.dispatchEvent(new Event('input', {bubbles: true}));
  lastSent = performance.now();
}
function sendSoon() {
  const wait = SEND_MS - (performance.now() - lastSent);
  if (wait <= 0) { send(); return; }
  if (!pending) pending = setTimeout(() => { pending = null; send(); }, wait);
}
function at(event) {
  const r = canvas.getBoundingClientRect();
  return [Math.floor((event.clientX - r.left) / r.width * SIZE), Math.floor((event.clientY - r.top) / r.height * SIZE)];
}
function label(host) {
  const w = words();
  host.querySelectorAll('[data-word]').forEach(el => { el.textContent = w[el.dataset.word]; });
  canvas.setAttribute('aria-label', w.canvas_label);
}
function build(host) {
  host.innerHTML = '';
  canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE; canvas.id = 'gan-apps-canvas'; canvas.setAttribute('role', 'img');
  const tools = document.createElement('div'); tools.className = 'gan-apps-tools';
  for (const name of ['brush', 'eraser', 'clear']) {
    const b = document.createElement('button'); b.type = 'button'; b.dataset.word = name; b.id = `gan-apps-${name}`;
    b.addEventListener('click', () => {
      if (name === 'clear') { pixels.fill(0); show(); send(); return; }
      tool = name; tools.querySelectorAll('button').forEach(o => o.classList.toggle('active', o === b));
    });
    if (name === 'brush') b.classList.add('active');
    tools.appendChild(b);
  }
  canvas.addEventListener('pointerdown', e => { drawing = true; last = null; canvas.setPointerCapture(e.pointerId); stroke(at(e)); show(); sendSoon(); e.preventDefault(); });
  canvas.addEventListener('pointermove', e => { if (!drawing) return; stroke(at(e)); show(); sendSoon(); });
  const end = () => { if (!drawing) return; drawing = false; last = null; clearTimeout(pending); pending = null; send(); };
  canvas.addEventListener('pointerup', end); canvas.addEventListener('pointercancel', end);
  host.appendChild(canvas); host.appendChild(tools);
  label(host); show();
  new MutationObserver(() => label(host)).observe(document.documentElement, {attributes: true, attributeFilter: ['data-playground-lang']});
}
function syncTask() {
  // The section shows the knobs of the chosen task only (CSS keys on data-task).
  const root = document.getElementById('gan-apps'), checked = document.querySelector('#gan-apps-task input:checked');
  if (root && checked && root.dataset.task !== checked.value) root.dataset.task = checked.value;
}
function tick() {
  const host = document.getElementById('gan-apps-canvas-host');
  if (host && !host.querySelector('canvas')) build(host);
  syncTask();
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);
})();
