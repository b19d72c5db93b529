"""Handlers of "Train a GPT on your text": fill the text with a bundled sample, Train (a new model), Continue (the
same model), Stop, each ONE function that checks its input once and hands the run to serve/training_sessions.py.
Train and Continue then watch the run: a page update whenever it moved, a few times a second, until it ends; then
the model is registered for the Text tab (`GptModels.own`, done by the run's own thread, so it happens even when the
page has gone) and offered as a zip of its model folder. What the updates show is demo/own_text_render.py."""
from __future__ import annotations

import io
import os
import shlex
import tempfile
import time
import zipfile
from pathlib import Path
from typing import IO, Any, Iterator

import gradio as gr

from core import limits
from core.gpt import train_quick
from core.gpt.sample_texts import SAMPLES, load_sample
from core.gpt.train_quick import PreparedText, QuickSize, check_size, example_batch, prepare_text
from core.validation import as_int
from demo import own_text_render as render
from demo.errors import USER_ERRORS, FieldError, FieldNotes, about, field_note, localized, refusal
from demo.gpt_models import GptModels
from demo.i18n import request_language
from demo.locales import tr
from demo.shared import GeneratedFiles
from serve.training_sessions import CAP_S, TrainingRun, TrainingSessions

POLL_S = 0.2  # how often the page's stream looks at the run: at least twice a second whatever the round trip
PROMPT_CHARS = 16  # the sample prompt: the first characters of the held-out text
DOWNLOAD_NAME = "my-gpt.zip"
FILES_CAP_BYTES = 128 * 2**20  # the zips on disk at most (a small model with a large vocabulary zips to ~5 MB)
SEED_NAME = "Seed"
# The page's notes, one per field: the text box, the size, the seed, and the buttons (slots, cap, nothing to continue)
FIELDS = ("text", "size", "seed", "buttons")
PAGE_NOTES = FieldNotes(FIELDS, fallback="buttons")


def _notes(exc: Exception, lang: str) -> tuple[Any, ...]:
    """The notes for a refusal: its message in the page's language, by its field."""
    field = exc.field if isinstance(exc, FieldError) and exc.field in FIELDS else PAGE_NOTES.fallback
    return PAGE_NOTES.show(field, localized(exc, lang))
# A page update: (chart, status, sample, recipe, download, ended note, *one note per field)
OUTPUTS = 6


def client_address(request: gr.Request | None) -> str:
    """The visitor's address as the HTTP guard counts it (demo/build.py guard_config): behind Hugging Face's proxy
    (SPACE_ID set) the last X-Forwarded-For entry, which the proxy appends; else the connection's address."""
    if request is None:
        return ""
    if os.environ.get("SPACE_ID"):
        forwarded = (request.headers.get("x-forwarded-for") or "") if request.headers else ""
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return getattr(request.client, "host", "") or ""


def session_id(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def sample_prompt(prepared: PreparedText) -> str:
    """The first characters of the held-out text: the model has never trained on what follows them."""
    return prepared.val_text[:PROMPT_CHARS]


def train_command(size: str, seed: int, seconds: float) -> str:
    """The CLI command that trains the same kind of model on the same text (the card records it)."""
    return shlex.join(["python", "-m", "core.gpt.train_quick", "--data", "YOUR_TEXT.txt", "--seconds",
                       f"{max(1, round(seconds))}", "--size", size, "--seed", str(seed)])


def zip_model_folder(run: TrainingRun, size: str, seed: int, target: IO[bytes]) -> None:
    """The run's best model as a model folder (QuickTrainer.save: weights, config, card) zipped into target."""
    with tempfile.TemporaryDirectory(prefix="own-gpt-") as folder:
        run.trainer.save(folder, train_command(size, seed, run.view().seconds))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, f"my-gpt/{path.name}")


