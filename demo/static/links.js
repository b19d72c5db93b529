// Links that keep their state (demo/links.py): each knob's change writes ?<param>=<value> into the URL, the
// "Copy link" button copies it, and a page opened with link parameters (or a tour step) presses the hidden
// #link-restore button, whose event sets the knobs and draws the linked views on the server.
(() => {
  const RESTORE_ID = "link-restore";
  const NOT_STATE = new Set(["lang", "__theme", "view"]);  // the language is read by language.js; theme/view by Gradio
  const asText = (value) => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map(String).join(",");
    return String(value);
  };
  const pressRestore = (tries = 0) => {
    const button = document.getElementById(RESTORE_ID);
    if (!button) {
      if (tries < 200) setTimeout(() => pressRestore(tries + 1), 25);  // Gradio is still drawing the page
      return;
    }
    window.playgroundLinks.pressedAt = performance.now();
    // A link that only names a tab the page has (?tab=image) sets no knob: the tab is shown at once, without asking
    // the server; any other link (or a tab the page does not have, which gets the note) goes through the restore.
    const search = pending === null ? location.search : pending;
    const names = stateNames(search);
    const tab = new URLSearchParams(search).get("tab");
    if (names.length === 1 && names[0] === "tab" && tab && tabButton(tab)) {
      pending = null;
      tabToShow = tab;
      window.playgroundLinks.restored();
      return;
    }
    button.click();
  };
  const tabButton = (id) => id && document.querySelector(`#main-tabs [role=tab][data-tab-id="${CSS.escape(id)}"]`);
  /** The link's own parameters (knobs and tab) in a query string, not the page's settings. */
  const stateNames = (search) => Array.from(new URLSearchParams(search).keys()).filter((k) => !NOT_STATE.has(k));
  // The link the page was opened with, read by the restore event: Gradio writes its knobs' first values while it
  // draws the page, so the URL is written only after the visitor's first touch, key or click (`ready`).
  let pending = stateNames(location.search).length ? location.search : null;
  let ready = false;
  let drawing = new Set();  // the linked views still drawing
  let tabToShow = null;  // the link's tab, shown once they have all ended
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    window.addEventListener(type, (event) => { if (event.isTrusted) ready = true; }, {capture: true, passive: true});
  }
  // The tab shown: written whenever the main tabs' selection changes (a click, or a button that opens another tab).
  const selectedTab = () => {
    const tabs = document.getElementById("main-tabs");
    const button = tabs && Array.from(tabs.querySelectorAll("[role=tab][aria-selected=true]"))
      .find((b) => b.closest(".tabs") === tabs);
    return button ? button.dataset.tabId : null;
  };
  new MutationObserver(() => {
    const tab = ready && selectedTab();
    if (tab && new URL(location.href).searchParams.get("tab") !== tab) window.playgroundLinks.set("tab", tab);
  }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ["aria-selected"]});
  window.playgroundLinks = {
    /** The link to restore (the one the page opened with, or a tour step's), once. */
    take() {
      const query = pending === null ? location.search : pending;
      pending = null;
      return query;
    },
    /** Show a main tab as a click on its name would (its own select event runs, after the link set its knobs). */
    showTab(id) {
      const button = tabButton(id);
      if (button && button.getAttribute("aria-selected") !== "true") button.click();
    },
    /** Press the draw button of each linked view (a JSON list of their indexes); the tab is shown when they end. */
    draw(linked, tab) {
      let views = [];
      try { views = JSON.parse(linked || "[]"); } catch (e) { views = []; }
      drawing = new Set(views.filter((i) => document.getElementById(`link-draw-${i}`)));
      tabToShow = tab;
      if (!drawing.size) { window.playgroundLinks.restored(); return; }
      for (const i of drawing) document.getElementById(`link-draw-${i}`).click();
    },
    /** A linked view's draw has ended; the last one completes the restore. */
    drawn(index) {
      if (!drawing.delete(index) || drawing.size) return;
      window.playgroundLinks.restored();
    },
    /** The restore and every draw it started have finished: show the link's tab (a tab that redraws itself when
     * shown reads the drawn view), and stamp the linked view complete. */
    restored() {
      window.playgroundLinks.showTab(tabToShow);
      tabToShow = null;
      window.playgroundLinks.restoredAt = performance.now();  // ms since the page's navigation started
      document.documentElement.dataset.linkRestored = String((Number(document.documentElement.dataset.linkRestored) || 0) + 1);
    },
    /** Write one knob's value into the URL (no reload, no new history entry), once the visitor has acted. */
    set(name, value) {
      if (!ready) return;
      const url = new URL(location.href);
      const text = asText(value);
      if (text === null || text === "") url.searchParams.delete(name); else url.searchParams.set(name, text);
      if (url.toString() !== location.href) history.replaceState(history.state, "", url.toString());
    },
    /** Open a view: the link's parameters (with the page's language kept) replace the URL's, then the restore runs. */
    open(query) {
      const url = new URL(location.href);
      const lang = url.searchParams.get("lang");
      url.search = query;
      if (lang && !url.searchParams.has("lang")) url.searchParams.set("lang", lang);
      history.replaceState(history.state, "", url.toString());
      pending = url.search;
      pressRestore();
    },
    /** Copy the page's link; a page served over plain http has no clipboard API, so fall back to a selection. */
    async copy() {
      const button = document.getElementById("copy-link");
      const link = location.href;
      let copied = false;
      try { await navigator.clipboard.writeText(link); copied = true; } catch (e) {
        const area = document.createElement("textarea");
        area.value = link; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
        document.body.appendChild(area); area.select();
        try { copied = document.execCommand("copy"); } catch (err) { copied = false; }
        area.remove();
      }
      if (button) {
        button.dataset.copied = copied ? "yes" : "no";
        setTimeout(() => { delete button.dataset.copied; }, 2000);
      }
      return copied ? link : null;
    },
  };
  if (pending !== null) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => pressRestore());
    else pressRestore();
  }
})();
