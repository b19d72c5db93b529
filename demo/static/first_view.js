// Views drawn the first time their tab is opened (demo/first_view.py): the tab's select event calls open(tab), which
// presses the tab's hidden first-view buttons, once per page. Gradio mounts a tab's children when the tab is first
// shown, a moment after the select, so the buttons are looked for until they are there.
(() => {
  const opened = new Set();
  const press = (tab, tries) => {
    const buttons = document.querySelectorAll(`button.first-view-${tab}, .first-view-${tab} button`);
    if (buttons.length) buttons.forEach((button) => button.click());
    else if (tries < 200) setTimeout(() => press(tab, tries + 1), 25);
  };
  window.playgroundFirstViews = {
    open(tab) {
      if (opened.has(tab)) return;
      opened.add(tab);
      press(tab, 0);
    },
  };
})();
