"""Teach a small GPT your own text in a minute: the essay's recipe, step by step, on one CPU thread.

    python -m core.gpt.train_quick --data FILE --seconds 60 --size tiny --seed 0 --json

1. Text to indices: the vocabulary is every distinct character of the whole text (so a character that occurs only
   in the held-out part still has an index; the model just never trained on it), sorted, one index each.
2. Split: the last 10 % of the text is held out; the model never trains on it.
3. Train: random windows of the training part, each input id's target is the next id (the window shifted by one);
   AdamW lowers the cross-entropy loss.
4. Evaluate: the loss on the held-out part, against the loss of the text's character frequencies alone (its
   unigram entropy), the line a model must beat to have learned anything beyond "which characters are common".

The page's "Train on your text" runs this same `QuickTrainer`; the CLI's last line is a JSON object with the figures.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import shlex
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from core.checkpoints import CARD_FILE, atomic_write_text
from core.gpt.data import random_batch
from core.gpt.evaluate import window_loss
from core.gpt.io import save_gpt
from core.gpt.knobs import SamplingKnobs
from core.gpt.model import GPT, GPTConfig
from core.gpt.model_card import front_matter
from core.gpt.sampling import Sampler
from core.gpt.tokenizer import CharTokenizer
from core.validation import KnobError

MIN_TEXT_CHARS = 1_000  # below this the held-out part is too short to measure anything
MAX_TEXT_CHARS = 300_000  # about 1 MB of Chinese in UTF-8: the page's cap on what one visitor may upload
MAX_VOCAB = 4_000  # distinct characters: a Chinese text of 300 k characters has about 4 000
VAL_FRACTION = 0.1
EVAL_WINDOWS = 24  # held-out windows per measurement: a few milliseconds for the tiny model
# A step's logits (batch x sequence x vocabulary floats) and the copies the backward pass keeps dominate a training
# session's memory on a text of thousands of distinct characters; fewer sequences per step keep them in this budget.
LOGITS_BUDGET = 4 * 2**20


@dataclass(frozen=True)
class QuickSize:
    """A model size for the page, chosen from measurements on one thread (see docs/performance.md)."""
    n_layer: int
    n_head: int
    n_embd: int
    context: int
    batch_size: int
    lr: float


SIZES: dict[str, QuickSize] = {
    "tiny": QuickSize(n_layer=2, n_head=2, n_embd=64, context=64, batch_size=16, lr=3e-3),
    "small": QuickSize(n_layer=4, n_head=4, n_embd=128, context=128, batch_size=12, lr=2e-3),
}


def batch_size_within_budget(batch_size: int, sequence: int, vocab: int) -> int:
    """The size's batch, or fewer sequences (at least 2) where its logits would pass LOGITS_BUDGET."""
    return max(2, min(batch_size, LOGITS_BUDGET // (sequence * vocab)))


class TextError(KnobError):
    """A text the trainer cannot use; the message says why and what is accepted."""


def check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TextError(f"The training text must be text; got a {type(text).__name__}.", "errors.training_text_type",
                        kind=type(text).__name__)
    if len(text) < MIN_TEXT_CHARS:
        raise TextError(f"The text has {len(text):,} characters; give at least {MIN_TEXT_CHARS:,} "
                        f"(up to {MAX_TEXT_CHARS:,}) so that a tenth of it can be held out to measure the model.",
                        "errors.training_text_short", count=f"{len(text):,}", low=f"{MIN_TEXT_CHARS:,}",
                        high=f"{MAX_TEXT_CHARS:,}")
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}. Use a shorter part of it.",
                        "errors.training_text_long", count=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}")
    distinct = len(set(text))
    if distinct > MAX_VOCAB:
        raise TextError(f"The text has {distinct:,} distinct characters; the limit is {MAX_VOCAB:,}.",
                        "errors.training_text_vocab", count=f"{distinct:,}", limit=f"{MAX_VOCAB:,}")
    if distinct < 2:
        raise TextError("The text repeats a single character; there is nothing to learn. Paste a real text.",
                        "errors.training_text_single")
    return text


def check_size(size: Any) -> QuickSize:
    if size not in SIZES:
        raise KnobError(f"The model size must be one of {', '.join(SIZES)}; got {size!r}.", "errors.model_size",
                        choices=", ".join(SIZES), got=repr(size))
    return SIZES[size]


