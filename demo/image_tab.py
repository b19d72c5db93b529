"""Image tab: class, seed, truncation and direction sliders redraw the GAN image on every move (cached latent, one
small generator call), plus a grid of samples, an interpolation GIF between two seeds and a PNG download."""
from __future__ import annotations

import hashlib
import os
import threading
import tempfile
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder
from PIL import Image

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.io import LoadedGAN
from core.gan.latent import RANDOM_CLASS, ImageKnobs, LatentStudio, frames_to_gif, upscale, validate_seed
from core.validation import as_int
from demo.errors import missing_model_notice, user_errors
from demo.text_tab import random_seed

IMAGE_SCALE = 8  # 32x32 shown as 256x256, nearest neighbour so pixels stay crisp
GRID_SCALE = 3
GIF_DIR = Path(tempfile.gettempdir()) / "gpt-gan-playground"  # generated GIFs only; Gradio copies them to its cache
# Slider PNGs are written straight into Gradio's cache folder, which it serves as they are (a file outside it is
# hashed and copied in on every return, ~1 ms of a ~17 ms call) and deletes an hour later (delete_cache in build.py),
# like every file it serves: a displayed image can still be downloaded.
SLIDER_DIR = Path(get_upload_folder()) / "gan-slider"
PNG_COMPRESS_LEVEL = 1  # 0.3 ms instead of 1 ms per 256x256 slider image, and no bigger (its 8x8 blocks compress well)
GIF_KEEP = 100  # newest GIFs kept on disk; older ones are deleted so a long-running Space does not fill /tmp
DEFAULT_GRID, DEFAULT_FRAMES = 16, 24


def _prune(directory: Path, keep: int) -> None:
    """Delete all but the `keep` newest GIFs (Gradio has already copied what it served into its own cache)."""
    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except FileNotFoundError:  # pruned by a concurrent request
            return 0.0

    for old in sorted(directory.glob("*.gif"), key=age, reverse=True)[keep:]:
        old.unlink(missing_ok=True)


class ImageHandlers:
    """The image tab's handlers over one loaded GAN (loaded once at start-up; no handler loads weights)."""

    def __init__(self, loaded: LoadedGAN):
        self.studio = LatentStudio(loaded)

    @property
    def direction_names(self) -> list[str]:
        return list(self.studio.direction_names)

    @user_errors
    def image(self, class_name: str, seed: int, psi: float, *directions: float) -> Image.Image:
        """The image for these knobs, enlarged; a direction move reuses the cached latent of (class, seed, psi)."""
        return upscale(self.studio.image(self.studio.knobs(class_name, seed, psi, directions)), IMAGE_SCALE)

    @user_errors
    def image_file(self, class_name: str, seed: int, psi: float, *directions: float) -> str:
        """The slider event: image() written to a PNG file of its own in Gradio's cache (SLIDER_DIR), served as is.

        Returning the PIL image would let Gradio write it into its cache under a name made from the image's content,
        in place: two users who ask for the same image at once (the same knobs) could then be served a file that
        the other request is rewriting, a truncated download. A file per call, complete before it is returned,
        cannot be."""
        image = self.image(class_name, seed, psi, *directions)  # bad knobs are refused before any file exists
        SLIDER_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=SLIDER_DIR, prefix="image-", suffix=".png", delete=False) as file:
            image.save(file, format="png", compress_level=PNG_COMPRESS_LEVEL)
        return file.name

    @user_errors
    def grid(self, class_name: str, first_seed: int, count: int, psi: float) -> Image.Image:
        """`count` samples with seeds first_seed, first_seed+1, ... in one enlarged sheet."""
        return upscale(self.studio.grid(class_name, first_seed, count, psi), GRID_SCALE)

    @user_errors
    def interpolate(self, seed_a: int, seed_b: int, class_name: str, frames: int, psi: float) -> str:
        """A looping GIF walking the latent from seed_a to seed_b; returned as a file path Gradio serves from its cache."""
        knobs = self.studio.knobs(class_name, seed_a, psi)
        seed_b = validate_seed(seed_b, "seed B")
        frames = as_int("frames", frames, 2, limits.MAX_INTERPOLATION_FRAMES)
        key = f"{knobs.class_name}|{knobs.seed}|{seed_b}|{frames}|{knobs.psi}"
        path = GIF_DIR / f"interpolation-{hashlib.sha256(key.encode()).hexdigest()[:16]}.gif"
        if not path.is_file():  # same knobs, same file: repeated clicks do not fill the disk
            data = frames_to_gif(self.studio.interpolation(knobs.seed, seed_b, knobs.class_name, frames, knobs.psi), scale=IMAGE_SCALE)
            GIF_DIR.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # one per thread: 4 run at once
            tmp.write_bytes(data)
            os.replace(tmp, path)
            _prune(GIF_DIR, GIF_KEEP)
        return str(path)


def build_image_tab(loaded: LoadedGAN | None, note: str) -> None:
    """Lay out the image tab and wire its events (call inside a gr.Blocks)."""
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
          concurrency_id="gan", concurrency_limit=4)
    grid_button.click(handlers.grid, [class_name, seed, count, psi], grid, api_name="grid", preprocess=False,
                      concurrency_id="gan", concurrency_limit=4)
    animate_button.click(handlers.interpolate, [seed, seed_b, class_name, frames, psi], animation, api_name="interpolate",
                         preprocess=False, concurrency_id="gan", concurrency_limit=4)
    randomise.click(random_seed, None, seed, api_name="random_image_seed", show_progress="hidden")
