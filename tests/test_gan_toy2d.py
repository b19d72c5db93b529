"""The 2-D GAN (core/gan/toy2d.py): its CLI's divergence falls to a third on every data set with the defaults, it is
deterministic for a seed, knobs change while it trains, bad input gets a clear message and exit status 2."""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest
import torch

from core.gan.toy2d import DATASETS, LOSSES, Toy2DGAN, ToyKnobs, energy_distance, main, sample_real
from core.validation import KnobError

LAST_LINE = re.compile(r"^divergence energy distance: start (\d+\.\d+) end (\d+\.\d+)$")


@pytest.mark.parametrize("data", DATASETS)
def test_cli_divergence_falls_to_a_third(data: str) -> None:
    run = subprocess.run([sys.executable, "-m", "core.gan.toy2d", "--data", data, "--steps", "2000", "--seed", "0"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    match = LAST_LINE.match(run.stdout.strip().splitlines()[-1])
    assert match, run.stdout
    start, end = float(match[1]), float(match[2])
    assert end <= start / 3, (data, start, end)


def test_same_seed_same_run_and_other_seed_differs() -> None:
    a, b, c = Toy2DGAN(seed=3), Toy2DGAN(seed=3), Toy2DGAN(seed=4)
    for gan in (a, b, c):
        gan.train(60)
    assert a.history.divergence == b.history.divergence
    assert torch.equal(a.g(a.eval_z), b.g(b.eval_z))
    assert a.history.divergence != c.history.divergence


def test_energy_distance_is_zero_for_the_same_sample_and_grows_with_a_shift() -> None:
    points = sample_real("ring", 300, torch.Generator().manual_seed(0))
    assert energy_distance(points, points) == pytest.approx(0.0, abs=1e-5)
    assert energy_distance(points + 0.5, points) < energy_distance(points + 2.0, points)


@pytest.mark.parametrize("data", DATASETS)
def test_real_points_lie_inside_the_view(data: str) -> None:
    points = sample_real(data, 2000, torch.Generator().manual_seed(1))
    assert points.shape == (2000, 2) and points.abs().max() < 3.0


@pytest.mark.parametrize("optimiser, lr, d_steps", [("adam", 1e-3, 2), ("sgd", 0.03, 1)])
def test_least_squares_sgd_and_more_d_steps_train_too(optimiser: str, lr: float, d_steps: int) -> None:
    gan = Toy2DGAN(ToyKnobs(loss="least-squares", optimiser=optimiser, lr_g=lr, lr_d=lr, d_steps=d_steps), seed=0)
    start = gan.divergence()
    # Plain SGD on a GAN oscillates (seed 0: 1.37, 0.64, 1.69, 2.95, 1.83, 0.43, 0.40 every 200 steps on one machine;
    # on another still 1.37 at step 1 200): where in the swing a given step falls depends on the CPU's float rounding,
    # so judge the closest it comes in 2 000 steps, measured every 200.
    seen = []
    for _ in range(10):
        gan.train(200)
        seen.append(gan.divergence())
    assert min(seen) < start / 3, seen


def test_knobs_change_while_training_and_keep_the_weights() -> None:
    gan = Toy2DGAN(seed=0)
    gan.train(20)
    before = [p.clone() for p in gan.g.parameters()]
    gan.set_knobs(ToyKnobs(data="moons", loss=LOSSES[1], optimiser="sgd", lr_g=0.02, lr_d=0.03, d_steps=3))
    assert all(torch.equal(x, y) for x, y in zip(before, gan.g.parameters()))
    assert gan.opt_g.param_groups[0]["lr"] == 0.02 and isinstance(gan.opt_d, torch.optim.SGD)
    gan.train(10)
    assert gan.steps == 30 and gan.knobs.data == "moons"


def test_view_is_compact_json_with_what_the_canvas_draws() -> None:
    gan = Toy2DGAN(seed=0)
    gan.train(40)
    view = gan.view()
    text = json.dumps(view, allow_nan=False)  # JavaScript's JSON.parse refuses NaN
    assert len(text) < 20_000
    assert len(view["surface"]) == 24 and all(0 <= v <= 1 for row in view["surface"] for v in row)
    assert len(view["arrows"]) == 40 and max(math.hypot(*a) for a in view["arrows"]) == pytest.approx(1.0, abs=0.01)
    assert view["curves"]["step"][-1] == 40 and view["curves"]["loss_d"][0] is None
    mesh = torch.tensor(view["manifold"])  # G(z) on a 13 x 13 lattice of the noise plane, [-2, 2]^2
    assert mesh.shape == (13, 13, 2)
    with torch.no_grad():
        assert torch.allclose(mesh[0, 0], gan.g(torch.tensor([[-2.0, -2.0]]))[0], atol=0.006)
        assert torch.allclose(mesh[0, -1], gan.g(torch.tensor([[2.0, -2.0]]))[0], atol=0.006)  # x runs along a row


@pytest.mark.parametrize("argv, words", [
    (["--data", "swirl"], "data set must be one of ring, grid, spiral, moons"),
    (["--lr-g", "5"], "G's learning rate must be from 1e-05 to 1"),
    (["--lr-d", "0"], "D's learning rate must be from 1e-05 to 1"),
    (["--d-steps", "0"], "D steps per G step must be from 1 to 10"),
    (["--steps", "0"], "--steps must be from 1 to 100000"),
])
def test_bad_input_gets_a_clear_message_and_status_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_bad_input_through_the_module_exits_2() -> None:
    run = subprocess.run([sys.executable, "-m", "core.gan.toy2d", "--data", "swirl"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "data set must be one of" in run.stderr and "Traceback" not in run.stderr


def test_bad_knobs_raise_knob_error() -> None:
    with pytest.raises(KnobError, match="optimiser must be one of adam, sgd"):
        Toy2DGAN(ToyKnobs(optimiser="rmsprop"))


def test_playground_page_answers_a_bad_field_with_its_note_and_keeps_the_view() -> None:
    """The GAN playground's page events (demo/toy_gan_handlers.py): a refused value is a note under its own field, the view
    is left as it was (gr.skip), and the largest seed is taken and echoed exactly."""
    from types import SimpleNamespace

    from core import limits
    from core.gan.toy_sessions import ToySessions
    from demo.toy_gan_handlers import FIELDS, ToyGanHandlers

    handlers, request = ToyGanHandlers(ToySessions(1, 100)), SimpleNamespace(session_hash="toy-test")
    knobs = ["ring", "non-saturating", "adam", 0.001, 0.001, 1]

    def shown(notes: list) -> dict[str, str]:
        return {name: n.value for name, n in zip(FIELDS, notes) if not isinstance(n, dict) and n.visible}

    view, status, *notes = handlers.set_knobs("ring", "non-saturating", "adam", 0, 0.001, 1, 5, request)
    assert view == {"__type__": "update"} and list(shown(notes)) == ["lr_g"] and "G's learning rate must be" in shown(notes)["lr_g"]
    view, status, *notes = handlers.reset(*knobs, limits.MAX_SEED + 1, request)
    assert view == {"__type__": "update"} and "got 4294967296" in shown(notes)["seed"]
    view, status, *notes = handlers.reset(*knobs, limits.MAX_SEED, request)
    assert json.loads(view)["step"] == 0 and "seed 4294967295:" in status and not shown(notes)
    assert handlers.check_seed(-1).visible and not handlers.check_seed("4294967295").visible
