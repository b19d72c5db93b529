"""The app's strings in two languages (demo/i18n.py, demo/locales/): every entry has both, every key the built page
uses is in the catalog, the Chinese is Chinese; a request's language comes from the page's cookie, else its
Accept-Language header; the HTTP guard puts the language script first in the page's head, once, with a Content-Length
that matches."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Iterator

import gradio as gr
import pytest
from starlette.requests import Request

from demo import i18n
from demo.glossary import TERM_KEYS, glossary_markdown, term, term_name
from demo.i18n import CATALOG, COOKIE, LANGUAGES, PAGE_SCRIPT, accepted_language, request_language, text
from serve.gradio_internals import insert_in_head
from serve.http_guard import HttpGuard

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")
I18N_MARK = re.compile(r"__i18n__(\{[^{}]*\})")  # an i18n key, alone or inside a longer value
# Glossary names that are the same in both languages (Chinese ML texts write them in English too).
SAME_IN_BOTH = {"term.softmax.name", "term.ganspace.name", "term.real_vs_real.name"}
# Terms a learner meets in the app (issue #25), each with a glossary line.
LEARNER_TERMS = {"rope", "residual_stream", "layernorm", "logit_lens", "tied_head", "truncation", "ganspace", "frechet",
                 "real_vs_real", "class_fidelity", "gan_losses", "energy_distance", "ppo", "critic", "gae", "attention",
                 "softmax", "temperature", "top_k", "top_p", "nats"}


def test_every_entry_has_every_language_and_nothing_else():
    assert LANGUAGES == ("en", "zh-CN")
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), f"{key}: has {sorted(entry)}"
        for lang in LANGUAGES:
            assert isinstance(entry[lang], str) and entry[lang].strip(), f"{key} has no {lang} text"


def test_the_chinese_is_chinese_and_differs_from_the_english():
    for key, entry in CATALOG.items():
        if key in SAME_IN_BOTH or not WORD.search(entry["en"]):  # no words: a figure ("5%–20%") reads the same
            continue
        assert CJK.search(entry["zh-CN"]), f"{key}: the zh-CN text has no Chinese characters: {entry['zh-CN']!r}"
        assert entry["zh-CN"] != entry["en"], key
        assert not CJK.search(entry["en"]), f"{key}: Chinese characters in the English text"


def test_chinese_paragraphs_have_no_line_breaks_that_markdown_would_turn_into_spaces():
    for key, entry in CATALOG.items():
        lines = entry["zh-CN"].split("\n")
        for before, after in zip(lines, lines[1:]):
            runs_on = before.strip() and not before.startswith("#") and after.strip() and not after.startswith(("-", "#", "|"))
            assert not (runs_on and CJK.search(before[-1:])), \
                f"{key}: a Chinese paragraph broken after {before[-12:]!r} shows a stray space on the page"


def test_the_learners_terms_are_all_in_the_glossary_in_both_languages():
    assert LEARNER_TERMS <= set(TERM_KEYS)
    for key in TERM_KEYS:
        assert "(" in term_name(key, "zh-CN") or "（" in term_name(key, "zh-CN") or f"term.{key}.name" in SAME_IN_BOTH
        assert term(key, "en") != term(key, "zh-CN")
    for lang in LANGUAGES:
        assert glossary_markdown(lang).count("\n- **") == len(TERM_KEYS)
    with pytest.raises(KeyError):
        term("no-such-term", "en")


def test_the_glossary_writes_the_terms_as_chinese_ml_texts_do_with_the_english_in_brackets():
    """The Chinese lines name a term the way Chinese ML texts write it, with the English the first time in the line
    (each line is read alone, as a tooltip)."""
    expected = {"attention": ["注意力"], "rope": ["注意力（attention）"], "residual_stream": ["注意力（attention）"],
                "gan_losses": ["生成器（generator）", "判别器（discriminator）"], "ppo": ["策略（policy）"],
                "critic": ["价值函数（value function）", "策略（policy）"], "gae": ["评论家（critic）"]}
    for key, words in expected.items():
        line = term_name(key, "zh-CN") + term(key, "zh-CN")
        for word in words:
            assert word in line, (key, word, line)


def test_text_formats_and_falls_back_to_english():
    assert text("tab.about", "zh-CN") == "关于" and text("tab.about", "en") == "About"
    assert text("tab.about", "fr") == "About"
    with pytest.raises(KeyError):
        i18n.i18n("no.such.key")


def request(headers: dict[str, str]) -> gr.Request:
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    return gr.Request(request=Request(scope))


@pytest.mark.parametrize("headers,expected", [
    ({"Cookie": f"{COOKIE}=zh-CN"}, "zh-CN"),
    ({"Cookie": f"{COOKIE}=en", "Accept-Language": "zh-CN,zh;q=0.9"}, "en"),  # the page's choice wins
    ({"Cookie": f"{COOKIE}=xx-evil", "Accept-Language": "zh-TW,zh;q=0.9"}, "zh-CN"),  # a bad cookie is ignored
    ({"Accept-Language": "fr-FR,fr;q=0.9,zh;q=0.8,en;q=0.7"}, "zh-CN"),
    ({"Accept-Language": "fr;q=0.9, en;q=0.95, zh;q=0.1"}, "en"),
    ({"Accept-Language": "de, fr"}, "en"),
    ({}, "en"),
])
def test_request_language_reads_the_cookie_then_the_header(headers, expected):
    assert request_language(request(headers)) == expected


def test_request_language_without_a_request_is_english():
    assert request_language(None) == "en"
    assert accepted_language("zh-Hans-CN;q=abc, en") == "en"  # a malformed weight counts as 0


def translation_keys(config: Any) -> Iterator[str]:
    """Every i18n key in a page config: component props given as i18n("key") (a translation_metadata object, or the
    "__i18n__{...}" string a Markdown value becomes)."""
    if isinstance(config, dict):
        if config.get("__type__") == "translation_metadata":
            yield config["key"]
        for value in config.values():
            yield from translation_keys(value)
    elif isinstance(config, list):
        for value in config:
            yield from translation_keys(value)
    elif isinstance(config, str):
        for mark in I18N_MARK.finditer(config):
            yield json.loads(mark.group(1))["key"]


@pytest.mark.slow  # builds the whole app (~8-20 s here)
def test_every_key_the_built_page_uses_is_in_the_catalog(app_state):
    from demo.build import build_demo

    config = json.loads(json.dumps(build_demo(app_state).config, default=lambda o: o.to_dict() if hasattr(o, "to_dict") else str(o)))
    used = set(translation_keys(config))
    assert {"page.header", "tab.text", "tab.inside", "tab.learn", "tab.image", "tab.toy_gan", "tab.agent",
            "tab.about", "about.intro", "about.glossary"} <= used, used
    missing = {key.split("|")[0] for key in used} - set(CATALOG)  # "key|n=3": i18n_filled's, from a catalog key
    assert not missing, f"the page uses keys that are not in demo/locales/: {sorted(missing)}"


def test_a_filled_string_is_registered_in_every_language():
    filled = i18n.i18n_filled("text.model_snapshot", step=1500)
    assert filled.key == "text.model_snapshot|step=1500"
    assert {lang: i18n.I18N.translations[lang][filled.key] for lang in LANGUAGES} == {
        "en": "Training snapshot, step 1,500", "zh-CN": "训练快照，第 1,500 步"}
    with pytest.raises(KeyError):
        i18n.i18n_filled("no.such.key", n=1)


PAGE = (b"<!doctype html>\n<html lang=\"en\">\n\t<head>\n\t\t<meta charset=\"utf-8\" />\n"
        b"<script type=\"module\" crossorigin src=\"./assets/index.js\"></script>\n</head><body>x</body></html>")


def test_the_script_goes_first_in_the_head_once():
    script = PAGE_SCRIPT.encode()
    once = insert_in_head(PAGE, script)
    assert once.count(script) == 1 and insert_in_head(once, script) == once
    assert once.index(b"<head>") < once.index(script) < once.index(b"<meta charset") < once.index(b'type="module"')
    assert insert_in_head(b"<html>no head</html>", script) == b"<html>no head</html>"


def serve_through_guard(path: str, body_chunks: list[bytes], content_type: bytes, method: str = "GET",
                        encoding: bytes | None = None) -> tuple[dict, bytes]:
    """One request through HttpGuard (with the language script) to a stand-in app that answers with `body_chunks`."""
    async def app(scope, receive, send):
        headers = [(b"content-type", content_type), (b"content-length", str(sum(map(len, body_chunks))).encode())]
        if encoding:
            headers.append((b"content-encoding", encoding))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(body_chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(body_chunks) - 1})

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    guard = HttpGuard(app, blocks=None, page_script=PAGE_SCRIPT)
    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b"lang=zh-CN",
             "client": ("127.0.0.1", 1)}
    asyncio.run(guard(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_the_guard_rewrites_the_page_and_fixes_its_content_length():
    start, body = serve_through_guard("/", [PAGE[:40], PAGE[40:]], b"text/html; charset=utf-8")
    headers = dict(start["headers"])
    assert body.count(PAGE_SCRIPT.encode()) == 1 and body.endswith(b"<body>x</body></html>")
    assert [k for k, _ in start["headers"]].count(b"content-length") == 1
    assert int(headers[b"content-length"]) == len(body)
    assert b"content-security-policy" in headers  # the guard's headers still go on the page


@pytest.mark.parametrize("path,content_type,method,encoding", [
    ("/config", b"application/json", "GET", None),  # another route
    ("/", b"application/json", "GET", None),  # not HTML
    ("/", b"text/html", "HEAD", None),  # no body to rewrite
    ("/", b"text/html", "GET", b"gzip"),  # compressed: left as it is
    ("/gradio_api/info", b"text/html", "GET", None),
])
def test_every_other_response_is_passed_through_untouched(path, content_type, method, encoding):
    start, body = serve_through_guard(path, [PAGE], content_type, method, encoding)
    assert body == PAGE and dict(start["headers"])[b"content-length"] == str(len(PAGE)).encode()


def test_the_chinese_readme_is_linked_from_the_top_of_the_readme_and_shows_only_pictures_in_the_repo():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme, chinese = (root / "README.md").read_text("utf-8"), (root / "README.zh-CN.md").read_text("utf-8")
    assert "(README.zh-CN.md)" in "\n".join(readme.split("\n")[:25]), "README.md links README.zh-CN.md near its top"
    assert chinese.startswith(f"# {text('page.title', 'zh-CN')}\n") and len(CJK.findall(chinese)) > 1000
    pictures = [a or b for a, b in re.findall(r'!\[[^\]]*\]\(([^)\s]+)\)|<img src="([^"]+)"', chinese)]
    assert len(pictures) >= 10 and not [p for p in pictures if not (root / p).is_file()]
    # the Chinese page's own screenshots (tests/test_browser_every_tab.py), every tab at both sizes
    tabs = ("tour", "text", "inside", "learn", "image", "toy-gan", "agent", "about")
    assert {f"docs/screenshots/tabs-zh-CN-{size}-{tab}.png" for tab in tabs for size in ("desktop", "phone")} <= set(pictures)


def test_the_text_tabs_charset_line_counts_the_shipped_gpts_characters(app_state):
    """The line under the prompt states how many characters the shipped GPT reads: that is its vocabulary's size."""
    from demo.app_state import GPT_NAME
    from tests.conftest import require_checkpoint

    require_checkpoint(GPT_NAME)
    n = len(app_state.gpt.tokenizer.vocab)
    assert f"({n} characters)" in text("text.charset", "en") and f"共 {n} 个字符" in text("text.charset", "zh-CN")
    assert "GPT learns" in text("text.charset", "en") and CATALOG["tab.learn"]["zh-CN"] in text("text.charset", "zh-CN")
