"""The Images tab's panel exported to ONNX (core/gan/export_onnx.py) and the routes that hand it and the seeds'
noise to the page (serve/latent_route.py), on the real checkpoints: ONNX Runtime draws the server's pixels and
judges them as the server does, the export is cached by the weights' hash, and the routes answer or refuse."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from core import limits
from core.gan.data import CLASS_NAMES
from core.gan.export_onnx import ImagePanel, panel_file, weights_digest
from core.gan.judge import pixels_to_tensor
from core.gan.latent import ImageKnobs, LatentStudio, seed_to_z
from demo.app_state import GAN_NAME
from serve import latent_route
from serve.latent_route import LatentRoute
from tests.conftest import require_checkpoint


@pytest.fixture(scope="module")
def studio(app_state) -> LatentStudio:
    require_checkpoint(GAN_NAME)
    return LatentStudio(app_state.gan)


@pytest.fixture(scope="module")
def panel(studio, app_state, tmp_path_factory):
    assert app_state.judges is not None
    cache = tmp_path_factory.mktemp("onnx")
    latent_route.offer(studio, app_state.judges.d, app_state.judges.classifier, cache, build_now=False)
    found, why = latent_route.ready_panel()
    assert found is not None, why
    return found


def _run(session: ort.InferenceSession, studio: LatentStudio, knobs: ImageKnobs, label: int) -> list[np.ndarray]:
    return session.run(None, {"z0": seed_to_z(knobs.seed, studio.z_dim)[None].numpy(),
                              "psi": np.array([knobs.psi], np.float32),
                              "moves": np.array([knobs.directions], np.float32), "label": np.array([label], np.int64)})


def test_onnx_runtime_draws_and_judges_what_the_server_does(studio, app_state, panel):
    session = ort.InferenceSession(str(panel.path))
    rng = np.random.default_rng(28)
    reach = limits.MAX_DIRECTION
    cases = [ImageKnobs(name, int(rng.integers(0, limits.MAX_SEED + 1)), float(rng.uniform(0, limits.MAX_PSI)),
                        tuple(float(v) for v in np.round(rng.uniform(-reach, reach, len(studio.direction_names)), 1)))
             for name in [*CLASS_NAMES, "random"] for _ in range(4)]
    cases += [ImageKnobs("Bag", 7, psi, (sign * reach,) * len(studio.direction_names))
              for psi in (0.0, limits.MAX_PSI) for sign in (-1, 1)]
    cases += [ImageKnobs("Dress", limits.MAX_SEED, 1.0)]
    for knobs in cases:
        knobs = studio.knobs(knobs.class_name, knobs.seed, knobs.psi, knobs.directions)
        image = studio.image(knobs)
        _, label = studio.latent(knobs)
        pixels, p_real, probs = _run(session, studio, knobs, label)
        assert np.abs(pixels[0] - np.asarray(image, dtype=np.float32)).max() <= 1.0, knobs
        verdict = app_state.judges.judge(pixels_to_tensor([image]), torch.tensor([label]))[0]
        assert abs(float(p_real[0]) - verdict.p_real) < 2e-3, knobs
        assert CLASS_NAMES[int(probs[0].argmax())] == verdict.predicted, knobs
        assert abs(float(probs[0].max()) - verdict.confidence) < 2e-3, knobs


def test_the_export_leaves_the_servers_models_in_eval_mode(studio, app_state, panel):
    assert not studio.generator.training and not app_state.judges.d.training and not app_state.judges.classifier.training


@pytest.fixture(scope="module")
def bare_panel(studio, tmp_path_factory):
    """The panel without D and the classifier (an app started without them still draws in the page)."""
    return panel_file(studio.generator, studio.directions, cache_dir=tmp_path_factory.mktemp("bare"))


def test_the_export_is_cached_by_the_weights_hash(studio, bare_panel):
    first = bare_panel
    stamp = first.path.stat().st_mtime_ns
    again = panel_file(studio.generator, studio.directions, cache_dir=first.path.parent.parent)
    assert again.path == first.path and again.path.stat().st_mtime_ns == stamp  # read from the cache, not rebuilt
    assert first.path.parent.name == first.digest and not first.has_judges
    changed = [d.clone() for d in [studio.directions]][0]
    changed[0, 0] += 1e-3
    assert weights_digest(studio.generator, extra=changed) != first.digest  # other weights, another file


def test_a_panel_without_judges_still_draws(studio, bare_panel):
    session = ort.InferenceSession(str(bare_panel.path))
    knobs = studio.knobs("Coat", 3, 1.0)
    pixels, p_real, _ = _run(session, studio, knobs, CLASS_NAMES.index("Coat"))
    assert np.abs(pixels[0] - np.asarray(studio.image(knobs), dtype=np.float32)).max() <= 1.0
    assert float(p_real[0]) == -1.0  # no verdict to show


def _get(path: str, query: str = "", method: str = "GET", gzip: bool = False) -> tuple[int, dict[bytes, bytes], bytes]:
    """One request through LatentRoute (the app behind it answers 599, so a pass-through shows)."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    headers = [(b"accept-encoding", b"gzip, br")] if gzip else []
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(), "headers": headers}
    asyncio.run(LatentRoute(app)(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_the_z_route_answers_the_servers_noise_bit_for_bit(studio, panel):
    status, headers, body = _get("/image-web/z", "class=random&seed=4294967295")
    assert status == 200 and headers[b"content-type"] == b"application/json"
    answer = json.loads(body)
    z = np.array(answer["z"], dtype=np.float32)
    assert np.array_equal(z, seed_to_z(limits.MAX_SEED, studio.z_dim).numpy())
    _, label = studio.latent(ImageKnobs("random", limits.MAX_SEED))
    assert answer["label"] == label and answer["drawn_as"] == CLASS_NAMES[label]
    status, _, body = _get("/image-web/z", "class=Ankle%20boot&seed=5")
    assert status == 200 and json.loads(body)["label"] == CLASS_NAMES.index("Ankle boot")


@pytest.mark.parametrize("query, words", [("class=Dress&seed=-1", "seed"), ("class=Dress&seed=4294967296", "seed"),
                                          ("class=Dress&seed=abc", "seed"), ("class=Robot&seed=1", "class"),
                                          ("class=Dress", "seed="), ("seed=1&x=2", "seed="), ("seed=" + "9" * 300, "at most")])
def test_the_z_route_refuses_bad_input_with_a_clear_400(panel, query, words):
    status, _, body = _get("/image-web/z", query)
    assert status == 400 and words in json.loads(body)["detail"]


def test_meta_names_the_model_and_the_routes_serve_it_and_the_runtime(panel):
    status, _, body = _get("/image-web/meta.json")
    meta = json.loads(body)
    assert status == 200 and meta["judges"] and meta["directions"] == 8 and meta["model"].endswith(f"{panel.digest}.onnx")
    status, headers, body = _get(meta["model"])
    assert status == 200 and body == panel.path.read_bytes() and b"immutable" in headers[b"cache-control"]
    assert _get("/image-web/panel-0000.onnx")[0] == 404
    status, headers, body = _get("/image-web/ort/ort-wasm-simd-threaded.wasm")
    assert status == 200 and headers[b"content-type"] == b"application/wasm" and body[:4] == b"\0asm"
    status, headers, zipped = _get("/image-web/ort/ort-wasm-simd-threaded.wasm", gzip=True)
    assert headers[b"content-encoding"] == b"gzip" and len(zipped) < len(body)
    status, headers, _ = _get("/image-web/ort/ort.wasm.bundle.min.mjs")
    assert status == 200 and headers[b"content-type"].startswith(b"text/javascript")
    for path in ("/image-web/ort/../../app.py", "/image-web/ort/LICENSE", "/image-web/nothing"):
        assert _get(path)[0] == 404, path
    assert _get("/image-web/z", "seed=1", method="POST")[0] == 405
    assert _get("/gradio_api/info")[0] == 599  # everything else goes on to Gradio
