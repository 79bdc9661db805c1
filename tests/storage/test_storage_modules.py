"""Storage modules share helpers through public names only."""

from __future__ import annotations

import ast
from pathlib import Path

STORAGE = Path(__file__).resolve().parents[2] / "storage"
PROJECT = {"bot", "handlers", "scheduler", "storage"}


def private_imports(path: Path) -> list[str]:
    """`module.name` for every private name `path` imports from another project module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] in PROJECT
        ):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_storage_module_imports_private_names_of_another() -> None:
    offenders = {
        str(path.relative_to(STORAGE.parent)): names
        for path in sorted(STORAGE.rglob("*.py"))
        if (names := private_imports(path))
    }
    assert offenders == {}
