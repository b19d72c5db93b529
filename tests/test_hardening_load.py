"""bench/load_test.py itself: a short run with a few users against app.py over tiny random-init checkpoints, so the
script that produces the README's load figures cannot rot. Latency targets are not asserted here (they depend on the
machine); what must hold anywhere is that every request is served and the report is complete."""
from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from tests.conftest import ROOT
from tests.test_hardening_fuzz_api import _save_tiny_checkpoints


def _load_test_module():
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "bench" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_short_load_run_serves_every_request_and_writes_a_complete_report(tmp_path):
    load_test = _load_test_module()
    _save_tiny_checkpoints(tmp_path / "checkpoints")
    out = tmp_path / "report" / "load_test"
    load_test.main(["--users", "3", "--seconds", "4", "--think", "0.1", "--stream-tokens", "10", "--drag-steps", "3",
                    "--toy-gan-weight", "3", "--toy-gan-frames", "4", "--checkpoints", str(tmp_path / "checkpoints"), "--out", str(out)])
    report = json.loads(out.with_suffix(".json").read_text())
    assert set(report["endpoints"]) >= {"/image", "/next_tokens"}
    assert report["totals"]["failed"] == 0 and report["totals"]["served"] > 0, report["errors"]
    for row in report["endpoints"].values():
        assert row["failures"] == 0 and row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
    memory = report["memory_mb"]
    assert memory["start"] > 50 and memory["end"] > 50 and memory["peak"] >= memory["start"]
    names = ["failed requests = 0", "image-slider p95 < 500 ms", "server RSS growth < 100 MB", "text stream first chunk p95 < 1000 ms"]
    if report["toy_gan"]["sessions"]:  # a GAN playground session was played: its frame rate is a target too
        names.append("GAN playground redraws a second while playing, median session >= 10")
        assert report["endpoints"]["/toy_gan_play"]["failures"] == 0 and report["toy_gan"]["frames_per_s"]["min"] > 0
    assert [t["name"] for t in report["targets"]] == names
    text = out.with_suffix(".md").read_text()
    assert "| image slider (/image, PNG downloaded) |" in text and "Server resident memory" in text


def test_the_load_test_refuses_other_machines_and_unbounded_runs(capsys):
    load_test = _load_test_module()
    for argv in (["--url", "http://example.com:7860/"], ["--users", "0"], ["--users", "100000"], ["--seconds", "0"],
                 ["--max-requests", "0"], ["--mix", "1,2"]):
        with pytest.raises(SystemExit) as info:
            load_test.main(argv)
        assert info.value.code == 2, argv
