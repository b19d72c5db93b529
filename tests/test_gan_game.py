"""The discriminator's verdict and the real-or-fake game on the real checkpoints (generator, discriminator,
classifier, the shipped real test images), the truth kept server-side (checked through the app's API), and the
toy GAN's per-session bookkeeping (slots, caps, clean-up)."""
from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest
import torch

from core.gan.data import CLASS_NAMES
from core.gan.game import RealOrFake
from core.gan.judge import DISCRIMINATOR_NAME
from core.gan.real_sample import load_sample
from core.gan.toy2d import ToyKnobs
from core.gan import toy_sessions
from core.gan.toy_sessions import Busy, ToySessions
from core.validation import KnobError
from demo.app_state import GAN_NAME
from tests.conftest import CHECKPOINTS, require_checkpoint


@pytest.fixture(scope="module")
def judges(app_state):
    require_checkpoint(DISCRIMINATOR_NAME)
    assert app_state.judges is not None, app_state.notes[DISCRIMINATOR_NAME]
    return app_state.judges


@pytest.fixture(scope="module")
def game(app_state, judges):
    require_checkpoint(GAN_NAME)
    return RealOrFake(app_state.gan.generator, judges, app_state.real_sample)


def test_the_shipped_sample_is_300_balanced_test_images_and_needs_no_data_package() -> None:
    sample = load_sample(CHECKPOINTS / "fashion-mnist-test-sample")
    assert sample.images.shape == (300, 1, 32, 32) and sample.labels.bincount().tolist() == [30] * 10
    assert len(set(sample.test_index.tolist())) == 300 and int(sample.test_index.max()) < 10_000
    assert "Zalando" in (CHECKPOINTS / "fashion-mnist-test-sample" / "README.md").read_text() and "MIT" in (CHECKPOINTS / "fashion-mnist-test-sample" / "README.md").read_text()


def test_d_says_real_test_images_are_more_real_than_noise_images(app_state, judges) -> None:
    sample = app_state.real_sample
    real = torch.tensor([v.p_real for v in judges.judge(sample.images, sample.labels)])
    rng = torch.Generator().manual_seed(0)
    shape = (len(sample.images), 1, 32, 32)
    for noise in (torch.rand(shape, generator=rng) * 2 - 1,  # uniform grey-level noise
                  (torch.randn(shape, generator=rng) * 0.5).clamp(-1, 1)):  # gaussian noise around mid-grey
        fake = torch.tensor([v.p_real for v in judges.judge(noise, sample.labels)])
        assert real.mean() > fake.mean() + 0.3, (real.mean(), fake.mean())
        assert (real > fake).float().mean() > 0.9


def test_the_classifier_names_most_real_test_images_right(app_state, judges) -> None:
    sample = app_state.real_sample
    verdicts = judges.judge(sample.images, sample.labels)
    names = np.array(app_state.gan.config["class_names"])[sample.labels.numpy()]
    assert np.mean([v.predicted == n for v, n in zip(verdicts, names)]) > 0.85


def test_verdict_follows_the_slider_and_bad_knobs_get_a_clear_message(app_state, judges) -> None:
    import gradio as gr
    from core.gan.latent import LatentStudio
    from demo.image_handlers import VerdictHandler

    handler = VerdictHandler(LatentStudio(app_state.gan), judges)
    line = handler.markdown("Sneaker", 3, 1.0, *[0.0] * 8)
    assert line.startswith("**D(x | Sneaker) = ") and "Classifier: **" in line
    far, _ = handler.judge("Sneaker", 3, 1.0, 10.0, *[0.0] * 7)
    near, _ = handler.judge("Sneaker", 3, 1.0, *[0.0] * 8)
    assert far != near
    with pytest.raises(gr.Error, match="psi"):
        handler.markdown("Sneaker", 3, 9.0, *[0.0] * 8)


def test_a_round_mixes_real_and_generated_and_scores_player_and_d(game) -> None:
    round_id, images = game.new_round(seed=1)
    assert images.shape == (6, 28, 28) and images.dtype == np.uint8
    truth = game._rounds[round_id].is_real
    assert any(truth) and not all(truth)
    result, first = game.answer(round_id, [i for i, t in enumerate(truth) if t])  # a perfect player
    assert first and result.player_correct == 6 and 0 <= result.d_correct <= 6
    again, first = game.answer(round_id, [])  # answering again scores nothing more and changes nothing
    assert not first and again == result
    with pytest.raises(KnobError, match="unknown or expired"):
        game.answer("not-a-round", [])
    round_id, _ = game.new_round(seed=2)
    with pytest.raises(KnobError, match="positions 0 to 5"):
        game.answer(round_id, [6])


