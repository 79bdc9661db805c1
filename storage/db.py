"""Engines and transactions: SQLite (WAL, BEGIN IMMEDIATE for writes) or PostgreSQL (asyncpg).

pysqlite (under aiosqlite) normally decides itself when to BEGIN: it starts a transaction only
before an INSERT/UPDATE/DELETE, so a read-modify-write reads outside any transaction and
concurrent writers silently lose updates. We switch that off (`isolation_level = None`) and emit
BEGIN ourselves from the engine's "begin" event: `BEGIN IMMEDIATE` when the connection carries
the `baocao_sqlite_begin="IMMEDIATE"` execution option (`write_session`), plain `BEGIN` otherwise.
BEGIN IMMEDIATE takes SQLite's write lock up front, so writers queue on `busy_timeout` instead of
failing or overwriting each other.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

SQLITE_BEGIN_OPTION = "baocao_sqlite_begin"
BUSY_TIMEOUT_MS = 10_000


def database_url_for(data_dir: Path) -> str:
    """The SQLite database URL inside `data_dir`, creating the directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{(data_dir / 'baocao.db').resolve()}"


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite connections get WAL, busy_timeout and our own BEGIN.

    `sqlite_foreign_keys=False` is for schema migrations only (see `storage.migrate`).
    """
    if make_url(url).get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    engine = create_async_engine(url, **kwargs)
    _take_over_sqlite_transactions(engine, foreign_keys=sqlite_foreign_keys)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from emitting BEGIN (and COMMIT before DDL) on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


@asynccontextmanager
async def _session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        yield session


# One writer at a time per SQLite file within a process: a writer that finds the file locked
# waits in SQLite's busy handler, which sleeps in growing steps (up to 100 ms), so queueing
# writers on an asyncio lock first keeps the wait short and fair. Other processes still meet
# the busy handler. Keyed by the engine's pool, which the engine's copies share.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[object, asyncio.Lock] = weakref.WeakKeyDictionary()


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock:
    pool = engine.sync_engine.pool
    lock = _SQLITE_WRITERS.get(pool)
    if lock is None:
        lock = _SQLITE_WRITERS[pool] = asyncio.Lock()
    return lock


@asynccontextmanager
async def _sqlite_write_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with _writer_lock(engine):
        immediate = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        async with _session(immediate) as session:
            yield session


def write_session(engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncSession]:
    """One read-modify-write transaction (BEGIN IMMEDIATE on SQLite); commits unless it raises."""
    if is_sqlite(engine):
        return _sqlite_write_session(engine)
    return _session(engine)


@asynccontextmanager
async def write_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Like `write_session`, on a bare connection: for small hot statements (no ORM session)."""
    if not is_sqlite(engine):
        async with engine.begin() as connection:
            yield connection
        return
    async with _writer_lock(engine):
        immediate = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        async with immediate.begin() as connection:
            yield connection


def read_session(engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncSession]:
    """One ordinary transaction (a consistent snapshot on both backends)."""
    return _session(engine)
