"""API fuzz test: hundreds of hostile requests through gradio_client against the launched app.

Every request carries at least one bad argument (NaN, inf, huge or negative numbers, seeds beyond 2**32-1, wrong
types, unknown class names, empty, overlong or 1 MB prompts, control and unknown characters, lone surrogates).
Each must be answered with a validation message that names the bad argument and says what is accepted (or, for the
as-you-type /inspect_prompt, with the over-long or unknown part of the prompt marked); none may be answered with a
server error, and the app must answer good requests afterwards. Also: the app serves no file it did not generate
and accepts no uploads.

The app is the session one from conftest (the shipped checkpoints) when both models are there; otherwise this module
launches the same app over tiny random-init checkpoints saved into a temp dir (same code, smaller weights).
"""
from __future__ import annotations

import json
import math
import random
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from bench.local_app import local_client
from core import limits
from tests.conftest import ROOT, serve

MIN_REQUESTS = 500
WORKERS = 12
REQUEST_TIMEOUT_S = 120
TINY_VOCAB = "\n !&',-.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A message says what is accepted: a range, a list of choices, a limit, or what to type/remove.
ACCEPTED = re.compile(r"must be|from -?[\d.]+ to|one of|limit is|at most|type at least|Remove or replace|takes at most")
SERVER_ERROR = re.compile(r"Traceback|Internal Server Error|has not enabled verbose error reporting|Exception|"
                          r"Error\(|File \"", re.I)


def _save_tiny_checkpoints(root: Path) -> None:
    import torch

    from core.gan.io import save_gan
    from core.gan.model import GANConfig, Generator
    from core.gpt.io import save_gpt
    from core.gpt.model import GPT, GPTConfig
    from core.gpt.tokenizer import CharTokenizer

    torch.manual_seed(0)
    save_gpt(root / "gpt-shakespeare", GPT(GPTConfig(vocab_size=len(TINY_VOCAB), context_length=32, n_layer=2, n_head=2, n_embd=32)),
             CharTokenizer(TINY_VOCAB))
    save_gan(root / "gan-fashion", Generator(GANConfig(z_dim=16, g_width=8, d_width=8, num_directions=4)))


@pytest.fixture(scope="module")
def fuzz_url(request, tmp_path_factory) -> Iterator[str]:
    state = request.getfixturevalue("app_state")
    if state.gpt is not None and state.gan is not None:
        yield request.getfixturevalue("app_url")
        return
    from demo.app_state import load_app_state

    root = tmp_path_factory.mktemp("tiny-checkpoints")
    _save_tiny_checkpoints(root)
    tiny = load_app_state(root)
    assert tiny.gpt is not None and tiny.gan is not None, tiny.notes
    yield from serve(tiny)


@pytest.fixture(scope="module")
def api(fuzz_url) -> dict[str, Any]:
    return local_client(fuzz_url).view_api(return_format="dict", print_info=False)["named_endpoints"]


# ----- the catalogue of bad values, per kind of argument -----

NAN, INF = float("nan"), float("inf")
NOT_NUMBERS = [NAN, INF, -INF, None, True, False, "abc", "", "nan", "inf", "1e400", "0x10", [1], [], {"a": 1}, "1,5",
               "\x00", "\ud800"]
