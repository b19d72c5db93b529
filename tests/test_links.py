"""Links that keep their state (demo/links.py): every registered knob's value survives state -> link -> state, a link
selects its tab and sets what it can parse, and bad, stale or unknown values are left out with one quiet note."""
from __future__ import annotations

import json
import math
from typing import Any

import gradio as gr
import pytest

from demo.links import Draw, Links, parse_query

# The views issue #25 names: tab, prompt, knobs, class, seed, ψ, directions, snapshot, episode seed (language: ?lang=,
# demo/static/language.js).
EXPECTED = {"text-prompt", "text-temperature", "text-top-k", "text-top-p", "text-max-new", "text-seed",
            "inside-prompt", "inside-step", "inside-layer", "inside-head", "learn-step", "learn-prompt",
            "image-class", "image-seed", "image-psi", "image-dir1", "image-learn-step", "image-learn-class",
            "image-learn-seed", "toy-gan-data", "toy-gan-loss", "toy-gan-seed", "agent-snapshot", "agent-seed",
            "agent-wind", "agent-wind-power"}


def link_text(value: Any) -> str:
    """A value as demo/static/links.js writes it into the URL (JavaScript's String(), arrays joined by commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ",".join(link_text(v) for v in value)
    return str(value)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@pytest.fixture(scope="module")
def links(app_state) -> Links:
    from demo.build import build_demo

    registry = Links()
    build_demo(app_state, links=registry)
    return registry


@pytest.mark.slow  # builds the whole app
def test_the_issues_views_are_all_linkable(links):
    missing = EXPECTED - set(links.params)
    assert not missing, f"not in the link: {sorted(missing)}"
    assert {"tour", "text", "inside", "learn", "image", "toy-gan", "agent", "about"} <= set(links.tab_ids)


@pytest.mark.slow
def test_every_knob_survives_state_to_link_to_state(links):
    checked = 0
    for name, (component, parse) in links.params.items():
        value = component.value
        if value is None or value == "":
            continue
        assert same(parse(link_text(value)), value), f"{name}: {value!r} came back as {parse(link_text(value))!r}"
        checked += 1
    assert checked >= len(EXPECTED) - 2


@pytest.mark.slow
def test_a_link_with_every_knob_restores_them_all_and_its_tab(links):
    query = "?tab=agent&" + "&".join(f"{name}={link_text(c.value)}" for name, (c, _) in links.params.items()
                                    if c.value not in (None, ""))
    *updates, note, linked, tab = links.restore(query, "en")
    assert tab == "agent"
    assert note.visible is False
    assert sum(not isinstance(u, type(gr.skip())) for u in updates) >= len(EXPECTED) - 2
    assert json.loads(linked)  # the views whose knobs the link set are drawn


def small_links() -> tuple[Links, gr.Slider, gr.Number]:
    registry = Links()
    with gr.Blocks():
        slider, number = gr.Slider(0, 2, 0.8), gr.Number(5)
        registry.note_box()

        def parse_seed(text: str) -> int:
            value = int(text)
            if not 0 <= value <= 10:
                raise ValueError(text)
            return value

        registry.view("demo", {"demo-t": (slider, float), "demo-seed": (number, parse_seed)},
                      Draw(lambda t, s: (t, s), [slider, number], [slider, number]))
        registry.tab("demo")
    return registry, slider, number


def test_bad_stale_and_unknown_values_are_left_out_with_one_quiet_note():
    registry, _, _ = small_links()
    t, seed, note, linked, tab = registry.restore("?tab=nowhere&demo-t=1.5&demo-seed=99&bogus=1&lang=zh-CN", "en")
    assert tab == ""
    assert t == 1.5 and seed is not None and not isinstance(seed, (int, float))  # the seed is skipped
    assert json.loads(linked) == [0]
    assert note.visible and all(name in note.value for name in ("tab", "demo-seed", "bogus"))
    assert "lang" not in note.value
    _, _, zh_note, _, _ = registry.restore("?demo-seed=x", "zh-CN")
    assert "demo-seed" in zh_note.value and "链接" in zh_note.value


def test_a_link_without_state_changes_nothing_and_a_name_twice_is_refused():
    registry, slider, _ = small_links()
    t, seed, note, linked, tab = registry.restore("", "en")
    assert json.loads(linked) == [] and note.visible is False
    with pytest.raises(ValueError):
        registry.view("other", {"demo-t": (slider, float)})


def test_parse_query_reads_a_search_string_and_bounds_its_length():
    assert parse_query("?a=1&b=x%20y&a=2") == {"a": "2", "b": "x y"}
    assert parse_query("a=" + "x" * 20_000)["a"] == "x" * 7_998
