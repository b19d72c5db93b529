"""Inside the GPT's handlers on the shipped GPT (plain calls), and its endpoints through gradio_client."""
from __future__ import annotations

import html

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from core.gpt.inspect import step_distribution, visible
from core.gpt.sampling import Sampler, SamplingKnobs
from demo.app_state import GPT_NAME, GPT_SNAPSHOTS_NAME, AppState
from demo.gpt_models import GptModels, snapshot_key
from core import limits
from demo.inside_handlers import NOTE_FIELDS, InsideHandlers, Picked
from demo.inside_render import GRID_GAP, GRID_MARGIN, GRID_PIXELS, GRID_SPAN
from demo.i18n import CATALOG
from tests.conftest import require_checkpoint

PROMPT = "ROMEO:\n"
KNOBS = SamplingKnobs(temperature=0.8, top_k=40, top_p=0.95, max_new_tokens=80, seed=3)


@pytest.fixture(scope="module")
def inside(app_state: AppState) -> InsideHandlers:
    require_checkpoint(GPT_NAME)
    return InsideHandlers(app_state.gpt)


@pytest.fixture(scope="module")
def text(inside: InsideHandlers) -> str:
    return PROMPT + Sampler(inside.model, inside.tokenizer).generate(PROMPT, KNOBS)


def test_look_colours_every_generated_character_and_clicks_reuse_the_trace(inside: InsideHandlers, text: str) -> None:
    runs = inside.model_runs
    coloured, step, bars, shade, grid, big, worked, lens, model, layer, head, shown = inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1")
    assert model.value == "shipped" and ("Shipped GPT (Shakespeare)", "shipped") in model.choices
    assert (layer.maximum, layer.value, head.value) == (6, 1, "1")
    assert len(coloured) == len(text) + 1 and coloured[-1] == ("▸", None)
    assert all(label is None for _, label in coloured[: len(PROMPT)])
    assert all(label is not None for _, label in coloured[len(PROMPT) : -1])
    assert coloured[PROMPT.index("\n")][0] == "↵\n"  # whitespace visible, the line still breaks
    assert step == len(PROMPT) and "drew" in bars and "Step 7: character 7 is drawn, predicted from character 6" in worked
    assert "| 6 |" in lens
    assert grid.endswith(".png") and Image.open(grid).size == inside.grid_image(inside.trace(text), step, 1, 1).size
    assert inside.model_runs == runs + 1
    for s in (10, 40, len(text)):
        for layer, head in ((1, "1"), (6, "6")):
            inside.view(PROMPT, text, 1.2, 10, 0.5, s, layer, head)
    assert inside.model_runs == runs + 1  # knobs, steps, layers and heads re-slice the cached trace


def test_a_links_step_survives_the_tabs_own_look_and_later_looks_start_at_the_first_generated_character(
        inside: InsideHandlers, text: str) -> None:
    """A link draws the view, then shows the tab, whose select event looks again: that look keeps the link's step
    (once); every other look starts at the text's first generated character."""
    opened = inside.open_at("", PROMPT, text, 0.8, 40, 0.95, 20, 1, "1")
    assert opened[3] == 20 and "Step 20:" in opened[8] and opened[-1] == text
    kept = inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1", 20, opened[-1])
    assert kept[1] == 20 and "Step 20:" in kept[6] and kept[-1] == ""  # kept once: the next look starts over
    assert inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1", 20, kept[-1])[1] == len(PROMPT)
    new_text = PROMPT + text[len(PROMPT):][::-1]
    assert inside.look(PROMPT, new_text, 0.8, 40, 0.95, 1, "1", 20, text)[1] == len(PROMPT)  # another text
    assert inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1", "x", text)[1] == len(PROMPT)  # not a step
    past = inside.open_at("", PROMPT, text, 0.8, 40, 0.95, len(text) + 1, 1, "1")
    assert past[3] == len(PROMPT) and past[-1] == ""  # a link's step past the text's end: the first step, none kept
    linked = inside.open_at("hello world", PROMPT, text, 0.8, 40, 0.95, 10, 1, "2")
    assert linked[:2] == ("hello world", "hello world") and linked[3] == 10 and linked[-1] == "hello world"


def test_the_last_steps_bars_are_the_text_tabs_bars(inside: InsideHandlers, text_handlers, text: str) -> None:
    knobs = SamplingKnobs(temperature=1.7, top_k=20, top_p=1.0)
    ours = step_distribution(inside.trace(text), len(text), knobs)
    theirs = text_handlers.explorer.candidates(text, knobs)
    assert len(theirs) == 10
    for char, p in theirs:
        assert abs(float(ours[inside.tokenizer.vocab.index(char)]) - p) < 1e-5


