// The worked PPO step's timeline (demo/agent_maths_tab.py, its gr.HTML's js_on_load): a click or tap on it picks the
// episode's step under it, sent as the component's select event with that step as its index. Each drawing (wide,
// narrow: the one that fits shows) carries its plot's extent in the data attributes of its wrapper
// (demo/agent_maths_render.py timeline_html); the slider's arrow keys then move one step at a time.
element.addEventListener('click', (event) => {
  const pick = Array.from(element.querySelectorAll('.agent-maths-pick')).find((p) => p.contains(event.target));
  const svg = pick && pick.querySelector('svg');
  if (!svg || !svg.getBoundingClientRect().width) return;
  const box = svg.getBoundingClientRect();
  const [n, x0, x1, w] = ['n', 'x0', 'x1', 'w'].map((k) => Number(pick.dataset[k]));
  const x = (event.clientX - box.left) / box.width * w;
  const step = Math.round(Math.min(Math.max((x - x0) / (x1 - x0), 0), 1) * (n - 1));
  trigger('select', {index: step, value: step});
});
