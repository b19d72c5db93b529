"""Snapshots of the generator during training ("watch it learn") and the loss log beside them.

A training run (core.gan.train, --snapshots N) writes N model dirs of its EMA generator (batch norm re-measured, no
GANSpace directions: those are computed only at export) at evenly spaced steps from 0 (the untrained net) to the
last step, `<state-dir>/snapshots/step-0000000/` ..., each loadable with core.gan.io.load_gan (float32, ~3.7 MB
each at width 64), and `<state-dir>/losses.jsonl`: one JSON line per --log-every steps with D's and G's mean losses
and the mean D(x), D(G(z)) over that window. `python -m core.gan.evaluate --snapshots <state-dir>/snapshots`
measures each one's FD.

What the app ships is one checkpoint dir built from a run: `python -m core.gan.snapshots pack <state-dir> <out-dir>`
puts every snapshot's weights into one model.safetensors (float16: half the bytes; each snapshot's images stay
within a few grey levels of float32, measured at pack time and written to the card), the loss log beside them as
tensors, and the snapshots' FD (fd.json from evaluate) into config.json; `load_snapshot_run` loads it back as
float32 generators. One weights file, not a folder per snapshot: `core.checkpoints` resolves, checks and pushes a
checkpoint as config.json + model.safetensors + README.md, so the packed dir travels to and from the Hub as is.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from core.checkpoints import CONFIG_FILE, WEIGHTS_FILE, CheckpointError, load_config, load_state_into, load_weights, save_model_dir
from core.gan.data import CLASS_NAMES
from core.gan.images import tile, to_pil, to_uint8
from core.gan.io import LoadedGAN, load_gan, save_gan
from core.gan.model import GANConfig, Generator

SNAPSHOT_PREFIX = "step-"
LOSSES_FILE = "losses.jsonl"
FD_FILE = "fd.json"
PACKED_TYPE = "cond-dcgan-generator-snapshots"
LOSS_KEYS = ("loss_d", "loss_g", "d_real", "d_fake")  # besides "step", what every losses.jsonl record holds
PREVIEW_FILE = "learning.png"
PREVIEW_SEED = 0  # the latent of the card's preview: one row per snapshot, one column per class


def snapshot_steps(total_steps: int, count: int, first_step: int = 0) -> list[int]:
    """`count` evenly spaced steps from first_step (0, or where a continued run starts) to total_steps, both ends
    included; fewer if the run is that short."""
    span = total_steps - first_step
    if count <= 0 or span <= 0:
        return []
    if count == 1:
        return [total_steps]
    return sorted({first_step + round(span * k / (count - 1)) for k in range(count)})


def snapshot_dir(root: str | Path, step: int) -> Path:
    return Path(root) / f"{SNAPSHOT_PREFIX}{step:07d}"


def list_snapshots(root: str | Path) -> list[tuple[int, Path]]:
    """(step, dir) of every snapshot under root, in step order."""
    found = []
    for path in Path(root).glob(f"{SNAPSHOT_PREFIX}*"):
        suffix = path.name[len(SNAPSHOT_PREFIX):]
        if path.is_dir() and suffix.isdigit() and (path / "config.json").is_file():
            found.append((int(suffix), path))
    return sorted(found)


def load_snapshots(root: str | Path) -> list[tuple[int, LoadedGAN]]:
    return [(step, load_gan(path)) for step, path in list_snapshots(root)]


def read_losses(path: str | Path) -> list[dict[str, Any]]:
    """The loss log's records in step order; after a resume, a step logged twice keeps its last record."""
    path = Path(path)
    if not path.is_file():
        return []
    records: dict[int, dict[str, Any]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[int(record["step"])] = record
    return [records[s] for s in sorted(records)]


def truncate_losses(path: str | Path, last_step: int) -> None:
    """On resume: drop records past the step the run resumes from (they will be computed again)."""
    path = Path(path)
    if path.is_file():
        kept = [r for r in read_losses(path) if r["step"] <= last_step]
        path.write_text("".join(json.dumps(r) + "\n" for r in kept), "utf-8")


# ----- the packed checkpoint the app loads -----

@dataclass
class SnapshotRun:
    """A packed run: its generators (float32, eval mode) at `steps` (ascending), the loss log as columns (step,
    loss_d, loss_g, d_real, d_fake, each a list) and the snapshots' FD records (empty when not measured)."""

    steps: list[int]
    generators: list[Generator]
    losses: dict[str, list[float]]
    fd: list[dict[str, Any]]
    config: dict[str, Any]
    path: Path
    fd_command: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last_step(self) -> int:
        return self.steps[-1]


def _prefix(step: int) -> str:
    return f"{SNAPSHOT_PREFIX}{step:07d}."


def to_float16(state: dict[str, torch.Tensor], source: str) -> dict[str, torch.Tensor]:
    """Float tensors as float16 (others as they are); refuses a value float16 cannot hold (it would become inf)."""
    half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    bad = [k for k, v in half.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise CheckpointError(f"{source}: {bad[:3]} hold values beyond float16's range (65504); this run cannot be packed in float16.")
    return half


@torch.inference_mode()
def preview_images(generator: Generator, seed: int = PREVIEW_SEED) -> torch.Tensor:
    """One image per class for one latent (the card's preview row and the fp16 check): (10, 1, 32, 32)."""
    z = torch.randn(1, generator.config.z_dim, generator=torch.Generator().manual_seed(seed)).repeat(len(CLASS_NAMES), 1)
    return generator.eval()(z, torch.arange(len(CLASS_NAMES)))


def grey_level_difference(a: Generator, b: Generator, seeds: range = range(8)) -> tuple[int, float]:
    """(max, mean) absolute difference in grey levels (0..255) between two generators' images for the same latents."""
    diffs = [torch.from_numpy(to_uint8(preview_images(a, s))).int().sub(torch.from_numpy(to_uint8(preview_images(b, s))).int()).abs()
             for s in seeds]
    all_diffs = torch.cat([d.flatten() for d in diffs]).float()
    return int(all_diffs.max()), round(float(all_diffs.mean()), 4)


def read_fd(path: Path, steps: list[int]) -> dict[str, Any] | None:
    """fd.json written by `core.gan.evaluate --snapshots`, checked against the snapshots' steps; None when absent."""
    if not path.is_file():
        return None
    fd = json.loads(path.read_text("utf-8"))
    got = [int(r["step"]) for r in fd.get("snapshots", [])]
    if got != steps:
        raise CheckpointError(f"{path} scores steps {got}, but the snapshots are at {steps}: run `python -m core.gan.evaluate "
                         f"--snapshots {path.parent}` again on these snapshots.")
    return fd


def pack(state_dir: str | Path, out_dir: str | Path, fd_path: str | Path | None = None, command: str = "") -> dict[str, Any]:
    """Build the app's snapshots checkpoint from a run's state dir (see the module docstring); returns its config."""
    state_dir, out_dir = Path(state_dir), Path(out_dir)
    found = list_snapshots(state_dir / "snapshots")
    if not found:
        raise CheckpointError(f"{state_dir / 'snapshots'} holds no step-NNNNNNN snapshot dirs: train with `python -m core.gan.train "
                         f"--snapshots 8 --state-dir {state_dir}`.")
    steps = [step for step, _ in found]
    records = [r for r in read_losses(state_dir / LOSSES_FILE) if r["step"] <= steps[-1]]  # a run packed mid-way: up to its last snapshot
    if not records:
        raise CheckpointError(f"{state_dir / LOSSES_FILE} is missing or empty: the run logs it with --log-every; pack a run that has one.")
    fd = read_fd(Path(fd_path) if fd_path else state_dir / "snapshots" / FD_FILE, steps)
    tensors: dict[str, torch.Tensor] = {}
    model, checks, previews, last_config, phases = None, [], [], {}, []
    for step, path in found:
        loaded = load_gan(path)
        command_of_step = loaded.config.get("train_command", "")
        if phases and phases[-1]["command"] == command_of_step:
            phases[-1]["last_step"] = step
        else:  # a run continued with --init-from: its snapshots name the later command
            phases.append({"first_step": step, "last_step": step, "command": command_of_step})
        if model is None:
            model = loaded.config["model"]
        elif loaded.config["model"] != model:
            raise CheckpointError(f"{path} has model settings {loaded.config['model']}, unlike the earlier snapshots {model}: pack one run's snapshots.")
        half = to_float16(loaded.generator.state_dict(), str(path))
        tensors.update({_prefix(step) + k: v for k, v in half.items()})
        back = Generator(GANConfig.from_dict(model))
        load_state_into(back, half, path)
        checks.append(grey_level_difference(loaded.generator, back.eval()))
        previews += to_pil(preview_images(loaded.generator))
        last_config = loaded.config
    for key in ("step", *LOSS_KEYS):
        tensors[f"losses.{key}"] = torch.tensor([r[key] for r in records], dtype=torch.int64 if key == "step" else torch.float32)
    training = dict(last_config.get("training") or {})
    config = {"model_type": PACKED_TYPE, "model": model, "class_names": CLASS_NAMES, "steps": steps,
              "weights_dtype": "float16",
              "float16_check": {"max_grey_level_difference": max(c[0] for c in checks),
                                "mean_grey_level_difference": round(sum(c[1] for c in checks) / len(checks), 4),
                                "images_compared_per_snapshot": 80},
              "fd": fd, "loss_records": len(records), "training": training,
              "train_command": last_config.get("train_command", ""), "train_commands": phases, "pack_command": command}
    out_dir.mkdir(parents=True, exist_ok=True)
    tile(previews, cols=len(CLASS_NAMES)).save(out_dir / PREVIEW_FILE)
    save_model_dir(out_dir, config, tensors, snapshots_card(config))
    return config


def snapshots_card(config: dict[str, Any]) -> str:
    """The packed dir's README.md: what it is, how it was made, its FD curve as a table."""
    training, check = config.get("training") or {}, config["float16_check"]
    fd = config.get("fd")
    lines = ["---", "license: mit", "library_name: pytorch", "tags: [gan, dcgan, fashion-mnist, training-snapshots]", "---", "",
             "# Fashion GAN: watch it learn", "",
             f"The EMA generator of one training run of the conditional DCGAN (`checkpoints/gan-fashion`'s architecture: "
             f"z {config['model']['z_dim']}, width {config['model']['g_width']}) saved at {len(config['steps'])} "
             f"steps from 0 (untrained) to {config['steps'][-1]:,}, with the run's loss log ({config['loss_records']} records)"
             + (f", trained in {len(phases)} phases (each later one continued from the one before with `core.gan.train "
                "--init-from`; see below). " if len(phases := config.get("train_commands") or []) > 1 else ". ") +
             "The Images tab's *Watch it learn* section shows them. No GANSpace directions (those are computed only for "
             "the exported model).", "",
             f"Weights: float16 (loaded back as float32), all snapshots in one `{WEIGHTS_FILE}`. Against float32, the "
             f"images differ by at most {check['max_grey_level_difference']} grey level(s) of 255 (mean "
             f"{check['mean_grey_level_difference']}, {check['images_compared_per_snapshot']} images per snapshot).", "",
             f"![one latent, one row per snapshot, one column per class]({PREVIEW_FILE})", "",
             "## Frechet distance per snapshot", ""]
    if fd:
        lines += [f"In the classifier's features, {fd.get('samples', '?')} generated images vs as many test images (lower "
                  "is better; the ratio divides by real train vs test images).", "",
                  "| step | FD | ratio to real-vs-real | class fidelity |", "|---:|---:|---:|---:|"]
        lines += [f"| {r['step']:,} | {r['fd_generated_vs_test']:.2f} | {r['fd_ratio']:.2f} | {r['class_fidelity']:.3f} |" for r in fd["snapshots"]]
        lines += ["", f"Measured with `{fd.get('command', 'python -m core.gan.evaluate --snapshots')}`."]
    else:
        lines += ["Not measured: run `python -m core.gan.evaluate --snapshots <state-dir>/snapshots` and pack again."]
    lines += ["", "## How it was made", ""]
    for phase in config.get("train_commands") or [{"command": config.get("train_command") or "python -m core.gan.train --snapshots 8"}]:
        if "first_step" in phase:
            lines.append(f"Snapshots at steps {phase['first_step']:,} to {phase['last_step']:,}:")
        lines += ["", "```", phase["command"], "```", ""]
    lines += ["Packed with:", "", "```", config.get("pack_command") or "python -m core.gan.snapshots pack <state-dir> <out-dir>", "```", "",
              f"Training: {json.dumps(training)}", ""]
    return "\n".join(lines)


def load_snapshot_run(directory: str | Path) -> SnapshotRun:
    """Load a packed dir; CheckpointError names the file and the fix for anything wrong."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory: build it with `python -m core.gan.snapshots pack <state-dir> {directory}`.")
    config = load_config(directory)
    where = directory / CONFIG_FILE
    try:
        if config.get("model_type") != PACKED_TYPE:
            raise ValueError(f"expected model_type {PACKED_TYPE!r}, got {config.get('model_type')!r}")
        gan_config = GANConfig.from_dict(config["model"])
        steps = [int(s) for s in config["steps"]]
        if not steps or steps != sorted(set(steps)) or steps[0] < 0:
            raise ValueError(f"steps must be distinct, ascending and non-negative; got {steps[:10]}")
        fd_block = config.get("fd") or {}
        fd = list(fd_block.get("snapshots", []))
        if fd and [int(r["step"]) for r in fd] != steps:
            raise ValueError("the FD records' steps differ from the snapshots' steps")
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CheckpointError(f"{where} has invalid settings ({exc}); restore it or pack the run again.") from exc
    tensors = load_weights(directory)
    known = {_prefix(s) for s in steps}
    strays = sorted({k.split(".", 1)[0] for k in tensors if k.startswith(SNAPSHOT_PREFIX) and k.split(".", 1)[0] + "." not in known})
    if strays:
        raise CheckpointError(f"{directory / WEIGHTS_FILE} holds snapshots {strays[:3]} that {where} does not list; pack the run again.")
    generators = []
    for step in steps:
        g = Generator(gan_config)
        load_state_into(g, {k[len(_prefix(step)):]: v for k, v in tensors.items() if k.startswith(_prefix(step))},
                        directory / WEIGHTS_FILE)  # float16 tensors are copied into float32 parameters
        for p in g.parameters():
            p.requires_grad_(False)
        generators.append(g.eval())
    columns = {key: tensors.get(f"losses.{key}") for key in ("step", *LOSS_KEYS)}
    if any(v is None or v.ndim != 1 or len(v) != len(columns["step"]) for v in columns.values()):
        raise CheckpointError(f"{directory / WEIGHTS_FILE} lacks a whole loss log (losses.step, {', '.join('losses.' + k for k in LOSS_KEYS)}); pack the run again.")
    losses = {k: [int(x) for x in v.tolist()] if k == "step" else [float(x) for x in v.tolist()] for k, v in columns.items()}
    return SnapshotRun(steps, generators, losses, fd, config, directory, str(fd_block.get("command", "")))


def unpack(packed_dir: str | Path, state_dir: str | Path, steps: list[int] | None = None) -> list[int]:
    """Write a packed run's snapshots (all, or `steps`) and loss log back into a state dir, as training wrote them,
    beside what is there: a second training phase (core.gan.train --init-from) is packed with its first this way.
    A snapshot dir already there is kept; a loss record already there for a step wins. Returns the steps written."""
    run = load_snapshot_run(packed_dir)
    wanted = run.steps if steps is None else steps
    missing = sorted(set(wanted) - set(run.steps))
    if missing:
        raise CheckpointError(f"{packed_dir} has no snapshots at steps {missing}; it has {run.steps}.")
    state_dir = Path(state_dir)
    written = []
    for step, generator in zip(run.steps, run.generators):
        target = snapshot_dir(state_dir / "snapshots", step)
        if step in wanted and not (target / CONFIG_FILE).is_file():
            save_gan(target, generator, training={"steps": step, "seed": run.config.get("training", {}).get("seed")},
                     extra={"snapshot_of_step": step, "unpacked_from": str(packed_dir), "train_command": run.config.get("train_command", "")})
            written.append(step)
    here = {int(r["step"]): r for r in read_losses(state_dir / LOSSES_FILE)}
    earlier = [{k: v if k == "step" else round(v, 5) for k, v in zip(run.losses, values)} for values in zip(*run.losses.values())]
    merged = {int(r["step"]): r for r in earlier} | here
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / LOSSES_FILE).write_text("".join(json.dumps(merged[k]) + "\n" for k in sorted(merged)), "utf-8")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Pack a training run's generator snapshots for the app (see the module docstring).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="build OUT_DIR (config.json, model.safetensors in float16, README.md) from STATE_DIR")
    p.add_argument("state_dir", help="the run's --state-dir (holds snapshots/ and losses.jsonl)")
    p.add_argument("out_dir", help="e.g. checkpoints/gan-fashion-snapshots")
    p.add_argument("--fd", help=f"the snapshots' FD (default: <state-dir>/snapshots/{FD_FILE}, from core.gan.evaluate --snapshots)")
    u = sub.add_parser("unpack", help="write a packed dir's snapshots and losses into STATE_DIR (to pack two training phases as one run)")
    u.add_argument("packed_dir", help="e.g. checkpoints/gan-fashion-snapshots")
    u.add_argument("state_dir", help="the later phase's --state-dir")
    u.add_argument("--steps", type=int, nargs="+", help="only these snapshots (default: all); the whole loss log is always merged")
    args = parser.parse_args(argv)
    try:
        if args.command == "unpack":
            written = unpack(args.packed_dir, args.state_dir, args.steps)
            print(f"wrote snapshots at steps {written} and merged the loss log into {args.state_dir}")
            return
        command = "python -m core.gan.snapshots " + shlex.join(sys.argv[1:] if argv is None else argv)
        config = pack(args.state_dir, args.out_dir, args.fd, command)
    except CheckpointError as exc:
        raise SystemExit(f"error: {exc}") from None
    size = (Path(args.out_dir) / WEIGHTS_FILE).stat().st_size
    check = config["float16_check"]
    print(f"packed {len(config['steps'])} snapshots (steps {config['steps'][0]}..{config['steps'][-1]}) and {config['loss_records']} "
          f"loss records into {args.out_dir}: {size / 2**20:.1f} MB of float16 weights; images within "
          f"{check['max_grey_level_difference']} grey level(s) of float32 (mean {check['mean_grey_level_difference']}); "
          f"FD {'included' if config['fd'] else 'NOT measured (run core.gan.evaluate --snapshots first)'}")


if __name__ == "__main__":
    main()
