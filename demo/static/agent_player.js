// The Agent tab's player (gr.HTML js_on_load, demo/agent_tab.py): runs once when the component mounts; watch()
// re-runs `play` whenever Play sends a new episode, which it animates on the canvas at the game's 50 fps.
// Its words are the page's language's (the `labels` prop: demo/agent_render.py player_labels), {fields} filled here.
const L = props.labels[document.documentElement.dataset.playgroundLang] || props.labels.en;
const say = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => String(values[k]));
const {scene, lander} = window.playgroundLander;  // demo/static/lander_draw.js
function draw(ep, i) {
  const ctx = element.querySelector('.agent-canvas').getContext('2d');
  scene(ctx, ep.terrain, ep.world.pad);
  lander(ctx, {x: ep.x[i], y: ep.y[i], a: ep.a[i], act: i < ep.steps ? ep.act[i] : 0, l1: ep.l1[i], l2: ep.l2[i],
               contact: ep.contact[i]});
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
