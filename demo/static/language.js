// The page's language, chosen before Gradio's bundle runs: the HTTP guard puts this script first in the page's
// <head> (serve/gradio_internals.py page_html_sender), because Gradio picks its locale once, from
// navigator.language, when its bundle starts; a script in launch(head=...) is inserted after that, too late.
// Order: ?lang= in the URL, then the reader's last choice (localStorage), then the browser's languages, then English.
// The cookie tells the server the page's language (demo/i18n.py request_language). The switch's links
// (<a data-lang>, demo/static/language_switch.html) store the choice, set ?lang= and reload.
(() => {
  const LANGUAGES = {{LANGUAGES}};
  const STORAGE_KEY = {{STORAGE_KEY}};
  const COOKIE = {{COOKIE}};
  const supported = (tag) => {
    const primary = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
    return primary === "zh" ? "zh-CN" : primary === "en" ? "en" : null;
  };
  const stored = () => { try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; } };
  const fromUrl = new URLSearchParams(location.search).get("lang");
  const browser = Array.from(navigator.languages || [navigator.language]).map(supported).find(Boolean);
  const lang = [fromUrl, stored(), browser].map(supported).find((l) => l && LANGUAGES.includes(l)) || LANGUAGES[0];
  const others = Array.from(navigator.languages || []).filter((l) => supported(l) !== lang);
  try {
    Object.defineProperty(navigator, "language", {get: () => lang, configurable: true});
    Object.defineProperty(navigator, "languages", {get: () => Object.freeze([lang, ...others]), configurable: true});
  } catch (e) { /* a browser that refuses: Gradio then follows the browser's own language */ }
  document.cookie = `${COOKIE}=${lang}; SameSite=Lax; path=/; max-age=31536000`;
  document.documentElement.setAttribute("data-playground-lang", lang);
  // The browser tab's title: Gradio writes the English one (gr.Blocks(title=...)) into <head> when it starts.
  const TITLES = {{TITLES}};
  if (TITLES[lang] && lang !== LANGUAGES[0]) {
    const retitle = () => { if (document.title === TITLES[LANGUAGES[0]]) document.title = TITLES[lang]; };
    new MutationObserver(retitle).observe(document.head, {subtree: true, childList: true, characterData: true});
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-lang]");
    const chosen = link && supported(link.dataset.lang);
    if (!chosen) return;
    event.preventDefault();
    try { localStorage.setItem(STORAGE_KEY, chosen); } catch (e) { /* private mode: the URL still carries it */ }
    const url = new URL(location.href);
    url.searchParams.set("lang", chosen);
    location.assign(url.toString());
  });
})();