def test_bars_mark_the_chosen_character_and_grey_what_top_k_cut(inside: InsideHandlers, text: str) -> None:
    step = len(PROMPT) + 5
    html = inside.bars_html(inside.trace(text), SamplingKnobs(temperature=1.0, top_k=2, top_p=1.0), step)
    assert html.count('class="chosen"') == 1 and "cut by top-k" in html
    assert "raw: T = 1, nothing cut" in html


def test_beyond_the_window_is_struck_out(inside: InsideHandlers) -> None:
    long_text = PROMPT + "Good night, good night! Parting is such sweet sorrow.\n" * 4
    trace = inside.trace(long_text)
    html = inside.shade_html(trace, len(long_text), 1, 1)
    assert "outside the 128-character window" in html and len(long_text) - 1 >= trace.window


def test_grid_pixels_map_to_their_layer_and_head(inside: InsideHandlers, text: str) -> None:
    trace = inside.trace(text)
    for step in (3, len(text)):
        image = inside.grid_image(trace, step, 2, 3)
        pitch = (image.size[0] - GRID_MARGIN) // 6
        assert image.size[0] == image.size[1] >= GRID_PIXELS + GRID_MARGIN
        assert pitch % (min(step, GRID_SPAN) + GRID_GAP) == 0 and image.size[0] == GRID_MARGIN + 6 * pitch
        for layer in range(1, 7):
            for head in range(1, 7):
                x, y = GRID_MARGIN + (head - 1) * pitch + pitch // 2, GRID_MARGIN + (layer - 1) * pitch + pitch // 2
                assert inside.grid_cell(trace, step, x, y) == (layer, head)
        assert inside.grid_cell(trace, step, GRID_MARGIN // 2, GRID_MARGIN + 3 * pitch + 1) == (4, 1)  # a row's number


def test_the_grid_numbers_its_layers_and_heads(inside: InsideHandlers, text: str) -> None:
    """The margins hold dark digits, one per row (layer) left of it and one per column (head) above it, and nothing
    else; the caption names the axes in both languages."""
    image = inside.grid_image(inside.trace(text), len(text), 1, 1)
    pixels = np.array(image)
    pitch = (image.size[0] - GRID_MARGIN) // 6
    left, top = pixels[GRID_MARGIN:, :GRID_MARGIN], pixels[:GRID_MARGIN, GRID_MARGIN:]
    for margin in (left, top.T):
        inked = [bool((margin[i * pitch : (i + 1) * pitch] > 128).any()) for i in range(6)]
        assert inked == [True] * 6
    assert not (pixels[:GRID_MARGIN, :GRID_MARGIN] > 0).any()  # the corner stays blank
    assert "layers" in CATALOG["inside.grid_axes"]["en"] and "层" in CATALOG["inside.grid_axes"]["zh-CN"]


def test_picks_from_the_page(inside: InsideHandlers, text: str) -> None:
    step, *panels = inside.pick_char(PROMPT, text, 0.8, 40, 0.95, 2, "4", Picked(None, {"index": 12, "value": "x"}))
    assert step == 12 and "Step 12: character 12" in panels[4] and "Layer 2, head 4" in panels[4]
    n = (inside.grid_image(inside.trace(text), 12, 1, 1).size[0] - GRID_MARGIN) // 6
    click = [GRID_MARGIN + 4 * n + 1, GRID_MARGIN + 2 * n + 1]
    layer, head, *panels = inside.pick_head(PROMPT, text, 0.8, 40, 0.95, 12, Picked(None, {"index": click}))
    assert (layer, head) == (3, "5") and "Layer 3, head 5" in panels[4]


@pytest.mark.parametrize(("args", "message"), [
    ((PROMPT, None, 0.8, 40, 0.95, 0, 1, 1), "first character is given"),
    ((PROMPT, None, 0.8, 40, 0.95, 99, 1, 1), "step"),
    ((PROMPT, None, 0.8, 40, 0.95, 2, 7, 1), "layer must be from 1 to 6"),
    ((PROMPT, None, 0.8, 40, 0.95, 2, 1, "x"), "head must be a whole number"),
    ((PROMPT, PROMPT + "☃", 0.8, 40, 0.95, 2, 1, 1), "does not know"),
    ((PROMPT, PROMPT + "a" * 5000, 0.8, 40, 0.95, 2, 1, 1), "limit is 3,000"),
    (("", None, 0.8, 40, 0.95, 2, 1, 1), "prompt is empty"),
    ((PROMPT, None, float("nan"), 40, 0.95, 2, 1, 1), "temperature"),
])
def test_bad_input_is_a_clear_message(inside: InsideHandlers, args: tuple, message: str) -> None:
    with pytest.raises(gr.Error) as caught:
        inside.view(*args)
    assert message in str(caught.value)


def test_api_calls_without_a_click_are_refused_clearly(inside: InsideHandlers, text: str) -> None:
    with pytest.raises(gr.Error, match="inside_view"):
        inside.pick_char(PROMPT, text, 0.8, 40, 0.95, 1, 1, Picked(None, None))
    with pytest.raises(gr.Error, match="inside_view"):
        inside.pick_head(PROMPT, text, 0.8, 40, 0.95, 9, Picked(None, {"index": 3}))


def test_an_edited_prompt_falls_back_to_the_prompt(inside: InsideHandlers, text: str) -> None:
    coloured, step, bars, *_ = inside.look("JULIET:\n", text, 0.8, 40, 0.95, 1, 1)
    assert len(coloured) == len("JULIET:\n") + 1 and step == len("JULIET:\n") and "prompt alone" in bars


def test_json_at_a_step(inside: InsideHandlers, text: str) -> None:
    data = inside.as_json(PROMPT, text, 30)
    assert data["tokens"] == list(text) and len(data["probabilities"]) == len(text) - len(PROMPT)
    attention = torch.tensor(data["attention"])
    assert attention.shape == (6, 6, 30 - data["key_from"])
    assert torch.allclose(attention.sum(-1), torch.ones(6, 6), atol=1e-4)
    assert len(data["logit_lens"]) == 6 and len(data["next"]) == 10 and len(data["next_raw"]) == 10


def test_through_gradio_client(client, text_handlers) -> None:
    require_checkpoint(GPT_NAME)
    text = PROMPT + "Is she not down so late, or up so early?"
    result = client.predict(PROMPT, text, 0.8, 40, 0.95, 1, "1", api_name="/inside_trace")
    coloured, step, bars = result[0], result[1], result[2]
    assert step == len(PROMPT) and "drew" in bars
    panels = client.predict(PROMPT, text, 0.8, 40, 0.95, 20, 3, "2", api_name="/inside_view")
    assert len(panels) == 6 + len(NOTE_FIELDS) and "Layer 3, head 2" in panels[4] and "Step 20: character 20" in panels[4]
    data = client.predict(PROMPT, text, 20, 0.8, 40, 0.95, api_name="/inside_json")
    assert data["step"] == 20 and len(data["attention"]) == 6
    with pytest.raises(Exception, match=r"shown\) must be from 1 to 47"):  # the public endpoint raises
        client.predict(PROMPT, text, 999, 0.8, 40, 0.95, api_name="/inside_json")


def _shown(updates) -> dict[str, str]:
    """The notes a page update shows, by field (its last len(NOTE_FIELDS) entries)."""
    return {f: u.value for f, u in zip(NOTE_FIELDS, updates[-len(NOTE_FIELDS):]) if u.visible}


@pytest.mark.parametrize(("prompt", "text", "step", "layer", "field", "fragment"), [
    ("x" * (limits.MAX_PROMPT_CHARS + 1), None, 7, 1, "text", "the limit is 2,000"),
    ("ROMEO: ☃", None, 7, 1, "text", "the model knows plain English letters"),
    (PROMPT, None, 0, 1, "step", "first character is given"),
    (PROMPT, None, 99, 1, "step", "step (the character whose drawing is shown) must be from 1 to 7"),
    (PROMPT, None, 3, 7, "layer", "layer must be from 1 to 6"),
])
def test_page_refusals_keep_the_panels_and_show_one_note_by_their_field(inside: InsideHandlers, prompt, text, step,
                                                                         layer, field, fragment) -> None:
    updates = inside.page_view(prompt, text, 0.8, 40, 0.95, step, layer, "1")
    assert all(u == gr.skip() for u in updates[:6])  # the last good panels stay
    assert list(_shown(updates)) == [field] and fragment in _shown(updates)[field]
    if field == "text":
        updates = inside.page_look(prompt, text, 0.8, 40, 0.95, layer, "1")
        assert all(u == gr.skip() for u in updates[:12]) and list(_shown(updates)) == ["text"]
    good = inside.page_view(PROMPT, None, 0.8, 40, 0.95, 3, 2, "1")
    assert "Layer 2, head 1" in good[4] and _shown(good) == {}  # a good view clears the notes


class _Session:
    """What Gradio passes as gr.Request: here only the browser session's id matters."""

    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash


@pytest.fixture(scope="module")
def with_snapshots(app_state: AppState) -> InsideHandlers:
    require_checkpoint(GPT_NAME)
    require_checkpoint(GPT_SNAPSHOTS_NAME)
    return InsideHandlers(GptModels(app_state.gpt, app_state.gpt_snapshots))


def test_a_snapshot_is_looked_inside_for_the_session_that_chose_it(with_snapshots: InsideHandlers, text: str) -> None:
    inside = with_snapshots
    first = inside.models.pack.steps[0]
    key = snapshot_key(first)
    chooser, other = _Session("chooser"), _Session("other")
    shipped_bars = inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1", request=other)[2]
    runs = inside.model_runs
    coloured, step, bars, *panels, model, layer, head, _ = inside.choose(key, PROMPT, text, 0.8, 40, 0.95, 1, "1", chooser)
    assert model.value == key and key in [k for _, k in model.choices] and bars != shipped_bars
    assert inside.model_runs == runs + 1  # the snapshot traced the text once: its trace is cached under its own key
    assert len(coloured) == len(text) + 1 and "| 6 |" in panels[-1]
    # the session's later events use its snapshot; another session still sees the shipped GPT
    assert inside.view(PROMPT, text, 0.8, 40, 0.95, step, 1, "1", chooser)[0] == bars
    assert inside.view(PROMPT, text, 0.8, 40, 0.95, step, 1, "1", other)[0] == shipped_bars
    assert inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1", request=chooser)[8].value == key  # opening the tab keeps the choice
    assert inside.model_runs == runs + 1
    data = inside.as_json(PROMPT, text, 30, model=key)
    assert data["step"] == 30 and data["next_raw"] != inside.as_json(PROMPT, text, 30)["next_raw"]


def test_an_unknown_model_or_no_own_model_is_a_note_by_the_model(with_snapshots: InsideHandlers, text: str) -> None:
    for key, fragment in (("step-7", "Unknown model 'step-7'"), ("own", "no model of your own")):
        updates = with_snapshots.page_choose(key, PROMPT, text, 0.8, 40, 0.95, 1, "1", _Session("s"))
        assert all(u == gr.skip() for u in updates[:12]) and list(_shown(updates)) == ["model"]
        assert fragment in _shown(updates)["model"]
    with pytest.raises(gr.Error, match="Unknown model"):
        with_snapshots.as_json(PROMPT, text, 30, model="nonsense")


def test_a_smaller_own_model_keeps_layer_and_head_within_it(with_snapshots: InsideHandlers, text: str) -> None:
    """A visitor's own model of 2 layers and 2 heads: the view asks for layer 6, head 6 and gets its last ones."""
    import torch

    from core.gpt.model import GPT, GPTConfig

    torch.manual_seed(0)
    small = GPT(GPTConfig(with_snapshots.tokenizer.size, 64, 2, 2, 32))
    with_snapshots.models.own.put("trained", small, with_snapshots.tokenizer)
    session = _Session("trained")
    *_, model, layer, head, _ = with_snapshots.choose("own", PROMPT, text, 0.8, 40, 0.95, 6, "6", session)
    assert model.value == "own" and (layer.maximum, layer.value, head.value) == (2, 2, "2")
    assert [str(h) for h in range(1, 3)] == [c[0] if isinstance(c, tuple) else c for c in head.choices]
    worked = with_snapshots.view(PROMPT, text, 0.8, 40, 0.95, 10, 2, "2", session)[4]
    assert "Layer 2, head 2" in worked and "after all 2 layers" in worked


def test_steps_and_positions_count_the_same_way(inside: InsideHandlers, text: str) -> None:
    """Step n draws the character at position n (from 0) and the worked example says so with that character's
    predecessor at position n - 1; the JSON's step and query agree, and the Chinese heading counts alike."""
    step = len(PROMPT) + 3
    knobs = SamplingKnobs(temperature=0.8, top_k=40, top_p=0.95)
    worked = inside.worked_example(inside.trace(text), knobs, step, 1, 1)
    predecessor = html.escape(visible(text[step - 1]))
    assert f"Step {step}: character {step} is drawn, predicted from character {step - 1}, “{predecessor}”" in worked
    assert f"character number {step + 1}" in worked
    assert f"第 {step} 步：生成位置 {step} 的字符，由位置 {step - 1} 的字符“{predecessor}”预测" in \
        inside.worked_example(inside.trace(text), knobs, step, 1, 1, "zh-CN")
    data = inside.as_json(PROMPT, text, step)
    assert (data["step"], data["query"], data["tokens"][data["query"]]) == (step, step - 1, text[step - 1])
    _, step_field, *_ = inside.look(PROMPT, text, 0.8, 40, 0.95, 1, "1")
    assert text[step_field] == text[len(PROMPT)]  # the first generated character sits at the step the view opens on
