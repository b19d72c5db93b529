"""Shared fixtures: the real checkpoints loaded once, the handlers over them, and one launched app per session.

A missing checkpoint skips the tests that need it locally (a model may still be training) but fails them in CI
(CI=true), where the shipped checkpoints must be there.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never touch the network
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402

from demo.app_state import GAN_NAME, GPT_NAME, AppState, load_app_state  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("PLAYGROUND_CHECKPOINTS", ROOT / "checkpoints"))  # the shipped ones by default
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium; never `playwright install` (no network)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# A test run must not modify tracked files: screenshots go to a temp folder unless REFRESH_SCREENSHOTS=1 asks for the
# README's copies in docs/screenshots/ to be refreshed.
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("REFRESH_SCREENSHOTS") == "1"
               else Path(tempfile.mkdtemp(prefix="playground-screenshots-")))


def screenshot_path(name: str) -> Path:
    """Where a browser test saves the screenshot `name` (e.g. "text.png"); see SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}  # the browser tests' pages


def open_sized_page(browser, url: str, size: str, locale: str = "en-US"):
    """(context, page): a fresh browser context of a SIZES size (a phone's has touch) and its page opened on url,
    waiting up to 60 s for anything the test asks of it (a busy two-core machine answers slowly)."""
    context = browser.new_context(viewport=SIZES[size], locale=locale, has_touch=size == "phone")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return context, page


def open_tab(page, name: str) -> None:
    """Click the tab `name` in a browser page; on a narrow screen Gradio folds the tabs that do not fit into its
    "More tabs" menu, so the tab is clicked there."""
    tab = page.get_by_role("tab", name=name)
    if not tab.count():
        page.get_by_role("button", name="More tabs").click()
        tab = page.locator(".overflow-dropdown button", has_text=name)
    tab.click()


def gan_drawn(page) -> str:
    """The Images tab's draw counter once the page draws the panel itself (demo/static/image_web.js: the generator,
    D's verdict and the classifier's guess on ONNX Runtime Web); a move then shows as a new count."""
    page.wait_for_function("() => document.documentElement.dataset.ganDraw === 'browser'")
    return page.evaluate("() => document.getElementById('gan-web-canvas').dataset.drawn || ''")


def wait_for_gan_redraw(page, before: str) -> str:
    """Wait until the page has drawn the panel again since the count `before`; the new count."""
    page.wait_for_function("(b) => (document.getElementById('gan-web-canvas').dataset.drawn || '') !== b", arg=before)
    return page.evaluate("() => document.getElementById('gan-web-canvas').dataset.drawn")


def sized_page(browser, size: tuple[int, int], checkpoint: str):
    """A new page of `size` (width, height), touch on a phone-sized one, for a tab that needs `checkpoint`."""
    require_checkpoint(checkpoint)
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height}, has_touch=width < 500)
    page.set_default_timeout(60_000)
    return page


def require_checkpoint(name: str) -> None:
    """Skip (locally) or fail (in CI) when checkpoints/<name> is not there."""
    if not (CHECKPOINTS / name / "config.json").is_file():
        message = f"{CHECKPOINTS / name} is missing (train it, or fetch it with --hub-repo)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI needs the shipped checkpoints")
        pytest.skip(message)


