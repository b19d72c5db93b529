"""Damaged checkpoints, saves killed half-way, and no unpickling anywhere.

Every case builds a real (tiny, random-init) checkpoint dir with the production save functions, damages one file
the way a failed download, a full disk or a hand edit would, and checks that loading raises one CheckpointError whose
message names the damaged file and says how to fix it. The kill tests SIGKILL a real subprocess in the middle of a
save and check that the previous checkpoint still loads, bit for bit.
"""
from __future__ import annotations

import ast
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable

import pytest
import torch
from safetensors.torch import save_file

from core.checkpoints import (CONFIG_FILE, STATE_JSON_FILE, STATE_TENSORS_FILE, WEIGHTS_FILE, CheckpointError,
                              atomic_write, load_training_state, save_training_state)
from core.gpt.io import load_gpt, save_gpt
from core.gpt.model import GPT, GPTConfig
from core.gpt.tokenizer import CharTokenizer

ROOT = Path(__file__).resolve().parents[1]
VOCAB = "\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A fix is a verb the user can act on: every message must carry one of these.
FIX_WORDS = ("re-download", "re-run", "re-save", "restore", "retrain", "train one", "drop --resume", "pass a")

torch.set_num_threads(1)


# ----- tiny real checkpoints, one per model kind -----

def _tiny_gpt(seed: int = 0, n_embd: int = 16) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=len(VOCAB), context_length=16, n_layer=1, n_head=2, n_embd=n_embd))


def _save_gpt(directory: Path, seed: int = 0, n_embd: int = 16) -> dict[str, torch.Tensor]:
    model = _tiny_gpt(seed, n_embd)
    save_gpt(directory, model, CharTokenizer(VOCAB))
    return {k: v.clone() for k, v in model.state_dict().items()}


def _gan_io():
    import core.gan.io  # a plain import: an import error must fail these tests, not skip them

    return core.gan.io


def _save_gan(directory: Path, seed: int = 0, width: int = 4) -> dict[str, torch.Tensor]:
    io = _gan_io()
    from core.gan.model import GANConfig, Generator

    torch.manual_seed(seed)
    generator = Generator(GANConfig(z_dim=8, g_width=width, d_width=4, num_directions=2))
    io.save_gan(directory, generator)
    return {k: v.clone() for k, v in generator.state_dict().items()}


def _load_gan(directory: Path):
    return _gan_io().load_gan(directory)


def _save_classifier(directory: Path, seed: int = 0, width: int | None = None) -> dict[str, torch.Tensor]:
    io = _gan_io()
    from core.gan.classifier import ClassifierConfig, FashionClassifier

    torch.manual_seed(seed)
    config = ClassifierConfig() if width is None else _classifier_config_with_width(ClassifierConfig, width)
    model = FashionClassifier(config)
    io.save_classifier(directory, model)
    return {k: v.clone() for k, v in model.state_dict().items()}


def _classifier_config_with_width(config_cls, width: int):
    fields = config_cls().__dict__
    name = next((k for k, v in fields.items() if isinstance(v, int) and not isinstance(v, bool) and v > 1), None)
    if name is None:
        pytest.skip("ClassifierConfig has no integer size to change")
    return config_cls(**{**fields, name: width})


def _load_classifier(directory: Path):
    return _gan_io().load_classifier(directory)


KINDS: dict[str, tuple[Callable[..., dict], Callable[[Path], object]]] = {
    "gpt": (_save_gpt, load_gpt),
    "gan": (_save_gan, _load_gan),
    "classifier": (_save_classifier, _load_classifier),
}
KIND_IDS = list(KINDS)


def _weights_of(loaded: object) -> dict[str, torch.Tensor]:
    module = getattr(loaded, "model", None) or getattr(loaded, "generator")
    return module.state_dict()


def _assert_clear(exc: CheckpointError, path: Path) -> None:
    message = str(exc)
    assert str(path) in message, f"the message does not name {path}: {message}"
    assert any(word in message for word in FIX_WORDS), f"the message gives no fix: {message}"
    assert "Traceback" not in message and len(message) < 1_000, message


