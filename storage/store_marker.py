"""The shared file store's marker: every instance on one database must see the same files.

Instances behind a load balancer share one PostgreSQL and one file store (a shared folder). An
instance started with its own local folder by mistake would keep the files it receives to
itself, and the others would answer "file missing" for them: so at start each instance checks
that its store carries the random id the database recorded when the store was first used.

- Neither has one (a new deployment, or one from before this check): the id is created in the
  store first (an exclusive create, so two instances starting together agree), then recorded
  in the database (an insert that does nothing when another instance recorded one first).
- The store has one, the database none (an instance crashed between the two steps): recorded.
- The database has one and the store none, or another: refused, in words, with the fix.

The marker is a file in the store's `files` folder, so that a folder mounted at `files` (the
submitted files only) is checked as well as a whole shared data folder.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import UserError
from storage.db import is_sqlite, read_connection, write_connection
from storage.files import FILES_DIR, file_mode, make_private_dirs
from storage.models import store_marker_t

__all__ = ["MARKER_FILE", "check_store", "marker_path"]

MARKER_FILE = ".baocao-kho"
STORE = "files"
_READ_TRIES = 20  # a marker made by a version that wrote it in place may be empty a moment


def marker_path(data_dir: Path) -> Path:
    return data_dir / FILES_DIR / MARKER_FILE


async def check_store(
    engine: AsyncEngine, data_dir: Path, *, now: datetime, group_read: bool = False
) -> str:
    """The store's marker once it matches the database's; a UserError when it does not."""
    path = marker_path(data_dir)
    found = await _read_marker(path)
    recorded = await _recorded(engine)
    if recorded is None:
        if found is None:
            created = await asyncio.to_thread(_create_marker, path, group_read)
            found = created or await _read_marker(path)  # None: another instance made it
        if found is not None:
            recorded = await _record(engine, found, now)
    if found is None:
        raise UserError(
            "store-marker-missing",
            folder=str(path.parent.resolve()),
            file=str(path.resolve()),
            marker=recorded or "-",
        )
    if found != recorded:
        raise UserError("store-marker-other", folder=str(path.parent.resolve()))
    return found


async def _read_marker(path: Path) -> str | None:
    for _ in range(_READ_TRIES):
        try:
            text = await asyncio.to_thread(path.read_text, encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError):
            text = "?"  # unreadable: never equal to an id, so refused as another store's
        if text.strip():
            return text.strip()
        await asyncio.sleep(0.05)
    return "?"


def _create_marker(path: Path, group_read: bool) -> str | None:
    """A new id in the store, or None when another instance created one first (read it).

    The id is written and synced in a file of its own, then linked to the marker's name:
    the link is atomic and fails if the name exists, so another instance never sees the
    marker empty or half-written, however slow the disk is (an empty read used to be taken
    for another store's marker under load)."""
    make_private_dirs(path.parent, group_read=group_read)
    marker = uuid.uuid4().hex
    draft = path.with_name(f"{path.name}.{marker}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode(group_read=group_read))
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(marker + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return None
    finally:
        draft.unlink(missing_ok=True)
    return marker


async def _recorded(engine: AsyncEngine) -> str | None:
    async with read_connection(engine) as connection:
        value = await connection.scalar(
            sa.select(store_marker_t.c.marker).where(store_marker_t.c.name == STORE)
        )
    return None if value is None else str(value)


async def _record(engine: AsyncEngine, found: str, now: datetime) -> str | None:
    """Record `found` unless another instance recorded a marker first; the one recorded."""
    insert = (sqlite.insert if is_sqlite(engine) else postgresql.insert)(store_marker_t)
    async with write_connection(engine) as connection:
        await connection.execute(
            insert.values(name=STORE, marker=found, created_at=now).on_conflict_do_nothing(
                index_elements=[store_marker_t.c.name]
            )
        )
    return await _recorded(engine)