# The fast tier, `python -m pytest -m "not slow and not browser"`, leaves these out: each took more than ~3 s on the
# two-core development machine (`python -m pytest -m "not browser" --durations=0`). A whole file, or file::test for
# every parametrisation of one test. `python -m pytest` still runs them all.
SLOW: frozenset[str] = frozenset({
    "tests/test_app_cli.py::test_a_normal_start_prints_one_line_for_where_it_is_served_and_no_gradio_advice",
    "tests/test_app_cli.py::test_share_offline_prints_one_line_that_says_so",
    "tests/test_app_gan_apps.py::test_one_address_holds_two_inversions_and_the_app_stays_live",
    "tests/test_app_gpt_learning.py::test_a_step_continues_the_prompt_the_same_way_every_time",
    "tests/test_app_gpt_learning.py::test_a_submitted_prompt_fills_every_step_then_moves_are_cache_hits",
    "tests/test_app_integration.py::test_generate_streams_through_the_api",
    "tests/test_app_own_text.py",
    "tests/test_app_text.py::test_a_stream_beyond_the_limit_gets_a_busy_message_at_once",
    "tests/test_app_text.py::test_a_text_worker_that_dies_gives_a_message_and_the_next_stream_works",
    "tests/test_app_text.py::test_generate_is_deterministic_per_seed",
    "tests/test_app_text.py::test_the_largest_seed_is_accepted",
    "tests/test_app_tour.py",
    "tests/test_gan_export_onnx.py",
    "tests/test_gan_game.py::test_d_says_real_test_images_are_more_real_than_noise_images",
    "tests/test_gan_game.py::test_the_discriminator_trainer_runs_tiny_and_saves_a_loadable_d_with_its_card",
    "tests/test_gan_latent.py::test_direction_preview_cli_writes_the_sheet_and_the_ranges",
    "tests/test_gan_snapshots.py",
    "tests/test_gan_toy2d.py::test_bad_input_through_the_module_exits_2",
    "tests/test_gan_toy2d.py::test_cli_divergence_falls_to_a_third",
    "tests/test_gan_toy2d.py::test_least_squares_sgd_and_more_d_steps_train_too",
    "tests/test_gan_train.py::test_classifier_and_evaluate_on_a_small_sample",
    "tests/test_gan_train.py::test_commands_have_help",
    "tests/test_gan_train.py::test_tiny_training_saves_resumes_and_reloads_identically",
    "tests/test_gan_train.py::test_training_runs_under_torchrun_with_two_processes",
    "tests/test_gpt_batched_decode.py::test_a_streams_text_is_the_same_alone_or_batched_with_15_others",
    "tests/test_gpt_batched_decode.py::test_batched_step_equals_single_stream_and_full_forward_at_every_step_past_the_window",
    "tests/test_gpt_batched_decode.py::test_batched_step_on_the_shipped_model_matches_single_stream_within_float32_rounding",
    "tests/test_gpt_batched_decode.py::test_joining_mid_batch_and_cancelling_mid_batch",
    "tests/test_gpt_checkpoint.py::test_evaluate_cli_prints_loss_bits_and_perplexity",
    "tests/test_gpt_checkpoint.py::test_sample_cli_explains_bad_knobs_without_a_traceback",
    "tests/test_gpt_checkpoint.py::test_sample_cli_streams_text",
    "tests/test_gpt_checkpoint.py::test_sliding_window_is_no_worse_than_cropped_windows",
    "tests/test_gpt_inspect.py::test_cli_bad_input_same_message_as_the_sampler_exit_2",
    "tests/test_gpt_inspect.py::test_cli_json_shape_and_values",
    "tests/test_gpt_inspect.py::test_cli_summary_is_readable",
    "tests/test_gpt_inspect.py::test_replaying_the_cached_samplers_draws_from_the_trace_gives_its_text",
    "tests/test_gpt_inspect.py::test_trace_logits_and_probabilities_equal_the_samplers_at_every_step",
    "tests/test_gpt_onnx.py::test_a_streams_text_is_the_same_alone_or_batched_on_the_onnx_path",
    "tests/test_gpt_onnx.py::test_onnx_step_on_the_shipped_model_equals_the_full_forward",
    "tests/test_gpt_snapshots.py::test_a_snapshot_reproduces_its_stored_held_out_loss",
    "tests/test_gpt_train_quick.py::test_cli_prints_the_figures_and_saves_a_folder_sample_loads",
    "tests/test_gpt_train_quick.py::test_train_keeps_snapshots_with_the_loss_of_their_stored_weights",
    "tests/test_gpt_train_quick.py::test_training_lowers_the_held_out_loss_below_the_unigram_line",
    "tests/test_gpt_training.py::test_the_held_out_plays_never_appear_in_the_training_text",
    "tests/test_gpt_training.py::test_two_process_torchrun_smoke_run",
    "tests/test_hardening_checkpoints.py::test_a_save_killed_mid_write_leaves_the_previous_checkpoint_loadable",
    "tests/test_hardening_checkpoints.py::test_a_trainer_killed_at_an_arbitrary_moment_of_repeated_saves_leaves_a_loadable_checkpoint",
    "tests/test_hardening_checkpoints.py::test_training_state_killed_mid_save_still_resumes_from_the_previous_one",
    "tests/test_hardening_concurrency.py::test_image_cache_under_concurrent_eviction_gives_every_caller_its_own_image",
    "tests/test_hardening_concurrency.py::test_latent_cache_survives_concurrent_readers_and_evictions",
    "tests/test_hardening_concurrency.py::test_text_streams_and_bars_of_many_users_at_once_match_what_each_gets_alone",
    "tests/test_hardening_fuzz_api.py::test_hundreds_of_bad_requests_get_validation_messages_and_the_app_keeps_serving",
    "tests/test_hardening_load.py::test_a_short_load_run_serves_every_request_and_writes_a_complete_report",
    "tests/test_hardening_properties.py::test_gif_and_upscale_knobs_take_anything",
    "tests/test_hardening_properties.py::test_next_token_candidates_take_anything_and_return_a_ranked_distribution",
    "tests/test_hardening_properties.py::test_next_token_probabilities_are_a_distribution_for_every_valid_knob",
    "tests/test_hardening_properties.py::test_sampler_streams_exactly_max_new_tokens_known_characters",
    "tests/test_hardening_properties.py::test_validate_image_knobs_takes_anything_and_raises_only_knob_errors",
    "tests/test_hardening_properties.py::test_validate_knobs_takes_anything_and_raises_only_knob_errors",
    "tests/test_i18n.py::test_every_key_the_built_page_uses_is_in_the_catalog",
    "tests/test_request_loop.py::test_no_trigger_feeds_two_events_when_one_of_them_defers",
    "tests/test_rl_agent.py::test_evaluate_command_missing_checkpoint",
    "tests/test_rl_agent.py::test_evaluate_command_prints_the_line",
    "tests/test_rl_agent.py::test_evaluate_command_refuses_bad_input",
    "tests/test_rl_ppo.py",
    "tests/test_rl_worked_step.py",
    "tests/test_security_limits.py",
    "tests/test_security_requests.py::test_a_burst_of_new_sessions_keeps_little_memory",
    "tests/test_security_requests.py::test_fuzzed_bodies_on_every_route_never_get_a_500_nor_a_traceback",
    "tests/test_serve_shutdown.py",
    "tests/test_serve_stream_worker.py::test_a_frozen_worker_is_noticed_its_streams_end_clearly_and_a_new_one_takes_over",
    "tests/test_serve_stream_worker.py::test_a_worker_that_dies_fails_its_stream_clearly_and_is_replaced",
    "tests/test_serve_stream_worker.py::test_beyond_the_limit_a_stream_is_refused_at_once_with_a_busy_message",
    "tests/test_serve_stream_worker.py::test_forty_streams_at_once_all_finish_with_their_own_text",
    "tests/test_serve_stream_worker.py::test_the_worker_streams_the_same_text_as_the_in_process_sampler",
    "tests/test_ui_build.py::test_every_backend_event_has_an_api_name_and_a_concurrency_limit",
})


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that opens Chromium `browser` (it uses the `browser` fixture, whatever its file says), and the
    tests listed in SLOW `slow`."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if path in SLOW or f"{path}::{getattr(item, 'originalname', item.name)}" in SLOW:
            item.add_marker(pytest.mark.slow)

