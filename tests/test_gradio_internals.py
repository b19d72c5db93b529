"""What serve/gradio_internals.py relies on, checked against the installed Gradio: each test names the private thing it
checks, so a Gradio upgrade that changes one fails here, by name, instead of quietly lifting the HTTP guard's limits,
growing each session's memory or dropping the API page's lines. Also: no other module of the app touches them.

The checks run a small Blocks of their own (its events stand for the app's kinds: one with a gr.State input, a
js-only one, a gr.api endpoint with lines, a file output), launched in this process on a free port."""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Iterator

import gradio as gr
import httpx
import pytest

from bench.local_app import free_port
from demo.api_docs import public_endpoint
from serve import gradio_internals as internals

ROOT = Path(__file__).resolve().parents[1]
GRADIO_DIR = Path(gr.__file__).parent
UPGRADE = (f"Gradio {gr.__version__} is installed; serve/gradio_internals.py was written against "
           f"{internals.CHECKED_WITH_GRADIO}. Re-read the Gradio source this names and update the function there: ")
WAIT_S = 30


class Tiny:
    """The small app: its Blocks, URL, and the gate that holds its `hold` event running until a test opens it."""

    def __init__(self) -> None:
        self.started, self.gate = threading.Event(), threading.Event()
        self.file = Path(tempfile.mkdtemp(dir=_cache_dir())) / "served.txt"
        self.file.write_text("made by the app")
        with gr.Blocks() as self.blocks:
            state, text, out = gr.State("kept"), gr.Textbox(), gr.Textbox()
            button, js_button, file = gr.Button(), gr.Button(), gr.File()
            button.click(self.hold, [state, text], out, api_name="hold", concurrency_id="held-group")
            js_button.click(None, None, None, js="() => {}", api_name="js_only")
            button.click(self.make_file, None, file, api_name="make_file")
            self.hold_blocks = {block._id for block in (state, text, out)}
            public_endpoint(add, "add", "Adds two numbers.", {"a": "the first number", "b": "the second number"},
                            [({}, "their sum")])
            internals.make_js_only_events_private(self.blocks)
        self.blocks.queue()

    def hold(self, kept: str, text: str) -> str:
        self.started.set()
        self.gate.wait(WAIT_S)
        return f"{kept} {text}"

    def make_file(self) -> str:
        return str(self.file)


def add(a: int, b: int) -> int:
    return a + b


def _cache_dir() -> str:
    folder = Path(internals.cache_folder())
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


@pytest.fixture(scope="module")
def tiny() -> Iterator[tuple[Tiny, str]]:
    internals.slim_sessions()
    app = Tiny()
    app.blocks.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield app, app.blocks.local_url.rstrip("/")
    finally:
        app.gate.set()
        app.blocks.close()
        shutil.rmtree(app.file.parent, ignore_errors=True)


def wait_until(condition, what: str) -> None:
    """Wait on a condition (Gradio updates its records on its own threads), failing after WAIT_S."""
    done = threading.Event()
    for _ in range(WAIT_S * 20):
        if condition():
            return
        done.wait(0.05)
    pytest.fail(f"waited {WAIT_S} s for {what}")


def call(url: str, name: str, data: list, session: str | None = None) -> str:
    body = {"data": data, **({"session_hash": session} if session else {})}
    response = httpx.post(f"{url}/gradio_api/call/{name}", json=body, timeout=WAIT_S)
    assert response.status_code == 200, response.text
    return response.json()["event_id"]


def result(url: str, name: str, event_id: str) -> tuple[str, str]:
    """The last SSE event's kind and data line of a /call event."""
    kind, data = "", ""
    with httpx.stream("GET", f"{url}/gradio_api/call/{name}/{event_id}", timeout=WAIT_S) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]
                if kind in ("complete", "error"):
                    break
    return kind, data


# ----- Blocks.fns and BlockFunction (HttpGuard names each call's endpoint group; build.py sizes the queue) -----

def test_event_functions_are_read_by_index_and_by_name(tiny):
    app, _ = tiny
    count = internals.function_count(app.blocks)
    endpoints = [internals.endpoint_by_index(app.blocks, i) for i in range(count)]
    assert all(isinstance(e, internals.Endpoint) for e in endpoints), UPGRADE + "Blocks.fns is no longer keyed by fn_index"
    hold = internals.endpoint_by_name(app.blocks, "hold")
    assert hold is not None and hold == endpoints[hold.index], UPGRADE + "BlockFunction.api_name"
    assert hold.group == "held-group", UPGRADE + "BlockFunction.concurrency_id"
    assert hold.function == app.hold and hold.parameter_names() == ["kept", "text"], UPGRADE + "BlockFunction.fn"
    # a gr.State input is skip_api: a client may send only the Textbox's value
    assert hold.input_counts == (1, 2), UPGRADE + "Block.skip_api (gr.State is left out of the API's data)"
    assert internals.endpoint_by_name(app.blocks, "js_only").function is None
    assert internals.endpoint_by_index(app.blocks, count) is None and internals.endpoint_by_index(app.blocks, "0") is None
    assert internals.endpoint_by_name(app.blocks, "nothing") is None
    assert "held-group" in internals.concurrency_groups(app.blocks)