def test_real_images_in_a_round_are_the_shipped_test_images_cropped(game) -> None:
    round_id, images = game.new_round(seed=3)
    real = game.real_pixels[:, 2:30, 2:30]
    for image, is_real in zip(images, game._rounds[round_id].is_real):
        assert any(np.array_equal(image, r) for r in real) == is_real


def test_rounds_expire_and_are_bounded(app_state, judges) -> None:
    small = RealOrFake(app_state.gan.generator, judges, app_state.real_sample, max_rounds=3, ttl_s=3600)
    ids = [small.new_round(seed=i)[0] for i in range(5)]
    assert list(small._rounds) == ids[2:]
    small._rounds.expire(time.monotonic() + 3601)  # as an hour later
    with pytest.raises(KnobError, match="unknown or expired"):
        small.answer(ids[-1], [])


def test_the_truth_never_reaches_the_browser_before_the_answer(app_url, client) -> None:
    """Read from the app's HTTP API as the page gets it: a new round sends one image file (the six images in a
    numbered strip) with a random name and an opaque round id, nothing else (no truth, no D verdict, no class); the
    answer brings them."""
    require_checkpoint(DISCRIMINATOR_NAME)
    import httpx

    base = f"{app_url}/gradio_api"
    with httpx.Client(timeout=60) as http:
        event = http.post(f"{base}/call/game_new_round", json={"data": []}).json()["event_id"]
        stream = http.get(f"{base}/call/game_new_round/{event}").text
    payload = json.loads(stream.split("event: complete\ndata:", 1)[1].strip().splitlines()[0])
    strip, round_id, marks, result = payload
    assert marks == {"value": [], "__type__": "update"} and result == ""
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", round_id)
    assert re.fullmatch(r"round-[0-9a-f]{16}\.png", strip["orig_name"]) and strip["path"].endswith(strip["orig_name"])
    assert set(strip) == {"path", "url", "size", "orig_name", "mime_type", "is_stream", "meta"}
    text = stream.lower()
    for word in ("real", "fake", "truth", "d(x", "p_real", "verdict", *[n.lower() for n in CLASS_NAMES]):
        assert word not in text, word
    table = client.predict(round_id, ["1", "2"], api_name="/game_answer")
    assert "| truth |" in table and "Running score over 1 round(s)" in table
    assert table.count("| real |") + table.count("| fake |") >= 6


def test_the_game_refuses_bad_answers_with_a_message(client) -> None:
    require_checkpoint(DISCRIMINATOR_NAME)
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="unknown or expired"):
        client.predict("nope", [], api_name="/game_answer")
    _, round_id, _, _ = client.predict(api_name="/game_new_round")
    with pytest.raises(AppError, match="numbers 1 to 6"):
        client.predict(round_id, ["9"], api_name="/game_answer")


def test_on_the_page_a_refused_reveal_is_a_note_and_the_last_result_stays(game) -> None:
    """Reveal on the page never raises (a raise is a pop-up): an unknown, expired or missing round is a note by the
    button, and the result and score shown are left as they were (gr.skip)."""
    import gradio as gr
    from demo.gan_game_handlers import NEW_SCORE, GameHandlers

    handlers = GameHandlers(game)
    for round_id in ("", None, "expired-or-unknown"):
        result, score, note = handlers.page_answer(round_id, ["1"], dict(NEW_SCORE))
        assert result == gr.skip() and score == gr.skip(), round_id
        assert note.visible and "New round" in note.value, (round_id, note.value)
    _, round_id, _, _ = handlers.new_round()
    result, score, note = handlers.page_answer(round_id, ["9"], dict(NEW_SCORE))
    assert result == gr.skip() and score == gr.skip() and note.visible and "numbers 1 to 6" in note.value
    result, score, note = handlers.page_answer(round_id, ["1"], dict(NEW_SCORE))
    assert "Running score over 1 round(s)" in result and score["rounds"] == 1 and not note.visible


def test_the_result_table_keeps_each_verdict_and_its_mark_together(game) -> None:
    """'fake ✓' is one unit on a phone: a no-break space joins them (the table wrapped the mark onto a line alone)."""
    from demo.gan_game_render import result_markdown

    round_id, _ = game.new_round(seed=4)
    result, _ = game.answer(round_id, [0])
    table = result_markdown(result, {"rounds": 1, "images": 6, "player": 0, "d": 0})
    assert re.search("(real|fake)\u00a0[✓✗]", table) and not re.search("(real|fake) [✓✗]", table)


# ----- the 2-D GAN's sessions -----

