"""The README a visitor lands on: every picture it shows is in the repo, its Space front matter has the fields a Space
needs, and it stays short (measurement history lives in docs/)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
PICTURES = re.findall(r'!\[[^\]]*\]\(([^)\s]+)\)|<img src="([^"]+)"', README)


def test_every_picture_the_readme_shows_is_in_the_repo():
    paths = [a or b for a, b in PICTURES]
    assert len(paths) >= 10
    missing = [p for p in paths if not (ROOT / p).is_file()]
    assert not missing, f"README shows pictures that are not there: {missing} (REFRESH_SCREENSHOTS=1 python -m pytest -m browser)"


def test_space_front_matter_and_length():
    front = yaml.safe_load(README.split("---\n")[1])
    for field in ("title", "sdk", "sdk_version", "app_file", "license"):
        assert front.get(field), field
    assert front["sdk"] == "gradio" and (ROOT / front["app_file"]).is_file()
    import gradio

    assert front["sdk_version"] == gradio.__version__, "the Space would run another Gradio than the tests did"
    assert README.count("\n") <= 200