def test_a_js_only_event_made_private_is_private_in_the_page_config(tiny):
    _, url = tiny
    config = httpx.get(f"{url}/config", timeout=WAIT_S).json()
    visibility = {d.get("api_name"): d.get("api_visibility") for d in config["dependencies"]}
    assert visibility.get("js_only") == "private", UPGRADE + "BlockFunction.api_visibility, read when the Blocks closes"
    assert visibility.get("hold") == "public"


# ----- Blocks._queue.event_ids_to_events and Blocks.state_holder (HttpGuard's limits) -----

def test_an_event_is_alive_from_its_join_until_it_has_finished(tiny):
    app, url = tiny
    assert not internals.event_is_alive(app.blocks, "never-joined")
    event_id = call(url, "hold", ["waiting"])
    assert app.started.wait(WAIT_S), "the held event never started"
    assert internals.event_is_alive(app.blocks, event_id), UPGRADE + "Blocks._queue.event_ids_to_events (gradio/queueing.py)"
    app.gate.set()
    assert result(url, "hold", event_id) == ("complete", '["kept waiting"]')
    wait_until(lambda: not internals.event_is_alive(app.blocks, event_id),
               "Gradio to drop a finished event from _queue.event_ids_to_events")


def test_a_session_is_known_once_it_has_sent_an_event(tiny):
    app, url = tiny
    assert not internals.session_is_known(app.blocks, "internals-test")
    assert not internals.session_is_known(app.blocks, "internals-test"), "asking must not create the session"
    app.gate.set()
    assert result(url, "hold", call(url, "hold", ["x"], session="internals-test"))[0] == "complete"
    assert internals.session_is_known(app.blocks, "internals-test"), UPGRADE + "Blocks.state_holder / StateHolder.__contains__"


# ----- SessionState.__init__ wrapped (slim_sessions) -----

def test_slim_sessions_drops_the_config_copy_of_each_new_session(tiny):
    app, url = tiny
    fresh = gr.state_holder.SessionState(app.blocks)
    assert fresh.config_values == {}, UPGRADE + "the patch of gradio.state_holder.SessionState.__init__ no longer takes effect"
    app.gate.set()
    assert result(url, "hold", call(url, "hold", ["y"], session="slim-test")) == ("complete", '["kept y"]')  # its gr.State works
    session = app.blocks.state_holder["slim-test"]
    # what the event wrote is still recorded (SessionState.__setitem__), nothing else
    assert set(session.config_values) <= app.hold_blocks, sorted(session.config_values)
    internals.slim_sessions()  # a second call changes nothing (build_demo may run twice in one process)
    assert gr.state_holder.SessionState.__init__.slim


def test_the_config_copy_is_made_by_sessionstate_init_and_read_only_for_deep_links():
    source = (GRADIO_DIR / "state_holder.py").read_text()
    init = source[source.index("class SessionState"):source.index("def __getitem__", source.index("class SessionState"))]
    assert "self.config_values = {" in init, UPGRADE + "SessionState.__init__ no longer builds config_values"
    readers = sorted(str(p.relative_to(GRADIO_DIR)) for p in GRADIO_DIR.rglob("*.py")
                     if p.name != "state_holder.py" and "config_values" in p.read_text(errors="ignore"))
    assert not readers, UPGRADE + f"config_values is now read by {readers}; slim_sessions empties it"
    session_components = [str(p.relative_to(GRADIO_DIR)) for p in GRADIO_DIR.rglob("*.py")
                          if re.search(r"state_holder\[[^\]]+\]\.components", p.read_text(errors="ignore"))]
    assert session_components == ["routes.py"], UPGRADE + f"a session's components are read by {session_components}"
    routes = (GRADIO_DIR / "routes.py").read_text()
    reader = routes[:re.search(r"state_holder\[[^\]]+\]\.components", routes).start()]
    assert reader.rindex("def ") == reader.rindex("def deep_link("), UPGRADE + "a session's components outside deep_link"


# ----- Api._api_info (the API page's lines, demo/api_docs.py) -----

def test_argument_and_return_lines_reach_the_api_info(tiny):
    _, url = tiny
    endpoint = httpx.get(f"{url}/gradio_api/info", timeout=WAIT_S).json()["named_endpoints"]["/add"]
    assert endpoint["description"] == "Adds two numbers."
    lines = [p["python_type"]["description"] for p in endpoint["parameters"]]
    assert lines == ["the first number", "the second number"], UPGRADE + "Api._api_info 'additional_description'"
    assert [r["python_type"]["description"] for r in endpoint["returns"]] == ["their sum"], UPGRADE + "Api._api_info 'description'"
    assert [p["python_type"]["type"] for p in endpoint["parameters"]] == ["int", "int"], "the schema from the type hints is kept"


def test_describe_api_slots_needs_a_blocks_being_built():
    with pytest.raises(RuntimeError):
        internals.describe_api_slots({"inputs": [], "outputs": []}, [], [])


