"""Train a GPT on your text, called directly: the training manager and the handlers on a real text (a part of the
bundled Macbeth), the recipe view, the downloaded model folder, the slots and refusals, and the Text tab writing with
the visitor's model. Each training runs a few seconds only (a small cap per session)."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from core.gpt import sample as sample_cli
from core.gpt.io import load_gpt
from core.gpt.sample_texts import SAMPLES, load_sample
from core.gpt.train_quick import MAX_TEXT_CHARS, MAX_VOCAB, SIZES, example_batch, prepare_text
from demo import own_text_render as render
from demo.gpt_models import OWN, GptModels
from demo.own_text_handlers import FIELDS, OUTPUTS, OwnTextHandlers, zip_model_folder
from demo.text_handlers import NOTES
from serve.training_sessions import TrainingRefused, TrainingSessions

TEXT = load_sample("macbeth")[:30_000]
STEPS = 40  # the trained model's steps: its held-out loss is then well below the untrained 4.2
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def request(sid: str, address: str = "10.0.0.1") -> SimpleNamespace:
    """What the handlers read of a gr.Request: the browser session and the client's address."""
    return SimpleNamespace(session_hash=sid, client=SimpleNamespace(host=address), headers={})


def notes(update: tuple) -> dict[str, str]:
    """The notes a page update shows, by field (hidden and untouched ones left out)."""
    shown = {}
    for name, note in zip(FIELDS, update[OUTPUTS:]):
        if note != gr.skip() and note.visible:
            shown[name] = note.value
    return shown


@pytest.fixture(scope="module")
def trained():
    """One run on 30 000 characters of Macbeth, watched through the page adapter, stopped after STEPS steps."""
    models = GptModels(None, None)
    handlers = OwnTextHandlers(models, TrainingSessions(cap_s=120.0), poll_s=0.05)
    updates = []
    for update in handlers.page_train(TEXT, "tiny", 0, request("trained")):
        updates.append(update)
        if handlers.sessions.run("trained").view().steps >= STEPS:
            handlers.page_stop(request("trained"))
    return handlers, models, updates


def test_training_lowers_the_held_out_loss_and_registers_the_model(trained):
    handlers, models, updates = trained
    run = handlers.sessions.run("trained")
    view = run.view()
    assert view.state == "stopped" and view.steps >= STEPS
    assert view.best_val < run.trainer.start_val - 0.3  # 4.2 untrained (ln 65): it has learned the letters at least
    assert view.held_out[0] == (0, run.trainer.start_val) and len(view.held_out) >= 3
    assert models.resolve(OWN, "trained").tokenizer.vocab == run.trainer.prepared.tokenizer.vocab
    first, last, cleared = updates[0], updates[-2], updates[-1]
    assert cleared[:OUTPUTS] == (gr.skip(),) * OUTPUTS and notes(cleared) == {}  # the end clears a note left meanwhile
    assert 'id="own-text-chart"' in first[0] and "unigram entropy" in first[0]
    assert 'id="own-text-recipe"' in first[3] and notes(first) == {}
    assert len(updates) > 3  # the curve moved while it trained
    assert "Stopped" in last[1] and last[2].startswith('<pre class="own-text-sample"')
    assert last[4].visible and last[4].value["path"].endswith("/my-gpt.zip")
    assert "Your model" in last[5].value and "Text tab" in last[5].value


def test_the_recipe_shows_the_vocabulary_the_split_and_a_batch_shifted_by_one():
    prepared = prepare_text(TEXT)
    inputs, targets = example_batch(prepared, SIZES["tiny"], rows=2, length=24, seed=3)
    assert inputs[:, 1:].tolist() == targets[:, :-1].tolist()  # the target at each position is the next input
    page = render.recipe_html(prepared, inputs.tolist(), targets.tolist())
    space = prepared.tokenizer.vocab.index(" ")
    assert f'<td class="own-text-char">␣</td><td>{space}</td><td>{prepared.counts[" "]:,}</td>' in page  # the commonest
    assert f"{prepared.tokenizer.size:,} distinct characters" in page
    assert f"{len(prepared.train_text):,} characters to train on, the last {len(prepared.val_text):,} held out" in page
    assert page.count("<th>target</th>") == 2 and page.count("<th>input ") == 2


