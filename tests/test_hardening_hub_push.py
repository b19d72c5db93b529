"""`python -m core.checkpoints push` against a local stand-in for the Hub API (a small HTTP server on 127.0.0.1 that
speaks the few routes huggingface_hub uses to create a repo and commit files): the checkpoint's files arrive byte for
byte under <repo>/<dir name>/, only the files a checkpoint is made of, and a broken checkpoint is never sent."""
from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

from core.checkpoints import CARD_FILE, CONFIG_FILE, WEIGHTS_FILE, CheckpointError, main, push_checkpoint
from core.gpt.io import save_gpt
from core.gpt.model import GPT, GPTConfig
from core.gpt.tokenizer import CharTokenizer


class StandInHub(BaseHTTPRequestHandler):
    """The Hub routes a push needs; every request is recorded, committed files are kept in `files`."""
    requests: list[tuple[str, str]] = []
    files: dict[str, bytes] = {}

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self._body()
        self.requests.append(("POST", self.path))
        if self.path == "/api/repos/create":
            repo = json.loads(body)
            self._json(200, {"url": f"http://{self.headers['Host']}/{repo.get('organization') or 'user'}/{repo['name']}"})
        elif self.path == "/api/validate-yaml":  # model cards' front matter is checked before a commit
            self._json(200, {"errors": [], "warnings": []})
        elif "/preupload/" in self.path:  # every file as a regular (inline) upload: no LFS server needed
            files = json.loads(body)["files"]
            self._json(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]})
        elif "/commit/" in self.path:
            for line in body.splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    self.files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            repo = self.path.split("/api/models/")[1].split("/commit/")[0]
            self._json(200, {"commitUrl": f"http://{self.headers['Host']}/{repo}/commit/{'a' * 40}", "commitOid": "a" * 40})
        else:
            self._json(404, {"error": f"the stand-in has no {self.path}"})

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(("GET", self.path))
        self._json(404, {"error": f"the stand-in has no {self.path}"})


@pytest.fixture()
def hub(monkeypatch):
    from huggingface_hub import constants

    StandInHub.requests, StandInHub.files = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # conftest sets offline mode; this server is local
    monkeypatch.setenv("HF_TOKEN", "hf_stand_in_token")
    yield StandInHub
    server.shutdown()


def _checkpoint(directory: Path) -> Path:
    torch.manual_seed(0)
    save_gpt(directory, GPT(GPTConfig(vocab_size=12, context_length=8, n_layer=1, n_head=2, n_embd=8)),
             CharTokenizer("abcdefghij \n"))
    (directory / CARD_FILE).write_text("# gpt-tiny\n\nA model card.\n")
    (directory / "notes.txt").write_text("not part of a checkpoint")
    return directory


def test_push_uploads_the_checkpoint_files_byte_for_byte_under_its_dir_name(hub, tmp_path, capsys):
    directory = _checkpoint(tmp_path / "gpt-tiny")
    main(["push", str(directory), "--repo", "someone/playground"])
    assert "commit" in capsys.readouterr().out
    expected = {f"gpt-tiny/{name}": (directory / name).read_bytes() for name in (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE)}
    assert hub.files == expected  # notes.txt is not a checkpoint file: not sent
    assert ("POST", "/api/repos/create") in hub.requests


def test_a_broken_checkpoint_is_refused_before_anything_is_sent(hub, tmp_path):
    directory = _checkpoint(tmp_path / "gpt-broken")
    (directory / WEIGHTS_FILE).write_bytes(b"not safetensors")
    with pytest.raises(CheckpointError):
        push_checkpoint(directory, "someone/playground")
    assert hub.requests == [] and hub.files == {}
