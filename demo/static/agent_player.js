// The Agent tab's player (gr.HTML js_on_load, demo/agent_tab.py): runs once when the component mounts; watch()
// re-runs `play` whenever Play sends a new episode, which it animates on the canvas at the game's 50 fps.
// Its words are the page's language's (the `labels` prop: demo/agent_render.py player_labels), {fields} filled here.
const L = props.labels[document.documentElement.dataset.playgroundLang] || props.labels.en;
const say = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => String(values[k]));
const S = 30;  // pixels per world unit (LunarLander's SCALE): the canvas is the game's 600 x 400 viewport
const BODY = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map(([x, y]) => [x / S, y / S]);
const LEG = [[-2, -8], [2, -8], [2, 8], [-2, 8]].map(([x, y]) => [x / S, y / S]);
function poly(ctx, pts, x, y, a) {
  ctx.beginPath();
  pts.forEach(([px, py], k) => {
    const wx = x + px * Math.cos(a) - py * Math.sin(a), wy = y + px * Math.sin(a) + py * Math.cos(a);
    if (k === 0) ctx.moveTo(wx * S, 400 - wy * S); else ctx.lineTo(wx * S, 400 - wy * S);
  });
  ctx.closePath();
}
function draw(ep, i) {
  const ctx = element.querySelector('.agent-canvas').getContext('2d');
  ctx.fillStyle = '#0b1021'; ctx.fillRect(0, 0, 600, 400);
  ctx.fillStyle = '#d4d4d8'; ctx.beginPath(); ctx.moveTo(0, 400);
  ep.terrain.forEach(([x, y]) => ctx.lineTo(x * S, 400 - y * S)); ctx.lineTo(600, 400); ctx.closePath(); ctx.fill();
  const [p1, p2, py] = ep.world.pad;
  ctx.strokeStyle = '#facc15'; ctx.lineWidth = 2;
  [p1, p2].forEach(px => { ctx.beginPath(); ctx.moveTo(px * S, 400 - py * S); ctx.lineTo(px * S, 400 - py * S - 50); ctx.stroke();
    ctx.fillStyle = '#facc15'; ctx.fillRect(px * S, 400 - py * S - 50, 25, 10); });
  const x = ep.x[i], y = ep.y[i], a = ep.a[i], act = i < ep.steps ? ep.act[i] : 0;
  const flame = (pts) => { ctx.fillStyle = '#fb923c'; poly(ctx, pts.map(([u, v]) => [u / S, v / S]), x, y, a); ctx.fill(); };
  if (act === 2) flame([[-8, -10], [8, -10], [0, -34 - 6 * Math.random()]]);
  if (act === 1) flame([[-17, 2], [-17, -6], [-30 - 4 * Math.random(), -2]]);
  if (act === 3) flame([[17, 2], [17, -6], [30 + 4 * Math.random(), -2]]);
  [ep.l1[i], ep.l2[i]].forEach(([lx, ly, la], k) => {
    ctx.fillStyle = (ep.contact[i] >> k) & 1 ? '#4ade80' : '#8b7cf6'; poly(ctx, LEG, lx, ly, la); ctx.fill(); });
  ctx.fillStyle = '#8066e6'; ctx.strokeStyle = '#4d4d80'; poly(ctx, BODY, x, y, a); ctx.fill(); ctx.stroke();
  if (ep.conditions.enable_wind) { ctx.fillStyle = '#e4e4e7'; ctx.font = '13px sans-serif';
    ctx.fillText(say(L.wind, {wind: ep.conditions.wind_power, turbulence: ep.conditions.turbulence_power}), 10, 20); }
  if (ep.conditions.gravity !== -10) { ctx.fillStyle = '#e4e4e7'; ctx.font = '13px sans-serif'; ctx.fillText(say(L.gravity, {gravity: ep.conditions.gravity}), 10, 38); }
}
function side(ep, i) {
  const k = Math.min(i, ep.steps - 1);
  element.querySelector('.agent-step').textContent = say(L.frame, {i: Math.min(i, ep.steps), n: ep.steps, seed: ep.seed, t: ep.temperature});
  element.querySelectorAll('.bar-row').forEach((row, j) => {
    const p = ep.p[k][j];
    row.querySelector('.bar-fill').style.width = `${(100 * p).toFixed(1)}%`;
    row.querySelector('.bar-p').textContent = `${Math.round(100 * p)}%`;
    row.classList.toggle('chosen', ep.act[k] === j);
  });
  element.querySelector('.agent-value').textContent = ep.v[k].toFixed(1);
  element.querySelector('.agent-return').textContent = (i === 0 ? 0 : ep.ret[Math.min(i, ep.steps) - 1]).toFixed(1);
}
function play() {
  if (element._raf) cancelAnimationFrame(element._raf);
  element.querySelector('.agent-result').textContent = '';
  if (!props.value) return;
  let ep;
  try { ep = JSON.parse(props.value); } catch (e) { return; }
  element._episode = ep;
  const frames = ep.x.length;
  let t0 = null;  // the first painted frame's time: frame 0 shows at once, then 50 frames per second of episode
  element.dataset.state = 'playing';
  const tick = (now) => {
    if (t0 === null) t0 = now;
    const i = Math.max(0, Math.min(Math.floor((now - t0) * ep.fps / 1000), frames - 1));
    element.dataset.frame = String(i);
    draw(ep, i); side(ep, i);
    if (i < frames - 1) { element._raf = requestAnimationFrame(tick); return; }
    element.dataset.state = 'done';
    const how = ep.landed ? L.landed : (ep.crashed ? L.crashed : (ep.steps >= 1000 ? L.still_flying : L.flew_off));
    element.querySelector('.agent-result').textContent = say(L.summary, {how, ret: ep.return.toFixed(1), steps: ep.steps});
  };
  element._raf = requestAnimationFrame(tick);
}
watch('value', play);
play();
const output = element.closest('#agent-output');
if (output && window.ResizeObserver) {
  new ResizeObserver(() => output.parentElement.style.setProperty('--agent-output-h', `${output.offsetHeight}px`)).observe(output);
}
