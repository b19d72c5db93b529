(() => {
  const offPaths = ["/monitoring/summary", "/gradio_api/mcp/schema"];
  const pageFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin === location.origin && offPaths.some((path) => url.pathname.endsWith(path))) {
      return Promise.resolve(new Response("{}", {status: 404, headers: {"content-type": "application/json"}}));
    }
    return pageFetch(input, init);
  };
  const params = new URLSearchParams(location.search);
  if (params.get("lang") === "mcp") {
    params.delete("lang");
    history.replaceState(null, "", "?" + params.toString());
  }
  if (params.get("view") !== "api") return;
  const openApiPage = () => {
    const link = document.querySelector("footer button.show-api");
    if (!link) return false;
    link.click();
    link.click();
    return true;
  };
  const watch = new MutationObserver(() => { if (openApiPage()) watch.disconnect(); });
  const start = () => { if (!openApiPage()) watch.observe(document.body, {childList: true, subtree: true}); };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
