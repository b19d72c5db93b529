"""Watch it learn on the shipped snapshots (checkpoints/gan-fashion-snapshots, whichever run produced it): it loads
at start-up in step order and small, the slider's handler draws each step's own images and marks the step, a step
that is not a snapshot gets a clear message (also through the API), and without the dir the app says so and starts."""
from __future__ import annotations

import gradio as gr
import pytest

from demo.app_state import SNAPSHOTS_NAME, load_app_state
from demo.gan_learning_handlers import LearningHandlers
from demo.gan_learning_tab import build_gan_learning
from demo.i18n import text
from tests.conftest import CHECKPOINTS, require_checkpoint


@pytest.fixture(scope="module")
def handlers(app_state, one_torch_thread) -> LearningHandlers:
    require_checkpoint(SNAPSHOTS_NAME)
    assert app_state.learning is not None, app_state.notes[SNAPSHOTS_NAME]
    return LearningHandlers(app_state.learning)


def test_the_shipped_snapshots_span_a_run_in_order_and_are_small(handlers) -> None:
    run = handlers.view.run
    assert run.steps[0] == 0 and run.steps == sorted(set(run.steps)) and len(run.steps) >= 2
    assert (CHECKPOINTS / SNAPSHOTS_NAME / "model.safetensors").stat().st_size < 25 * 2**20
    assert run.config["float16_check"]["max_grey_level_difference"] <= 2
    assert run.losses["step"] == sorted(run.losses["step"]) and run.losses["step"][-1] <= run.last_step
    assert run.fd and [r["step"] for r in run.fd] == run.steps  # an FD score for every shipped step


def test_each_step_draws_its_own_images_and_marks_itself(handlers) -> None:
    first, last = handlers.view.steps[0], handlers.view.steps[-1]
    caption_0, image_0, grid_0, html_0 = handlers.at_step(first, "random", 0)
    caption_n, image_n, grid_n, html_n = handlers.at_step(last, "random", 0)
    with open(image_0, "rb") as a, open(image_n, "rb") as b:
        assert a.read() != b.read()
    with open(grid_0, "rb") as a, open(grid_n, "rb") as b:
        assert a.read() != b.read()
    assert f'data-step="{first}"' in html_0 and f'data-step="{last}"' in html_n
    assert f"<b>Step {first:,}</b>" in caption_0 and f"<b>Step {last:,}</b>" in caption_n
    assert handlers.at_step(last, "random", 0)[1] == image_n  # the same knobs reuse the file drawn before


@pytest.mark.parametrize("step, class_name, seed, message", [
    (None, "random", 0, "training step must be a number"),
    ("soon", "random", 0, "training step must be a number"),
    (-5, "random", 0, "training step must be from 0 to"),
    (0, "hat", 0, "class must be one of"),
    (0, "random", 1.5, "seed must be a whole number"),
    (float("nan"), "random", 0, "training step must be a finite number"),
    (10**400, "random", 0, "training step must be a finite number"),
    (True, "random", 0, "training step must be a number"),
    ([0], "random", 0, "training step must be a number .* got a list"),
    (0, None, 0, "class must be one of"),
    (0, "random", 2**70, "seed must be from 0 to"),
])
def test_bad_knobs_get_a_clear_message(handlers, step, class_name, seed, message) -> None:
    with pytest.raises(gr.Error, match=message):
        handlers.at_step(step, class_name, seed)


def test_a_step_between_snapshots_is_refused_with_the_steps_it_accepts(handlers) -> None:
    a, b = handlers.view.steps[:2]
    if b - a < 3:
        pytest.skip("the shipped snapshots have no step between their first two")
    with pytest.raises(gr.Error, match=rf"training step must be one of the snapshots' steps \({a}, {b}, .*got {a + 2}\."):
        handlers.at_step(a + 2, "random", 0)


def test_the_api_answers_a_snapshot_number_and_refuses_another(client, handlers) -> None:
    from gradio_client.exceptions import AppError

    count, step = len(handlers.view.steps), handlers.view.steps[-1]
    caption, image, grid, html = client.predict(count, "Sneaker", 7, api_name="/learning_snapshot")
    assert f'data-step="{step}"' in html and f"<b>Step {step:,}</b>" in caption and str(image).endswith(".png") and str(grid).endswith(".png")
    for bad in (0, count + 1, 1.5, "last"):
        with pytest.raises(AppError, match=rf"snapshot must be (a whole number )?from 1 to {count}"):
            client.predict(bad, "Sneaker", 7, api_name="/learning_snapshot")


def test_snapshot_numbers_count_the_steps_in_order(handlers) -> None:
    steps = handlers.view.steps
    assert [handlers.view.snapshot_step(n) for n in range(1, len(steps) + 1)] == steps
    assert handlers.at_snapshot(1, "random", 0) == handlers.at_step(steps[0], "random", 0)


def test_without_snapshots_the_app_starts_and_the_section_says_why(tmp_path) -> None:
    state = load_app_state(tmp_path)  # an empty checkpoints dir
    assert state.learning is None and "gan-fashion-snapshots: no checkpoint at" in state.notes[SNAPSHOTS_NAME]
    with gr.Blocks() as demo:
        build_gan_learning(state.learning, state.notes[SNAPSHOTS_NAME])
    shown = " ".join(str(c.value) for c in demo.blocks.values() if isinstance(c, gr.Markdown))
    assert '"key": "image.learn_missing"' in shown and "gan-fashion-snapshots: no checkpoint at" in shown
    assert '"key": "image.learn_build"' in shown and "core.gan.snapshots pack" in text("image.learn_build", "en")