def _expect(load: Callable[[Path], object], directory: Path, damaged: Path) -> None:
    with pytest.raises(CheckpointError) as info:
        load(directory)
    _assert_clear(info.value, damaged)


@pytest.fixture(params=KIND_IDS)
def saved(request, tmp_path):
    """(kind, dir, weights as saved, loader) for a freshly saved tiny checkpoint that loads."""
    save, load = KINDS[request.param]
    directory = tmp_path / request.param
    weights = save(directory)
    loaded = load(directory)  # the undamaged checkpoint loads and holds exactly what was saved
    for key, value in weights.items():
        assert torch.equal(_weights_of(loaded)[key], value), key
    return request.param, directory, weights, load


# ----- damaged weights -----

@pytest.mark.parametrize("keep", [0, 7, 0.5, -1], ids=["empty", "8-bytes-header-cut", "half", "last-byte-cut"])
def test_truncated_weights_name_the_file_and_the_fix(saved, keep):
    _, directory, _, load = saved
    path = directory / WEIGHTS_FILE
    size = path.stat().st_size
    cut = {0: 0, 7: 7, 0.5: size // 2, -1: size - 1}[keep]
    with open(path, "r+b") as f:
        f.truncate(cut)
    _expect(load, directory, path)


@pytest.mark.parametrize("how", ["garbage-header", "html-error-page", "json-instead", "huge-header-length"])
def test_corrupted_weights_name_the_file_and_the_fix(saved, how):
    _, directory, _, load = saved
    path = directory / WEIGHTS_FILE
    data = bytearray(path.read_bytes())
    if how == "garbage-header":
        data[8:40] = bytes(range(200, 232))
    elif how == "html-error-page":
        data = bytearray(b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n")
    elif how == "json-instead":
        data = bytearray(json.dumps({"weights": [1, 2, 3]}).encode())
    else:  # a header length far beyond the file (a classic way to make a reader allocate or read past the end)
        data[:8] = (2**62).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    _expect(load, directory, path)


def test_weights_file_with_flipped_data_bytes_is_refused(saved):
    """Bytes flipped inside the tensor data (bit rot, a bad copy) keep a valid header; the loader must still notice."""
    _, directory, _, load = saved
    path = directory / WEIGHTS_FILE
    data = bytearray(path.read_bytes())
    header = 8 + int.from_bytes(data[:8], "little")
    for i in range(header, len(data), 7):  # damage the tensor data, leave the header intact
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    _expect(load, directory, path)


def test_non_finite_weights_are_refused(saved):
    """A NaN/inf in the weights would make every sample NaN (and torch.multinomial raise inside a request)."""
    _, directory, weights, load = saved
    damaged = {k: v.clone() for k, v in weights.items()}
    name = next(k for k, v in damaged.items() if v.is_floating_point() and v.numel() > 1)
    damaged[name].view(-1)[0] = float("nan")
    save_file(damaged, str(directory / WEIGHTS_FILE))
    _expect(load, directory, directory / WEIGHTS_FILE)


def test_missing_weights_file(saved):
    _, directory, _, load = saved
    (directory / WEIGHTS_FILE).unlink()
    _expect(load, directory, directory / WEIGHTS_FILE)


def test_missing_keys_are_listed(saved):
    _, directory, weights, load = saved
    dropped = sorted(weights)[0]
    save_file({k: v.contiguous() for k, v in weights.items() if k != dropped}, str(directory / WEIGHTS_FILE))
    with pytest.raises(CheckpointError, match="missing keys") as info:
        load(directory)
    _assert_clear(info.value, directory / WEIGHTS_FILE)
    assert dropped in str(info.value)


def test_unexpected_keys_are_listed(saved):
    _, directory, weights, load = saved
    save_file({**{k: v.contiguous() for k, v in weights.items()}, "extra.weight": torch.zeros(3)}, str(directory / WEIGHTS_FILE))
    with pytest.raises(CheckpointError, match="unexpected keys") as info:
        load(directory)
    _assert_clear(info.value, directory / WEIGHTS_FILE)


@pytest.mark.parametrize("kind", KIND_IDS)
def test_weights_of_another_size_are_refused_with_the_shapes(tmp_path, kind):
    """Weights from a wider model beside the config of a narrower one (mixed up after a re-train)."""
    save, load = KINDS[kind]
    narrow, wide = tmp_path / "narrow", tmp_path / "wide"
    save(narrow)
    if kind == "gpt":
        save(wide, n_embd=32)
    else:
        save(wide, width=8)
    (narrow / WEIGHTS_FILE).write_bytes((wide / WEIGHTS_FILE).read_bytes())
    with pytest.raises(CheckpointError, match="wrong shapes") as info:
        load(narrow)
    _assert_clear(info.value, narrow / WEIGHTS_FILE)


def test_weights_of_another_dtype_are_refused(saved):
    """int tensors where floats belong (a damaged or hand-made file) must not load silently."""
    _, directory, weights, load = saved
    damaged = {k: (v.to(torch.int64) if v.is_floating_point() else v).contiguous() for k, v in weights.items()}
    save_file(damaged, str(directory / WEIGHTS_FILE))
    _expect(load, directory, directory / WEIGHTS_FILE)


# ----- damaged config -----

BAD_CONFIGS = {
    "not-json": b"{ this is not json",
    "truncated-json": None,  # filled in from the real file
    "binary": bytes(range(256)),
    "json-list": b"[1, 2, 3]",
    "json-null": b"null",
    "empty-object": b"{}",
    "empty-file": b"",
}


@pytest.mark.parametrize("how", list(BAD_CONFIGS))
def test_bad_config_json_names_the_file_and_the_fix(saved, how):
    _, directory, _, load = saved
    path = directory / CONFIG_FILE
    data = BAD_CONFIGS[how]
    if data is None:
        data = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(data)
    _expect(load, directory, path)


def _edit_config(directory: Path, edit: Callable[[dict], None]) -> None:
    path = directory / CONFIG_FILE
    config = json.loads(path.read_text("utf-8"))
    edit(config)
    path.write_text(json.dumps(config), "utf-8")


CONFIG_EDITS: dict[str, Callable[[dict], None]] = {
    "wrong-model-type": lambda c: c.update(model_type="something-else"),
    "no-model-section": lambda c: c.pop("model"),
    "model-is-a-list": lambda c: c.update(model=[1, 2]),
    "unknown-setting": lambda c: c["model"].update(colour="blue"),
    "size-is-text": lambda c: c["model"].update({k: "big" for k in list(c["model"])[:1]}),
    "size-is-negative": lambda c: c["model"].update({k: -v for k, v in c["model"].items() if isinstance(v, int) and v > 1}),
    "size-is-zero": lambda c: c["model"].update({k: 0 for k, v in c["model"].items() if isinstance(v, int) and v > 1}),
    "size-is-fractional": lambda c: c["model"].update({k: v + 0.5 for k, v in c["model"].items() if isinstance(v, int) and v > 1}),
    "size-is-null": lambda c: c["model"].update({k: None for k, v in c["model"].items() if isinstance(v, int) and v > 1}),
}


@pytest.mark.parametrize("how", list(CONFIG_EDITS))
def test_config_with_invalid_settings_names_the_file_and_the_fix(saved, how):
    kind, directory, _, load = saved
    _edit_config(directory, CONFIG_EDITS[how])
    with pytest.raises(CheckpointError) as info:
        load(directory)
    message = str(info.value)
    # Either the config itself is refused, or (when the settings still build a model) the weights do not fit it.
    assert str(directory / CONFIG_FILE) in message or str(directory / WEIGHTS_FILE) in message, message
    assert any(word in message for word in FIX_WORDS), message


def test_gpt_vocab_that_does_not_match_the_model_is_refused(tmp_path):
    _save_gpt(tmp_path)
    _edit_config(tmp_path, lambda c: c.update(vocab=c["vocab"][:-3]))
    _expect(load_gpt, tmp_path, tmp_path / CONFIG_FILE)
    _edit_config(tmp_path, lambda c: c.update(vocab=12))
    _expect(load_gpt, tmp_path, tmp_path / CONFIG_FILE)


def test_gpt_vocab_with_repeated_characters_is_refused(tmp_path):
    """A vocabulary that names one character twice would make two token ids decode alike: refuse it."""
    _save_gpt(tmp_path)
    _edit_config(tmp_path, lambda c: c.update(vocab="a" + c["vocab"][1:]))
    _expect(load_gpt, tmp_path, tmp_path / CONFIG_FILE)


@pytest.mark.parametrize("kind", KIND_IDS)
def test_missing_config_and_missing_dir(tmp_path, kind):
    save, load = KINDS[kind]
    save(tmp_path / "m")
    (tmp_path / "m" / CONFIG_FILE).unlink()
    _expect(load, tmp_path / "m", tmp_path / "m" / CONFIG_FILE)
    with pytest.raises(CheckpointError) as info:
        load(tmp_path / "does-not-exist")
    assert str(tmp_path / "does-not-exist") in str(info.value)
    assert any(word in str(info.value) for word in FIX_WORDS), str(info.value)


# ----- nothing is ever unpickled -----

class _Payload:
    """Unpickling this runs code (creates a marker file): what a malicious .bin/.pt checkpoint would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "unpickled!"))


@pytest.mark.parametrize("kind", KIND_IDS)
def test_a_pickle_disguised_as_weights_is_never_unpickled(tmp_path, kind):
    save, load = KINDS[kind]
    directory = tmp_path / "m"
    save(directory)
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weights": _Payload(marker)})
    assert marker.exists() is False
    (directory / WEIGHTS_FILE).write_bytes(payload)
    with pytest.raises(CheckpointError) as info:
        load(directory)
    _assert_clear(info.value, directory / WEIGHTS_FILE)
    torch_pickle = tmp_path / "torch.pt"
    torch.save({"x": _Payload(marker)}, torch_pickle)  # a torch zip-pickle with the payload, under the weights name
    (directory / WEIGHTS_FILE).write_bytes(torch_pickle.read_bytes())
    with pytest.raises(CheckpointError):
        load(directory)
    assert not marker.exists(), "loading a checkpoint executed code from a pickle"


@pytest.mark.parametrize("kind", KIND_IDS)
def test_loading_never_calls_torch_load_or_pickle(tmp_path, kind, monkeypatch):
    save, load = KINDS[kind]
    save(tmp_path / "m")

    def refuse(*args, **kwargs):
        raise AssertionError("a checkpoint load called an unpickler")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    load(tmp_path / "m")


BANNED_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal", "torch.package"}
BANNED_CALLS = {"torch.load", "torch.jit.load", "torch.hub.load", "torch.hub.load_state_dict_from_url", "np.load",
                "numpy.load", "pd.read_pickle", "pandas.read_pickle", "yaml.load", "yaml.unsafe_load"}
BANNED_KEYWORDS = {"allow_pickle", "weights_only", "pickle_module"}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def unpickling_sites(source: str) -> list[str]:
    """Code (not comments or docstrings) that imports an unpickler, calls a pickle-based loader or opts into one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name in BANNED_MODULES or a.name.split(".")[0] in BANNED_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in BANNED_MODULES or node.module.split(".")[0] in BANNED_MODULES:
                found.append(f"line {node.lineno}: from {node.module} import ...")
            found += [f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if f"{node.module}.{a.name}" in BANNED_CALLS]
        elif isinstance(node, ast.Attribute) and _dotted(node) in BANNED_CALLS:
            found.append(f"line {node.lineno}: {_dotted(node)}")
        elif isinstance(node, ast.keyword) and node.arg in BANNED_KEYWORDS:
            found.append(f"line {node.value.lineno}: {node.arg}=")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in BANNED_MODULES:
                found.append(f"line {node.lineno}: __import__({node.args[0].value!r})")
    return found


def test_the_unpickling_detector_catches_what_it_should():
    bad = textwrap.dedent("""
        import pickle
        import torch
        from torch import load
        import numpy as np
        state = torch.load("x.pt")
        arr = np.load("x.npy", allow_pickle=True)
        m = torch.jit.load("m.pt")
        import dill
        __import__("marshal")
    """)
    found = unpickling_sites(bad)
    assert len(found) == 8, found
    assert unpickling_sites('"""Never pickle; never torch.load."""\n# pickle\nfrom safetensors.torch import load_file\n') == []


def _production_files() -> list[Path]:
    skip = {"tests", ".git", ".venv", "venv", "runs", "node_modules", "build", "dist", "__pycache__", "shared"}
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(p in skip or p.startswith(".") for p in parts[:-1]):
            continue
        files.append(path)
    return files


def test_no_production_code_unpickles_anything():
    files = _production_files()
    assert ROOT / "core" / "checkpoints.py" in files and ROOT / "app.py" in files
    offenders = {str(p.relative_to(ROOT)): sites for p in files if (sites := unpickling_sites(p.read_text("utf-8")))}
    assert not offenders, f"production code must load weights only from safetensors: {offenders}"


# ----- saves killed half-way -----

KILL_CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    import torch
    import core.checkpoints as ck
    from core.gpt.io import save_gpt
    from core.gpt.model import GPT, GPTConfig
    from core.gpt.tokenizer import CharTokenizer

    torch.set_num_threads(1)
    directory, stage, vocab = sys.argv[1], sys.argv[2], {vocab!r}
    real_atomic_write = ck.atomic_write

    def stall(note):
        print(note, flush=True)  # the parent SIGKILLs us as soon as it reads this line
        time.sleep(600)

    def interrupted_atomic_write(path, write):
        # the production atomic_write, with the process killed inside the write (weights) or before it (config)
        if stage == "weights" and path.name == ck.WEIGHTS_FILE:
            def half_written(tmp):
                write(tmp)
                with open(tmp, "r+b") as f:  # as if the disk write were half done
                    f.truncate(os.path.getsize(tmp) // 2)
                stall("weights-half-written")
            return real_atomic_write(path, half_written)
        if stage == "config" and path.name == ck.CONFIG_FILE:
            stall("weights-written-config-not-yet")
        return real_atomic_write(path, write)

    ck.atomic_write = interrupted_atomic_write
    torch.manual_seed(123)  # a different model from the one already on disk
    save_gpt(directory, GPT(GPTConfig(vocab_size=len(vocab), context_length=16, n_layer=1, n_head=2, n_embd=16)),
             CharTokenizer(vocab), metrics={{"step": 2}})
    print("finished", flush=True)
""")


def _kill_mid_save(directory: Path, stage: str) -> str:
    script = KILL_CHILD.format(root=str(ROOT), vocab=VOCAB)
    child = subprocess.Popen([sys.executable, "-c", script, str(directory), stage], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        line = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return line


@pytest.mark.parametrize("stage", ["weights", "config"])
def test_a_save_killed_mid_write_leaves_the_previous_checkpoint_loadable(tmp_path, stage):
    before = _save_gpt(tmp_path, seed=0)
    weights_bytes = (tmp_path / WEIGHTS_FILE).read_bytes()
    config_bytes = (tmp_path / CONFIG_FILE).read_bytes()
    note = _kill_mid_save(tmp_path, stage)
    assert note == {"weights": "weights-half-written", "config": "weights-written-config-not-yet"}[stage]
    loaded = load_gpt(tmp_path)  # must not raise
    assert (tmp_path / CONFIG_FILE).read_bytes() == config_bytes  # the config under its final name is the old one
    if stage == "weights":
        # nothing partial under the final name: the old weights, bit for bit
        assert (tmp_path / WEIGHTS_FILE).read_bytes() == weights_bytes
        for key, value in before.items():
            assert torch.equal(loaded.model.state_dict()[key], value)
    else:
        # the new weights were renamed in whole; they fit the old config (same architecture), so the dir still loads
        assert (tmp_path / WEIGHTS_FILE).read_bytes() != weights_bytes
    finals = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert finals == {WEIGHTS_FILE, CONFIG_FILE}, finals  # any leftover temp file is hidden (dot-name), never final


LOOP_CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import torch
    from core.gpt.io import save_gpt
    from core.gpt.model import GPT, GPTConfig
    from core.gpt.tokenizer import CharTokenizer

    torch.set_num_threads(1)
    vocab = {vocab!r}
    model = GPT(GPTConfig(vocab_size=len(vocab), context_length=32, n_layer=4, n_head=4, n_embd=256))  # ~13 MB
    for n in range(1, 1000):
        with torch.no_grad():
            model.embed.weight.add_(1.0)  # every save writes different bytes
        print(f"saving {{n}}", flush=True)
        save_gpt(sys.argv[1], model, CharTokenizer(vocab), metrics={{"save": n}})
""")


def test_a_trainer_killed_at_an_arbitrary_moment_of_repeated_saves_leaves_a_loadable_checkpoint(tmp_path):
    """No patching at all: a process saving a 13 MB checkpoint over and over is SIGKILLed while it saves."""
    child = subprocess.Popen([sys.executable, "-c", LOOP_CHILD.format(root=str(ROOT), vocab=VOCAB), str(tmp_path)],
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        while child.stdout.readline().strip() not in ("saving 3", ""):
            pass
        child.send_signal(signal.SIGKILL)  # somewhere inside (or just before) the third save
    finally:
        child.wait(timeout=60)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    loaded = load_gpt(tmp_path)
    assert loaded.config["metrics"]["save"] in (2, 3)
    assert loaded.model.embed.weight.shape == (len(VOCAB), 256)


def test_a_save_that_fails_mid_write_leaves_no_trace(tmp_path):
    """The write callback raising (disk full, interrupted): the old file stays, the temp file is removed."""
    target = tmp_path / WEIGHTS_FILE
    save_file({"x": torch.ones(4)}, str(target))
    old = target.read_bytes()

    def failing_write(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, failing_write)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [WEIGHTS_FILE]


TRAIN_STATE_CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import torch
    import core.checkpoints as ck

    torch.set_num_threads(1)
    real_atomic_write = ck.atomic_write

    def interrupted_atomic_write(path, write):
        def half_written(tmp):
            write(tmp)
            with open(tmp, "r+b") as f:
                f.truncate(1000)
            print("state-half-written", flush=True)  # the parent SIGKILLs us now
            time.sleep(600)
        return real_atomic_write(path, half_written)

    ck.atomic_write = interrupted_atomic_write
    torch.manual_seed(7)
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.ones(2, 4)).sum().backward()
    optimizer.step()
    ck.save_training_state(sys.argv[1], model, optimizer, {{"step": 99}}, {{"cpu": torch.get_rng_state()}})
""")


def test_training_state_killed_mid_save_still_resumes_from_the_previous_one(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.ones(2, 4)).sum().backward()
    optimizer.step()
    save_training_state(tmp_path, model, optimizer, {"step": 10}, {"cpu": torch.get_rng_state()})
    child = subprocess.Popen([sys.executable, "-c", TRAIN_STATE_CHILD.format(root=str(ROOT)), str(tmp_path)],
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        assert child.stdout.readline().strip() == "state-half-written"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stdout.close()
    fresh = torch.nn.Linear(4, 3)
    info, rng = load_training_state(tmp_path, fresh, torch.optim.AdamW(fresh.parameters()))
    assert info == {"step": 10} and torch.equal(fresh.weight, model.weight) and "cpu" in rng
    assert {STATE_TENSORS_FILE, STATE_JSON_FILE} <= {p.name for p in tmp_path.iterdir()}


def test_damaged_training_state_names_the_file(tmp_path):
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.AdamW(model.parameters())
    save_training_state(tmp_path, model, optimizer, {"step": 1}, {})
    path = tmp_path / STATE_TENSORS_FILE
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(CheckpointError) as info:
        load_training_state(tmp_path, model, optimizer)
    _assert_clear(info.value, path)
    (tmp_path / STATE_JSON_FILE).write_text("{ nope", "utf-8")
    with pytest.raises(CheckpointError) as info:
        load_training_state(tmp_path, model, optimizer)
    _assert_clear(info.value, tmp_path / STATE_JSON_FILE)
