(() => {
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target instanceof HTMLElement && target.closest("#prompt")) {
      event.preventDefault();
      document.querySelector("#generate")?.click();
    }
  }, true);
  const untab = () => document.querySelectorAll('#next-token-bars button:not([tabindex="-1"])')
    .forEach((bar) => bar.setAttribute("tabindex", "-1"));
  new MutationObserver(untab).observe(document.documentElement, {childList: true, subtree: true});
})();
