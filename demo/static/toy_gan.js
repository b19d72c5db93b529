(() => {
// The words drawn, in both languages (demo/toy_gan_render.py canvas_words); the page's language picks one.
const WORDS = {{WORDS}};
const words = () => WORDS[document.documentElement.dataset.playgroundLang] || WORDS.en;
const say = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => String(values[k]));
let plane = null, curves = null, info = null, last = null, lastWidth = 0, outputHeight = -1;
function fit(c) {
  const dpr = window.devicePixelRatio || 1, w = c.clientWidth, h = c.clientHeight;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
  const ctx = c.getContext('2d'); ctx.setTransform(dpr, 0, 0, dpr, 0, 0); return [ctx, w, h];
}
function drawPlane(v) {
  const [ctx, w, h] = fit(plane); const R = v.range, n = v.surface.length;
  const sx = x => (x + R) / (2 * R) * w, sy = y => h - (y + R) / (2 * R) * h;
  const cw = w / (n - 1), ch = h / (n - 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const p = v.surface[i][j];  // D(x) at x = (axis[j], axis[i])
    const r = Math.round(232 - 70 * p + 45 * (1 - p) - 45), g = Math.round(200 + 30 * p - 40 * (1 - p)), b = Math.round(215 - 60 * p + 20 * (1 - p));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(sx(-R + 2 * R * j / (n - 1)) - cw / 2, sy(-R + 2 * R * i / (n - 1)) - ch / 2, cw + 1, ch + 1);
  }
  if (v.manifold) {  // G's manifold: G(z) over a lattice of the noise plane, joined along its rows and columns
    const m = v.manifold, k = m.length; ctx.strokeStyle = 'rgba(123, 44, 191, 0.35)'; ctx.lineWidth = 1;
    for (let i = 0; i < k; i++) for (const line of [m[i], m.map(row => row[i])]) {
      ctx.beginPath(); line.forEach((p, j) => j ? ctx.lineTo(sx(p[0]), sy(p[1])) : ctx.moveTo(sx(p[0]), sy(p[1]))); ctx.stroke();
    }
  }
  const dot = (p, color) => { ctx.fillStyle = color; ctx.beginPath(); ctx.arc(sx(p[0]), sy(p[1]), 2.6, 0, 2 * Math.PI); ctx.fill(); };
  v.real.forEach(p => dot(p, '#1a7f37'));
  v.fake.forEach(p => dot(p, '#7b2cbf'));
  ctx.strokeStyle = '#3c096c'; ctx.lineWidth = 1.2;
  v.arrows.forEach((a, k) => {
    const p = v.fake[k]; if (!p) return; const x0 = sx(p[0]), y0 = sy(p[1]), x1 = sx(p[0] + 0.6 * a[0]), y1 = sy(p[1] + 0.6 * a[1]);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    const t = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - 5 * Math.cos(t - 0.4), y1 - 5 * Math.sin(t - 0.4));
    ctx.lineTo(x1 - 5 * Math.cos(t + 0.4), y1 - 5 * Math.sin(t + 0.4)); ctx.closePath(); ctx.fillStyle = '#3c096c'; ctx.fill();
  });
}
function drawCurves(v) {
  const [ctx, w, h] = fit(curves); const c = v.curves, pad = 6; ctx.clearRect(0, 0, w, h);
  const steps = c.step, last = Math.max(1, steps[steps.length - 1]);
  const x = s => pad + (w - 2 * pad) * s / last;
  const line = (ys, top, color) => {
    ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.beginPath(); let on = false;
    ys.forEach((y, k) => { if (y === null) return; const py = h - pad - (h - pad - 18) * Math.min(y, top) / top;  // the top 18 px hold the labels
      if (on) ctx.lineTo(x(steps[k]), py); else { ctx.moveTo(x(steps[k]), py); on = true; } });
    ctx.stroke();
  };
  const lossTop = Math.max(1.5, ...c.loss_d.filter(y => y !== null), ...c.loss_g.filter(y => y !== null));
  line(c.loss_d, lossTop, '#1f77b4'); line(c.loss_g, lossTop, '#ff7f0e');
  line(c.divergence, Math.max(1e-6, ...c.divergence), '#111');
  const W = words();
  ctx.fillStyle = '#555'; ctx.font = '11px sans-serif'; ctx.fillText(say(W.losses, {top: lossTop.toFixed(2), step: last}), pad + 2, 12);
  let lx = w - pad;  // the legend, right-aligned on the top line
  [[W.energy, '#111'], [W.g_loss, '#ff7f0e'], [W.d_loss, '#1f77b4']].forEach(([name, color]) => {
    lx -= ctx.measureText(name).width; ctx.fillStyle = color; ctx.fillText(name, lx, 12); lx -= 10; });
}
function draw(text) {
  let v; try { v = JSON.parse(text); } catch (e) { return; }
  drawPlane(v); drawCurves(v);
  const d = v.curves.divergence[v.curves.divergence.length - 1];
  const W = words(), name = (value) => W.choices[value] || value;
  info.textContent = say(W.info, {step: v.step, distance: d === null ? '-' : d.toFixed(4), data: name(v.knobs.data),
                                  loss: name(v.knobs.loss), optimiser: name(v.knobs.optimiser)});
}
// A Play stream trains on the server only while someone can see it: when the playground's tab is not the one shown
// (its canvas has no layout box) or the browser tab is hidden, the script presses the hidden out-of-sight pause
// once; the status then says it paused, and Play goes on from there.
let playing = false, pauseSent = false;
document.addEventListener('click', (event) => {
  if (!(event.target instanceof Element)) return;
  if (event.target.closest('#toy-gan-play')) playing = true;
  else if (event.target.closest('#toy-gan-pause, #toy-gan-reset')) playing = false;
}, true);
function inSight() {
  const host = document.getElementById('toy-gan-canvas');
  return !document.hidden && !!host && host.offsetParent !== null;
}
function pauseOutOfSight() {
  if (inSight()) { pauseSent = false; return; }
  const status = document.getElementById('toy-gan-status'), button = document.getElementById('toy-gan-pause-hidden');
  const training = playing || (!!status && status.textContent.trim().startsWith(words().playing));
  if (!training || pauseSent || !button) return;
  pauseSent = true; playing = false;
  button.click();
}
document.addEventListener('visibilitychange', pauseOutOfSight);
setInterval(pauseOutOfSight, 250);  // also when no animation frame comes (a hidden window gets none)
function frame() {
  const host = document.getElementById('toy-gan-canvas'), data = document.querySelector('#toy-gan-view textarea, #toy-gan-view input');
  if (host && data) {
    if (!host.querySelector('.toy-wrap')) {
      host.insertAdjacentHTML('beforeend', '<div class="toy-wrap"><canvas class="toy-plane" role="img"></canvas>' +
        '<canvas class="toy-curves" role="img"></canvas><div class="toy-info"></div></div>');
      host.querySelector('.toy-plane').setAttribute('aria-label', words().plane);
      host.querySelector('.toy-curves').setAttribute('aria-label', words().curves);
      last = null;
    }
    const output = document.getElementById('toy-gan-output');
    if (output && output.offsetHeight !== outputHeight) {  // for the CSS's scroll-margin; set on a change only
      outputHeight = output.offsetHeight; output.parentElement.style.setProperty('--toy-gan-output-h', `${outputHeight}px`);
    }
    plane = host.querySelector('.toy-plane'); curves = host.querySelector('.toy-curves'); info = host.querySelector('.toy-info');
    const text = data.value;
    if (text && (text !== last || plane.clientWidth !== lastWidth) && plane.clientWidth > 0) { last = text; lastWidth = plane.clientWidth; draw(text); }
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
})();
