"""The layer contract, read statically from every import (in functions and under TYPE_CHECKING too).

bot/core                  the domain: plan, rules of time, use cases, ports, texts
storage/, scheduler/,     adapters around it: they import the domain, never each other,
handlers/<platform>/      never the composition root, and a platform never another platform
bot/ (everything else)    the composition root: config, CLI, serve; it may import anything
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

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


DOMAIN = "bot.core"
FIRST_PARTY = ("bot", "handlers", "scheduler", "storage")
# What the domain may use beyond the standard library: parsing and validating the plan file,
# the public-holiday table and the message catalog. No chat library, ORM, scheduler or HTTP.
DOMAIN_LIBRARIES = {"pydantic", "pydantic_core", "ruamel", "holidays", "fluent"}


def layer(module: str) -> str:
    """`bot.core`, `storage`, `scheduler`, `handlers.<platform>`, or `bot` (composition root)."""
    if is_under(module, [DOMAIN]):
        return DOMAIN
    top, _, rest = module.partition(".")
    if top == "handlers" and rest:
        return f"handlers.{rest.partition('.')[0]}"
    return top


def may_import(importer: str, imported_module: str) -> bool:
    own, other = layer(importer), layer(imported_module)
    if own == "bot" or other in (own, DOMAIN):
        return True
    return imported_module == "handlers"  # the empty package every platform lives in


def test_every_layer_imports_only_what_the_contract_allows() -> None:
    broken = {
        name: sorted(
            m
            for m in imported(name, tree)
            if m.split(".")[0] in FIRST_PARTY and not may_import(name, m)
        )
        for name, tree in modules().items()
    }
    assert {name: found for name, found in broken.items() if found} == {}


def test_the_domain_uses_no_chat_library_orm_scheduler_or_http_client() -> None:
    used = {
        name: sorted(
            {
                m.split(".")[0]
                for m in imported(name, tree)
                if m and m.split(".")[0] not in FIRST_PARTY
            }
            - set(sys.stdlib_module_names)
            - DOMAIN_LIBRARIES
            - {"__future__"}
        )
        for name, tree in modules().items()
        if layer(name) == DOMAIN
    }
    assert {name: found for name, found in used.items() if found} == {}


def test_the_contract_catches_what_it_forbids() -> None:
    assert not may_import("bot.core.usecases", "storage.repository")
    assert not may_import("bot.core.rules.deadlines", "scheduler.dispatcher")
    assert not may_import("bot.core.usecases", "bot.config")
    assert not may_import("scheduler.dispatcher", "storage.reminders")
    assert not may_import("storage.repository", "bot.app")
    assert not may_import("handlers.console.platform", "handlers.telegram.messenger")
    assert may_import("handlers.telegram.app", "bot.core.ports")
    assert may_import("bot.app", "handlers.telegram.platform")


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
