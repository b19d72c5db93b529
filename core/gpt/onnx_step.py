"""The GPT's cached step (`GPT.decode`) exported to ONNX and run on ONNX Runtime, with PyTorch as the fallback.

The shipped GPT is small enough that a decode step in PyTorch eager is mostly per-op framework overhead; a runtime
made for inference runs the same graph several times faster (issue #27, bench/bench_gpt.py). PyTorch stays the
reference and the training engine: the exported graph is `GPT.decode` itself, traced, so there is one definition of
the block maths (core/gpt/model.py), and tests hold the two to within 1e-4.

Two graphs per checkpoint, built on first use into runs/onnx/<hash>/: `step.onnx` (one token per row, any number of
rows) and `prefill.onnx` (a prompt of any length, any number of rows). The hash covers the weights, the config, this
format and model.py's source, so a changed checkpoint (or a model changed in place) gets new files and a stale
file is never used. `decode_step(model)` returns the ONNX Runtime step, or the PyTorch one if onnxruntime is
missing or its session cannot be made: said once in the log, never a crash.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import warnings
import weakref
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from core.exported import CACHE_DIR, cache_entry, content_digest, weights_stamp
from core.gpt import model as model_module
from core.gpt.model import GPT

log = logging.getLogger(__name__)

FORMAT = "gpt-decode-2"  # changes with the graphs' inputs and outputs: older files are never read
OPSET = 18
THREADS = 1  # one core per process: the worker and the web server share the machine (bench/bench_gpt.py)


class Step(Protocol):
    """logits (B, T, vocab), new keys and values (B, n_layer, 2, H, T, D) = step(idx (B, T), positions (B,), past).

    `run` is the same on numpy arrays: the decode loop's own form (core/gpt/kv_cache.py keeps its ring in numpy),
    so a token costs no conversions between torch and numpy."""

    engine: str  # "onnxruntime" or "pytorch"
    min_rows: int  # rows a batched step runs at least, for a row's logits not to depend on the batch's size

    def __call__(self, idx: torch.Tensor, positions: torch.Tensor,
                 past: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]: ...

    def run(self, idx: np.ndarray, positions: np.ndarray, past: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]: ...


class TorchStep:
    """GPT.decode in PyTorch: the reference, and the fallback when ONNX Runtime is not available."""

    engine = "pytorch"
    min_rows = 4  # MKL's sgemm sums 1-3 rows in another order than 4 or more (core/gpt/batched_decode.py)

    def __init__(self, model: GPT):
        self.model = model

    @torch.inference_mode()
    def __call__(self, idx: torch.Tensor, positions: torch.Tensor,
                 past: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.decode(idx, positions, past)

    def run(self, idx: np.ndarray, positions: np.ndarray, past: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The step on numpy arrays (torch.from_numpy shares their memory: nothing is copied)."""
        logits, new = self(torch.from_numpy(idx), torch.from_numpy(positions), [torch.from_numpy(p) for p in past])
        return logits.numpy(), new.numpy()


def checkpoint_hash(model: GPT) -> str:
    """The weights, the config, the graph format and model.py's source: whatever changes the exported graph."""
    salts = [FORMAT, torch.__version__, json.dumps(model.config.to_dict(), sort_keys=True), Path(model_module.__file__).read_bytes()]
    return content_digest(salts, [model])


class _Exported(torch.nn.Module):
    """GPT.decode with the cache as separate inputs (the exporter takes tensors, not a list)."""

    def __init__(self, model: GPT):
        super().__init__()
        self.model = model

    def forward(self, idx, positions, cos, sin, *past):  # noqa: ANN001, ANN201 - traced, not called
        return self.model.decode(idx, positions, list(past), cos, sin)


def _names(model: GPT) -> list[str]:
    return ["idx", "positions", "cos", "sin"] + [f"past_{i}" for i in range(2 * model.config.n_layer)]


