"""Imports point down the layers of docs/ARCHITECTURE.md: domain <- ledger <- projections <- cli,
and demo/ beside cli/ (it may import ledger, projections and domain; only cli/demo_cmd.py and
the tests import it). Read from the source, so a new module is checked without listing it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "domain": {"domain"},
    "ledger": {"ledger", "domain"},
    "projections": {"projections", "ledger", "domain"},
    "demo": {"demo", "projections", "ledger", "domain"},
    "cli": {"cli", "projections", "ledger", "domain"},
}
DEMO_IMPORTERS = {"cli/demo_cmd.py"}


def imported_packages(path: Path) -> set[str]:
    """The top-level project packages a module imports (absolute imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_point_down(layer: str) -> None:
    wrong = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED[layer] | ({"demo"} if name in DEMO_IMPORTERS else set())
        wrong += [f"{name} imports {p}" for p in sorted(imported_packages(path) - allowed)]
    assert wrong == []


def test_the_demo_lives_outside_the_ledger() -> None:
    assert not (ROOT / "ledger" / "demo.py").exists()
    assert not (ROOT / "ledger" / "scenarios").exists()
    assert (ROOT / "demo" / "scenarios" / "stage.py").exists()
