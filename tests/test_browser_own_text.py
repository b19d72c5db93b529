"""Train a GPT on your text in Chromium, at desktop (1280x900) and phone (390x844) sizes: paste a text, train, watch
the curve move and the recipe appear, stop, download the model folder, and write with it in the Text tab."""
from __future__ import annotations

import zipfile

import pytest

from core.gpt.io import load_gpt
from core.gpt.sample_texts import load_sample
from demo.app_state import GPT_NAME
from demo.text_handlers import KNOB_DEFAULTS
from tests.conftest import open_tab, screenshot_path, sized_page

pytestmark = pytest.mark.browser
TEXT = load_sample("macbeth")[:30_000]
STEPS = "() => Number(document.querySelector('#own-text-chart')?.dataset.steps ?? -1)"


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def page(request, app_url, browser):
    page = sized_page(browser, request.param, GPT_NAME)
    page.goto(app_url)
    page.get_by_role("tab", name="GPT learns").wait_for()  # the page has drawn its tabs
    open_tab(page, "GPT learns")
    page.locator("#own-text-train").wait_for()
    yield page
    page.close()


def test_paste_train_watch_stop_download_and_write_with_your_model(page, tmp_path):
    name = "desktop" if page.viewport_size["width"] > 500 else "phone"
    page.locator("#own-text-train").click()  # nothing pasted yet: a note by the text box, no training
    page.locator("#own-text-text-note").get_by_text("give at least 1,000").wait_for()

    page.locator("#own-text-text textarea").fill(TEXT)
    page.locator("#own-text-train").click()
    page.wait_for_function(f"() => ({STEPS})() >= 0")  # the first loss points
    assert page.locator("#own-text-text-note").is_hidden()
    page.locator("#own-text-recipe").get_by_text("distinct characters, one index each").wait_for()
    first = page.evaluate(STEPS)
    page.wait_for_function(f"(first) => ({STEPS})() >= first + 20", arg=first)  # the curve moves
    page.wait_for_function("() => document.querySelector('.own-text-sample')?.dataset.step > 0")  # a trained sample
    page.locator("#own-text-continue").click()  # Continue while it trains: a note, the run goes on
    page.locator("#own-text-buttons-note").get_by_text("already training").wait_for()
    page.locator("#own-text-live").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"own-text-{name}.png")))

    page.locator("#own-text-stop").click()
    page.locator("#own-text-ended").get_by_text("Your model").wait_for()
    page.locator("#own-text-status").get_by_text("Stopped").wait_for()
    with page.expect_download() as download:
        page.locator("#own-text-download").click()
    assert download.value.suggested_filename == "my-gpt.zip"
    download.value.save_as(tmp_path / "my-gpt.zip")
    zipfile.ZipFile(tmp_path / "my-gpt.zip").extractall(tmp_path)
    vocab = load_gpt(tmp_path / "my-gpt").tokenizer.vocab
    page.locator("#own-text-recipe").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"own-text-recipe-{name}.png")))

    open_tab(page, "Text (GPT)")
    page.locator("#text-model").get_by_text("Your model", exact=True).click()
    page.locator("#prompt textarea").fill("MACBETH")
    page.locator("#generate").click()
    page.wait_for_function("(n) => document.querySelector('#generated textarea').value.length === n",
                           arg=len("MACBETH") + KNOB_DEFAULTS.max_new_tokens)  # the whole stream
    written = page.locator("#generated textarea").input_value()
    assert written.startswith("MACBETH") and set(written) <= set(vocab)
    page.locator("#prompt textarea").fill("MACBETH ☃")  # a character your model never saw: refused by name
    page.locator("#generate").click()
    page.locator("#prompt-note").get_by_text("Your model does not know 1 character(s) in the prompt: '☃'").wait_for()
    assert page.locator("#generated textarea").input_value() == written  # the last text stays
    page.screenshot(path=str(screenshot_path(f"own-text-your-model-{name}.png")))