class OwnTextHandlers:
    """The view's operations over the registry of GPTs (the visitor's model goes there) and the training slots."""

    def __init__(self, models: GptModels, sessions: TrainingSessions | None = None,
                 files: GeneratedFiles | None = None, poll_s: float = POLL_S) -> None:
        self.models = models
        self.sessions = sessions or TrainingSessions(cap_s=CAP_S)
        self.sessions.on_end = self.register
        self.files = files or GeneratedFiles(FILES_CAP_BYTES)
        self.poll_s = poll_s
        self._sizes: dict[str, tuple[str, int]] = {}  # session -> (size, seed) of its model, for the card's command

    def register(self, sid: str, run: TrainingRun) -> None:
        """The run ended: its best weights are "Your model" for the rest of the session (Text tab, Inside the GPT)."""
        self.models.own.put(sid, run.trainer.best_model(), run.trainer.prepared.tokenizer)

    # ---- the operations: input checked once (a refusal names its field) ----------------------------------------------
    @staticmethod
    def check(text: Any, size: Any, seed: Any) -> tuple[PreparedText, QuickSize, int]:
        with about("size"):
            quick_size = check_size(size)
        with about("seed"):
            seed = as_int(SEED_NAME, seed, 0, limits.MAX_SEED)
        with about("text"):
            prepared = prepare_text(text)
        return prepared, quick_size, seed

    @staticmethod
    def sample_text(key: Any) -> str:
        """A bundled sample's text for the text box."""
        if key not in SAMPLES:
            raise refusal("own.error_sample", titles=", ".join(s.title for s in SAMPLES.values()))
        return load_sample(key)

    def train(self, text: Any, size: Any, seed: Any, sid: str, address: str, lang: str = "en") -> Iterator[tuple[Any, ...]]:
        """A new model on the text: (recipe, then live updates until it ends; see watch)."""
        prepared, quick_size, seed = self.check(text, size, seed)
        inputs, targets = example_batch(prepared, quick_size, seed=seed)
        recipe = render.recipe_html(prepared, inputs.tolist(), targets.tolist(), lang)
        run = self.sessions.start(sid, address, prepared, quick_size, seed, sample_prompt(prepared))
        self._sizes[sid] = (str(size), seed)
        yield from self.watch(run, sid, recipe, lang)

    def resume(self, sid: str, address: str, lang: str = "en") -> Iterator[tuple[Any, ...]]:
        """Continue: the session's model trains on from where it stopped, up to the session's cap."""
        run = self.sessions.resume(sid, address)
        yield from self.watch(run, sid, gr.skip(), lang)

    def watch(self, run: TrainingRun, sid: str, recipe: Any, lang: str = "en") -> Iterator[tuple[Any, ...]]:
        """Page updates of a run, (chart, status, sample, recipe, download, ended note), whenever it moved; the
        last one, once it ended, offers the download. The run goes on if this stream is closed early (the page went
        away): it ends at Stop, the cap, or when the page's session ends."""
        unigram = run.trainer.prepared.unigram_nats
        seen, first = -1, True
        while (view := run.view()).state == "running":
            if view.version != seen:
                rest = (recipe, gr.DownloadButton(visible=False), field_note()) if first else (gr.skip(),) * 3
                yield (render.loss_chart(view, unigram, lang), render.status_markdown(view, unigram, lang),
                       render.sample_html(view), *rest)
                seen, first = view.version, False
            time.sleep(self.poll_s)
        run.wait(10.0)  # the thread registers the model right after its state changed
        view = run.view()
        download = gr.skip() if view.state == "failed" else gr.DownloadButton(value=self.download(run, sid), visible=True)
        yield (render.loss_chart(view, unigram, lang), render.status_markdown(view, unigram, lang), render.sample_html(view),
               recipe if first else gr.skip(), download, field_note(render.ended_note(view, lang)))

    def download(self, run: TrainingRun, sid: str) -> str:
        """A zip of the model folder in the private file store; its path."""
        size, seed = self._sizes.get(sid, ("tiny", 0))
        buffer = io.BytesIO()
        zip_model_folder(run, size, seed, buffer)
        return self.files.write_named(DOWNLOAD_NAME, lambda f: f.write(buffer.getvalue()))

    def stop(self, sid: str) -> None:
        self.sessions.stop(sid)

    def end(self, sid: str) -> None:
        self.sessions.end(sid)

    # ---- the page: a refusal is a note by its field, everything else stays as it was ---------------------------------
    def page_train(self, text: Any, size: Any, seed: Any, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        lang = request_language(request)
        yield from self._page(self.train(text, size, seed, session_id(request), client_address(request), lang), lang)

    def page_resume(self, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        lang = request_language(request)
        yield from self._page(self.resume(session_id(request), client_address(request), lang), lang)

    @staticmethod
    def _page(updates: Iterator[tuple[Any, ...]], lang: str = "en") -> Iterator[tuple[Any, ...]]:
        started = False
        try:
            for update in updates:
                yield (*update, *(PAGE_NOTES.skip if started else PAGE_NOTES.show()))
                started = True
            if started:  # the run ended: a note left meanwhile by a refused click (Continue while training) goes
                yield (*(gr.skip(),) * OUTPUTS, *PAGE_NOTES.show())
        except USER_ERRORS as exc:
            yield (*(gr.skip(),) * OUTPUTS, *_notes(exc, lang))

    def page_sample_text(self, key: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A sample chosen: its text in the box (the text's note cleared)."""
        try:
            return self.sample_text(key), field_note()
        except USER_ERRORS as exc:
            return gr.skip(), field_note(localized(exc, request_language(request)))

    def page_stop(self, request: gr.Request) -> None:
        self.stop(session_id(request))

    def page_end(self, request: gr.Request) -> None:
        """The page closed: its run stops (its model was registered if it had trained)."""
        self.end(session_id(request))


def size_entries() -> list[tuple[dict[str, Any], str]]:
    """Each model size's label values ("own.size_choice") and its name."""
    return [({"name": name, "layers": s.n_layer, "width": s.n_embd, "window": s.context}, name)
            for name, s in train_quick.SIZES.items()]
