"""What GANs are used for (Images tab), what the view shows: the pictures of a search (what it sees, G(z) now, the
result, the original or bicubic beside it), the loss curve and the judges' line, as one HTML panel that a streaming
handler redraws every few steps. Pure: no Gradio; strings from demo/locales/gan_apps.py in the page's language."""
from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from html import escape

import numpy as np
import torch
from PIL import Image

from core.gan.images import to_uint8
from core.gan.judge import Verdict
from demo import svg_plot as plot
from demo.locales import tr

EXPLAIN = "gan_apps.explain"
HIDDEN_RGB = (46, 64, 110)  # a hidden pixel in "what the search sees": a colour no grey garment has
CURVE_SIZE = (320, 150)


@dataclass(frozen=True)
class Picture:
    caption: str
    uri: str  # a data: URI of a 32x32 PNG (the page enlarges it, pixels kept square)


def png_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grey(image: torch.Tensor) -> Image.Image:
    """(1, 1, 32, 32) in [-1, 1] -> a 32x32 grey PIL image."""
    return Image.fromarray(to_uint8(image)[0], mode="L")


def seen_image(pixels: torch.Tensor, mask: torch.Tensor, size: int = 32) -> Image.Image:
    """What the search is given: the known pixels in grey, the hidden ones in HIDDEN_RGB, enlarged to size x size
    (a shrunk 8x8 image keeps its blocks)."""
    values = to_uint8(pixels)[0]
    rgb = np.repeat(values[..., None], 3, axis=2)
    rgb[mask[0, 0].numpy() <= 0] = HIDDEN_RGB
    image = Image.fromarray(rgb, mode="RGB")
    return image if image.width == size else image.resize((size, size), Image.NEAREST)


def percent(p: float) -> str:
    return f"{100 * p:.0f} %"


def verdict_line(verdict: Verdict, class_name: str, lang: str) -> str:
    """D's probability that the image is real and the classifier's guess with its confidence."""
    return tr("gan_apps.verdict", lang, p_real=percent(verdict.p_real), predicted=class_name,
              confidence=percent(verdict.confidence))


def loss_curve(curve: list[float], steps: int, lang: str) -> str:
    """The best start's loss at each step so far, on a log scale (the loss falls by orders of magnitude)."""
    width, height = CURVE_SIZE
    left, right, top, bottom = 46, width - 8, 10, height - 26
    values = [v for v in curve if v > 0 and math.isfinite(v)] or [1e-3, 1.0]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    hi = hi if hi > lo else lo * 10
    x = plot.linear(0, max(steps, 1), left, right)
    y = plot.logarithmic(lo, hi, bottom, top)
    parts = [plot.svg_open(width, height, tr("gan_apps.curve_label", lang), 11, 420, "gan-apps-curve")]
    decade = lo
    while decade <= hi * 1.0001:
        parts.append(plot.rule(left, right, y(decade), f"{decade:g}"))
        decade *= 10
    parts.append(plot.element("line", x1=left, x2=right, y1=bottom, y2=bottom, stroke="currentColor"))
    parts.append(plot.text(left, height - 8, "0"))
    parts.append(plot.text(right, height - 8, str(steps), text_anchor="end"))
    parts.append(plot.text((left + right) / 2, height - 8, tr("gan_apps.step_axis", lang), text_anchor="middle"))
    parts.append(plot.text(4, top + 2, tr("gan_apps.loss_axis", lang), transform=f"rotate(90 4 {top + 2})"))
    points = [(x(i + 1), y(v)) for i, v in enumerate(curve) if v > 0 and math.isfinite(v)]
    parts.append(plot.curve(points, "#7b2cbf", 2))
    if points:
        parts.append(plot.dot(*points[-1], 3.5, "#7b2cbf"))
    return "".join(parts) + "</svg>"


def panel(pictures: list[Picture], curve_svg: str, verdict: str, status: str, extra: str = "") -> str:
    """The whole view: the pictures in a row (they wrap on a phone), then the judges' line, the status and the curve."""
    figures = "".join(f'<figure class="gan-apps-figure"><img src="{p.uri}" alt="{escape(p.caption)}" width="128" height="128">'
                      f"<figcaption>{escape(p.caption)}</figcaption></figure>" for p in pictures)
    extra_html = f'<p class="gan-apps-extra">{escape(extra)}</p>' if extra else ""
    verdict_html = f'<p class="gan-apps-verdict">{escape(verdict)}</p>' if verdict else ""
    return (f'<div class="gan-apps-panel"><div class="gan-apps-pictures">{figures}</div>{verdict_html}'
            f'<p class="gan-apps-status">{escape(status)}</p>{extra_html}<div class="gan-apps-curve-box">{curve_svg}</div></div>')


def status_line(step: int, steps: int, loss: float, done: bool, seconds: float, lang: str) -> str:
    if done:
        return tr("gan_apps.status_done", lang, steps=steps, seconds=f"{seconds:.1f}", loss=f"{loss:.4f}")
    return tr("gan_apps.status_running", lang, step=step, steps=steps, loss=f"{loss:.4f}")


def brush_picture(uri: str) -> str:
    """The picture the repair's brush paints on (demo/static/gan_apps.js draws it under the painted mask)."""
    return f'<img class="gan-apps-brush-picture" src="{escape(uri)}" alt="" width="32" height="32">'


def blank_picture() -> Image.Image:
    """The place of the original while the search runs (it is revealed at the end)."""
    return Image.new("L", (32, 32), 40)
