"""The few pieces both of the app's line charts are drawn with (the GAN's "watch it learn" curves and the Agent tab's
learning curve): scales from data to drawing units, and the SVG elements as strings.

Plain SVG strings in a gr.HTML, not gr.LinePlot: the charts mark a chosen point (a ring, a line, a label), stack
panels with their own scales (one of them logarithmic) and are drawn at two sizes for a desktop and a phone; the
server builds a few kilobytes of text and the browser draws it at once, with no chart library to load.
"""
from __future__ import annotations

import math
from html import escape
from typing import Callable

Scale = Callable[[float], float]


def linear(lo: float, hi: float, at_lo: float, at_hi: float) -> Scale:
    """Maps lo..hi onto at_lo..at_hi (drawing units; at_lo > at_hi for a y axis, which grows downwards); values
    outside lo..hi are drawn at its ends, so an outlier stays on the chart."""
    return lambda v: at_hi + (at_lo - at_hi) * (hi - min(hi, max(lo, v))) / (hi - lo)


def logarithmic(lo: float, hi: float, at_lo: float, at_hi: float) -> Scale:
    """linear() on log10 of the values (lo > 0)."""
    line = linear(math.log10(lo), math.log10(hi), at_lo, at_hi)
    return lambda v: line(math.log10(min(hi, max(lo, v))))


def _value(v: object) -> str:
    return f"{v:.1f}" if isinstance(v, float) else escape(str(v), quote=True)


def element(tag: str, body: str = "", **attrs: object) -> str:
    """<tag a="1" ...>body</tag>; an attribute named text_anchor is written text-anchor, floats with one decimal."""
    written = "".join(f' {name.rstrip("_").replace("_", "-")}="{_value(v)}"' for name, v in attrs.items() if v is not None)
    return f"<{tag}{written}>{body}</{tag}>" if body else f"<{tag}{written}/>"


def svg_open(width: int, height: float, label: str, font_px: int, max_width: int, css_class: str | None = None) -> str:
    """The opening tag: scales to its container's width, up to max_width pixels; close it with '</svg>'."""
    klass = f' class="{css_class}"' if css_class else ""
    return (f'<svg viewBox="0 0 {width} {_value(height)}" width="100%" role="img" aria-label="{escape(label)}"{klass} '
            f'style="max-width:{max_width}px;font:{font_px}px sans-serif">')


def text(x: float, y: float, body: str, fill: str = "currentColor", **attrs: object) -> str:
    return element("text", escape(body, quote=False), x=x, y=y, **attrs, fill=fill)


def rule(left: float, right: float, y: float, label: str) -> str:
    """A faint horizontal grid line with its value written left of the plot."""
    return (element("line", x1=left, x2=right, y1=y, y2=y, stroke="#8884")
            + text(left - 4, y + 4, label, text_anchor="end"))


def curve(points: list[tuple[float, float]], stroke: str, width: float, title: str | None = None) -> str:
    """A polyline through (x, y) drawing points, as one path; "" for no points."""
    if not points:
        return ""
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return element("path", element("title", escape(title)) if title else "", d=d, fill="none", stroke=stroke,
                   stroke_width=width)


def dot(x: float, y: float, r: float, colour: str, title: str | None = None) -> str:
    return element("circle", element("title", escape(title)) if title else "", cx=x, cy=y, r=r, fill=colour)


def ring(x: float, y: float, r: float, colour: str) -> str:
    """The mark of a chosen point: a circle's outline around it."""
    return element("circle", cx=x, cy=y, r=r, fill="none", stroke=colour, stroke_width=2)
