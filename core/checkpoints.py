"""Checkpoint directories: config.json + model.safetensors + README.md (the model card). Never pickle.

A model dir is what the app loads; a training-state dir (optimizer moments, step, RNG) is what `--resume` loads.
Every file is written atomically (temp file, fsync, rename), so a run killed mid-save leaves the previous checkpoint
loadable. Loading checks everything and raises one `CheckpointError` that names the file and the fix.

`resolve_checkpoint` finds a model dir locally or in a Hugging Face Hub repo (honouring HF_HUB_OFFLINE);
`python -m core.checkpoints push DIR --repo user/name` publishes one.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CARD_FILE = "README.md"
STATE_TENSORS_FILE = "train_state.safetensors"
STATE_JSON_FILE = "train_state.json"


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message names the file and what to do about it."""


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """sha256 over names, dtypes, shapes and bytes, in name order: stored in the weights file, checked on load."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def save_tensors(tensors: dict[str, torch.Tensor], path: Path) -> None:
    save_file(tensors, str(path), metadata={"sha256": tensors_digest(tensors)})


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    """load_file, then: the checksum written at save time must match, and every float must be finite."""
    with safe_open(str(path), "pt") as f:  # one read of the file for the checksum and the tensors
        expected = (f.metadata() or {}).get("sha256")
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    if expected is not None and tensors_digest(tensors) != expected:
        raise CheckpointError(f"{path} is corrupted (its bytes no longer match the checksum written when it was saved); re-download it or re-run training.")
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise CheckpointError(f"{path} holds NaN or infinite values in {bad[:5]} (a diverged run or a damaged file); re-download it or re-run training.")
    return tensors


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) for a temp file beside `path`, fsync it, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_model_dir(directory: str | Path, config: dict[str, Any], state_dict: dict[str, torch.Tensor], card: str | None = None) -> None:
    """Write weights first and config last, each atomically."""
    directory = Path(directory)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_tensors(tensors, tmp))
    save_config(directory, config)
    if card is not None:
        atomic_write_text(directory / CARD_FILE, card)


def save_config(directory: str | Path, config: dict[str, Any]) -> None:
    """Write config.json atomically (also how evaluate commands record their metrics)."""
    atomic_write_text(Path(directory) / CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False) + "\n")


def load_config(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: a checkpoint dir needs {CONFIG_FILE} and {WEIGHTS_FILE}; re-save or re-download it.")
    try:
        config = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); restore it from the repo or re-run training.") from exc
    if not isinstance(config, dict):
        raise CheckpointError(f"{path} must hold a JSON object of model settings; restore it from the repo.")
    return config


def load_weights(directory: str | Path) -> dict[str, torch.Tensor]:
    path = Path(directory) / WEIGHTS_FILE
    if not path.is_file():
        raise CheckpointError(f"{path} is missing; re-download the checkpoint or re-run training.")
    try:
        return load_tensors(path)
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is truncated or corrupted ({exc}); re-download it or re-run training.") from exc


def load_state_into(module: torch.nn.Module, state: dict[str, torch.Tensor], source: Path) -> None:
    """load_state_dict with a message naming the file when keys or shapes do not match the config."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = [k for k in expected if k in state and (state[k].shape != expected[k].shape or state[k].dtype.is_floating_point != expected[k].dtype.is_floating_point)]
    if missing or unexpected or wrong:
        details = []
        if missing:
            details.append(f"missing keys {missing[:5]}")
        if unexpected:
            details.append(f"unexpected keys {unexpected[:5]}")
        if wrong:
            details.append("wrong shapes " + ", ".join(f"{k} {tuple(state[k].shape)} {state[k].dtype} != {tuple(expected[k].shape)} {expected[k].dtype}" for k in wrong[:5]))
        raise CheckpointError(
            f"{source} does not match its {CONFIG_FILE} ({'; '.join(details)}); "
            "the weights and config come from different models: re-save both from one training run."
        )
    module.load_state_dict(state)


