"""What a department has stored, read straight from its SQLite file and its files folder, so
that a refused input can be shown to have left everything as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# The tables an input could change. Left out: the audit trail, the de-duplication of seen
# messages and web sessions, which every message or page view may touch by design.
TABLES = (
    "unit",
    "report",
    "report_instance",
    "contact",
    "invite",
    "submission",
    "submission_signature",
    "pending_step",
    "outbox",
    "chat_binding",
    "web_link",
)

Snapshot = dict[str, Any]


def snapshot(data: Path) -> Snapshot:
    """Every row of TABLES, and the relative path and size of every file under `data` other
    than the database's own."""
    taken: Snapshot = {}
    with sqlite3.connect(f"file:{data / 'baocao.db'}?mode=ro", uri=True) as connection:
        for table in TABLES:
            rows = connection.execute(f"SELECT * FROM {table}").fetchall()
            taken[table] = sorted(rows, key=repr)
    connection.close()
    taken["files"] = sorted(
        (str(path.relative_to(data)), path.stat().st_size)
        for path in data.rglob("*")
        if path.is_file() and not path.name.startswith("baocao.db")
    )
    return taken


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """The names (tables, "files") whose content differs."""
    return {name for name in before if before[name] != after[name]}


def assert_only(before: Snapshot, after: Snapshot, allowed: Iterable[str]) -> None:
    """Fail unless everything outside `allowed` is as it was."""
    unexpected = changed(before, after) - set(allowed)
    assert not unexpected, {name: (before[name], after[name]) for name in unexpected}


def new_rows(before: Snapshot, after: Snapshot, table: str) -> list[tuple[Any, ...]]:
    return [row for row in after[table] if row not in before[table]]
