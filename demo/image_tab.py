"""Image tab: class, seed, truncation and direction sliders redraw the GAN image on every move (cached latent, one
small generator call), plus a grid of samples, an interpolation GIF between two seeds and a PNG download."""
from __future__ import annotations

import os
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, IO

import gradio as gr
from gradio.utils import get_upload_folder
from PIL import Image

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.io import LoadedGAN
from core.gan.judge import Judges
from core.gan.latent import RANDOM_CLASS, ImageKnobs, LatentStudio, frames_to_gif, upscale, validate_seed
from core.validation import as_int
from demo.errors import missing_model_notice, user_errors
from demo.gan_verdict import build_verdict, wire_verdict
from demo.text_tab import random_seed

IMAGE_SCALE = 8  # 32x32 shown as 256x256, nearest neighbour so pixels stay crisp
GRID_SCALE = 3
PNG_COMPRESS_LEVEL = 1  # 0.3 ms instead of 1 ms per 256x256 slider image, and no bigger (its 8x8 blocks compress well)
# All the disk the image tab may use, whatever clients ask: slider PNGs (~2 kB), grids (up to ~0.3 MB) and GIFs (up to
# ~1 MB). Past it the oldest files are deleted. Distinct GIFs and grids from one client wrote ~3 MB/s before the cap.
DISK_CAP_BYTES = 256 * 2**20
DEFAULT_GRID, DEFAULT_FRAMES = 16, 24
# The image tab's own CSS (build.py joins every tab's CSS into the page's)
CSS = ""
# Script for the page head (build.py joins them), e.g. keyboard shortcuts
HEAD = ""
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class GeneratedFiles:
    """The files the image tab hands Gradio, in one private folder inside Gradio's cache, at most cap_bytes in all.

    Private: the folder is made by mkdtemp (mode 0700, unpredictable name) and every file is created new with
    O_EXCL | O_NOFOLLOW under a random name, so a link planted by another local user is never followed or served.
    Inside Gradio's cache: Gradio serves such files as they are, instead of hashing and copying each into the cache
    (which stored every GIF twice). Bounded: the oldest files go once the total passes cap_bytes; Gradio's
    delete_cache (build.py) removes what is an hour old as well.
    """

    def __init__(self, cap_bytes: int = DISK_CAP_BYTES, parent: str | Path | None = None):
        self.cap_bytes = cap_bytes
        parent = Path(parent or get_upload_folder())
        parent.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="gan-", dir=parent))
        self._sizes: OrderedDict[Path, int] = OrderedDict()  # oldest first
        self._keys: dict[str, Path] = {}  # knobs -> the file already made for them (repeated clicks add nothing)
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._total

    def find(self, key: str) -> str | None:
        """The file made earlier for `key`, if it is still there."""
        path = self._keys.get(key)
        return str(path) if path is not None and path in self._sizes and path.is_file() else None

    def write(self, prefix: str, suffix: str, fill: Callable[[IO[bytes]], object], key: str | None = None) -> str:
        """A new file `prefix-<random><suffix>` written by fill(file), complete before its path is returned."""
        path = self.dir / f"{prefix}-{secrets.token_hex(8)}{suffix}"
        try:
            fd = os.open(path, WRITE_FLAGS, 0o600)
        except FileNotFoundError:  # the folder was removed (Gradio's hourly cache clean-up): make it again, private
            os.makedirs(self.dir, mode=0o700, exist_ok=True)
            fd = os.open(path, WRITE_FLAGS, 0o600)
        with os.fdopen(fd, "wb") as file:
            fill(file)
            size = file.tell()
        with self._lock:
            self._sizes[path] = size
            self._total += size
            if key is not None:
                self._keys[key] = path
            while self._total > self.cap_bytes and len(self._sizes) > 1:
                old, old_size = self._sizes.popitem(last=False)
                self._total -= old_size
                old.unlink(missing_ok=True)
            if len(self._keys) > 2 * len(self._sizes):  # forget keys of deleted files
                self._keys = {k: v for k, v in self._keys.items() if v in self._sizes}
        return str(path)


