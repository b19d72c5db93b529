"""The "Use via API" page as a visitor meets it (Chromium): it lists the public endpoints only, documents whole-number
arguments as int, and the Python snippet it shows for every endpoint runs as pasted (in a fresh interpreter)."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import screenshot_path

pytestmark = pytest.mark.browser

# Page plumbing (per page session, or what a button of the page needs): callable, but not on the API page
INTERNAL = {"/page_generate", "/regenerate", "/regenerate_new_seed", "/page_next_tokens", "/page_inspect_prompt",
            "/page_stop", "/random_seed", "/inside_trace", "/inside_view", "/inside_pick_char", "/inside_pick_head",
            "/learning_curve", "/random_episode_seed", "/game_new_round", "/game_answer", "/toy_gan_play",
            "/toy_gan_pause", "/toy_gan_knobs", "/toy_gan_step", "/toy_gan_reset"}
# Whole-number arguments of the public endpoints of the text, inside and agent tabs
INT_ARGUMENTS = {"/generate": {"top_k", "max_new_tokens", "seed"}, "/next_tokens": {"top_k"},
                 "/inspect_prompt": {"top_k"}, "/inside_json": {"step", "top_k"}, "/play_episode": {"seed"}}
# A fragment of the line the page shows under some arguments (demo/api_docs.py puts them there)
ARGUMENT_LINES = {"/generate": ("the text to continue", "how many characters to add", "the same seed gives the same text"),
                  "/next_tokens": ("keep the k most likely characters",), "/inside_json": ("the character whose drawing",)}
SNIPPET_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def api_page(app_url, browser):
    """The API page's endpoints as shown: [{name, python (the snippet), text (the whole block)}]."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_text("Use via API").click()
    page.get_by_text("API documentation").wait_for()
    page.locator(".endpoint-container pre").first.wait_for()
    endpoints = page.evaluate("""() => [...document.querySelectorAll('.endpoint-container')].map(c => ({
        name: c.querySelector('.post').innerText.trim(), python: c.querySelector('pre').textContent,
        text: c.innerText}))""")
    page.screenshot(path=str(screenshot_path("api-page.png")))
    page.close()
    return endpoints


def test_the_api_page_lists_the_public_endpoints_only(api_page, app_url):
    shown = [e["name"] for e in api_page]
    public = set(httpx.get(f"{app_url}/gradio_api/info", timeout=30).json()["named_endpoints"])
    assert len(shown) == len(set(shown)) and set(shown) == public
    assert {"/generate", "/next_tokens", "/inspect_prompt"} <= public
    assert not public & INTERNAL, sorted(public & INTERNAL)


def test_page_plumbing_stays_callable(client):
    """Hidden from the page is not closed: a program that used a page event keeps working."""
    assert isinstance(client.predict(api_name="/random_seed"), int)


def test_whole_numbers_are_documented_as_int_and_every_line_is_for_users(api_page):
    for endpoint in api_page:
        text = endpoint["text"]
        for name in INT_ARGUMENTS.get(endpoint["name"], ()):
            assert f"\n{name} int" in text, (endpoint["name"], name, text[:800])
        description = text.split("\n", 1)[0].removeprefix(f"API name: {endpoint['name']}").strip()
        assert description, endpoint["name"]
        for line in ARGUMENT_LINES.get(endpoint["name"], ()):  # each argument says what it takes
            assert line in text, (endpoint["name"], line)


def test_every_python_snippet_on_the_api_page_runs_as_pasted(api_page, app_url, tmp_path):
    assert api_page
    for endpoint in api_page:
        code = endpoint["python"]
        assert f'Client("{app_url}")' in code and f'api_name="{endpoint["name"]}"' in code, code
        compile(code, endpoint["name"], "exec")  # no raw newline inside a string, no SyntaxError
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
        run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=SNIPPET_TIMEOUT_S)
        assert run.returncode == 0, f"{endpoint['name']}:\n{code}\n{run.stderr[-2000:]}"
        assert run.stdout.strip() not in ("", "None"), (endpoint["name"], run.stdout[:200])
