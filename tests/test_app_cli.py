"""app.py's flags and the environment variables that give their defaults (Spaces set GRADIO_SERVER_NAME/PORT)."""
from __future__ import annotations

import app


def test_defaults_serve_the_shipped_checkpoints_on_localhost(monkeypatch):
    for name in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "PLAYGROUND_CHECKPOINTS", "PLAYGROUND_HUB_REPO"):
        monkeypatch.delenv(name, raising=False)
    args = app.parse_args([])
    assert (args.host, args.port, args.share, args.checkpoints, args.hub_repo) == ("127.0.0.1", 7860, False, "checkpoints", None)


def test_environment_variables_set_the_defaults_and_flags_win(monkeypatch):
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7000")
    monkeypatch.setenv("PLAYGROUND_HUB_REPO", "user/models")
    args = app.parse_args([])
    assert (args.host, args.port, args.hub_repo) == ("0.0.0.0", 7000, "user/models")
    args = app.parse_args(["--port", "7001", "--hub-repo", "other/repo", "--share", "--checkpoints", "elsewhere"])
    assert (args.port, args.hub_repo, args.share, args.checkpoints) == (7001, "other/repo", True, "elsewhere")