class ImageHandlers:
    """The image tab's handlers over one loaded GAN (loaded once at start-up; no handler loads weights)."""

    def __init__(self, loaded: LoadedGAN, files: GeneratedFiles | None = None):
        self.studio = LatentStudio(loaded)
        self.files = files or GeneratedFiles()

    @property
    def direction_names(self) -> list[str]:
        return list(self.studio.direction_names)

    @user_errors
    def image(self, class_name: str, seed: int, psi: float, *directions: float) -> Image.Image:
        """The image for these knobs, enlarged; a direction move reuses the cached latent of (class, seed, psi)."""
        return upscale(self.studio.image(self.studio.knobs(class_name, seed, psi, directions)), IMAGE_SCALE)

    @user_errors
    def image_file(self, class_name: str, seed: int, psi: float, *directions: float) -> str:
        """The slider event: image() written to a PNG file of its own (see GeneratedFiles), served as is.

        Returning the PIL image would let Gradio write it into its cache under a name made from the image's content,
        in place: two users who ask for the same image at once (the same knobs) could then be served a file that
        the other request is rewriting, a truncated download. A file per call, complete before it is returned,
        cannot be."""
        image = self.image(class_name, seed, psi, *directions)  # bad knobs are refused before any file exists
        return self.files.write("image", ".png", lambda f: image.save(f, format="png", compress_level=PNG_COMPRESS_LEVEL))

    @user_errors
    def grid(self, class_name: str, first_seed: int, count: int, psi: float) -> Image.Image:
        """`count` samples with seeds first_seed, first_seed+1, ... in one enlarged sheet."""
        return upscale(self.studio.grid(class_name, first_seed, count, psi), GRID_SCALE)

    @user_errors
    def grid_file(self, class_name: str, first_seed: int, count: int, psi: float) -> str:
        """The grid event: grid() written to a PNG file of its own (see GeneratedFiles)."""
        sheet = self.grid(class_name, first_seed, count, psi)  # bad knobs are refused before any file exists
        return self.files.write("grid", ".png", lambda f: sheet.save(f, format="png", compress_level=PNG_COMPRESS_LEVEL))

    @user_errors
    def interpolate(self, seed_a: int, seed_b: int, class_name: str, frames: int, psi: float) -> str:
        """A looping GIF walking the latent from seed_a to seed_b; returned as a file path Gradio serves from its cache."""
        knobs = self.studio.knobs(class_name, seed_a, psi)
        seed_b = validate_seed(seed_b, "seed B")
        frames = as_int("frames", frames, 2, limits.MAX_INTERPOLATION_FRAMES)
        key = f"gif|{knobs.class_name}|{knobs.seed}|{seed_b}|{frames}|{knobs.psi}"
        if (path := self.files.find(key)) is not None:  # same knobs, same file: repeated clicks do not fill the disk
            return path
        data = frames_to_gif(self.studio.interpolation(knobs.seed, seed_b, knobs.class_name, frames, knobs.psi), scale=IMAGE_SCALE)
        return self.files.write("interpolation", ".gif", lambda f: f.write(data), key)


