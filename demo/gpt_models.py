"""Which GPT a view looks at: the shipped model, a snapshot of its training run, or the visitor's own model.

One registry serves every GPT view (Watch it learn, Inside the GPT, the Text tab), so a choice means the same model
everywhere: `GptModels.resolve(choice, session_id)`. The shipped model and the snapshots are the same for everyone;
"your model" is the one the visitor trained on their text in this browser session (`OwnModels`), kept for the rest
of the session (a few hours at most, the least recently used first to go when many visitors train).
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache, TTLCache

from core.gpt.io import LoadedGPT
from core.gpt.model import GPT
from core.gpt.snapshots import SnapshotPack
from core.gpt.tokenizer import CharTokenizer
from demo.errors import refusal
from demo.locales import tr

SHIPPED = "shipped"
OWN = "own"
SNAPSHOT_PREFIX = "step-"  # a snapshot's choice is "step-<N>"
OWN_MODELS_KEPT = 64  # visitors' models held at once (a small model is ~1-4 MB)
OWN_MODEL_HOURS = 4


@dataclass(frozen=True)
class GptChoice:
    """A model a view can run, with the words that name it on the page."""
    key: str  # SHIPPED, OWN or "step-<N>": the value of the page's model choice
    label: str
    model: GPT
    tokenizer: CharTokenizer
    uid: str = ""  # names these weights for caches: a visitor's retrained model gets a new one ("" = key)

    @property
    def cache_key(self) -> str:
        """What a cache of this model's results keys on: the same for the same weights, never for others."""
        return self.uid or self.key


_own_ids = itertools.count(1)


def snapshot_key(step: int) -> str:
    return f"{SNAPSHOT_PREFIX}{step}"


class OwnModels:
    """The model each browser session trained on its own text (set when a training run stops or ends)."""

    def __init__(self, kept: int = OWN_MODELS_KEPT, hours: float = OWN_MODEL_HOURS) -> None:
        self._models: TTLCache[str, GptChoice] = TTLCache(maxsize=kept, ttl=hours * 3600)
        self._lock = threading.Lock()

    def put(self, session_id: str, model: GPT, tokenizer: CharTokenizer, label: str = tr("text.model_own", "en")) -> None:
        with self._lock:
            self._models[session_id] = GptChoice(OWN, label, model.eval(), tokenizer, f"{OWN}-{next(_own_ids)}")

    def get(self, session_id: str | None) -> GptChoice | None:
        if not session_id:
            return None
        with self._lock:
            return self._models.get(session_id)


class GptModels:
    """The registry: the shipped GPT, its snapshot pack (weights read on first use, all kept: ~10 MB each) and the
    visitors' own models."""

    def __init__(self, shipped: LoadedGPT | None, pack: SnapshotPack | None, own: OwnModels | None = None) -> None:
        self.shipped = shipped
        self.pack = pack
        self.own = own or OwnModels()
        self._snapshots: LRUCache[int, GptChoice] = LRUCache(maxsize=max(1, len(pack.snapshots) if pack else 1))
        self._lock = threading.Lock()

    def choice_entries(self, session_id: str | None = None, snapshots: bool = True) -> list[tuple[str, dict[str, Any], str]]:
        """(catalog key of the label, its values, model key) for each model a dropdown offers: the shipped model,
        every snapshot, and the visitor's model if any."""
        entries: list[tuple[str, dict[str, Any], str]] = []
        if self.shipped is not None:
            entries.append(("text.model_shipped", {}, SHIPPED))
        if snapshots and self.pack is not None:
            entries += [("text.model_snapshot", {"step": s.step}, snapshot_key(s.step)) for s in self.pack.snapshots]
        if self.own.get(session_id) is not None:
            entries.append(("text.model_own", {}, OWN))
        return entries

    def choices(self, session_id: str | None = None, snapshots: bool = True, lang: str = "en") -> list[tuple[str, str]]:
        """(label in `lang`, key) pairs for a dropdown (choice_entries, their labels written out)."""
        return [(tr(label, lang, **values), key) for label, values, key in self.choice_entries(session_id, snapshots)]

    def snapshot(self, step: int) -> GptChoice:
        if self.pack is None:
            raise refusal("text.error_no_snapshots")
        with self._lock:
            if (found := self._snapshots.get(step)) is not None:
                return found
        model = self.pack.load_model(self.pack.snapshot(step).step)  # raises CheckpointError naming the steps it has
        choice = GptChoice(snapshot_key(step), tr("text.model_snapshot", "en", step=step), model, self.pack.tokenizer)
        with self._lock:
            self._snapshots[step] = choice
        return choice

    def resolve(self, key: object, session_id: str | None = None) -> GptChoice:
        """The model for a page's choice; KnobError with what is accepted when it is unknown or gone."""
        if key == SHIPPED and self.shipped is not None:
            return GptChoice(SHIPPED, tr("text.model_shipped", "en"), self.shipped.model, self.shipped.tokenizer)
        if key == OWN:
            own = self.own.get(session_id)
            if own is None:
                raise refusal("text.error_no_own_model", hours=OWN_MODEL_HOURS)
            return own
        if isinstance(key, str) and key.startswith(SNAPSHOT_PREFIX) and key[len(SNAPSHOT_PREFIX):].isdigit():
            step = int(key[len(SNAPSHOT_PREFIX):])
            if self.pack is not None and step in self.pack.steps:
                return self.snapshot(step)
        accepted = ", ".join(key for _, key in self.choices(session_id))
        raise refusal("text.error_unknown_gpt", model=repr(key), accepted=accepted)
