"""The grid as one sheet (the API's /grid): each sample enlarged with its class and seed written under it, so a tile
says what it is in the downloaded PNG. The page shows the same samples as a gallery of tiles instead."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from core.gan.images import grid_shape

SCALE = 3  # 32x32 tiles shown 96x96
CAPTION = 30  # px under each tile: class on one line, seed on the next
PAD = 4  # px between tiles


@dataclass(frozen=True)
class Layout:
    cols: int
    rows: int
    tile: int  # px, square
    cell_w: int  # tile + PAD
    cell_h: int  # tile + CAPTION + PAD

    @classmethod
    def of(cls, count: int, size: int = 32 * SCALE) -> "Layout":
        rows, cols = grid_shape(count)
        return cls(cols, rows, size, size + PAD, size + CAPTION + PAD)

    @property
    def size(self) -> tuple[int, int]:
        return self.cols * self.cell_w - PAD, self.rows * self.cell_h - PAD


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # Pillow's own font: no system font needed (a Space has few)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> tuple[str, ImageFont.ImageFont | ImageFont.FreeTypeFont]:
    """The text in the largest font (13 down to 10 px) that fits `width`, elided in the middle if none does."""
    for size in (13, 12, 11, 10):
        font = _font(size)
        if draw.textlength(text, font=font) <= width:
            return text, font
    while len(text) > 4 and draw.textlength(text, font=font) > width:
        text = text[: len(text) // 2 - 1] + "…" + text[len(text) // 2 + 1 :].lstrip("…")
    return text, font


def labelled_sheet(images: list[Image.Image], captions: list[tuple[str, str]]) -> Image.Image:
    """The images (32x32 grey) enlarged SCALE times on a near-square grid, each with its two caption lines."""
    layout = Layout.of(len(images))
    sheet = Image.new("L", layout.size, 255)
    draw = ImageDraw.Draw(sheet)
    for i, (image, lines) in enumerate(zip(images, captions)):
        x, y = (i % layout.cols) * layout.cell_w, (i // layout.cols) * layout.cell_h
        sheet.paste(image.resize((layout.tile, layout.tile), Image.NEAREST), (x, y))
        for j, line in enumerate(lines):
            text, font = _fit(draw, line, layout.tile)
            draw.text((x + layout.tile / 2, y + layout.tile + 2 + 14 * j), text, fill=0, font=font, anchor="ma")
    return sheet


def slug(text: str) -> str:
    """A file-name part: "T-shirt/top" -> "t-shirt-top", "Ankle boot" -> "ankle-boot"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "image"