def build_image_tab(loaded: LoadedGAN | None, note: str, judges: Judges | None = None, judges_note: str = "") -> None:
    """Lay out the image tab and wire its events (call inside a gr.Blocks); with `judges`, D's verdict and the
    classifier's guess follow the slider image (demo/gan_verdict.py)."""
    if loaded is None:
        missing_model_notice("GAN", "python -m core.gan.train", note, elem_id="gan-missing")
        return
    handlers = ImageHandlers(loaded)
    defaults = ImageKnobs()
    with gr.Row():
        with gr.Column(scale=2):
            class_name = gr.Dropdown([RANDOM_CLASS, *CLASS_NAMES], value=defaults.class_name, label="Class", elem_id="gan-class",
                                     info="'random' lets the seed pick the class")
            with gr.Row():
                seed = gr.Number(defaults.seed, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Seed",
                                 elem_id="gan-seed", scale=3)
                randomise = gr.Button("Randomise", scale=1, elem_id="gan-randomise")
            psi = gr.Slider(0.0, limits.MAX_PSI, defaults.psi, step=0.05, label="Noise scale (truncation ψ)",
                            info="0 = the average image of the class; 1 = as trained; above 1 = wilder", elem_id="gan-psi")
            directions = [gr.Slider(-limits.MAX_DIRECTION, limits.MAX_DIRECTION, 0.0, step=0.1, label=name,
                                    elem_id=f"gan-direction-{i}") for i, name in enumerate(handlers.direction_names)]
        with gr.Column(scale=2):
            first = handlers.image(defaults.class_name, defaults.seed, defaults.psi, *[0.0] * len(directions))
            image = gr.Image(first, type="pil", format="png", image_mode="L", buttons=["download"], interactive=False,
                             label=f"Generated image (32x32, shown {IMAGE_SCALE}x, download as PNG)", elem_id="gan-image",
                             height=32 * IMAGE_SCALE + 40)
            first_knobs = [defaults.class_name, defaults.seed, defaults.psi, *[0.0] * len(directions)]
            verdict_handler, verdict = build_verdict(handlers.studio, judges, judges_note, first_knobs)
            with gr.Row():
                count = gr.Slider(1, limits.MAX_GRID_IMAGES, DEFAULT_GRID, step=1, label="Samples in the grid (seeds: seed, seed+1, ...)", scale=3)
                grid_button = gr.Button("Sample grid", elem_id="gan-grid-button", scale=1)
            first_grid = handlers.grid(defaults.class_name, defaults.seed, DEFAULT_GRID, defaults.psi)
            grid = gr.Image(first_grid, type="pil", format="png", interactive=False, buttons=["download"], label="Grid", elem_id="gan-grid")
    with gr.Row():
        with gr.Column(scale=2):
            seed_b = gr.Number(1, precision=0, minimum=0, maximum=limits.MAX_SEED, label="Second seed")
            frames = gr.Slider(2, limits.MAX_INTERPOLATION_FRAMES, DEFAULT_FRAMES, step=1, label="Frames")
            animate_button = gr.Button("Interpolate seed → second seed", elem_id="gan-interpolate-button")
        with gr.Column(scale=2):
            animation = gr.Image(type="filepath", interactive=False, buttons=["download"], label="Interpolation (GIF)",
                                 elem_id="gan-interpolation", height=32 * IMAGE_SCALE + 40)
    knobs = [class_name, seed, psi, *directions]
    gr.on([class_name.input, seed.change, psi.input, *[d.input for d in directions]], handlers.image_file, knobs, image,
          api_name="image", preprocess=False, trigger_mode="always_last", show_progress="hidden",
          concurrency_id="gan-image", concurrency_limit=4)
    wire_verdict(verdict_handler, verdict, knobs, [class_name.input, seed.change, psi.input, *[d.input for d in directions]])
    # Grids and GIFs (up to ~0.3 s each) run one at a time in a group of their own, so a slider image never waits
    # behind a queue of them (and HttpGuard caps how many each client may queue: build.GROUP_LIMITS).
    grid_button.click(handlers.grid_file, [class_name, seed, count, psi], grid, api_name="grid", preprocess=False,
                      concurrency_id="gan-heavy", concurrency_limit=1)
    animate_button.click(handlers.interpolate, [seed, seed_b, class_name, frames, psi], animation, api_name="interpolate",
                         preprocess=False, concurrency_id="gan-heavy", concurrency_limit=1)
    randomise.click(random_seed, None, seed, api_name="random_image_seed", show_progress="hidden")
