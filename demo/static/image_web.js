// The Images tab's slider panel drawn in the page (issue #28): the generator, D's verdict and the classifier's guess
// run in ONNX Runtime Web (vendored, served by serve/latent_route.py), so a slider move asks the server nothing.
// The one thing a browser cannot make is a seed's noise (torch.Generator): it is fetched once per (class, seed)
// from /image-web/z and kept. Moves come from Gradio's own change events (demo/image_tab.py wires a browser-only
// event that calls move()); while the runtime loads, and for good in a browser without WebAssembly or where the
// model fails to load, move() presses the hidden button of the server's event instead: the server path, as before.
// A knob the server would refuse (a typed psi of 5) also goes to the server, which says why beside it.
(() => {
  const STRINGS = {{STRINGS}};  // {lang: {key: text}}: demo/locales/image.py, the keys this script shows
  const ROUTE = "{{ROUTE}}";
  const MAX_SEED = {{MAX_SEED}};
  const Z_CACHE = 512;  // (class, seed) noise vectors kept: 64 floats each
  const state = {
    path: "pending",  // "pending" (loading), "browser", "server"
    reason: "",
    session: null, ort: null, meta: null,
    z: new Map(),  // "class|seed" -> {z: Float32Array, label, drawn_as}
    knobs: null,  // the newest knobs: [class, seed, psi, ...directions]
    busy: false, dirty: false,
    noted: false,  // the server showed a note for the last knobs: the next good move goes there too, to clear it
    drawn: 0, inputAt: 0, times: [], frames: [], firstPaintAt: 0,  // for bench/bench_image_drag.py, in ms
    pixels: null, verdict: null, started: false,
  };

  const lang = () => {
    const l = document.documentElement.getAttribute("data-playground-lang");
    return STRINGS[l] ? l : "en";
  };
  const say = (key, values = {}) => (STRINGS[lang()][key] || STRINGS.en[key]).replace(/\{(\w+)\}/g, (_, k) => values[k]);
  const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
  const bold = (md) => escapeHtml(md).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  const el = (id) => document.getElementById(id);

  // ---- names, as demo/image_render.py writes them -------------------------------------------------------------
  const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "image";
  const psiText = (psi) => { const t = psi.toFixed(2).replace(/0+$/, ""); return t.endsWith(".") ? t + "0" : t; };
  const gText = (v) => String(Number(v.toPrecision(6)));  // Python's {:g} for a slider's values
  const imageName = (drawnAs, seed, psi, dirs) =>
    `${slug(drawnAs)}-seed${seed}-psi${psiText(psi)}` +
    dirs.map((v, i) => (v !== 0 ? `-d${i + 1}${v > 0 ? "+" : ""}${gText(v)}` : "")).join("") + ".png";

  // ---- knobs ---------------------------------------------------------------------------------------------------
  const num = (v) => (typeof v === "number" ? v : (typeof v === "string" && v.trim() !== "" ? Number(v) : NaN));
  function checked(knobs) {
    // The knobs as numbers when the page can draw them, else null (the server's notes then say what is wrong).
    const m = state.meta;
    if (!m || !Array.isArray(knobs) || knobs.length !== 3 + m.directions) return null;
    const [cls, seedIn, psiIn, ...dirsIn] = knobs;
    const seed = num(seedIn), psi = num(psiIn), dirs = dirsIn.map(num);
    if (!(cls === "random" || m.classes.includes(cls))) return null;
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) return null;
    if (!(psi >= 0 && psi <= m.max_psi)) return null;
    if (dirs.some((v, i) => !(Math.abs(v) <= m.ranges[i]))) return null;
    return {cls, seed, psi, dirs};
  }

  async function noise(cls, seed) {
    const key = `${cls}|${seed}`;
    let entry = state.z.get(key);
    if (!entry) {
      const answer = await fetch(`${ROUTE}z?class=${encodeURIComponent(cls)}&seed=${seed}`);
      if (!answer.ok) throw Object.assign(new Error(`z: ${answer.status}`), {status: answer.status});
      const body = await answer.json();
      entry = {z: Float32Array.from(body.z), label: body.label, drawnAs: body.drawn_as};
      if (state.z.size >= Z_CACHE) state.z.delete(state.z.keys().next().value);
      state.z.set(key, entry);
    }
    return entry;
  }

  // ---- drawing -------------------------------------------------------------------------------------------------
  async function run(k) {
    const {ort, session, meta} = state;
    const entry = await noise(k.cls, k.seed);
    const feeds = {
      z0: new ort.Tensor("float32", entry.z, [1, meta.z_dim]),
      psi: new ort.Tensor("float32", Float32Array.of(k.psi), [1]),
      moves: new ort.Tensor("float32", Float32Array.from(k.dirs), [1, meta.directions]),
      label: new ort.Tensor("int64", BigInt64Array.of(BigInt(entry.label)), [1]),
    };
    const out = await session.run(feeds);
    return {k, entry, pixels: out.pixels.data, pReal: out.p_real.data[0], probs: out.probs.data};
  }

  function paint(result) {
    // false while Gradio has not drawn the tab yet (the runtime may be ready first): watch() draws once it is there
    const canvas = el("gan-web-canvas");
    if (!canvas) return false;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(32, 32);
    for (let i = 0; i < 1024; i++) {
      const g = result.pixels[i];
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = g;
      image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    state.pixels = Array.from(result.pixels);
    state.shown = result;
    const {k, entry} = result;
    canvas.dataset.name = imageName(entry.drawnAs, k.seed, k.psi, k.dirs);
    canvas.setAttribute("aria-label", canvas.dataset.name);
    showVerdict(result);
    state.drawn += 1;
    const now = performance.now();
    state.firstPaintAt = state.firstPaintAt || now;  // ms since the page's navigation began
    if (state.inputAt) {  // input -> pixels on the canvas, and -> the frame that shows them
      const since = state.inputAt;
      state.times.push(now - since);
      requestAnimationFrame(() => state.frames.push(performance.now() - since));
      state.inputAt = 0;
    }
    canvas.dataset.drawn = String(state.drawn);
    return true;
  }

  function verdictText(result) {
    // demo/image_render.py verdict_markdown: D(x | y) and the classifier's guess, rounded as judge.py rounds them
    const round4 = (x) => Math.round(x * 1e4) / 1e4;
    const p = round4(result.pReal);
    let best = 0;
    result.probs.forEach((q, i) => { if (q > result.probs[best]) best = i; });
    const classLabel = (name) => say(`image.class.${name}`);
    return say("image.verdict_line", {
      cls: classLabel(result.entry.drawnAs), p: p.toFixed(2), call: say(p > 0.5 ? "image.verdict_real" : "image.verdict_fake"),
      guess: classLabel(state.meta.classes[best]), confidence: `${Math.round(round4(result.probs[best]) * 100)}%`,
    });
  }

  function showVerdict(result) {
    const box = el("gan-web-verdict");
    if (!box || !state.meta.judges) return;
    state.verdict = verdictText(result);
    box.innerHTML = bold(state.verdict);
  }

  async function draw() {
    // One run at a time; moves that come meanwhile leave only the newest to draw next.
    if (state.busy) { state.dirty = true; return; }
    state.busy = true;
    try {
      do {
        state.dirty = false;
        const k = checked(state.knobs);
        const key = JSON.stringify(k);
        if (!k || key === state.paintedKey) break;  // Gradio's change after the fast path's own draw: nothing new
        const result = await run(k);
        if (!state.dirty && paint(result)) state.paintedKey = key;
      } while (state.dirty);
    } catch (error) {
      if (error.status === 429) {  // seeds asked too fast (HttpGuard's meter): the server draws this one, the page the next
        pressServer();
      } else {
        console.warn("image panel: drawing in the page failed; the server draws it", error);
        fallback("image.web_failed");
      }
    } finally {
      state.busy = false;
    }
  }

  const pressServer = () => el("gan-server-move")?.click();

  // ---- the two ways in: a move (browser-only event) and a new class or seed (the server's event's js) ----------
  function move(knobs) {
    state.knobs = knobs;
    start();
    if (state.path !== "browser") { pressServer(); return; }
    if (!checked(knobs)) { state.noted = true; pressServer(); return; }
    if (state.noted) { state.noted = false; pressServer(); }  // the server clears its note
    draw();
  }

  function latent(knobs) {
    // The class or the seed changed (or the page opened): the server's event redraws the previews, the grid and
    // the GIF (and, unseen on this path, its own image); the page fetches the new noise once and draws.
    state.knobs = knobs;
    if (state.path === "browser") { state.noted = false; draw(); }
  }

  // ---- which path ----------------------------------------------------------------------------------------------
  function showPath() {
    document.documentElement.dataset.ganDraw = state.path;
    document.documentElement.dataset.ganVerdict = state.meta && state.meta.judges ? "page" : "server";
    const note = el("gan-web-path");
    if (note) note.textContent = state.path === "browser" ? say("image.web_browser") : state.reason ? say(state.reason) : "";
    const label = el("gan-web-label");
    if (label) label.textContent = say("image.image_label");
    const download = el("gan-web-download");
    if (download) download.textContent = say("image.web_download");
  }

  function fallback(reason) {
    state.path = "server";
    state.reason = reason;
    showPath();
    if (state.knobs) pressServer();  // the newest knobs, drawn by the server
  }

  async function start() {
    if (state.started) return;
    state.started = true;
    state.startAt = performance.now();
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      fallback("image.web_no_wasm");
      return;
    }
    try {
      const {ort, session, meta, startAt} = await window.ganRuntime.load();  // image_web_loader.js, maybe begun already
      state.startAt = Math.min(state.startAt, startAt);
      Object.assign(state, {ort, session, meta, path: "browser", reason: "", readyAt: performance.now()});
      el("gan-web-verdict")?.toggleAttribute("hidden", !meta.judges);
      if (state.knobs && checked(state.knobs)) await draw();
      showPath();
    } catch (error) {
      console.warn("image panel: ONNX Runtime Web did not load; the server draws the images", error);
      fallback("image.web_failed");
    }
  }

  // ---- the page's parts ----------------------------------------------------------------------------------------
  function download(event) {
    // The file says what it shows, as the server's does (dress-seed5-psi1.0-d2+0.3.png): 32x32 drawn 8x.
    const canvas = el("gan-web-canvas");
    if (!canvas || !canvas.dataset.name) return;
    event.preventDefault();
    const big = document.createElement("canvas");
    big.width = big.height = 256;
    const ctx = big.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(canvas, 0, 0, 256, 256);
    big.toBlob((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = canvas.dataset.name;
      document.body.appendChild(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }, "image/png");
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#gan-web-download")) download(event);
  });
  // The fast path: a slider's range input draws at once from its own value, before Gradio's change event comes
  // round (which then finds the same knobs already drawn). Also the start of "input -> new pixels"
  // (bench/bench_image_drag.py).
  const knobIndex = (input) => {
    const block = input.closest("#gan-psi, [id^='gan-direction-']");
    if (!block || block.id.startsWith("gan-direction-preview")) return -1;
    return block.id === "gan-psi" ? 2 : 3 + Number(block.id.slice("gan-direction-".length));
  };
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.closest("#gan-knobs")) return;
    state.inputAt = state.inputAt || performance.now();  // the oldest input not yet drawn
    const index = input.type === "range" ? knobIndex(input) : -1;
    if (index < 0 || state.path !== "browser" || !state.knobs || state.noted) return;
    const knobs = state.knobs.slice();
    knobs[index] = Number(input.value);
    if (!checked(knobs)) return;
    state.knobs = knobs;
    draw();
  }, true);
  // Load the runtime once the Images tab's panel is on screen (a visitor who never opens it downloads nothing)
  const watch = () => {
    const column = el("gan-web") && el("gan-output");
    if (!column) return false;
    if (state.path !== "pending") showPath();  // decided before the tab was drawn: say it, draw it now
    if (state.path === "browser") draw();
    new IntersectionObserver((entries, observer) => {
      if (entries.some((e) => e.isIntersecting)) { observer.disconnect(); start(); }
    }).observe(column);
    return true;
  };
  // A page opened on the Images tab (a link: ?tab=image, or its knobs) starts loading at once, beside Gradio's own
  if (window.ganRuntime?.linked) start();  // without the loader (a page not served through HttpGuard), start() falls back
  if (!watch()) {
    const observer = new MutationObserver(() => { if (watch()) observer.disconnect(); });
    // Gradio may insert this script after DOMContentLoaded (launch(head=...)): observe at once when the body is there
    const observe = () => observer.observe(document.body, {childList: true, subtree: true});
    if (document.body) observe(); else document.addEventListener("DOMContentLoaded", observe);
  }

  // painted(knobs): whether the canvas shows these knobs (tests and bench/bench_image_drag.py wait on it)
  const painted = (knobs) => state.paintedKey !== undefined && state.paintedKey === JSON.stringify(checked(knobs));
  window.ganWeb = {move, latent, painted, state, path: () => state.path, start};
})();
