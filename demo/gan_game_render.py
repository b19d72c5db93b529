"""What the real-or-fake game shows: the round's images in one numbered strip and the result table with the running
score. Pure (no Gradio); the handlers are demo/gan_game_handlers.py, the layout demo/gan_game_tab.py."""
from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from core.gan.game import RoundResult
from demo.image_render import class_label
from demo.locales import tr

SHOW_SCALE = 4  # 28x28 shown at 112x112
EXPLAIN = "image.game_explain"  # the catalog key of the game's rules (demo/locales/image.py)


def round_strip(images: Any) -> Image.Image:
    """The round's images in one picture, three to a row (it fits a phone's width), numbered 1..n below each."""
    tile, gap, band, cols = 28 * SHOW_SCALE, 8, 20, 3
    rows = -(-len(images) // cols)
    strip = Image.new("L", (cols * tile + (cols - 1) * gap, rows * (tile + band)), 255)
    draw = ImageDraw.Draw(strip)
    for i, pixels in enumerate(images):
        x, y = (i % cols) * (tile + gap), (i // cols) * (tile + band)
        strip.paste(Image.fromarray(pixels, "L").resize((tile, tile), Image.NEAREST), (x, y))
        draw.text((x + tile // 2, y + tile + band // 2), str(i + 1), fill=0, anchor="mm", font_size=16)
    return strip


def result_markdown(result: RoundResult, score: dict[str, int], lang: str = "en") -> str:
    """The round's truth beside the player's and D's calls, one row per image, under the running score, in `lang`."""
    rows = [tr("image.game_header", lang), "|---|---|---|---|---|---|"]
    word = {True: tr("image.real", lang), False: tr("image.fake", lang)}
    for i, (real, mark, v, name) in enumerate(zip(result.is_real, result.marked_real, result.verdicts, result.classes)):
        ok = lambda said: "\u00a0✓" if said == real else "\u00a0✗"  # noqa: E731  (no-break space: one line on a phone)
        rows.append(f"| {i + 1} | {word[bool(real)]} | {word[bool(mark)]}{ok(mark)} | {v.p_real:.2f} | "
                    f"{word[v.p_real > 0.5]}{ok(v.p_real > 0.5)} | {class_label(name, lang)} |")
    n = len(result.is_real)
    score_line = tr("image.game_score", lang, you=result.player_correct, n=n, d=result.d_correct, rounds=score["rounds"],
                    player=score["player"], images=score["images"], d_total=score["d"])
    return "\n".join([score_line, "", *rows])
