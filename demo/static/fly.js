// Fly it yourself (demo/fly_tab.py): the js_on_load of two gr.HTML. The hidden "stream" one receives the flight's
// messages (a player whose template re-rendered 50 times a second would cost the page its frame rate) and hands them
// on. The held keys go to the server by their own POST (serve/fly_keys.py, outside Gradio's queue), with the steering
// key of the flight the stream started. The player draws the stream's newest frame on every animation frame, turns
// keys and held buttons into one action, and records what a key press costs in window.playgroundFly.stats: `acks`,
// from a change of the held keys to the server's answer that the flight holds it; `serverWaits`, how long the server
// held it before the step that applied it (`kw` in the frames); `applied`, their sum for each press (an upper bound
// of press to applied: the answer's way back is counted too); `latencies`, to the first frame the page receives that
// applied it (the way back and the frames batched in a message added).
if (props.role === 'stream') {  // the flight's messages land here, in an empty template: cheap to re-render
  watch('value', () => window.playgroundFlyReceive && window.playgroundFlyReceive(props.value));
} else {
const L = props.labels[document.documentElement.dataset.playgroundLang] || props.labels.en;
const say = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => String(values[k]));
const {S, scene, lander: drawLander} = window.playgroundLander;  // demo/static/lander_draw.js
const KEYS = {ArrowLeft: 'left', KeyA: 'left', ArrowUp: 'main', KeyW: 'main', ArrowRight: 'right', KeyD: 'right'};
const ACTION = {left: 1, main: 2, right: 3};
const freshStats = () => ({latencies: [], acks: [], serverWaits: [], applied: [], draws: 0, frames: 0, drawStart: 0,
                            drawEnd: 0, step: 0, act: 0});
const stats = freshStats();  // kept as one object (window.playgroundFly.stats); a new flight refills it
let halves = {};  // seq -> the ack's ms or the server's wait, whichever came first: `applied` sums the two
const KEYS_URL = new URL('fly/keys', location.origin + location.pathname).toString();  // serve/fly_keys.py
let queue = [], nextAt = 0, stepMs = 20, batch = 8;  // frames received, played back at the flight's pace
let world = null, frame = null, flying = false, held = [], sent = 0, seq = 0, pressed = {}, summary = null;
window.playgroundFly = {stats, hold: (k) => press(k, true), release: (k) => press(k, false)};
const $ = (sel) => element.querySelector(sel);
function ground(ctx) { scene(ctx, world.terrain, world.world.pad); }
function lander(ctx, f) { drawLander(ctx, f.done ? {...f, act: 0} : f); }  // no flame once the flight has ended
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
  const a = action(); if (!flying || a === sent || !world) return;
  sent = a; seq += 1;
  const at = performance.now(), sentSeq = seq; pressed[seq] = at;
  fetch(KEYS_URL, {method: 'POST', headers: {'content-type': 'application/json'}, keepalive: true,
                   body: JSON.stringify({steering: world.steering, a, seq})})
    .then((r) => { if (r.ok) { const ms = performance.now() - at; stats.acks.push(ms); pair(sentSeq, ms); } })
    .catch(() => { /* the flight ended or the page lost the server: the next press tries again */ });
}
function pair(s, ms) {
  if (s in halves) { stats.applied.push(halves[s] + ms); delete halves[s]; } else halves[s] = ms;
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
    stepMs = world.pace === 'half' ? 40 : 20; batch = world.batch || 8;  // steps a message (serve/flights.py)
    Object.assign(stats, freshStats());
    halves = {};
    $('.fly-result').innerHTML = ''; element.dataset.flight = 'flying'; flying = true;
    $('.fly-canvas').focus({preventScroll: true}); requestAnimationFrame(loop); send();  // keys held already go now
  }
  if (msg.kind === 'start') { frame = msg.frame; return; }
  if (msg.kind === 'frames') {
    msg.frames.forEach(f => {
      queue.push(f); stats.frames += 1;
      Object.keys(pressed).forEach(s => { if (+s <= f.seq) { stats.latencies.push(now - pressed[s]); delete pressed[s]; } });
      if (f.kw !== null && f.kw !== undefined) { stats.serverWaits.push(f.kw); pair(f.seq, f.kw); }
    });
    const last = msg.frames[msg.frames.length - 1]; stats.act = last.act; stats.step = last.i;
    return;
  }
  if (msg.kind === 'end' && flying) { if (queue.length) frame = queue[queue.length - 1]; queue = []; finish(msg); }
}
window.playgroundFlyReceive = receive;
}