def test_the_download_is_a_model_folder_that_core_gpt_sample_loads(trained, tmp_path, capsys):
    handlers, _, _ = trained
    buffer = io.BytesIO()
    zip_model_folder(handlers.sessions.run("trained"), "tiny", 0, buffer)
    zipfile.ZipFile(buffer).extractall(tmp_path)
    folder = tmp_path / "my-gpt"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    loaded = load_gpt(folder)
    assert loaded.config["training"]["data"]["sha256"] == prepare_text(TEXT).sha256
    card = (folder / "README.md").read_text()
    assert re.search(r"`python -m core.gpt.train_quick --data YOUR_TEXT.txt --seconds \d+ --size tiny --seed 0`", card)
    assert sample_cli.main(["--checkpoint", str(folder), "--prompt", "MACBETH", "--max-new-tokens", "30"]) == 0
    assert capsys.readouterr().out.startswith("MACBETH") 


def test_bad_text_size_and_seed_get_a_note_by_their_field_and_nothing_else_changes():
    handlers = OwnTextHandlers(GptModels(None, None), TrainingSessions(cap_s=1.0))
    cases = [("", "tiny", 0, "text", "give at least 1,000"), ("ab" * 300, "tiny", 0, "text", "give at least"),
             ("x" * (MAX_TEXT_CHARS + 1), "tiny", 0, "text", f"the limit is {MAX_TEXT_CHARS:,}"),
             ("".join(map(chr, range(0x4E00, 0x4E00 + MAX_VOCAB + 1))), "tiny", 0, "text", "distinct characters"),
             (TEXT, "huge", 0, "size", "must be one of tiny, small"), (TEXT, "tiny", -1, "seed", "Seed must be from 0 to 4294967295; got -1."),
             (None, "tiny", 0, "text", "must be text")]
    for text, size, seed, field, message in cases:
        [update] = handlers.page_train(text, size, seed, request("bad"))
        assert update[:OUTPUTS] == (gr.skip(),) * OUTPUTS
        assert list(notes(update)) == [field] and message in notes(update)[field], (field, notes(update))
    assert handlers.sessions.running_count() == 0


def test_slots_per_address_per_session_the_cap_and_continue_are_refused_with_what_to_do():
    sessions = TrainingSessions(max_running=2, per_address=1, cap_s=2.0)
    prepared, size = prepare_text(TEXT), SIZES["tiny"]
    with pytest.raises(TrainingRefused, match="no model to continue"):
        sessions.resume("a", "10.0.0.1")
    first = sessions.start("a", "10.0.0.1", prepared, size, 0, "MACBETH")
    try:
        with pytest.raises(TrainingRefused, match="already training: press Stop first"):
            sessions.start("a", "10.0.0.1", prepared, size, 0, "MACBETH")
        with pytest.raises(TrainingRefused, match="from your address is already running"):
            sessions.start("b", "10.0.0.1", prepared, size, 0, "MACBETH")
        second = sessions.start("c", "10.0.0.2", prepared, size, 0, "MACBETH")
        with pytest.raises(TrainingRefused, match="Busy: 2 visitors are training"):
            sessions.start("d", "10.0.0.3", prepared, size, 0, "MACBETH")
        assert sessions.running_count() == 2
    finally:
        sessions.stop("a"), sessions.stop("c")
        first.wait(30), second.wait(30)
    assert first.view().state == "stopped" and sessions.running_count() == 0
    steps = first.view().steps
    again = sessions.resume("a", "10.0.0.1")  # Continue: the same model, its curve goes on
    again.wait(30)
    assert again.trainer is first.trainer and again.view().steps > steps and again.view().state == "capped"
    assert again.view().train[:steps] == first.view().train[:steps]
    with pytest.raises(TrainingRefused, match="used its 2 s of training"):
        sessions.resume("a", "10.0.0.1")
    with pytest.raises(TrainingRefused, match="used its 2 s of training"):
        sessions.start("a", "10.0.0.1", prepared, size, 0, "MACBETH")