from bench.local_app import free_port  # noqa: E402  (one copy, shared with the benchmarks)


@pytest.fixture(scope="module")
def shipped_gpt():
    """(the shipped GPT in eval mode, its tokenizer), loaded once per test module."""
    from core.gpt.io import load_gpt

    require_checkpoint(GPT_NAME)
    loaded = load_gpt(str(CHECKPOINTS / GPT_NAME))
    return loaded.model.eval(), loaded.tokenizer


@pytest.fixture(scope="session")
def app_state() -> AppState:
    return load_app_state(CHECKPOINTS)


@pytest.fixture(scope="session")
def text_handlers(app_state: AppState):
    require_checkpoint(GPT_NAME)
    from demo.text_tab import TextHandlers

    assert app_state.gpt is not None, app_state.notes[GPT_NAME]
    return TextHandlers(app_state.gpt)


@pytest.fixture(scope="session")
def image_handlers(app_state: AppState):
    require_checkpoint(GAN_NAME)
    from demo.image_handlers import ImageHandlers

    assert app_state.gan is not None, app_state.notes[GAN_NAME]
    return ImageHandlers(app_state.gan)


def serve(state: AppState) -> Iterator[str]:
    """Launch the app built from `state` in this process on a free port; yield its URL; close it afterwards."""
    from demo.build import build_demo, guard_config, launch_demo
    from serve.shutdown import close_and_wait

    demo = build_demo(state)
    # The tests' clients stand for many users but all come from 127.0.0.1, so the guard's per-address caps are off
    # here (its per-session and per-group caps stay on); app_process below runs app.py with them on.
    launch_demo(demo, guard=guard_config(per_address=False), server_name="127.0.0.1", server_port=free_port(),
                prevent_thread_lock=True, quiet=True)
    try:
        yield demo.local_url.rstrip("/")
    finally:
        close_and_wait(demo)


