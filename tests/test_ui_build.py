"""How build_demo wires the UI: every event named and queued with limits; missing checkpoints say so plainly."""
from __future__ import annotations

import gradio as gr

from core import limits
from demo.about_tab import about_markdown, card_body
from demo.app_state import GAN_NAME, GPT_NAME, load_app_state
from demo.build import GROUP_LIMITS, build_demo
from demo.toy_gan_tab import PLAY_WORKERS
from serve.http_guard import GuardConfig
from serve.stream_worker import MAX_STREAMS
from tests.conftest import require_checkpoint


def _markdown_text(demo: gr.Blocks) -> str:
    return "\n".join(b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown) and b.value)


def test_every_backend_event_has_an_api_name_and_a_concurrency_limit(app_state):
    demo = build_demo(app_state)
    events = [fn for fn in demo.fns.values() if fn.fn is not None and fn.api_visibility != "private"]
    assert events
    for fn in events:
        assert fn.api_name, fn.name
        limit = demo._queue.default_concurrency_limit if fn.concurrency_limit == "default" else fn.concurrency_limit
        # never unlimited on a 2-core machine; text streams are the exception that is still bounded: each one waits
        # on the batched worker process (serve/), which runs up to MAX_STREAMS of them in one decode step; so are the
        # GAN playground's Play streams, which sleep between frames (a worker per training slot, and two for "Busy")
        # and the flights of Fly it yourself (a worker per flight, as many for its key events)
        bound = {"gpt": MAX_STREAMS, "toy-gan-play": PLAY_WORKERS, "fly": 2 * limits.MAX_FLYING}.get(str(fn.concurrency_id), 4)
        assert isinstance(limit, int) and 1 <= limit <= bound, fn.api_name
    # The HTTP guard's group totals refuse before Gradio's single queue-wide cap could (one group cannot fill it).
    groups = {str(fn.concurrency_id) for fn in events}
    totals = sum(GROUP_LIMITS[g].total if g in GROUP_LIMITS else GuardConfig().default_group.total for g in groups)
    assert demo._queue.max_size >= totals


def test_missing_checkpoints_leave_a_working_app_that_says_why(tmp_path):
    state = load_app_state(tmp_path)
    assert state.gpt is None and state.gan is None
    assert "no checkpoint at" in state.notes[GPT_NAME] and "no checkpoint at" in state.notes[GAN_NAME]
    text = _markdown_text(build_demo(state))
    assert '"key": "errors.missing_gpt"' in text and '"key": "errors.missing_gan"' in text  # in the page's language
    assert text.count("no checkpoint at") >= 2  # why, as the loader said it
    assert "Pending" in about_markdown(state)


def test_a_broken_checkpoint_is_reported_not_raised(tmp_path):
    (tmp_path / GPT_NAME).mkdir()
    (tmp_path / GPT_NAME / "config.json").write_text("{not json")
    state = load_app_state(tmp_path)
    assert state.gpt is None and "not valid JSON" in state.notes[GPT_NAME]


def test_an_unreachable_hub_repo_falls_back_to_local_with_a_note(tmp_path):
    state = load_app_state(tmp_path, hub_repo="nobody/no-such-playground")  # HF_HUB_OFFLINE=1 in conftest
    assert "could not fetch gpt-shakespeare from Hub repo nobody/no-such-playground" in state.notes[GPT_NAME]


def test_about_shows_each_card_without_front_matter(app_state):
    require_checkpoint(GPT_NAME)
    text = about_markdown(app_state)
    assert "---\nlicense" not in text and "| metric | value |" in text
    assert card_body("---\nlicense: mit\n---\n# Title\n![x](a.png)\n| a |") == "### Title\n\n| a |"


def test_handlers_never_load_weights(monkeypatch, text_handlers, image_handlers):
    def refuse(*args, **kwargs):
        raise AssertionError("a handler loaded weights; models are loaded once at start-up")

    monkeypatch.setattr("core.checkpoints.load_tensors", refuse)  # every weight read goes through it
    list(text_handlers.generate("ROMEO:\n", 0.8, 40, 0.95, 5, 1))
    text_handlers.next_tokens("KING:\n", 0.8, 40, 0.95)
    text_handlers.inspect_prompt("QUEEN:\n", 0.8, 40, 0.95)
    image_handlers.image("Coat", 5, 1.0)
    image_handlers.grid("Coat", 5, 4, 1.0)
    image_handlers.interpolate(5, 6, "Coat", 3, 1.0)


def test_card_pictures_are_files_inside_the_checkpoint_dir_only(tmp_path):
    from demo.about_tab import card_pictures

    (tmp_path / "samples.png").write_bytes(b"png")
    card = "![a](samples.png)\n![b](../secret.png)\n![c](/etc/x.png)\n![d](missing.png)\n"
    assert card_pictures(card, tmp_path) == [tmp_path / "samples.png"]


def test_about_sums_up_each_card_in_both_languages_with_the_cards_own_figures(app_state):
    from demo.about_tab import FIGURES, SECTIONS, figures
    from demo.i18n import text

    for name, _ in SECTIONS:
        require_checkpoint(name)
        card = app_state.cards[name]
        found = figures(card, name)
        assert len(found) == len(FIGURES[name]), (name, found)  # every figure the summary names is in the card
        for _, value in found:
            assert all(part.replace("±", "+-") in card for part in value.split("/")), (name, value)
    for lang in ("en", "zh-CN"):
        page = about_markdown(app_state, lang)
        for name, _ in SECTIONS:
            for label, value in figures(app_state.cards[name], name):
                assert f"- {text(label, lang)} **{value}**" in page
    assert " ± " in about_markdown(app_state, "zh-CN") and "总是选最可能的动作" in about_markdown(app_state, "zh-CN")
