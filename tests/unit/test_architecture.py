"""Layer contract: a pure core, and Telegram named only by its adapter and the composition root."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = [
    "bot.plan.model",
    "bot.plan.loader",
    "bot.formatting",
    "bot.core.model",
    "bot.core.ports",
    "bot.core.texts",
    "bot.core.usecases",
    "scheduler.calendar",
    "scheduler.reminders",
    "scheduler.texts",
    "scheduler.deadlines",
]
FORBIDDEN = ["telegram", "sqlmodel", "sqlalchemy", "apscheduler", "aiosqlite", "asyncpg"]


def test_core_imports_no_chat_library_orm_or_scheduler() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in CORE)
        + f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["bot", "handlers", "scheduler", "storage"]
# The composition root wires platforms in; everything else reaches them through the adapter
# interface and the Messenger port.
COMPOSITION_ROOT = {"bot.app", "bot.cli", "bot.services", "bot.platforms", "bot.config"}
TELEGRAM = ("telegram", "handlers.telegram")
# Neutral code names no platform: a person is reached through their platform's messenger.
NEUTRAL = ["bot.core", "scheduler"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


def imported(name: str, tree: ast.Module) -> set[str]:
    """Every module `tree` imports, wherever the import stands (in a function, under
    TYPE_CHECKING), with `from package import module` counted as `package.module`."""
    names: set[str] = set()
    package = name if name in PACKAGES else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def is_under(module: str, packages: tuple[str, ...] | list[str]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def test_the_modules_are_found() -> None:
    found = modules()
    assert {"bot.app", "bot.core.usecases", "handlers.telegram.app", "scheduler.dispatcher"} <= set(
        found
    )


def test_only_the_telegram_adapter_and_the_composition_root_import_telegram() -> None:
    offenders = {
        name: sorted(m for m in imported(name, tree) if is_under(m, TELEGRAM))
        for name, tree in modules().items()
        if not is_under(name, ["handlers.telegram"]) and name not in COMPOSITION_ROOT
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_neutral_code_does_not_name_a_platform() -> None:
    named = {
        name: sorted(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.lower() == "telegram"
        )
        for name, tree in modules().items()
        if is_under(name, NEUTRAL)
    }
    assert {name: found for name, found in named.items() if found} == {}


def test_the_contract_sees_imports_inside_functions_and_type_checking() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from handlers.telegram.app import CORE\n"
        "def f() -> None:\n    import telegram.error\n"
        "from ..handlers import telegram\n"
    )
    found = imported("bot.core.usecases", tree)
    assert {"handlers.telegram.app", "telegram.error", "bot.handlers.telegram"} <= found
