"""The real app, launched once in this process, called endpoint by endpoint through gradio_client."""
from __future__ import annotations

import httpx
import pytest
from gradio_client.exceptions import AppError
from PIL import Image

from core.limits import MAX_SEED
from demo.app_state import GPT_NAME
from tests.conftest import ROOT, require_checkpoint

TEXT = ("ROMEO:\n", 0.8, 40, 0.95, 25, 3)
IMAGE_ENDPOINTS = {"/image", "/grid", "/interpolate", "/random_image_seed"}
TEXT_ENDPOINTS = {"/generate", "/next_tokens", "/inspect_prompt"}  # the page's own events are callable but unlisted


def test_every_endpoint_is_named_in_the_api(client, app_state):
    api = client.view_api(return_format="dict", print_info=False)
    expected = (TEXT_ENDPOINTS if app_state.gpt else set()) | (IMAGE_ENDPOINTS if app_state.gan else set())
    # Other tabs add their own endpoints; what must hold is that these are there and none is left unnamed.
    assert expected and expected <= set(api["named_endpoints"]) and not api["unnamed_endpoints"]


def test_generate_streams_through_the_api(client):
    require_checkpoint(GPT_NAME)
    job = client.submit(*TEXT, api_name="/generate")
    seen = [update for update in job]
    final = job.result()
    assert len(final) == len("ROMEO:\n") + 25 and final.startswith("ROMEO:\n")
    assert len(seen) > 1 and seen[-1] == final  # partial texts arrived before the end
    assert client.predict(*TEXT, api_name="/generate") == final  # same seed, same text
    assert client.predict(*TEXT[:-1], 4, api_name="/generate") != final


def test_next_token_bars_and_prompt_check_through_the_api(client):
    require_checkpoint(GPT_NAME)
    bars = client.predict("To be, or not to b", 1.0, 3, 1.0, api_name="/next_tokens")
    assert len(bars["confidences"]) == 3 and bars["label"] == bars["confidences"][0]["label"]
    marked, bars = client.predict("Só", 0.8, 40, 0.95, api_name="/inspect_prompt")
    assert [m["token"] for m in marked if m["class_or_confidence"]] == ["ó"]
    seed = client.predict(api_name="/random_seed")
    assert isinstance(seed, (int, float)) and seed == int(seed) and 0 <= seed <= MAX_SEED  # a whole number in range


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(("ROMEO:\n", "hot", 40, 0.95, 25, 3), "temperature must be a number"),
     (("naïve", 0.8, 40, 0.95, 25, 3), "does not know 1 character"),
     (("ROMEO:\n", 0.8, 40, 0.95, 25, -5), "seed must be from 0")],
)
def test_bad_text_input_is_refused_with_a_message_and_the_server_keeps_serving(client, args, fragment):
    require_checkpoint(GPT_NAME)
    with pytest.raises(AppError, match=fragment):
        client.predict(*args, api_name="/generate")
    assert client.predict("ROMEO:\n", 0.8, 40, 0.95, api_name="/next_tokens")["confidences"]


def test_image_endpoints(client, image_handlers):
    n = len(image_handlers.direction_names)
    path = client.predict("Sneaker", 3, 1.0, *[0.0] * n, api_name="/image")
    moved = client.predict("Sneaker", 3, 1.0, 3.0, *[0.0] * (n - 1), api_name="/image")
    with Image.open(path) as a, Image.open(moved) as b:
        assert a.size == (256, 256) and a.tobytes() != b.tobytes()
    with Image.open(client.predict("Bag", 0, 4, 1.0, api_name="/grid")) as grid:
        assert grid.width > 32 * 2
    with Image.open(client.predict(0, 1, "random", 4, 1.0, api_name="/interpolate")) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
    seed = client.predict(api_name="/random_image_seed")
    assert isinstance(seed, (int, float)) and seed == int(seed) and 0 <= seed <= MAX_SEED  # a whole number in range


def test_bad_image_input_is_refused_with_a_message(client, image_handlers):
    n = len(image_handlers.direction_names)
    with pytest.raises(AppError, match="(?i)class"):
        client.predict("Hat", 3, 1.0, *[0.0] * n, api_name="/image")
    with pytest.raises(AppError, match="grid size must be from 1 to"):
        client.predict("Bag", 0, 1000, 1.0, api_name="/grid")
    assert client.predict("Bag", 3, 1.0, *[0.0] * n, api_name="/image")


@pytest.mark.parametrize("target", [str(ROOT / "app.py"), "/etc/passwd", str(ROOT / "checkpoints")])
def test_the_app_serves_no_files_it_did_not_generate(app_url, target):
    response = httpx.get(f"{app_url}/gradio_api/file={target}")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("route", ["/gradio_api/upload", "/gradio_api/process_recording", "/gradio_api/component_server"])
def test_uploads_are_refused(app_url, route):
    response = httpx.post(f"{app_url}{route}", files={"files": ("x.html", b"<script></script>", "text/html")})
    assert response.status_code == 403 and "no file uploads" in response.text
