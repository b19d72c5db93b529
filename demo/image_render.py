"""What the Images tab shows, from what the GAN computed: file names that say what an image is, the enlarged PNGs,
the labelled grid sheet of the API's /grid, the direction previews and D's verdict line. Pure functions (no Gradio,
no model), so each can be read and tested alone; the handlers are demo/image_handlers.py, the page
demo/image_tab.py."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Callable

from PIL import Image, ImageDraw, ImageFont

from core.gan.images import grid_shape
from core.gan.judge import Verdict
from core.gan.latent import ImageKnobs
from demo.locales import CATALOG, tr

IMAGE_SCALE = 8  # 32x32 shown as 256x256, nearest neighbour so pixels stay crisp
PREVIEW_SCALE = 2  # the direction previews: two 64x64 tiles
TILE_SCALE = 4  # grid tiles written 128x128 (the page scales them, pixelated)
PREVIEW_CAPTION = 13  # px under them for the move each shows (-3.5, +3.5)
PNG_COMPRESS_LEVEL = 1  # 0.3 ms instead of 1 ms per 256x256 slider image, and no bigger (its 8x8 blocks compress well)
SHEET_SCALE = 3  # the /grid sheet: 32x32 tiles shown 96x96
CAPTION = 30  # px under each sheet tile: class on one line, seed on the next
PAD = 4  # px between sheet tiles

VERDICT_EXPLAIN = "image.verdict_explain"  # the catalog key of what D(x | y) means (demo/locales/image.py)
DIRECTION_NAME, DIRECTION_HINT = "image.dir_name.", "image.dir_hint."  # + the direction's key in the catalog


def class_label(class_name: str, lang: str) -> str:
    """A class's name in `lang` ("Sneaker" -> "运动鞋"); a name the catalog lacks stays as it is."""
    key = f"image.class.{class_name}"
    return tr(key, lang) if key in CATALOG else class_name


def direction_keys(name: str) -> tuple[str | None, str | None]:
    """The catalog keys of a direction slider's name and hint, found by the name's English (the checkpoint's config
    names them); (None, None) for a name the app does not have, which then shows as it is."""
    for key, entry in CATALOG.items():
        if key.startswith(DIRECTION_NAME) and entry["en"] == name:
            ident = key[len(DIRECTION_NAME):]
            hint = DIRECTION_HINT + ident
            return key, hint if hint in CATALOG else None
    return None, None


def direction_label(name: str, lang: str) -> str:
    """A direction's name in `lang` when the app has it, else the checkpoint's name as it is."""
    key, _ = direction_keys(name)
    return tr(key, lang) if key else name


def slug(text: str) -> str:
    """A file-name part: "T-shirt/top" -> "t-shirt-top", "Ankle boot" -> "ankle-boot"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "image"


def psi_text(psi: float) -> str:
    """1.0 -> "1.0", 0.75 -> "0.75": at least one decimal, as a file name reads it."""
    text = f"{psi:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def image_name(knobs: ImageKnobs, class_name: str) -> str:
    """dress-seed5-psi1.0.png; moved directions are added as -d2+1.5 (direction 2 at +1.5)."""
    moves = "".join(f"-d{i + 1}{v:+g}" for i, v in enumerate(knobs.directions) if v != 0.0)
    return f"{slug(class_name)}-seed{knobs.seed}-psi{psi_text(knobs.psi)}{moves}.png"


def grid_name(class_name: str, first: int, count: int, psi: float) -> str:
    """The /grid sheet's file: dress-seeds5-20-psi1.0.png."""
    return f"{slug(class_name)}-seeds{first}-{first + count - 1}-psi{psi_text(psi)}.png"


def tile_name(class_name: str, seed: int, psi: float) -> str:
    """A gallery tile's file: dress-seed5-psi1.0.png."""
    return f"{slug(class_name)}-seed{seed}-psi{psi_text(psi)}.png"


def tile_caption(class_name: str, seed: int, lang: str = "en") -> str:
    """A gallery tile's caption, in text that stays sharp at any size."""
    return tr("image.tile_caption", lang, cls=class_label(class_name, lang), seed=seed)


def gif_name(class_name: str, seed: int, seed_b: int, psi: float) -> str:
    """The interpolation's file: dress-seed5-to-9-psi1.0.gif."""
    return f"{slug(class_name)}-seed{seed}-to-{seed_b}-psi{psi_text(psi)}.gif"


def preview_name(class_name: str, seed: int, psi: float, index: int) -> str:
    """Direction `index`'s preview strip: dress-seed5-psi1.0-d1-minus-plus.png."""
    return f"{slug(class_name)}-seed{seed}-psi{psi_text(psi)}-d{index + 1}-minus-plus.png"


def png(image: Image.Image) -> Callable[[IO[bytes]], object]:
    """What writes `image` as a PNG into a file GeneratedFiles opened (fast compression: see PNG_COMPRESS_LEVEL)."""
    return lambda f: image.save(f, format="png", compress_level=PNG_COMPRESS_LEVEL)


def preview_strip(minus: Image.Image, plus: Image.Image, reach: float) -> Image.Image:
    """One direction's preview: the image at -reach and at +reach side by side, each move written under it."""
    size = 32 * PREVIEW_SCALE
    font = ImageFont.load_default(size=11)
    strip = Image.new("L", (2 * size + 4, size + PREVIEW_CAPTION), 255)
    draw = ImageDraw.Draw(strip)
    for x, image, text in ((0, minus, f"-{reach:g}"), (size + 4, plus, f"+{reach:g}")):  # Pillow's font has no U+2212
        strip.paste(image.resize((size, size), Image.NEAREST), (x, 0))
        draw.text((x + size / 2, size + 1), text, fill=0, font=font, anchor="ma")
    return strip


@dataclass(frozen=True)
class Layout:
    """Where the /grid sheet puts its tiles: a near-square grid of captioned cells."""

    cols: int
    rows: int
    tile: int  # px, square
    cell_w: int  # tile + PAD
    cell_h: int  # tile + CAPTION + PAD

    @classmethod
    def of(cls, count: int, size: int = 32 * SHEET_SCALE) -> "Layout":
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
    """The /grid sheet: the images (32x32 grey) enlarged SHEET_SCALE times on a near-square grid, each with its two
    caption lines, so a tile says what it is in the downloaded PNG (the page shows a gallery of tiles instead)."""
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


def verdict_markdown(v: Verdict, class_name: str, lang: str = "en") -> str:
    """D's verdict and the classifier's guess on the slider image, in one line beside it."""
    call = tr("image.verdict_real" if v.p_real > 0.5 else "image.verdict_fake", lang)
    return tr("image.verdict_line", lang, cls=class_label(class_name, lang), p=f"{v.p_real:.2f}", call=call,
              guess=class_label(v.predicted, lang), confidence=f"{v.confidence:.0%}")
