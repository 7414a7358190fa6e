"""The packages show the architecture, and imports point one way:
front ends (bot) -> conversation -> faq (the domain); staff -> records -> faq."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> the packages it must never import
FORBIDDEN = {
    "faq": {"bot", "conversation", "records", "staff", "telegram"},
    "records": {"bot", "conversation", "staff", "telegram"},
    "staff": {"bot", "conversation", "telegram"},
    "conversation": {"bot", "telegram"},
}
# `python -m faq` is the command staff know: the one place faq/ reaches the staff tools.
ENTRY_POINTS = {ROOT / "faq" / "__main__.py"}


def imported(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    """No module imports a package above it in the layout."""
    wrong = {
        str(source.relative_to(ROOT)): sorted(imported(source) & FORBIDDEN[package])
        for source in (ROOT / package).rglob("*.py")
        if source not in ENTRY_POINTS
    }
    assert not {path: names for path, names in wrong.items() if names}
