"""Page-wide CSS: readable contrast (WCAG AA asks 4.5:1 for text), a visible focus ring, and phone rules shared by
every tab. Each tab's own CSS lives in its module; build.py joins them.

Gradio's default theme draws the hint under each slider, the slider's min/max and the footer links in #bbbbc2 on
white (1.9:1) and the primary button's white text on orange-500 (2.8:1). The theme's colours are CSS variables set on
:root (and on .dark for the dark theme); setting them again on .gradio-container wins for everything inside it.
tests/test_browser_accessibility.py measures the ratios in Chromium, light and dark.

THEME is Gradio's default theme with fonts whose bold has every glyph (see THEME); tests/test_browser_page_defects.py
checks the fonts, the tab bar and the focus ring in Chromium.
"""
from __future__ import annotations

import gradio as gr
from gradio.themes.utils.fonts import LocalFont

LIGHT = {
    "--block-info-text-color": "#52525b",         # slider hints: 7.7:1 on white
    "--body-text-color-subdued": "#52525b",       # footer links, a slider's min/max
    "--button-primary-background-fill": "#c2410c",  # orange-700 under white text: 5.2:1
    "--button-primary-background-fill-hover": "#9a3412",
    "--button-primary-border-color": "#c2410c",
    "--button-primary-text-color": "#ffffff",
    "--button-primary-text-color-hover": "#ffffff",
}
DARK = {
    "--block-info-text-color": "#a1a1aa",         # on the dark theme's #0b0f19: 7.6:1
    "--body-text-color-subdued": "#a1a1aa",
    "--button-primary-background-fill": "#c2410c",
    "--button-primary-background-fill-hover": "#9a3412",
    "--button-primary-border-color": "#c2410c",
    "--button-primary-text-color": "#ffffff",
    "--button-primary-text-color-hover": "#ffffff",
}
FOCUS_COLOR = "#1d4ed8"  # blue-700: 6.7:1 on white, and it differs from the orange accent

# Gradio's default theme declares Source Sans Pro (and IBM Plex Mono) at weights 400 and 600, but the 600 files it ships
# are subsets of a few glyphs (Source Sans Pro's has "A", "B" and some Cyrillic): a bold "GAN" took G and N from a
# fallback font and the A from Source Sans. Its 700 files are complete; with faces at 400 and 700 only, the browser
# draws every weight above 500 (the theme's headings and labels use 600) with the complete bold. Both files are in
# Gradio's package, served by the app from its own origin.
THEME = gr.themes.Default(
    font=(LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
    font_mono=(LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas", "monospace"),
)


def _rules(selector: str, variables: dict[str, str]) -> str:
    return selector + " { " + " ".join(f"{k}: {v};" for k, v in variables.items()) + " }"


CSS = "\n".join([
    _rules(".gradio-container", LIGHT),
    # Gradio's container has overflow: hidden, which makes it a scroll box and stops `position: sticky` (the image tab's
    # image, the text tab's output on a phone) from following the page; clip draws the same but is no scroll box.
    ".gradio-container { overflow: clip !important; }",
    _rules(".dark .gradio-container, .gradio-container.dark", DARK),
    # The selected tab's name is drawn in the accent colour (orange-500, 2.8:1): the darker orange reads.
    ".gradio-container button[role=tab][aria-selected=true] { color: #c2410c; }",
    ".dark .gradio-container button[role=tab][aria-selected=true] { color: #fb923c; }",
    # Keyboard users must see where they are: Gradio's range inputs and number boxes draw no focus ring. The tab bar
    # is built with gr.Tabs(overflow_behavior="wrap") (build.py): Gradio's default bar (overflow: hidden, as tall as
    # its buttons) cut the ring of a focused tab above and below; the wrapping bar clips nothing.
    f".gradio-container input[type=range]:focus-visible, .gradio-container input[type=number]:focus-visible, "
    f".gradio-container button:focus-visible, .gradio-container textarea:focus-visible "
    f"{{ outline: 3px solid {FOCUS_COLOR} !important; outline-offset: 2px; }}",
    ".dark .gradio-container input[type=range]:focus-visible, .dark .gradio-container button:focus-visible "
    "{ outline-color: #93c5fd !important; }",
])