HUGE = [10**30, -(10**30), 2**63, 2**64, 10**400, -(10**400), 1e308, -1e308]
BAD: dict[str, list[Any]] = {
    "temperature": NOT_NUMBERS + HUGE + [-0.01, limits.MAX_TEMPERATURE + 0.01, 100],
    "top_k": NOT_NUMBERS + HUGE + [-1, limits.MAX_TOP_K + 1, 2.5],
    "top_p": NOT_NUMBERS + HUGE + [0, 0.0, -0.1, 1.01],
    "max_new_tokens": NOT_NUMBERS + HUGE + [0, -5, limits.MAX_NEW_TOKENS + 1, 10**6, 3.5],
    "seed": NOT_NUMBERS + HUGE + [-1, limits.MAX_SEED + 1, 1.5, -(2**63)],
    "psi": NOT_NUMBERS + HUGE + [-0.1, limits.MAX_PSI + 0.01],
    "direction": NOT_NUMBERS + HUGE + [-limits.MAX_DIRECTION - 0.01, limits.MAX_DIRECTION + 0.5, 1e6],
    "count": NOT_NUMBERS + HUGE + [0, -3, limits.MAX_GRID_IMAGES + 1, 10**9, 1.5],
    "frames": NOT_NUMBERS + HUGE + [1, 0, limits.MAX_INTERPOLATION_FRAMES + 1, 10**6, 2.5],
    "class": ["Hat", "", "   ", None, 3, 3.5, NAN, ["Bag"], {"class": "Bag"}, True, "T-shirt", "random!", "Bag\x00",
              "\x00", "Sneakers", "é", "\ud800", "<script>alert(1)</script>", "x" * 10_000],
    # prompts refused by every text endpoint (inspect_prompt marks unknown characters instead of refusing them)
    "prompt": [None, 42, 4.2, NAN, True, ["ROMEO:"], {"prompt": "ROMEO:"}, "x" * (limits.MAX_PROMPT_CHARS + 1),
               "ROMEO:\n" * 10_000, "a" * (1 << 20)],
    # prompts that only Generate and the bars refuse
    "prompt_text": ["", "\x00\x01\x02", "ROMEO:\x07", "naïve", "☃ snow", "\ud800", "ROMEO:\r\n", "tab\there", "😀",
                    "\u202eevil", "ROMEO:\x00" * 300, "é" * (limits.MAX_PROMPT_CHARS + 1)],
}
# the words a validation message may use for each argument
NAME_IN_MESSAGE = {"temperature": ("temperature",), "top_k": ("top_k", "top-k"), "top_p": ("top_p", "top-p"),
                   "max_new_tokens": ("max_new_tokens", "new characters"), "seed": ("seed",), "psi": ("psi",),
                   "direction": ("direction",), "count": ("count", "grid size", "samples"), "frames": ("frames",),
                   "class": ("class",), "prompt": ("prompt",), "prompt_text": ("prompt",)}
# each endpoint: its good arguments, and the kind of each argument
TEXT_GOOD = ["ROMEO:\n", 0.8, 40, 0.95, 3, 1]
TEXT_KINDS = ["prompt", "temperature", "top_k", "top_p", "max_new_tokens", "seed"]


def endpoints(n_directions: int) -> dict[str, tuple[list[Any], list[str]]]:
    return {
        "/generate": (TEXT_GOOD, TEXT_KINDS),
        "/next_tokens": (TEXT_GOOD[:4], TEXT_KINDS[:4]),
        "/inspect_prompt": (TEXT_GOOD[:4], TEXT_KINDS[:4]),
        "/image": (["Bag", 3, 1.0, *[0.0] * n_directions], ["class", "seed", "psi", *["direction"] * n_directions]),
        "/grid": (["Bag", 0, 4, 1.0], ["class", "seed", "count", "psi"]),
        "/interpolate": ([0, 1, "random", 3, 1.0], ["seed", "seed", "class", "frames", "psi"]),
    }


@dataclass
class Request:
    api_name: str
    args: list[Any]
    bad: dict[int, str]  # argument index -> kind, for the arguments made bad

    def describe(self) -> str:
        shown = {i: (repr(self.args[i])[:40]) for i in self.bad}
        return f"{self.api_name} {shown}"


def bad_values(api_name: str, kind: str) -> list[Any]:
    if kind == "prompt" and api_name != "/inspect_prompt":
        return BAD["prompt"] + BAD["prompt_text"]
    return BAD[kind]


def build_requests(n_directions: int, total: int, seed: int = 20261128) -> list[Request]:
    """Every bad value of every kind of argument once (taking turns over the endpoint arguments of that kind, so each
    argument of each endpoint gets several), then random combinations of 1-3 bad arguments up to `total`."""
    table = endpoints(n_directions)
    requests = []
    slots: dict[str, list[tuple[str, int]]] = {}
    for api_name, (good, kinds) in table.items():
        for index, kind in enumerate(kinds):
            slots.setdefault(kind if not (kind == "prompt" and api_name != "/inspect_prompt") else "prompt_any", []).append((api_name, index))
    for group, places in slots.items():
        values = BAD["prompt"] + BAD["prompt_text"] if group == "prompt_any" else BAD[group]
        for n in range(max(len(values), 2 * len(places))):
            api_name, index = places[n % len(places)]
            args = list(table[api_name][0])
            args[index] = values[n % len(values)]
            requests.append(Request(api_name, args, {index: table[api_name][1][index]}))
    rng = random.Random(seed)
    names = list(table)
    while len(requests) < total:
        api_name = rng.choice(names)
        good, kinds = table[api_name]
        args, bad = list(good), {}
        for index in rng.sample(range(len(kinds)), rng.randint(1, min(3, len(kinds)))):
            args[index] = rng.choice(bad_values(api_name, kinds[index]))
            bad[index] = kinds[index]
        requests.append(Request(api_name, args, bad))
    return requests