@pytest.fixture(scope="session")
def app_url(app_state: AppState) -> Iterator[str]:
    """The real app, launched once in this process on a free port."""
    yield from serve(app_state)


@pytest.fixture(scope="session")
def app_process(tmp_path_factory) -> Iterator[tuple[str, Path, object]]:
    """`python app.py` as a visitor meets it: its own process on 127.0.0.1, the HTTP guard's per-address limits on,
    its output in a log file the tests read (tracebacks). Yields (url, log path, process)."""
    from bench.local_app import start_app

    log = tmp_path_factory.mktemp("app") / "app.log"
    port = free_port()
    process, _ = start_app(port, str(CHECKPOINTS), log=log, address_limits=True)
    try:
        yield f"http://127.0.0.1:{port}", log, process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def client(app_url: str):
    from bench.local_app import local_client

    return local_client(app_url)


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium per browser-test module; skipped where it is not installed. Module scope, not
    session: Playwright's sync API keeps an asyncio loop running in this thread while it is open, which would make
    every later test that calls asyncio.run() fail."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread for a module, as the app and its text-stream worker run (torch.set_num_threads(1)): two
    threads on a busy two-core machine spin-wait for each other."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_fashion_png_folder(root: Path, labelled: int, unlabelled: int = 0) -> Path:
    """The first Fashion-MNIST test images as PNGs in class subfolders ('Ankle boot' spelled ankle_boot), then
    `unlabelled` more at the top level: the `--data DIR` layout the GAN trains on. Random pixels and labels stand in
    where the Debian data package is absent."""
    import numpy as np
    from PIL import Image

    from core.gan.data import CLASS_NAMES, FASHION_MNIST_DIR, load_fashion_mnist

    count = labelled + unlabelled
    test = load_fashion_mnist("test") if (FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file() else None
    rng = np.random.default_rng(0)
    images = test.images[:count] if test else rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    labels = test.labels[:count] if test else rng.integers(0, 10, count)
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = root if i >= labelled else root / CLASS_NAMES[label].lower().replace(" ", "_").replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image, mode="L").save(folder / f"{i:03d}.png")
    return root


# Daemon threads that may outlive the tests: they wait in a pipe read or a sleep (tqdm's monitor too), never inside
# torch.
SAFE_AT_EXIT = ("stream-worker-reader", "stream-worker-watchdog", "malloc-trim", "tqdm_monitor")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    """A daemon thread still inside torch when the interpreter shuts down is ended under C++ code, and the process
    aborts after every test has passed (exit code 134, "terminate called without an active exception";
    tests/test_serve_shutdown.py shows it). The app's own such threads are waited for: the request handlers
    (serve/shutdown.py, used by `serve` above) and the visitors' trainings (serve/training_sessions.py's exit hook).
    Any other daemon thread still alive here is named, so that an abort after it says which thread to stop."""
    import sys
    import threading

    lingering = [t.name for t in threading.enumerate()
                 if t.daemon and t.is_alive() and not t.name.startswith(SAFE_AT_EXIT)]
    if lingering:
        print(f"\nconftest: daemon threads alive at exit: {', '.join(lingering)}", file=sys.stderr, flush=True)
