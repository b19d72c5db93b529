// The Images tab's page-drawn panel (image_web.js): its runtime, model and session, loaded by this script. It is put
// first in the page's head (serve/gradio_internals.py page_html_sender, like language.js), so a page opened on the
// Images tab (?tab=image or its knobs in the link) starts the downloads and the compile at once, beside Gradio's
// own start, instead of when image_web.js first runs: a launch(head=...) script, inserted only after Gradio's bundle
// has loaded the page's config, on a main thread then busy drawing the page. Any other page loads nothing until
// the tab's panel comes into view. image_web.js awaits the same promise: the work is never done twice.
(() => {
  const ROUTE = "{{ROUTE}}";
  let loading = null;
  const bytes = (url) => fetch(url).then((r) => { if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.arrayBuffer(); });
  async function load() {
    const startAt = performance.now();
    const answer = await fetch(`${ROUTE}meta.json`);
    if (!answer.ok) throw new Error(`meta.json: ${answer.status}`);
    const meta = await answer.json();
    // The runtime's module, its .wasm and the model side by side; the runtime then compiles the .wasm it is handed
    // (its Emscripten glue is bundled in the module, so no other script is fetched).
    const [ort, model, wasm] = await Promise.all([import(`${meta.ort}ort.wasm.bundle.min.mjs`), bytes(meta.model),
                                                   bytes(`${meta.ort}ort-wasm-simd-threaded.wasm`)]);
    ort.env.wasm.numThreads = 1;  // no SharedArrayBuffer, no cross-origin isolation needed
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = wasm;
    const session = await ort.InferenceSession.create(new Uint8Array(model), {executionProviders: ["wasm"], graphOptimizationLevel: "all"});
    return {ort, session, meta, startAt};
  }
  window.ganRuntime = {
    /** {ort, session, meta, startAt}, loaded once; rejects where the runtime or the model cannot load. */
    load() { return loading || (loading = load()); },
    /** Whether the page was opened on the Images tab (?tab=image, or its knobs in the link). */
    linked: /[?&](tab=image|image-)/.test(location.search),
  };
  if (typeof WebAssembly === "object" && window.ganRuntime.linked) {
    window.ganRuntime.load().catch(() => { /* image_web.js says so, and the server draws */ });
  }
})();