@dataclass(frozen=True)
class PreparedText:
    """Step 1 and 2 of the recipe: the vocabulary, the split and both parts as index tensors."""
    tokenizer: CharTokenizer
    counts: dict[str, int]
    train_text: str
    val_text: str
    train_ids: torch.Tensor
    val_ids: torch.Tensor
    sha256: str

    @property
    def unigram_nats(self) -> float:
        """Entropy of the text's character frequencies: the loss of a model that knows only which characters are common."""
        total = sum(self.counts.values())
        return -sum(c / total * math.log(c / total) for c in self.counts.values())


def prepare_text(text: str) -> PreparedText:
    text = check_text(text)
    cut = int(len(text) * (1 - VAL_FRACTION))
    tokenizer = CharTokenizer.from_text(text)
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    return PreparedText(tokenizer, dict(Counter(text)), text[:cut], text[cut:], ids[:cut], ids[cut:],
                        hashlib.sha256(text.encode("utf-8")).hexdigest())


def vocabulary_rows(prepared: PreparedText) -> list[tuple[str, int, int]]:
    """(character, index, count in the text), in index order."""
    return [(c, i, prepared.counts.get(c, 0)) for i, c in enumerate(prepared.tokenizer.vocab)]


def example_batch(prepared: PreparedText, size: QuickSize, rows: int = 2, length: int = 24, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A few rows of a training batch as the model sees them: input ids and the targets, the same ids shifted by one."""
    return random_batch(prepared.train_ids, rows, min(length, size.context), torch.Generator().manual_seed(seed))


@dataclass(frozen=True)
class Progress:
    step: int
    train_loss: float
    val_loss: float | None  # measured every `eval_every` steps
    seconds: float  # training time so far (step time only)


class QuickTrainer:
    """A small GPT and its optimizer over one prepared text; `step()` is one optimizer step.

    It keeps the weights with the lowest held-out loss seen (early stopping: a small text is overfitted soon), and
    `best_model()` is that model."""

    def __init__(self, prepared: PreparedText, size: QuickSize, seed: int = 0):
        self.prepared, self.size = prepared, size
        self.context = min(size.context, max(8, len(prepared.val_ids) // 2 - 1))
        torch.manual_seed(seed)
        config = GPTConfig(prepared.tokenizer.size, self.context, size.n_layer, size.n_head, size.n_embd, 0.0)
        self.model = GPT(config)
        decay = [p for p in self.model.parameters() if p.dim() >= 2]
        rest = [p for p in self.model.parameters() if p.dim() < 2]
        self.optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                                           lr=size.lr, betas=(0.9, 0.95))
        self.batches = torch.Generator().manual_seed(seed)
        self.batch_size = batch_size_within_budget(size.batch_size, 2 * self.context, prepared.tokenizer.size)
        self.steps, self.seconds = 0, 0.0
        self.start_val = self.held_out_loss()
        self.best_val, self.best_step = self.start_val, 0
        self._best_state = {k: v.clone() for k, v in self.model.state_dict().items()}

    @property
    def params(self) -> int:
        return self.model.num_parameters()

    def held_out_loss(self) -> float:
        return window_loss(self.model, self.prepared.val_ids, self.context, max_windows=EVAL_WINDOWS)

    def step(self) -> float:
        started = time.perf_counter()
        self.model.train()
        warmup = 30
        for group in self.optimizer.param_groups:
            group["lr"] = self.size.lr * min(1.0, (self.steps + 1) / warmup)
        x, y = random_batch(self.prepared.train_ids, self.batch_size, 2 * self.context, self.batches)
        logits = self.model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.steps += 1
        self.seconds += time.perf_counter() - started
        return loss.item()

    def evaluate(self) -> float:
        """Held-out loss now; keeps these weights if they are the best so far."""
        val = self.held_out_loss()
        if val < self.best_val:
            self.best_val, self.best_step = val, self.steps
            self._best_state = {k: v.clone() for k, v in self.model.state_dict().items()}
        return val

    def best_model(self) -> GPT:
        model = GPT(self.model.config)
        model.load_state_dict(self._best_state)
        return model.eval()

    def sample(self, prompt: str, length: int = 120, seed: int = 0, temperature: float = 0.8) -> str:
        """The best model's continuation of `prompt` (its characters must be in the vocabulary)."""
        knobs = SamplingKnobs(temperature=temperature, top_k=0, top_p=1.0, max_new_tokens=length, seed=seed)
        return Sampler(self.best_model(), self.prepared.tokenizer).generate(prompt, knobs)

    def save(self, directory: str | Path, command: str) -> None:
        """A model folder `python -m core.gpt.sample --checkpoint DIR` loads: weights, config and a card."""
        metrics = {"val_loss": round(self.best_val, 4), "start_val_loss": round(self.start_val, 4),
                   "unigram_nats": round(self.prepared.unigram_nats, 4), "step": self.best_step, "steps": self.steps,
                   "parameters": self.params}
        data = {"characters": len(self.prepared.train_text) + len(self.prepared.val_text),
                "train_characters": len(self.prepared.train_text), "held_out_characters": len(self.prepared.val_text),
                "sha256": self.prepared.sha256}
        save_gpt(directory, self.best_model(), self.prepared.tokenizer, metrics,
                 {"commands": [command], "data": data, "size": asdict(self.size)})
        atomic_write_text(Path(directory) / CARD_FILE, quick_card(metrics, data, self.model.config, command))


def quick_card(metrics: dict[str, Any], data: dict[str, Any], config: GPTConfig, command: str) -> str:
    return "\n".join([
        *front_matter("other", ["gpt", "char-level", "playground"]),
        "# A small character-level GPT trained on your text", "",
        f"{config.n_layer} layers, {config.n_head} heads, width {config.n_embd}, window {config.context_length} "
        f"characters, {metrics['parameters']:,} parameters, vocabulary of {config.vocab_size} characters.", "",
        f"- Data: {data['characters']:,} characters (sha256 `{data['sha256']}`); the last "
        f"{data['held_out_characters']:,} were held out.",
        f"- Held-out loss: {metrics['val_loss']} nats/character at step {metrics['step']} of {metrics['steps']} "
        f"(untrained: {metrics['start_val_loss']}; the text's unigram entropy: {metrics['unigram_nats']}).",
        f"- Train it again: `{command}`",
        "- Write with it: `python -m core.gpt.sample --checkpoint THIS_FOLDER --prompt \"...\"`", "",
    ])


def train_for(trainer: QuickTrainer, seconds: float, eval_every: int = 25) -> None:
    """Train until `seconds` of step time have passed, measuring the held-out loss every `eval_every` steps."""
    deadline = trainer.seconds + seconds
    while trainer.seconds < deadline:
        trainer.step()
        if trainer.steps % eval_every == 0:
            trainer.evaluate()
    trainer.evaluate()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="a UTF-8 text file, %d to %d characters" % (MIN_TEXT_CHARS, MAX_TEXT_CHARS))
    p.add_argument("--seconds", type=float, default=60.0, help="training time (step time, one thread)")
    p.add_argument("--size", default="tiny", choices=list(SIZES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="save the model folder here (python -m core.gpt.sample --checkpoint OUT loads it)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    try:
        prepared = prepare_text(Path(args.data).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, KnobError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    trainer = QuickTrainer(prepared, SIZES[args.size], args.seed)
    print(f"{trainer.params:,} parameters, vocabulary {prepared.tokenizer.size}, train {len(prepared.train_text):,} / "
          f"held out {len(prepared.val_text):,} characters; unigram entropy {prepared.unigram_nats:.3f} nats/char, "
          f"untrained {trainer.start_val:.3f}", file=sys.stderr)
    train_for(trainer, args.seconds)
    if args.out:
        trainer.save(args.out, "python -m core.gpt.train_quick " + shlex.join(sys.argv[1:] if argv is None else argv))
    figures = {"unigram_nats": round(prepared.unigram_nats, 4), "start_nats": round(trainer.start_val, 4),
               "end_nats": round(trainer.best_val, 4), "best_step": trainer.best_step, "steps": trainer.steps,
               "seconds": round(trainer.seconds, 1), "steps_per_s": round(trainer.steps / max(trainer.seconds, 1e-9), 1),
               "params": trainer.params, "vocab": prepared.tokenizer.size, "characters": len(prepared.train_text) + len(prepared.val_text)}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"held-out loss {figures['start_nats']} -> {figures['end_nats']} nats/char in {figures['steps']} steps "
              f"(unigram entropy {figures['unigram_nats']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
