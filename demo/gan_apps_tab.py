"""What GANs are used for (a section of the Images tab), the layout and its wiring: repair a garment, sharpen a
shrunk one, or draw your own and project it onto what the generator can make; all three are one inversion
(core/gan/invert.py), streamed to the page every few steps. The drawing is a 32x32 canvas of the page's own
(demo/static/gan_apps.js) that writes its 1 024 numbers into a hidden box, and so is repair's own mask, painted
over the chosen picture: never a file upload (the HTTP guard refuses uploads). The handlers are
demo/gan_apps_handlers.py, what they show demo/gan_apps_render.py, the CSS demo/static/gan_apps.css."""
from __future__ import annotations

import json

import gradio as gr

from core import limits
from core.gan.io import LoadedGAN
from core.gan.judge import Judges
from core.gan.real_sample import RealSample
from demo.errors import note_box
from demo.gan_apps_handlers import FACTORS, MASK_CHOICES, SOURCES, TASKS, GanAppsHandlers
from demo.gan_apps_render import EXPLAIN
from demo.i18n import i18n
from demo.locales import CATALOG
from demo.shared import LATEX, head_script, queue_group, static_text

CSS = static_text("gan_apps.css")
PAD_WORDS = ("brush", "eraser", "clear", "canvas_label", "brush_label")  # what gan_apps.js writes on its two pads
CANVAS_WORDS = {lang: {name: CATALOG[f"gan_apps.{name}"][lang] for name in PAD_WORDS} for lang in ("en", "zh-CN")}
HEAD = head_script("gan_apps.js", WORDS=json.dumps(CANVAS_WORDS, ensure_ascii=False))
Components = list[gr.components.Component]


def build_gan_apps(gan: LoadedGAN | None, judges: Judges | None, sample: RealSample | None, note: str = "") -> GanAppsHandlers | None:
    """The section (call inside the Images tab); a note instead when the generator or the judges are missing."""
    with gr.Accordion(i18n("gan_apps.title"), open=True, elem_id="gan-apps"):
        if gan is None or judges is None:
            gr.Markdown(i18n("gan_apps.missing"), elem_id="gan-apps-missing")
            if note:
                gr.Markdown(note)
            return None
        handlers = GanAppsHandlers(gan, judges, sample)
        inputs, buttons, drawing_verdict, panel, brush_picture, notes = lay_out(handlers)
    wire(handlers, inputs, buttons, drawing_verdict, panel, brush_picture, notes)
    return handlers


def _choices(prefix: str, values: tuple) -> list[tuple]:
    return [(i18n(f"gan_apps.{prefix}.{v}"), v) for v in values]


def lay_out(handlers: GanAppsHandlers) -> tuple[Components, Components, gr.HTML, gr.HTML, gr.HTML, Components]:
    """The knobs (task, source, picture, mask, factor, drawing, brush), the two buttons, the drawing's judges' line,
    the panel the search streams into, the picture under the brush, and the notes (picture, brush, drawing)."""
    gr.Markdown(i18n(EXPLAIN), latex_delimiters=LATEX, elem_id="gan-apps-explain")
    with gr.Row(elem_id="gan-apps-row"):
        with gr.Column(scale=1, min_width=280, elem_id="gan-apps-inputs"):
            task = gr.Radio(_choices("task", TASKS), value="repair", label=i18n("gan_apps.task"), elem_id="gan-apps-task")
            with gr.Column(elem_id="gan-apps-picture-box"):
                source = gr.Radio(_choices("source", SOURCES), value="real", label=i18n("gan_apps.source"), elem_id="gan-apps-source")
                picture = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("gan_apps.picture"),
                                    info=i18n("gan_apps.picture_info"), elem_id="gan-apps-picture")
                mask = gr.Radio(_choices("mask", MASK_CHOICES), value=MASK_CHOICES[0], label=i18n("gan_apps.mask"),
                                elem_id="gan-apps-mask")
                with gr.Column(elem_id="gan-apps-brush-box"):
                    gr.Markdown(i18n("gan_apps.brush_help"), elem_id="gan-apps-brush-help")
                    brush_picture = gr.HTML("", elem_id="gan-apps-brush-picture")  # the picture; gan_apps.js paints over it
                    gr.HTML('<div id="gan-apps-brush-host"></div>', elem_id="gan-apps-brush-html")
                    brush = gr.Textbox("", visible="hidden", elem_id="gan-apps-brush-pixels",
                                       label=i18n("gan_apps.brush_pixels"), interactive=True, lines=1, max_lines=1)
                    brush_note = note_box("gan-apps-brush-note")
                factor = gr.Radio(_choices("factor", tuple(sorted(FACTORS, reverse=True))), value=4, label=i18n("gan_apps.factor"),
                                  elem_id="gan-apps-factor")
                picture_note = note_box("gan-apps-picture-note")
                run = gr.Button(i18n("gan_apps.run"), variant="primary", elem_id="gan-apps-run")
            with gr.Column(elem_id="gan-apps-draw-box"):
                gr.Markdown(i18n("gan_apps.draw_help"), elem_id="gan-apps-draw-help")
                gr.HTML('<div id="gan-apps-canvas-host"></div>', elem_id="gan-apps-canvas-html")  # gan_apps.js draws here
                drawing = gr.Textbox("", visible="hidden", elem_id="gan-apps-drawing", label=i18n("gan_apps.drawing"),
                                     interactive=True, lines=1, max_lines=1)
                drawing_verdict = gr.HTML("", elem_id="gan-apps-drawing-verdict")
                drawing_note = note_box("gan-apps-drawing-note")
                project = gr.Button(i18n("gan_apps.project"), variant="primary", elem_id="gan-apps-project")
        with gr.Column(scale=2, min_width=300, elem_id="gan-apps-output"):
            panel = gr.HTML("", elem_id="gan-apps-panel")
    return ([task, source, picture, mask, factor, drawing, brush], [run, project], drawing_verdict, panel, brush_picture,
            [picture_note, brush_note, drawing_note])


def wire(handlers: GanAppsHandlers, inputs: Components, buttons: Components, drawing_verdict: gr.HTML, panel: gr.HTML,
         brush_picture: gr.HTML, notes: Components) -> None:
    """Search and Project it stream one inversion (the "gan-invert" group: 2 at once in all, slots per address);
    the drawing's judges' line follows the drawing, and the picture under the brush follows the source, the number
    and the mask (cheap, the "gan-verdict" group). Page plumbing, left off the API page; /gan_apps_search is the same
    search for programs (refusals as gr.Error)."""
    hidden = dict(preprocess=False, show_progress="hidden", api_visibility="undocumented")
    run, project = buttons
    _, source, picture, mask, _, drawing, _ = inputs
    gr.on([run.click, project.click], handlers.page_search, inputs, [panel, *notes], api_name="page_gan_apps_search",
          **queue_group("gan-invert"), **hidden)
    drawing.change(handlers.page_judge, drawing, [drawing_verdict, *notes], api_name="page_gan_apps_judge",
                   trigger_mode="always_last", **queue_group("gan-verdict"), **hidden)
    gr.on([source.change, picture.change, mask.change], handlers.page_brush_picture, [source, picture],
          [brush_picture, *notes], api_name="page_gan_apps_brush_picture", trigger_mode="always_last",
          **queue_group("gan-verdict"), **hidden)
    gr.on([], handlers.api_search, inputs, panel, api_name="gan_apps_search", **queue_group("gan-invert"), **hidden)
