"""The layers import only downward: core/ (models) knows nothing of serve/ (plumbing) or demo/ (the UI) and never
imports gradio; serve/ never imports demo/; and no import cycle runs through core/gpt (sampling and the batched
decode step once imported each other because the knobs lived in the wrong module)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"core": ("gradio", "demo", "serve"), "serve": ("demo",)}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports are not used in this repo)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    upward = {f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / layer).rglob("*.py")
              for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN[layer]}
    assert not upward, f"{layer}/ imports from a layer above it: {sorted(upward)}"


def test_no_import_cycle_among_the_gpt_modules() -> None:
    package = ROOT / "core" / "gpt"
    graph = {path.stem: {name.rsplit(".", 1)[-1] for name in imported_modules(path) if name.startswith("core.gpt.")}
             for path in package.glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in graph.get(start, ()))

    cycles = sorted(module for module in graph if reaches(module, module, {module}))
    assert not cycles, f"modules of core/gpt in an import cycle: {cycles}"
