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


def open_tab(page, name: str) -> None:
    """Click the tab `name` in a browser page; on a narrow screen Gradio folds the tabs that do not fit into its
    "More tabs" menu, so the tab is clicked there."""
    tab = page.get_by_role("tab", name=name)
    if not tab.count():
        page.get_by_role("button", name="More tabs").click()
        tab = page.locator(".overflow-dropdown button", has_text=name)
    tab.click()


def require_checkpoint(name: str) -> None:
    """Skip (locally) or fail (in CI) when checkpoints/<name> is not there."""
    if not (CHECKPOINTS / name / "config.json").is_file():
        message = f"{CHECKPOINTS / name} is missing (train it, or fetch it with --hub-repo)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI needs the shipped checkpoints")
        pytest.skip(message)


from bench.local_app import free_port  # noqa: E402  (one copy, shared with the benchmarks)


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
    from demo.image_tab import ImageHandlers

    assert app_state.gan is not None, app_state.notes[GAN_NAME]
    return ImageHandlers(app_state.gan)


def serve(state: AppState) -> Iterator[str]:
    """Launch the app built from `state` in this process on a free port; yield its URL; close it afterwards."""
    from demo.build import build_demo, guard_config, launch_demo

    demo = build_demo(state)
    # The tests' clients stand for many users but all come from 127.0.0.1, so the guard's per-address caps are off
    # here (its per-session and per-group caps stay on); app_process below runs app.py with them on.
    launch_demo(demo, guard=guard_config(per_address=False), server_name="127.0.0.1", server_port=free_port(),
                prevent_thread_lock=True, quiet=True)
    try:
        yield demo.local_url.rstrip("/")
    finally:
        demo.close()


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



_exit_status: list[int] = []


def pytest_sessionfinish(session, exitstatus) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    """End the test process with pytest's own status once everything is reported, skipping the interpreter's
    teardown: twice in full runs (never in isolation) a native thread pool's destructor aborted there, after every
    test had passed ("terminate called without an active exception", exit code 134). The cause is not found yet."""
    if _exit_status:
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[0])
