"""The security headers (serve/http_guard.py) in a real browser: with the Content-Security-Policy on, the page loads,
the grid button, the GIF button and the image slider work, every tab opens, and Chromium reports no policy violation."""
from __future__ import annotations

import pytest

from demo.app_state import GAN_NAME
from tests.conftest import gan_drawn, require_checkpoint, wait_for_gan_redraw

pytestmark = pytest.mark.browser

# Recorded from the first script on: every violation the browser reports, with what was blocked.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""


def test_the_app_works_under_its_content_security_policy_with_no_violation(app_url, browser):
    require_checkpoint(GAN_NAME)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(app_url)
    assert "frame-ancestors" in response.headers["content-security-policy"]
    page.get_by_role("tab", name="Images (GAN)").click()
    page.locator("#gan-grid img").first.wait_for()
    count = page.locator("#gan-grid-count input[type=number]")
    count.fill("20")
    count.press("Enter")  # four more tiles, new files
    page.wait_for_function("() => document.querySelectorAll('#gan-grid img').length === 20")
    page.locator("#gan-interpolate-button").click()
    page.locator("#gan-interpolation img").wait_for()
    before = gan_drawn(page)  # ONNX Runtime Web's WebAssembly runs under the same policy
    page.locator("#gan-direction-0 input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    wait_for_gan_redraw(page, before)
    tabs = page.get_by_role("tab").all()
    assert len(tabs) >= 3
    for tab in tabs:  # every other tab draws under the same policy; its late loads (fonts, images) report too
        tab.click()
        page.wait_for_function("() => document.fonts.status === 'loaded' && [...document.images].every(i => i.complete || i.loading === 'lazy')")
    violations = page.evaluate("window.__csp")
    page.close()
    assert violations == [] and console == [], (violations, console)
