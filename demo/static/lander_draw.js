// The moon and the lander, drawn the one way both players use: the Agent's replay (agent_player.js) and Fly it
// yourself (fly.js). Loaded once in the page's head (demo/agent_tab.py HEAD); the canvas is LunarLander's 600 x 400
// viewport, S pixels per world unit (the game's SCALE), y up.
(() => {
  const S = 30;
  const BODY = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map(([x, y]) => [x / S, y / S]);
  const LEG = [[-2, -8], [2, -8], [2, 8], [-2, 8]].map(([x, y]) => [x / S, y / S]);
  const FLAMES = {  // an engine's flame by action (1 left, 2 main, 3 right), in the lander's pixels; its tip flickers
    1: () => [[-17, 2], [-17, -6], [-30 - 4 * Math.random(), -2]],
    2: () => [[-8, -10], [8, -10], [0, -34 - 6 * Math.random()]],
    3: () => [[17, 2], [17, -6], [30 + 4 * Math.random(), -2]],
  };
  /** A polygon of world-unit points, turned by angle a about (x, y), as a path on ctx. */
  function poly(ctx, pts, x, y, a) {
    ctx.beginPath();
    pts.forEach(([px, py], k) => {
      const wx = x + px * Math.cos(a) - py * Math.sin(a), wy = y + px * Math.sin(a) + py * Math.cos(a);
      if (k === 0) ctx.moveTo(wx * S, 400 - wy * S); else ctx.lineTo(wx * S, 400 - wy * S);
    });
    ctx.closePath();
  }
  /** The sky, the ground (terrain: [x, y] points) and the pad's two flags (pad: [x1, x2, y]). */
  function scene(ctx, terrain, pad) {
    ctx.fillStyle = '#0b1021'; ctx.fillRect(0, 0, 600, 400);
    ctx.fillStyle = '#d4d4d8'; ctx.beginPath(); ctx.moveTo(0, 400);
    terrain.forEach(([x, y]) => ctx.lineTo(x * S, 400 - y * S)); ctx.lineTo(600, 400); ctx.closePath(); ctx.fill();
    const [p1, p2, py] = pad;
    ctx.strokeStyle = '#facc15'; ctx.lineWidth = 2;
    [p1, p2].forEach((px) => { ctx.beginPath(); ctx.moveTo(px * S, 400 - py * S); ctx.lineTo(px * S, 400 - py * S - 50); ctx.stroke();
      ctx.fillStyle = '#facc15'; ctx.fillRect(px * S, 400 - py * S - 50, 25, 10); });
  }
  /** The lander at one frame: {x, y, a, act, l1, l2 ([x, y, angle] of each leg), contact (bit k: leg k touches)}. */
  function lander(ctx, f) {
    const flame = FLAMES[f.act];
    if (flame) { ctx.fillStyle = '#fb923c'; poly(ctx, flame().map(([u, v]) => [u / S, v / S]), f.x, f.y, f.a); ctx.fill(); }
    [f.l1, f.l2].forEach(([lx, ly, la], k) => {
      ctx.fillStyle = (f.contact >> k) & 1 ? '#4ade80' : '#8b7cf6'; poly(ctx, LEG, lx, ly, la); ctx.fill(); });
    ctx.fillStyle = '#8066e6'; ctx.strokeStyle = '#4d4d80'; poly(ctx, BODY, f.x, f.y, f.a); ctx.fill(); ctx.stroke();
  }
  window.playgroundLander = {S, scene, lander};
})();
