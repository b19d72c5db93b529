// Fly it yourself (demo/fly_tab.py): the js_on_load of three gr.HTML. The hidden "keys" one carries the held keys
// to the server (sets its value, fires its input event); the hidden "stream" one receives the flight's messages (a
// player whose template re-rendered 50 times a second would cost the page its frame rate) and hands them on. The player draws the
// stream's newest frame on every animation frame, turns keys and held buttons into one action, and records what a
// key press costs (the time from a change of the held keys to the first frame that applied it) in
// window.playgroundFly.stats.
if (props.role === 'keys') {
  window.playgroundFlyKeys = (text) => { props.value = text; trigger('input'); };
} else if (props.role === 'stream') {  // the flight's messages land here, in an empty template: cheap to re-render
  watch('value', () => window.playgroundFlyReceive && window.playgroundFlyReceive(props.value));
} else {
const L = props.labels[document.documentElement.dataset.playgroundLang] || props.labels.en;
const say = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => String(values[k]));
const S = 30;  // pixels per world unit: the canvas is the game's 600 x 400 viewport
const BODY = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map(([x, y]) => [x / S, y / S]);
const LEG = [[-2, -8], [2, -8], [2, 8], [-2, 8]].map(([x, y]) => [x / S, y / S]);
const KEYS = {ArrowLeft: 'left', KeyA: 'left', ArrowUp: 'main', KeyW: 'main', ArrowRight: 'right', KeyD: 'right'};
const ACTION = {left: 1, main: 2, right: 3};
const stats = {latencies: [], serverWaits: [], draws: 0, frames: 0, drawStart: 0, drawEnd: 0};
let queue = [], nextAt = 0, stepMs = 20, batch = 4;  // frames received, played back at the flight's pace
let world = null, frame = null, flying = false, held = [], sent = 0, seq = 0, pressed = {}, summary = null;
window.playgroundFly = {stats, hold: (k) => press(k, true), release: (k) => press(k, false)};
const $ = (sel) => element.querySelector(sel);
function poly(ctx, pts, x, y, a) {
  ctx.beginPath();
  pts.forEach(([px, py], k) => {
    const wx = x + px * Math.cos(a) - py * Math.sin(a), wy = y + px * Math.sin(a) + py * Math.cos(a);
    if (k === 0) ctx.moveTo(wx * S, 400 - wy * S); else ctx.lineTo(wx * S, 400 - wy * S);
  });
  ctx.closePath();
}
function ground(ctx) {
  ctx.fillStyle = '#0b1021'; ctx.fillRect(0, 0, 600, 400);
  ctx.fillStyle = '#d4d4d8'; ctx.beginPath(); ctx.moveTo(0, 400);
  world.terrain.forEach(([x, y]) => ctx.lineTo(x * S, 400 - y * S)); ctx.lineTo(600, 400); ctx.closePath(); ctx.fill();
  const [p1, p2, py] = world.world.pad;
  ctx.strokeStyle = '#facc15'; ctx.lineWidth = 2;
  [p1, p2].forEach(px => { ctx.beginPath(); ctx.moveTo(px * S, 400 - py * S); ctx.lineTo(px * S, 400 - py * S - 50); ctx.stroke();
    ctx.fillStyle = '#facc15'; ctx.fillRect(px * S, 400 - py * S - 50, 25, 10); });
}
function lander(ctx, f) {
  const flame = (pts) => { ctx.fillStyle = '#fb923c'; poly(ctx, pts.map(([u, v]) => [u / S, v / S]), f.x, f.y, f.a); ctx.fill(); };
  if (!f.done && f.act === 2) flame([[-8, -10], [8, -10], [0, -34 - 6 * Math.random()]]);
  if (!f.done && f.act === 1) flame([[-17, 2], [-17, -6], [-30 - 4 * Math.random(), -2]]);
  if (!f.done && f.act === 3) flame([[17, 2], [17, -6], [30 + 4 * Math.random(), -2]]);
  [f.l1, f.l2].forEach(([lx, ly, la], k) => { ctx.fillStyle = (f.contact >> k) & 1 ? '#4ade80' : '#8b7cf6'; poly(ctx, LEG, lx, ly, la); ctx.fill(); });
  ctx.fillStyle = '#8066e6'; ctx.strokeStyle = '#4d4d80'; poly(ctx, BODY, f.x, f.y, f.a); ctx.fill(); ctx.stroke();
}
function path(ctx, xs, ys, color) {
  ctx.strokeStyle = color; ctx.lineWidth = 2.5; ctx.beginPath();
  xs.forEach((x, i) => i ? ctx.lineTo(x * S, 400 - ys[i] * S) : ctx.moveTo(x * S, 400 - ys[i] * S)); ctx.stroke();
}
function mark(ctx, m, color, label) {
  ctx.fillStyle = color; ctx.beginPath(); ctx.arc(m.x * S, 400 - m.y * S, 6, 0, 2 * Math.PI); ctx.fill();
  ctx.fillStyle = '#fff'; ctx.font = 'bold 11px sans-serif'; ctx.fillText(label, m.x * S + 8, 400 - m.y * S - 6);
}
function draw() {
  if (!world || !frame) return;
  const ctx = $('.fly-canvas').getContext('2d');
  ground(ctx);
  if (summary) {
    path(ctx, summary.agent.x, summary.agent.y, '#4ade80'); path(ctx, summary.you.x, summary.you.y, '#fb923c');
    summary.disagree.forEach((m, k) => mark(ctx, m, '#f472b6', String.fromCharCode(65 + k)));
    summary.value_fell.forEach((m, k) => mark(ctx, m, '#38bdf8', String(k + 1)));
  }
  lander(ctx, frame);
  $('.fly-step').textContent = say(L.step, {i: frame.i, seed: world.seed});
  element.querySelectorAll('.fly-bar').forEach((row, i) => {
    const p = frame.p[i]; row.querySelector('.fly-fill').style.width = (100 * p).toFixed(1) + '%';
    row.querySelector('.fly-p').textContent = (100 * p).toFixed(0) + '%'; row.classList.toggle('fly-taken', frame.act === i && frame.i > 0);
  });
  $('.fly-value').textContent = frame.v.toFixed(1); $('.fly-return').textContent = frame.ret.toFixed(1);
}
function loop(now) {
  if (!flying && !queue.length) return;
  if (queue.length > 2 * batch) queue = queue.slice(-batch);  // fell behind (a late message): catch up at once
  if (nextAt < now - 2 * stepMs) nextAt = now;
  while (queue.length && now >= nextAt) { frame = queue.shift(); nextAt += stepMs; }
  draw(); stats.draws += 1; stats.drawEnd = now; if (!stats.drawStart) stats.drawStart = now;
  requestAnimationFrame(loop);
}
function action() { return held.length ? ACTION[held[held.length - 1]] : 0; }  // the newest held key wins
function send() {
  const a = action(); if (!flying || a === sent || !window.playgroundFlyKeys) return;
  sent = a; seq += 1; pressed[seq] = performance.now();
  window.playgroundFlyKeys(JSON.stringify({a, seq}));
}
function press(key, down) {
  held = held.filter(k => k !== key); if (down) held.push(key);
  element.querySelectorAll('.fly-key').forEach(b => b.classList.toggle('fly-held', held.includes(b.dataset.key)));
  send();
}
document.addEventListener('keydown', (e) => {
  const key = KEYS[e.code]; if (!key || e.target.closest?.('input, textarea, select')) return;
  if (flying) e.preventDefault();
  if (!e.repeat) press(key, true);
});
document.addEventListener('keyup', (e) => { const key = KEYS[e.code]; if (key) press(key, false); });
element.querySelectorAll('.fly-key').forEach(b => {
  const key = b.dataset.key;
  b.addEventListener('pointerdown', (e) => {
    e.preventDefault(); press(key, true);
    try { b.setPointerCapture(e.pointerId); } catch (err) { /* a pointer the browser no longer tracks: no capture */ }
  });
  ['pointerup', 'pointercancel', 'lostpointercapture'].forEach(t => b.addEventListener(t, () => press(key, false)));
  b.addEventListener('contextmenu', (e) => e.preventDefault());
});
function fmt(v) { return v === null || v === undefined ? '-' : Number(v).toFixed(1); }
function finish(msg) {
  flying = false; summary = msg.summary; draw();
  const s = msg.summary, you = s.you;
  const lines = [you.landed ? L.landed : you.crashed ? L.crashed : L.ended,
                 say(L.versus, {seed: s.seed, you: fmt(you.return), agent: fmt(s.agent.return)})];
  let html = lines.map(t => `<p>${t}</p>`).join('');
  if (s.disagree.length) html += `<p><b>${L.disagree}</b></p><ul>` + s.disagree.map((m, k) => `<li>${String.fromCharCode(65 + k)} · ${say(L.disagree_line,
    {i: m.i, you: L.actions[m.you], agent: L.actions[m.agent], p: (100 * m.p_you).toFixed(1) + '%'})}</li>`).join('') + '</ul>';
  if (s.value_fell.length) html += `<p><b>${L.fell}</b></p><ul>` + s.value_fell.map((m, k) => `<li>${k + 1} · ${say(L.fell_line,
    {i: m.i, v: fmt(m.v), next: fmt(m.v_next)})}</li>`).join('') + '</ul>';
  $('.fly-result').innerHTML = html;
  const wins = msg.scores.filter(r => r.agent !== null && r.you > r.agent).length;
  $('.fly-score').innerHTML = `<p><b>${say(L.score, {wins, n: msg.scores.length})}</b></p><ul>` +
    msg.scores.map(r => `<li>${say(L.score_line, {seed: r.seed, you: fmt(r.you), agent: fmt(r.agent)})}</li>`).join('') + '</ul>';
  element.dataset.flight = 'ended';
}
function receive(value) {
  if (!value) return;
  let msg; try { msg = JSON.parse(value); } catch (e) { return; }
  const now = performance.now();
  if (msg.kind === 'note') { $('.fly-step').textContent = msg.text; element.dataset.flight = 'refused'; return; }
  if (!world || world.flight !== msg.world.flight) {  // a new flight (its start may have been overtaken)
    world = msg.world; summary = null; sent = 0; pressed = {}; queue = []; nextAt = 0;
    stepMs = world.pace === 'half' ? 40 : 20; batch = world.pace === 'half' ? 2 : 4;
    Object.assign(stats, {latencies: [], serverWaits: [], draws: 0, frames: 0, drawStart: 0, drawEnd: 0, step: 0, act: 0});
    $('.fly-result').innerHTML = ''; element.dataset.flight = 'flying'; flying = true;
    $('.fly-canvas').focus({preventScroll: true}); requestAnimationFrame(loop); send();  // keys held already go now
  }
  if (msg.kind === 'start') { frame = msg.frame; return; }
  if (msg.kind === 'frames') {
    msg.frames.forEach(f => {
      queue.push(f); stats.frames += 1;
      Object.keys(pressed).forEach(s => { if (+s <= f.seq) { stats.latencies.push(now - pressed[s]); delete pressed[s]; } });
      if (f.kw !== null && f.kw !== undefined) stats.serverWaits.push(f.kw);
    });
    const last = msg.frames[msg.frames.length - 1]; stats.act = last.act; stats.step = last.i;
    return;
  }
  if (msg.kind === 'end' && flying) { if (queue.length) frame = queue[queue.length - 1]; queue = []; finish(msg); }
}
window.playgroundFlyReceive = receive;
}