def marked_prompt(outcome: Any) -> bool:
    """/inspect_prompt answers a prompt past the limit (or with unknown characters) with marks, not an error: the
    text past the limit is labelled, so the user sees where it must end."""
    from demo.text_tab import TOO_LONG, UNKNOWN

    try:
        return any(mark["class_or_confidence"] in (TOO_LONG, UNKNOWN) for mark in outcome[0])
    except (TypeError, KeyError, IndexError):
        return False


def classify(request: Request, outcome: BaseException | Any) -> str:
    """'validation' when the answer is a message naming a bad argument and what is accepted; else why not."""
    if not isinstance(outcome, BaseException):
        if request.api_name == "/inspect_prompt" and set(request.bad.values()) == {"prompt"} and marked_prompt(outcome):
            return "validation"
        return "answered without an error"
    too_large = (isinstance(outcome, httpx.HTTPStatusError) and outcome.response.status_code == 413) or \
        (isinstance(outcome, RuntimeError) and str(outcome).startswith("HTTP 413:"))  # gradio_client / raw JSON
    if too_large and len(json.dumps(request.args, default=str)) > 60_000:
        return "validation"  # refused by the HTTP guard (serve/http_guard.py) before it was read: far past every limit
    if not isinstance(outcome, AppError):
        return f"client-side {type(outcome).__name__}: {str(outcome)[:200]}"
    message = str(outcome)
    if SERVER_ERROR.search(message):
        return f"server error: {message[:200]}"
    if not ACCEPTED.search(message):
        return f"message does not say what is accepted: {message[:200]}"
    if not any(name in message.lower() for kind in request.bad.values() for name in NAME_IN_MESSAGE[kind]):
        return f"message does not name the bad argument: {message[:200]}"
    return "validation"