# ----- gradio.utils.get_upload_folder (the generated-file store) -----

def test_a_file_in_the_cache_folder_is_served_where_it_is(tiny):
    app, url = tiny
    assert internals.cache_folder() == str(app.blocks.GRADIO_CACHE), UPGRADE + "gradio.utils.get_upload_folder"
    kind, data = result(url, "make_file", call(url, "make_file", []))
    assert kind == "complete" and str(app.file) in data, UPGRADE + f"a file in the cache was copied again: {data[:300]}"


# ----- the API page's head (demo/api_docs.py HEAD) relies on names in Gradio's page code -----

FRONTEND_NAMES = {
    "monitoring/summary": "the API page's probe of the monitoring dashboard, answered in the page",
    "mcp/schema": "the API page's probe of the MCP server, answered in the page",
    "show-api": "the footer's 'Use via API' button, shown on a phone and clicked for ?view=api",
    "show-api-divider": "the divider before that button",
    "banner-wrap": "the API page's title row, wrapped on a phone",
    "mcp-": "the MCP tab's icon, which hides the tab",
}


def test_the_api_page_head_still_finds_what_it_fixes():
    frontend = GRADIO_DIR / "templates" / "frontend"
    bundle = "".join(p.read_text(errors="ignore") for p in frontend.rglob("*") if p.suffix in (".js", ".css"))
    missing = {name: why for name, why in FRONTEND_NAMES.items() if name not in bundle}
    assert not missing, UPGRADE + f"Gradio's page no longer has {missing}; see demo/api_docs.py HEAD"


# ----- the page's HTML: the language script runs before Gradio's bundle picks its locale (demo/i18n.py) -----

def test_the_page_has_a_head_before_the_bundle_and_the_bundle_picks_its_locale_from_navigator(tiny):
    app, url = tiny
    response = httpx.get(url + "/", timeout=WAIT_S)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.content
    marker = b"<script>/* first */</script>"
    rewritten = internals.insert_in_head(html, marker)
    assert rewritten.count(marker) == 1, UPGRADE + "Gradio's page (frontend/index.html) has no <head> element"
    bundle = re.search(rb"<script[^>]*type=\"module\"", rewritten)
    assert bundle and rewritten.index(marker) < bundle.start(), \
        UPGRADE + "Gradio's page bundle no longer comes after the start of its <head>; see insert_in_head"
    assert set(internals.PAGE_PATHS) == {"/"} and not app.blocks.pages[1:], \
        UPGRADE + f"the page is served at more routes than PAGE_PATHS: {app.blocks.pages}"
    assets = GRADIO_DIR / "templates" / "frontend" / "assets"
    code = "".join(p.read_text(errors="ignore") for p in assets.glob("*.js"))
    assert "navigator.language||window.navigator.languages[0]" in code and "i18n_translations" in code, \
        UPGRADE + "Gradio's page no longer picks its locale from navigator.language (demo/static/language.js sets it)"


# ----- no other module touches these internals -----

# Names that only serve/gradio_internals.py may use in demo/, serve/ and app.py (a leading underscore on a Gradio
# object, or an undocumented attribute or module).
PRIVATE = {
    r"\._queue\b": "Blocks._queue", r"event_ids_to_events": "Queue.event_ids_to_events",
    r"\bstate_holder\b": "Blocks.state_holder / gradio.state_holder", r"\bSessionState\b": "SessionState",
    r"\bskip_api\b": "Block.skip_api", r"\b_api_info\b": "Api._api_info", r"get_blocks_context": "gradio.context",
    r"gradio\.context\b": "gradio.context", r"gradio\.utils\b": "gradio.utils", r"gradio\.queueing\b": "gradio.queueing",
    r"gradio\.route_utils\b": "gradio.route_utils", r"\.fns\b": "Blocks.fns", r"\bconfig_values\b": "SessionState.config_values",
}
# Touches left in files whose owners were asked to move them into serve/gradio_internals.py (issue #26): the file,
# the name, and what replaces it. An entry whose touch is gone fails too, so the list only shrinks.
PENDING: dict[tuple[str, str], str] = {}  # touches still to move: (file, internal) -> the function to use


def app_sources() -> list[Path]:
    return sorted([*(ROOT / "demo").rglob("*.py"), *(ROOT / "serve").rglob("*.py"), ROOT / "app.py"])


def test_only_gradio_internals_touches_gradio_internals():
    found: set[tuple[str, str]] = set()
    for path in app_sources():
        relative = str(path.relative_to(ROOT))
        if relative == "serve/gradio_internals.py":
            continue
        text = path.read_text()
        found |= {(relative, name) for pattern, name in PRIVATE.items() if re.search(pattern, text)}
    unexpected = sorted(found - set(PENDING))
    assert not unexpected, f"Gradio internals outside serve/gradio_internals.py: {unexpected}; move them there"
    done = sorted(set(PENDING) - found)
    assert not done, f"these touches have moved: remove them from PENDING in this test: {done}"