def build_from_dir(directory: str | Path, model_type: str, make_module: Callable[[dict[str, Any]], torch.nn.Module]) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Load config, check it is a `model_type` checkpoint, build the module with make_module(config), load and check
    the weights; eval mode."""
    directory = Path(directory)
    config = load_config(directory)
    try:
        if config.get("model_type") != model_type:
            raise ValueError(f"expected model_type {model_type!r}, got {config.get('model_type')!r}")
        module = make_module(config)
    except (TypeError, ValueError, KeyError, ArithmeticError, RuntimeError) as exc:  # e.g. n_head 0, a negative width
        raise CheckpointError(f"{directory / CONFIG_FILE} has invalid settings ({exc}); restore it from the repo.") from exc
    load_state_into(module, load_weights(directory), directory / WEIGHTS_FILE)
    return module.eval(), config


# ----- training state (for --resume): optimizer moments and RNG as tensors, the rest as JSON -----

def save_training_state(directory: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, info: dict[str, Any], rng: dict[str, torch.Tensor]) -> None:
    directory = Path(directory)
    opt = optimizer.state_dict()
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    for index, state in opt["state"].items():
        for key, value in state.items():
            tensors[f"optim.{index}.{key}"] = value if torch.is_tensor(value) else torch.tensor(value)
    tensors.update({f"rng.{k}": v for k, v in rng.items()})
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    atomic_write(directory / STATE_TENSORS_FILE, lambda tmp: save_tensors(tensors, tmp))
    atomic_write_text(directory / STATE_JSON_FILE, json.dumps({"info": info, "param_groups": opt["param_groups"]}, indent=2) + "\n")


def load_training_state(directory: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Restore model and optimizer in place; return (info, rng tensors)."""
    directory = Path(directory)
    json_path = directory / STATE_JSON_FILE
    if not json_path.is_file():
        raise CheckpointError(f"Nothing to resume: {json_path} is missing. Drop --resume to start a new run.")
    try:
        meta = json.loads(json_path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{json_path} is not valid JSON ({exc}); drop --resume to start over.") from exc
    tensors_path = directory / STATE_TENSORS_FILE
    try:
        tensors = load_tensors(tensors_path)
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{tensors_path} is missing or corrupted ({exc}); drop --resume to start over.") from exc
    load_state_into(model, {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, tensors_path)
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    rng = {k[4:]: v for k, v in tensors.items() if k.startswith("rng.")}
    return meta["info"], rng


# ----- where checkpoints come from -----

def resolve_checkpoint(name: str, local_root: str | Path = "checkpoints", hub_repo: str | None = None) -> tuple[Path | None, str]:
    """Find model dir `name`: in Hub repo `hub_repo` (subfolder `name`) if given, else or on failure in local_root.

    Returns (path or None, a message saying where it came from or why it could not be found). Never raises for an
    unreachable Hub or a missing dir: the app starts with what it has.
    """
    notes = []
    if hub_repo:
        try:
            from huggingface_hub import snapshot_download

            root = Path(snapshot_download(repo_id=hub_repo, allow_patterns=[f"{name}/*"]))
            if (root / name / CONFIG_FILE).is_file():
                return root / name, f"{name}: loaded from Hub repo {hub_repo}"
            notes.append(f"Hub repo {hub_repo} has no {name}/{CONFIG_FILE}")
        except Exception as exc:  # offline, unknown repo, no network: fall back to local, say why
            notes.append(f"could not fetch {name} from Hub repo {hub_repo} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
    local = Path(local_root) / name
    if (local / CONFIG_FILE).is_file():
        return local, "; ".join(notes + [f"{name}: loaded from {local}"])
    return None, "; ".join(notes + [f"{name}: no checkpoint at {local} (train one, or pass --hub-repo)"])


def push_checkpoint(directory: str | Path, repo_id: str, private: bool = False) -> str:
    """Upload a model dir (config, weights, card) to `repo_id` under a subfolder of the same name; return its URL."""
    from huggingface_hub import HfApi

    directory = Path(directory)
    load_config(directory), load_weights(directory)  # refuse to publish a broken checkpoint
    api = HfApi()
    api.create_repo(repo_id, exist_ok=True, private=private)
    info = api.upload_folder(repo_id=repo_id, folder_path=str(directory), path_in_repo=directory.name,
                             allow_patterns=[CONFIG_FILE, WEIGHTS_FILE, CARD_FILE, "*.png"])
    return str(info)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish a checkpoint dir to the Hugging Face Hub (needs `hf auth login`).")
    sub = parser.add_subparsers(dest="command", required=True)
    push = sub.add_parser("push", help="upload DIR (config.json, model.safetensors, README.md) to REPO/<dir name>/")
    push.add_argument("directory")
    push.add_argument("--repo", required=True, help="Hub model repo, e.g. user/gpt-gan-playground")
    push.add_argument("--private", action="store_true")
    args = parser.parse_args(argv)
    print(push_checkpoint(args.directory, args.repo, args.private))


if __name__ == "__main__":
    main()
