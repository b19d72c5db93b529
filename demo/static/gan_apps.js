(() => {
// "What GANs are used for" (demo/gan_apps_tab.py): two 32x32 pads with a brush and an eraser, and the section's task
// and mask switches. Draw your own: a garment in white ink on black (numbers from 0 to 1). Repair's "Paint it
// yourself" mask: the part to hide, painted over the chosen picture (numbers 0 or 1, 1 = hidden). Each pad sends its
// 1 024 numbers to the server in a hidden text box (never a file upload), written while painting (at most every
// SEND_MS) and at the end of each stroke.
const WORDS = {{WORDS}};
const words = () => WORDS[document.documentElement.dataset.playgroundLang] || WORDS.en;
const SIZE = 32, SEND_MS = 150;
const HIDDEN_RGB = [46, 64, 110];  // a hidden pixel, as the server draws "what the search sees" (gan_apps_render.py)

function makePad({hostId, canvasId, boxId, prefix, label, mask}) {
  // mask: a binary pad over a picture (3x3 brush and eraser); else a grey ink pad (a soft dot, a 3x3 eraser).
  const pixels = new Float32Array(SIZE * SIZE);
  let canvas = null, tool = 'brush', down = false, lastSent = 0, pending = null, last = null;
  let under = null, underSrc = '';  // mask pads: the picture's grey values, and the data URI they came from

  function paint(x, y) {
    const put = (i, j, v) => {
      if (i < 0 || j < 0 || i >= SIZE || j >= SIZE) return;
      const k = j * SIZE + i;
      pixels[k] = tool === 'eraser' || mask ? v : Math.max(pixels[k], v);
    };
    if (tool === 'eraser' || mask) {
      const v = tool === 'eraser' ? 0 : 1;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) put(x + dx, y + dy, v);
      return;
    }
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
      let rgb;
      if (mask) {
        const g = under ? under[k] : 128;
        rgb = pixels[k] ? HIDDEN_RGB.map(c => Math.round(0.8 * c + 0.2 * g)) : [g, g, g];
      } else {
        const v = Math.round(pixels[k] * 255); rgb = [v, v, v];
      }
      image.data.set([...rgb, 255], 4 * k);
    }
    ctx.putImageData(image, 0, 0);
  }
  function send() {
    // Gradio reads the hidden box's value on its input event (the drawing's change event then asks for a verdict).
    const box = document.querySelector(`#${boxId} textarea, #${boxId} input`);
    if (!box) return;
    box.value = Array.from(pixels, v => mask ? String(v) : String(+v.toFixed(2))).join(',');
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
  function relabel(host) {
    const w = words();
    host.querySelectorAll('[data-word]').forEach(el => { el.textContent = w[el.dataset.word]; });
    canvas.setAttribute('aria-label', w[label]);
  }
  function build(host) {
    host.innerHTML = '';
    canvas = document.createElement('canvas');
    canvas.width = canvas.height = SIZE; canvas.id = canvasId; canvas.className = 'gan-apps-pad'; canvas.setAttribute('role', 'img');
    const tools = document.createElement('div'); tools.className = 'gan-apps-tools';
    for (const name of ['brush', 'eraser', 'clear']) {
      const b = document.createElement('button'); b.type = 'button'; b.dataset.word = name; b.id = `${prefix}-${name}`;
      b.addEventListener('click', () => {
        if (name === 'clear') { pixels.fill(0); show(); send(); return; }
        tool = name; tools.querySelectorAll('button').forEach(o => o.classList.toggle('active', o === b));
      });
      if (name === 'brush') b.classList.add('active');
      tools.appendChild(b);
    }
    canvas.addEventListener('pointerdown', e => { down = true; last = null; canvas.setPointerCapture(e.pointerId); stroke(at(e)); show(); sendSoon(); e.preventDefault(); });
    canvas.addEventListener('pointermove', e => { if (!down) return; stroke(at(e)); show(); sendSoon(); });
    const end = () => { if (!down) return; down = false; last = null; clearTimeout(pending); pending = null; send(); };
    canvas.addEventListener('pointerup', end); canvas.addEventListener('pointercancel', end);
    host.appendChild(canvas); host.appendChild(tools);
    relabel(host); show();
    new MutationObserver(() => relabel(host)).observe(document.documentElement, {attributes: true, attributeFilter: ['data-playground-lang']});
  }
  function follow(src) {
    // A mask pad's picture: the server's <img> (a 32x32 PNG) read into grey values once per new picture.
    if (!src || src === underSrc) return;
    underSrc = src;
    const img = new Image();
    img.onload = () => {
      if (underSrc !== src) return;
      const off = document.createElement('canvas'); off.width = off.height = SIZE;
      const ctx = off.getContext('2d'); ctx.drawImage(img, 0, 0, SIZE, SIZE);
      const data = ctx.getImageData(0, 0, SIZE, SIZE).data;
      under = new Uint8Array(SIZE * SIZE).map((_, k) => data[4 * k]);
      if (canvas) show();
    };
    img.src = src;
  }
  return {
    tick() {
      const host = document.getElementById(hostId);
      if (host && !host.querySelector('canvas')) build(host);
      if (mask) follow(document.querySelector('#gan-apps-brush-picture img')?.getAttribute('src'));
    },
  };
}

const pads = [
  makePad({hostId: 'gan-apps-canvas-host', canvasId: 'gan-apps-canvas', boxId: 'gan-apps-drawing', prefix: 'gan-apps', label: 'canvas_label', mask: false}),
  makePad({hostId: 'gan-apps-brush-host', canvasId: 'gan-apps-brush-canvas', boxId: 'gan-apps-brush-pixels', prefix: 'gan-apps-paint', label: 'brush_label', mask: true}),
];
function syncChoices() {
  // The section shows the knobs of the chosen task and mask only (CSS keys on data-task and data-mask).
  const root = document.getElementById('gan-apps');
  if (!root) return;
  for (const [key, id] of [['task', 'gan-apps-task'], ['mask', 'gan-apps-mask']]) {
    const checked = document.querySelector(`#${id} input:checked`);
    if (checked && root.dataset[key] !== checked.value) root.dataset[key] = checked.value;
  }
}
function tick() {
  pads.forEach(pad => pad.tick());
  syncChoices();
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);
})();