def needs_raw_json(args: list[Any]) -> bool:
    """NaN, infinities and lone surrogates: gradio_client's JSON encoder refuses to send them (allow_nan=False,
    UTF-8), but any other client can, so these requests go as raw JSON to the same queue, in the same session."""
    try:
        json.dumps(args, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return True
    return False


def send_raw_json(http: httpx.Client, base: str, session_hash: str, request: Request) -> BaseException | Any:
    """POST /gradio_api/call/<name> with the body as Python's json writes it (NaN, Infinity, \\ud800 escapes),
    then read the event stream: an error event becomes an AppError carrying the server's message, as in gradio_client."""
    name = request.api_name.lstrip("/")
    body = json.dumps({"data": request.args, "session_hash": session_hash}, allow_nan=True, ensure_ascii=True)
    posted = http.post(f"{base}/gradio_api/call/{name}", content=body, headers={"content-type": "application/json"})
    if posted.status_code != 200:
        return RuntimeError(f"HTTP {posted.status_code}: {posted.text[:200]}")
    stream = http.get(f"{base}/gradio_api/call/{name}/{posted.json()['event_id']}", timeout=REQUEST_TIMEOUT_S).text
    events = re.findall(r"^event: (\w+)\ndata: (.*)$", stream, re.M)
    if not events:
        return RuntimeError(f"no event in the answer: {stream[:200]}")
    event, data = events[-1]
    if event != "error":
        return json.loads(data)
    detail = json.loads(data)
    message = detail.get("error") if isinstance(detail, dict) else detail
    return AppError(message) if message else AppError(
        "The upstream Gradio app has raised an exception but has not enabled verbose error reporting.")


RETRIED: list[str] = []  # requests resent once because the connection dropped (HTTP keep-alive races), not the app


def send(client: Client, http: httpx.Client, base: str, request: Request, retry: bool = True) -> BaseException | Any:
    try:
        if needs_raw_json(request.args):
            return send_raw_json(http, base, client.session_hash, request)
        return client.submit(*request.args, api_name=request.api_name).result(timeout=REQUEST_TIMEOUT_S)
    except httpx.TransportError as exc:  # the TCP connection, not the app: resend once, and say so in the figures
        if not retry:
            return exc
        RETRIED.append(f"{request.describe()}: {type(exc).__name__}: {exc}")
        return send(client, http, base, request, retry=False)
    except Exception as exc:  # noqa: BLE001 - classified by the caller
        return exc


def run_all(url: str, requests: list[Request]) -> list[tuple[Request, str]]:
    """Send the requests from WORKERS clients in parallel (each its own session, primed by one good generation so
    /regenerate validates instead of skipping); return (request, classification) pairs in order."""
    clients = [local_client(url) for _ in range(WORKERS)]
    for client in clients:
        assert client.predict(*TEXT_GOOD, api_name="/generate").startswith("ROMEO:\n")

    def work(worker: int) -> list[tuple[int, str]]:
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as http:
            return [(i, classify(requests[i], send(clients[worker], http, url, requests[i])))
                    for i in range(worker, len(requests), WORKERS)]

    with ThreadPoolExecutor(WORKERS) as pool:
        results = [r for chunk in pool.map(work, range(WORKERS)) for r in chunk]
    for client in clients:
        client.close()
    return [(requests[i], verdict) for i, verdict in sorted(results, key=lambda r: r[0])]


def check_good_requests(url: str, n_directions: int) -> None:
    client = local_client(url)
    text = client.predict(*TEXT_GOOD, api_name="/generate")
    assert text.startswith("ROMEO:\n") and len(text) == len("ROMEO:\n") + 3
    assert client.predict(*TEXT_GOOD[:4], api_name="/next_tokens")["confidences"]
    marks, _ = client.predict("naïve", 0.8, 40, 0.95, api_name="/inspect_prompt")
    assert [m["token"] for m in marks if m["class_or_confidence"]] == ["ï"]
    from PIL import Image

    with Image.open(client.predict("Bag", 3, 1.0, *[0.0] * n_directions, api_name="/image")) as image:
        assert image.size[0] >= 32
    with Image.open(client.predict("Bag", 0, 4, 1.0, api_name="/grid")) as grid:
        assert grid.size[0] >= 64
    with Image.open(client.predict(0, 1, "random", 3, 1.0, api_name="/interpolate")) as gif:
        assert gif.n_frames == 3
    client.close()


def test_hundreds_of_bad_requests_get_validation_messages_and_the_app_keeps_serving(fuzz_url, api):
    n_directions = len(api["/image"]["parameters"]) - 3
    assert set(endpoints(n_directions)) <= set(api), sorted(api)
    requests = build_requests(n_directions, total=MIN_REQUESTS + 100)
    assert sum(needs_raw_json(r.args) for r in requests) < len(requests) // 4  # mostly through gradio_client
    assert len(requests) >= MIN_REQUESTS and {r.api_name for r in requests} == set(endpoints(n_directions))
    started = time.monotonic()
    results = run_all(fuzz_url, requests)
    elapsed = time.monotonic() - started
    verdicts = Counter("validation" if v == "validation" else v.split(":")[0] for _, v in results)
    raw = sum(needs_raw_json(r.args) for r, _ in results)
    print(f"\nAPI fuzz: {len(results)} bad requests sent ({len(results) - raw} through gradio_client, {raw} as raw JSON "
          f"with NaN/Infinity/lone surrogates); {verdicts['validation']} answered with a validation message; "
          f"other outcomes: {dict((k, c) for k, c in verdicts.items() if k != 'validation') or 'none'}; {elapsed:.0f} s; "
          f"resent after a dropped connection: {len(RETRIED)} {RETRIED[:3]}")
    per_endpoint = Counter(r.api_name for r, _ in results)
    print("per endpoint: " + ", ".join(f"{k} {v}" for k, v in sorted(per_endpoint.items())))
    failures = [f"{r.describe()} -> {v}" for r, v in results if v != "validation"]
    check_good_requests(fuzz_url, n_directions)  # the app still answers good requests
    assert not failures, f"{len(failures)} of {len(results)} bad requests were not refused with a validation message:\n" + \
        "\n".join(failures[:40])


MALFORMED = ['{"data": []}', '{"data": ["ROMEO:"]}', '{"data": "ROMEO:"}', '{"data": null}', "not json", "",
             '{"data": [' + "[" * 5000 + "]" * 5000 + "]}", '{"data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}']


def test_malformed_requests_leak_nothing_and_the_app_keeps_serving(fuzz_url):
    """Below the handlers: wrong arity, data that is not a list, invalid or absurdly nested JSON. Gradio answers
    these itself (422/400, or an error event with no message); no traceback or file path may reach the client."""
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as http:
        for body in MALFORMED:
            posted = http.post(f"{fuzz_url}/gradio_api/call/generate", content=body, headers={"content-type": "application/json"})
            answer = posted.text
            if posted.status_code == 200:
                answer = http.get(f"{fuzz_url}/gradio_api/call/generate/{posted.json()['event_id']}").text
                assert "event: error" in answer or "event: complete" in answer, answer[:300]
            else:
                assert 400 <= posted.status_code < 500, (body[:40], posted.status_code, answer[:300])
            assert "Traceback" not in answer and str(ROOT) not in answer and 'File "' not in answer, answer[:300]
    client = local_client(fuzz_url)
    assert client.predict(*TEXT_GOOD, api_name="/generate").startswith("ROMEO:\n")
    client.close()


def test_the_fuzz_catalogue_covers_every_kind_of_bad_input_the_issue_names():
    values = [v for kind in BAD.values() for v in kind]
    assert any(isinstance(v, float) and math.isnan(v) for v in values) and INF in values and -INF in values
    assert limits.MAX_SEED + 1 in BAD["seed"] and 2**64 in BAD["seed"]  # seeds beyond 2**32-1
    assert "" in BAD["prompt_text"] and any(isinstance(v, str) and len(v) >= 1 << 20 for v in BAD["prompt"])  # empty, 1 MB
    assert any(isinstance(v, str) and "\x00" in v for v in BAD["prompt_text"])  # control characters
    assert "☃ snow" in BAD["prompt_text"] and "Hat" in BAD["class"]  # unknown characters, unknown class names
    assert any(isinstance(v, str) for v in BAD["seed"]) and None in BAD["psi"]  # wrong types


# ----- the app serves no files beyond what it generates -----

SECRETS = ["/etc/passwd", "/proc/self/environ", str(ROOT / "app.py"), str(ROOT / "core" / "checkpoints.py"),
           str(ROOT / "checkpoints" / "gan-fashion" / "config.json"), str(ROOT / ".git" / "config")]


def _file_urls(base: str) -> list[str]:
    urls = []
    for secret in SECRETS:
        relative = Path(secret).relative_to(ROOT) if secret.startswith(str(ROOT)) else None
        for route in ("/gradio_api/file=", "/file=", "/gradio_api/file/", "/gradio_api/proxy="):
            urls.append(f"{base}{route}{secret}")
            if relative is not None:
                urls.append(f"{base}{route}{relative}")
        urls.append(f"{base}/gradio_api/file=../../../../../../..{secret}")
        urls.append(f"{base}/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e{secret}")
        urls.append(f"{base}/static/..%2f..%2f..%2f..%2f..%2f..%2f..{secret}")
        urls.append(f"{base}/assets/..%2f..%2f..%2f..%2f..%2f..%2f..{secret}")
    return urls


def _generated_image_url(base: str, n_directions: int) -> str:
    """Call /image over the plain HTTP API and return the URL the app gives for the PNG it generated."""
    import json

    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as http:
        event = http.post(f"{base}/gradio_api/call/image", json={"data": ["Bag", 3, 1.0, *[0.0] * n_directions]})
        event.raise_for_status()
        stream = http.get(f"{base}/gradio_api/call/image/{event.json()['event_id']}").text
    data = [line[len("data:"):].strip() for line in stream.splitlines() if line.startswith("data:")]
    return json.loads(data[-1])[0]["url"]


def test_the_app_serves_generated_images_but_no_other_file(fuzz_url, api):
    n_directions = len(api["/image"]["parameters"]) - 3
    secret_bytes = {Path(s).read_bytes()[:64] for s in SECRETS if Path(s).is_file() and not s.startswith("/proc")}
    leaks = []
    with httpx.Client(timeout=30, follow_redirects=True) as http:
        generated = http.get(_generated_image_url(fuzz_url, n_directions))
        assert generated.status_code == 200 and generated.content[:8] == b"\x89PNG\r\n\x1a\n"  # what it generated is served
        for url in _file_urls(fuzz_url):
            response = http.get(url)
            if response.status_code < 400 and any(b and b in response.content for b in secret_bytes):
                leaks.append(f"{url} -> {response.status_code}")
            elif response.status_code == 200 and "/file" in url:
                leaks.append(f"{url} -> 200 ({len(response.content)} bytes)")
    assert not leaks, "files outside what the app generates were served:\n" + "\n".join(leaks)


@pytest.mark.parametrize("route", ["/gradio_api/upload", "/gradio_api/upload/", "/gradio_api/upload?upload_id=fuzz",
                                   "/gradio_api/process_recording"])
def test_the_app_accepts_no_uploads(fuzz_url, route):
    """The app has no file inputs, so Gradio's upload routes must refuse files: otherwise anyone can store files of
    any size on the server (filling its disk), have the app serve them back from its own address, or (the screen
    recording route) have the server run ffmpeg over them."""
    payload = b"<script>alert(document.cookie)</script>" + b"\0" * (2 << 20)  # 2 MB
    with httpx.Client(timeout=60) as http:
        field = "video" if "recording" in route else "files"
        posted = http.post(f"{fuzz_url}{route}", files={field: ("page.html", payload, "text/html")})
    assert 400 <= posted.status_code < 500, f"{route} accepted the upload ({posted.status_code}): {posted.text[:200]}"
