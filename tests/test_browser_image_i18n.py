"""The Images tab in Chromium in both languages and from a link: with `?lang=zh-CN` its knobs, the game and Watch it
learn are labelled in Chinese, a move's verdict comes back in Chinese, nothing is wider than its box, at 1280x900 and
390x844 (screenshots image-<lang>-<size>.png); a link with the image's knobs (the tour's D(G(z)) step) opens the tab
with those knobs set and the verdict drawn for them, a bad value ignored with the quiet note; a link to a snapshot of
Watch it learn shows that step."""
from __future__ import annotations

import pytest

from core.gan.judge import DISCRIMINATOR_NAME
from demo.app_state import GAN_NAME, SNAPSHOTS_NAME
from demo.i18n import text
from tests.conftest import open_sized_page as open_page, require_checkpoint, screenshot_path, SIZES

pytestmark = pytest.mark.browser

# Labels and buttons of the tab's three parts that must fit their boxes (a label's text, a button's face).
OVERFLOW = """() => [...document.querySelectorAll(
    '#gan-studio label span, #gan-studio button, #gan-more label span, #gan-more button, '
    + '#gan-game label span, #gan-game button, #gan-learning label span, #gan-learning button')]
  .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map((el) => (el.id || el.className) + ': ' + el.textContent.trim().slice(0, 40))"""


LABEL = """(id) => { const box = document.querySelector(`#${id}`);
  const label = box && (box.querySelector('[data-testid=block-info]') || box.querySelector('[data-testid=block-label]'));
  return label ? label.innerText.trim() : null; }"""


# The verdict on screen: the page's own (drawn in the browser, demo/static/image_web.js) or the server's
SHOWN_VERDICT = """() => [...document.querySelectorAll('#gan-verdict, #gan-web-verdict')]
  .filter((el) => el.offsetParent !== null).map((el) => el.innerText).join(' ')"""


def label_of(page, elem_id: str) -> str:
    return page.evaluate(LABEL, elem_id)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_images_tab_speaks_the_pages_language_and_fits(app_url, browser, size, lang) -> None:
    require_checkpoint(GAN_NAME), require_checkpoint(DISCRIMINATOR_NAME)
    context, page = open_page(browser, f"{app_url}/?lang={lang}&tab=image", size)
    try:
        page.locator("#gan-psi").wait_for(state="visible")
        for elem_id, key in (("gan-class", "image.class_label"), ("gan-psi", "image.psi_label"),
                             ("gan-seed-b", "image.second_seed"), ("gan-learning-image", "image.learn_image")):
            page.wait_for_function(f"([id, want]) => ({LABEL})(id) === want", arg=[elem_id, text(key, lang)])
        assert page.locator("#gan-randomise").inner_text().strip() == text("image.randomise", lang)
        assert page.locator("#gan-game-reveal").inner_text().strip() == text("image.game_reveal", lang)
        assert label_of(page, "gan-direction-0") == text("image.dir_name.tall_wide", lang)
        page.locator("#gan-class input").click()  # the class names in the dropdown's list are the page's language too
        page.get_by_role("option", name=text("image.class.Sneaker", lang), exact=True).wait_for()
        page.keyboard.press("Escape")

        psi = page.locator("#gan-psi input[type=number]")  # a move: the verdict comes back in the page's language
        psi.fill("1.5")
        psi.press("Enter")
        verdict_word = text("image.verdict_line", lang).split("**")[2].split("{")[0].strip(" .:：。")  # "Classifier" / "分类器"
        page.wait_for_function(f"(word) => ({SHOWN_VERDICT})().includes(word)", arg=verdict_word)
        psi.fill("9")  # a refused value: its note, in the page's language
        psi.press("Enter")
        note = page.locator("#gan-note-psi")
        note.wait_for(state="visible")
        assert text("image.psi_name", lang) in note.inner_text()

        page.evaluate("() => document.fonts.ready")
        assert page.evaluate(OVERFLOW) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.locator("#gan-studio").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"image-{lang}-{size}.png")))
        page.locator("#gan-learning").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"image-learning-{lang}-{size}.png")))
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_link_opens_the_image_with_its_knobs_and_the_verdict(app_url, browser, size) -> None:
    require_checkpoint(GAN_NAME), require_checkpoint(DISCRIMINATOR_NAME), require_checkpoint(SNAPSHOTS_NAME)
    link = "/?lang=en&tab=image&image-class=Sneaker&image-seed=3&image-psi=0.7&image-dir2=99&image-learn-step=1&image-learn-seed=5"
    context, page = open_page(browser, app_url + link, size)
    try:
        verdict = page.locator("#gan-verdict:visible, #gan-web-verdict:visible")  # the server's, or the page's own
        verdict.get_by_text("D(x | Sneaker)").first.wait_for()  # the tour's D(G(z)) step: the verdict on the linked image
        assert page.locator("#gan-seed input").input_value() == "3"
        assert page.locator("#gan-psi input[type=number]").input_value() == "0.7"
        assert page.locator("#gan-class input").input_value() == "Sneaker"
        assert page.locator("#gan-direction-1 input[type=number]").input_value() == "0"  # 99 is past its range: ignored
        note = page.locator("#link-note")
        note.wait_for(state="visible")
        assert "image-dir2" in note.inner_text()
        assert "image-class=Sneaker" in page.url and "image-seed=3" in page.url
        page.locator("#gan-learning-caption").get_by_text("Step 0").wait_for()  # Watch it learn at its first snapshot
        assert page.locator("#gan-learning-seed input").input_value() == "5"
        verdict.first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path(f"image-link-{size}.png")))
    finally:
        context.close()