def export(model: GPT, path: Path, tokens: int | None) -> None:
    """Write GPT.decode to path (atomically): `tokens` per row fixed (the step: 1), or any number (None: prefill).
    The batch is always dynamic."""
    cfg = model.config
    T = tokens or 3
    B = 2
    args = (torch.zeros(B, T, dtype=torch.long), torch.tensor([5, 2 * cfg.context_length]),
            torch.zeros(B, T, cfg.head_dim // 2), torch.zeros(B, T, cfg.head_dim // 2),
            *[torch.zeros(B, cfg.n_head, cfg.context_length, cfg.head_dim) for _ in range(2 * cfg.n_layer)])
    names = _names(model)
    axes = {name: {0: "batch"} for name in names + ["logits", "new"]}
    if tokens is None:
        for name in ("idx", "cos", "sin"):
            axes[name][1] = "tokens"
        axes["logits"][1] = "tokens"
        axes["new"][4] = "tokens"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(handle)
    try:
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on Python-level shapes: the batch axis is declared
            torch.onnx.export(_Exported(model).eval(), args, tmp, input_names=names, output_names=["logits", "new"],
                              dynamic_axes=axes, opset_version=OPSET, dynamo=False)
        os.replace(tmp, path)  # another process building the same file at once writes the same bytes
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class OrtStep:
    """GPT.decode on ONNX Runtime (CPU, one thread): `step.onnx` for one token a row, `prefill.onnx` for more."""

    engine = "onnxruntime"
    min_rows = 1  # its kernels give a row the same bits in any batch (tests/test_gpt_onnx.py)

    def __init__(self, model: GPT, cache_dir: Path | None = None):
        import onnxruntime as ort  # here: a missing or broken package makes decode_step fall back

        self.model, self.names = model, _names(model)
        self.directory = cache_entry(cache_dir or CACHE_DIR, checkpoint_hash(model))
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = THREADS, 1
        options.log_severity_level = 3  # errors only: ORT's notes about its own optimisations are not ours to show
        self.sessions = {kind: self._session(ort, options, kind, tokens) for kind, tokens in (("step", 1), ("prefill", None))}
        self._cos = self._sin = np.empty((0, model.config.head_dim // 2), dtype=np.float32)

    def _session(self, ort, options, kind: str, tokens: int | None):  # noqa: ANN001, ANN202
        """A session on the cached file, built first if missing; rebuilt once if the file does not load."""
        path = self.directory / f"{kind}.onnx"
        if not path.exists():
            export(self.model, path, tokens)
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:  # noqa: BLE001 - a truncated or corrupt file: build it again, then let a failure propagate
            export(self.model, path, tokens)
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, idx: torch.Tensor, positions: torch.Tensor,
                 past: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        logits, new = self.run(idx.numpy(), positions.numpy(), [tensor.numpy() for tensor in past])  # views, not copies
        return torch.from_numpy(logits), torch.from_numpy(new)

    def run(self, idx: np.ndarray, positions: np.ndarray, past: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The step on numpy arrays, which ONNX Runtime reads where they lie."""
        T = idx.shape[1]
        at = positions[:, None] + np.arange(T)[None, :] if T > 1 else positions[:, None]
        cos, sin = self._rope_tables(int(at.max()) + 1)
        feed = dict(zip(self.names[4:], past))
        feed.update(idx=idx, positions=positions, cos=cos[at], sin=sin[at])
        logits, new = self.sessions["step" if T == 1 else "prefill"].run(None, feed)
        return logits, new

    def _rope_tables(self, end: int) -> tuple[np.ndarray, np.ndarray]:
        """The model's own cos, sin tables (GPT.rope's: float64 angles, rounded to float32) as numpy, >= end rows."""
        if self._cos.shape[0] < end:
            cos, sin = self.model.rotary.tables(end, torch.device("cpu"))
            self._cos, self._sin = cos.numpy(), sin.numpy()
        return self._cos, self._sin


_steps: "weakref.WeakKeyDictionary[GPT, tuple[tuple[int, ...], Step]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_said: set[str] = set()


def _say_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        log.warning(message)


def decode_step(model: GPT, cache_dir: Path | None = None, engine: str = "auto") -> Step:
    """The step to decode with: ONNX Runtime's if it can be had, else PyTorch's (said once in the log).

    One per model, shared by every stream; made again when a parameter has changed in place since (an optimizer
    step, load_state_dict), so a model never decodes with stale weights. engine="pytorch" forces the reference."""
    if engine == "pytorch":
        return TorchStep(model)
    versions = weights_stamp(model)
    with _lock:
        cached = _steps.get(model)
        if cached is not None and cached[0] == versions:
            return cached[1]
        try:
            step: Step = OrtStep(model, cache_dir)
        except Exception as exc:  # noqa: BLE001 - ImportError, a failed export or session: PyTorch still decodes
            _say_once(f"ONNX Runtime is not available ({type(exc).__name__}: {exc}); the GPT decodes in PyTorch instead.")
            step = TorchStep(model)
        _steps[model] = (versions, step)
        return step


__all__ = ["CACHE_DIR", "OrtStep", "Step", "TorchStep", "checkpoint_hash", "decode_step", "export"]
