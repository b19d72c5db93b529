"""Character-level tokenizer. Its vocabulary is stored in the checkpoint's config, so a model and its
tokenizer always travel together. Unknown characters are reported, never silently dropped or replaced."""
from __future__ import annotations

from dataclasses import dataclass

from core.validation import KnobError


class UnknownCharactersError(KnobError):
    """Raised when a text holds characters outside the vocabulary; `.characters` lists them in order of appearance."""

    def __init__(self, characters: list[str]):
        self.characters = characters
        shown = ", ".join(repr(c) for c in characters[:20]) + (" ..." if len(characters) > 20 else "")
        super().__init__(
            f"The model does not know {len(characters)} character(s) in the prompt: {shown}. "
            "Remove or replace them; the model knows plain English letters, digits, spaces, newlines and common punctuation.",
            "errors.unknown_characters", count=len(characters), shown=shown,
        )


@dataclass(frozen=True)
class CharTokenizer:
    vocab: str  # every known character once, in token-id order

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.vocab)

    @property
    def _index(self) -> dict[str, int]:
        index = self.__dict__.get("_cached_index")
        if index is None:
            index = {c: i for i, c in enumerate(self.vocab)}
            object.__setattr__(self, "_cached_index", index)
        return index

    def unknown_characters(self, text: str) -> list[str]:
        """Characters of `text` outside the vocabulary, each once, in order of first appearance."""
        index = self._index
        return list(dict.fromkeys(c for c in text if c not in index))

    def encode(self, text: str) -> list[int]:
        unknown = self.unknown_characters(text)
        if unknown:
            raise UnknownCharactersError(unknown)
        index = self._index
        return [index[c] for c in text]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.vocab[i] for i in ids)