def test_a_refused_train_on_the_page_is_a_note_under_the_buttons():
    handlers = OwnTextHandlers(GptModels(None, None), TrainingSessions(max_running=1, cap_s=30.0), poll_s=0.05)
    running = handlers.page_train(TEXT, "tiny", 0, request("one", "10.0.0.1"))
    next(running)  # the first update: the run has started
    try:
        [update] = handlers.page_train(TEXT, "tiny", 0, request("two", "10.0.0.2"))
        assert "Busy: 1 visitors" in notes(update)["buttons"]
        [update] = handlers.page_resume(request("two", "10.0.0.2"))
        assert "press Train first" in notes(update)["buttons"]
    finally:
        handlers.page_stop(request("one"))
        last = list(running)[-2]
    assert "Stopped" in last[1] and last[4].visible
    assert handlers.page_sample_text("tang300")[0].startswith(load_sample("tang300")[:10])
    assert "Choose one of the samples" in handlers.page_sample_text("nope")[1].value
    assert set(SAMPLES) >= {"macbeth", "tang300"}


def test_the_text_tab_writes_with_your_model_and_names_the_characters_it_does_not_know(trained, text_handlers, monkeypatch):
    _, models, _ = trained
    monkeypatch.setattr(text_handlers, "models", models)
    knobs = dict(temperature=0.8, top_k=0, top_p=1.0, max_new_tokens=40, seed=3)
    steps = list(text_handlers.page_generate("MACBETH", **knobs, session=None, model=OWN, request=request("trained")))
    text = steps[-1][0]
    assert text.startswith("MACBETH") and len(text) == len("MACBETH") + 40
    assert set(text) <= set(models.resolve(OWN, "trained").tokenizer.vocab)
    again = list(text_handlers.page_generate("MACBETH", **knobs, session=None, model=OWN, request=request("trained")))
    assert again[-1][0] == text  # same seed, same text
    [refused] = text_handlers.page_generate("MACBETH ☃", **knobs, session=None, model=OWN, request=request("trained"))
    note = refused[1 + NOTES.index("prompt")]
    assert note.visible and "Your model does not know 1 character(s) in the prompt: '☃'" in note.value
    [refused] = text_handlers.page_generate("MACBETH", **knobs, session=None, model=OWN, request=request("nobody"))
    note = refused[1 + NOTES.index("model")]
    assert note.visible and "no model of your own in this session yet" in note.value
    marks, bars, bars_note, _, model_note = text_handlers.page_inspect_prompt("MACBETH", 0.8, 0, 1.0, OWN, request("trained"))
    assert marks == [("MACBETH", None)] and len(bars) == 10 and not model_note.visible
    shipped_bars, _ = text_handlers.page_next_tokens("MACBETH", 0.8, 0, 1.0)
    assert bars != shipped_bars  # the bars follow the chosen model
    *_, model_note = text_handlers.page_inspect_prompt("MACBETH", 0.8, 0, 1.0, OWN, request("nobody"))
    assert model_note.visible and "train one on the GPT learns tab" in model_note.value


def test_the_text_limits_the_page_names_are_the_trainers():
    from core.gpt.train_quick import MAX_TEXT_CHARS, MIN_TEXT_CHARS
    from demo.locales.learn import TEXT_CHARS
    assert TEXT_CHARS == (MIN_TEXT_CHARS, MAX_TEXT_CHARS)


def test_a_process_that_exits_while_a_visitor_trains_ends_cleanly() -> None:
    """A training thread still inside torch at the interpreter's exit would abort the process (exit code 134,
    "terminate called without an active exception"): the exit hook stops the run and waits for it."""
    script = ("import time\n"
              "from core.gpt.sample_texts import load_sample\n"
              "from core.gpt.train_quick import SIZES, prepare_text\n"
              "from serve.training_sessions import TrainingSessions\n"
              "run = TrainingSessions(cap_s=60.0).start('s', '10.0.0.1', prepare_text(load_sample('macbeth')[:20_000]),"
              " SIZES['tiny'], 0, 'MACBETH')\n"
              "while run.view().steps < 2:\n"
              "    time.sleep(0.05)\n"
              "print('training', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, timeout=240)
    assert "training" in done.stdout, done.stderr[-2000:]
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