def test_sessions_cap_how_many_train_at_once_and_free_slots_on_pause_end_and_silence(monkeypatch) -> None:
    sessions = ToySessions(max_playing=2, max_steps=100)
    knobs = ToyKnobs()
    a, b = sessions.play("a", knobs, 1, frame_s=0), sessions.play("b", knobs, 1, frame_s=0)
    with pytest.raises(Busy, match="Busy: 2 sessions are training .* Try again"):
        sessions.play("c", knobs, 1)
    assert next(a)["step"] == 1 and next(b)["step"] == 1
    sessions.pause("a")
    assert list(a) == []  # a paused stream ends at its next frame
    c = sessions.play("c", knobs, 1, frame_s=0)
    sessions.end("b")
    assert next(b, None) is None and "b" not in sessions._gans
    assert sessions.playing_count() == 1
    now = time.monotonic()
    monkeypatch.setattr(toy_sessions.time, "monotonic", lambda: now + toy_sessions.STALE_S + 1)
    assert sessions.playing_count() == 0  # a stream nobody reads any more (tab gone) no longer holds a slot
    assert next(c, None) is None  # and it does not train on if it is read again


def test_a_stream_closed_by_the_server_frees_its_slot_and_a_second_play_takes_over() -> None:
    sessions = ToySessions(max_playing=1, max_steps=100)
    first = sessions.play("a", ToyKnobs(), 1, frame_s=0)
    next(first)
    first.close()
    assert sessions.playing_count() == 0
    older, newer = sessions.play("a", ToyKnobs(), 1, frame_s=0), sessions.play("a", ToyKnobs(), 1, frame_s=0)
    assert next(older, None) is None  # one stream per session: the newer one plays
    assert next(newer)["step"] == 2 and sessions.playing_count() == 1


class StepClock:
    """toy_sessions' clock in a test: time moves only when the stream sleeps, and every sleep is recorded."""

    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_frames_come_at_the_frame_rate_with_knobs_applied_between_them(monkeypatch) -> None:
    clock = StepClock()
    monkeypatch.setattr(toy_sessions, "time", clock)
    sessions = ToySessions(max_playing=1, max_steps=10_000)
    frames = sessions.play("a", ToyKnobs(), 2, frame_s=0.05)
    steps = [next(frames)["step"] for _ in range(5)]
    assert steps == [2, 4, 6, 8, 10]
    assert clock.sleeps == pytest.approx([0.05] * 4)  # paced by the server, not as fast as it can
    view = sessions.set_knobs("a", ToyKnobs(data="moons", lr_g=0.01), 5)
    assert view["knobs"]["data"] == "moons" and view["step"] == 10
    view = next(frames)
    assert view["step"] == 15 and view["knobs"]["lr_g"] == 0.01
    assert sessions.reset("a", ToyKnobs(), 3)["step"] == 0 and next(frames)["step"] == 5  # Reset under a playing stream


def test_a_stream_trains_up_to_the_cap_then_stops() -> None:
    sessions = ToySessions(max_playing=1, max_steps=12)
    frames = sessions.play("a", ToyKnobs(), 10, frame_s=0)
    assert next(frames)["step"] == 10
    assert next(frames)["step"] == 12
    with pytest.raises(StopIteration) as stop:
        next(frames)
    assert stop.value.value == "cap" and sessions.playing_count() == 0
    with pytest.raises(KnobError, match="cap per session"):
        sessions.play("a", ToyKnobs(), 1)
    with pytest.raises(KnobError, match="cap per session"):
        sessions.step("a", ToyKnobs())
    assert sessions.reset("a", ToyKnobs(), 5)["step"] == 0
    with pytest.raises(KnobError, match="steps per frame must be from 1 to 20"):
        sessions.play("a", ToyKnobs(), 50)
    with pytest.raises(KnobError, match="steps per frame must be from 1 to 20"):
        sessions.set_knobs("a", ToyKnobs(), 0)
    with pytest.raises(KnobError, match="G's learning rate"):
        sessions.step("a", ToyKnobs(lr_g=3.0))
    with pytest.raises(KnobError, match="data set"):
        sessions.set_knobs("a", ToyKnobs(data="galaxy"), 5)


def test_the_discriminator_trainer_runs_tiny_and_saves_a_loadable_d_with_its_card(tmp_path) -> None:
    require_checkpoint(GAN_NAME)
    from core.gan.data import FASHION_MNIST_DIR
    from core.gan.discriminator import load_discriminator, main as train_discriminator

    if not (FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("Fashion-MNIST IDX files missing: apt-get install dataset-fashion-mnist")
    metrics = train_discriminator(["--generator", str(CHECKPOINTS / GAN_NAME), "--out", str(tmp_path / "d"), "--steps", "3",
                                   "--batch-size", "16", "--threads", "1"])
    assert set(metrics) == {"mean_d_real_test", "mean_d_generated", "mean_d_uniform_noise", "accuracy_at_half", "images_each"}
    loaded = load_discriminator(tmp_path / "d")
    assert loaded.config["training"]["steps"] == 3 and "not the adversarial game's own D" in (tmp_path / "d" / "README.md").read_text()
