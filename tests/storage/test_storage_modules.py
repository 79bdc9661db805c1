"""Modules share helpers through public names only: no module reaches another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / "storage"
PROJECT = {"bot", "handlers", "scheduler", "storage"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names(tree: ast.Module) -> list[str]:
    """`module.name` for every private name the code takes from another project module:
    imported by name (`from storage.x import _y`) or read off an imported module
    (`from storage import x` then `x._y`, or `import storage.x` then `storage.x._y`)."""
    found = []
    modules: dict[str, str] = {}  # the name a module is bound to here -> the module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            base = node.module or ""
            if base.split(".")[0] not in PROJECT:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{base}.{alias.name}")
                else:  # perhaps a module: its private names must not be read either
                    modules[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    bound = alias.asname or alias.name
                    modules[bound] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            dotted = _dotted(node.value)
            if dotted is not None and dotted in modules:
                found.append(f"{modules[dotted]}.{node.attr}")
    return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def offenders(folders: list[Path]) -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): names
        for folder in folders
        for path in sorted(folder.rglob("*.py"))
        if (names := private_names(ast.parse(path.read_text(encoding="utf-8"))))
    }


def test_no_storage_module_imports_private_names_of_another() -> None:
    assert offenders([STORAGE]) == {}


def test_no_project_module_reads_private_names_of_another() -> None:
    assert offenders([ROOT / package for package in sorted(PROJECT)]) == {}


def test_the_check_sees_every_way_of_reaching_a_private_name() -> None:
    tree = ast.parse(
        "from storage.repository import _pending, public\n"
        "from storage import invites\n"
        "import storage.status\n"
        "import storage.plans as plans\n"
        "from typing import _SpecialForm\n"
        "def f() -> None:\n"
        "    invites._views()\n"
        "    storage.status._unit_status()\n"
        "    plans._chunks([])\n"
        "    self._own()\n"
        "    invites.__name__\n"
    )
    assert sorted(private_names(tree)) == [
        "storage.invites._views",
        "storage.plans._chunks",
        "storage.repository._pending",
        "storage.status._unit_status",
    ]
