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
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Update, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.sql.compiler import SQLCompiler

log = logging.getLogger(__name__)

SQLITE_BEGIN_OPTION = "baocao_sqlite_begin"
BUSY_TIMEOUT_MS = 10_000


def database_url_for(data_dir: Path, *, group_read: bool = False) -> str:
    """The SQLite database URL inside `data_dir`: the folder and the database file are created
    private (see `storage.files.secure_data_dir`), or tightened if made before."""
    from storage.files import create_private_file, secure_data_dir

    secure_data_dir(data_dir, group_read=group_read, stored=False)
    database = data_dir / "baocao.db"
    create_private_file(database, group_read=group_read)
    return f"sqlite+aiosqlite:///{database.resolve()}"


# Why a database could not be opened, by the codes its driver gives: PostgreSQL's SQLSTATE,
# SQLite's result code. Each names what to fix in BAOCAO_DATABASE_URL (or the file).
_SQLSTATE_PROBLEMS = {
    "3D000": "database-error-unknown-database",  # invalid_catalog_name
    "28000": "database-error-rejected-user",  # invalid_authorization_specification
    "28P01": "database-error-rejected-user",  # invalid_password
}
_SQLITE_PROBLEMS = {
    sqlite3.SQLITE_NOTADB: "database-error-not-sqlite",
    sqlite3.SQLITE_CORRUPT: "database-error-not-sqlite",
    sqlite3.SQLITE_CANTOPEN: "database-error-file-access",
    sqlite3.SQLITE_READONLY: "database-error-file-access",
    sqlite3.SQLITE_PERM: "database-error-file-access",
}


def database_problem(error: BaseException, url: str) -> tuple[str, dict[str, str]]:
    """The catalog key and arguments saying why `url` could not be opened, from `error`.

    Only the server, database, user or file are named: never the password.
    """
    import socket

    parts = make_url(url)
    server = f"{parts.host or 'localhost'}:{parts.port or 5432}"
    file = parts.database or ""
    if file.startswith(str(Path.cwd()) + "/"):  # as the user wrote it, when relative
        file = file[len(str(Path.cwd())) + 1 :]
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlstate", None)
    if code in _SQLSTATE_PROBLEMS:
        key = _SQLSTATE_PROBLEMS[code]
        return key, {"server": server, "database": file, "user": parts.username or ""}
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int) and sqlite_code & 0xFF in _SQLITE_PROBLEMS:
        # Extended codes (SQLITE_READONLY_DIRECTORY) carry the primary one in their low byte.
        return _SQLITE_PROBLEMS[sqlite_code & 0xFF], {"file": file}
    if parts.get_backend_name() == "sqlite":
        if isinstance(original, OSError):  # the data folder or the file cannot be made
            return "database-error-file-access", {"file": str(original.filename or file)}
        return "cli-error-database", {"detail": type(original).__name__}
    if isinstance(original, socket.gaierror):
        return "database-error-unknown-host", {"host": parts.host or ""}
    if isinstance(original, ConnectionRefusedError):
        return "database-error-refused", {"server": server}
    if isinstance(original, TimeoutError):
        return "database-error-timeout", {"server": server}
    return "cli-error-database", {"detail": type(original).__name__}


# SQLSTATE classes that mean the server cannot serve now, not that the statement is wrong:
# 08 (connection exception) and 57P (operator intervention: shutting down, starting up).
_UNAVAILABLE_STATES = ("08", "57P")


def unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached for now (restarting, failing
    over, a connection dropped, SQLite busy past its timeout), so that the same work may
    succeed in a moment; never for a statement that is wrong or a rule it broke."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sqlite3.OperationalError):
            # SQLite says "no such table" with the same class: only a busy or unopenable file.
            words = str(current).lower()
            return any(word in words for word in ("locked", "busy", "unable to open"))
        if isinstance(current, OperationalError | InterfaceError) and not isinstance(
            current.orig, sqlite3.Error
        ):
            return True
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        state = getattr(current, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
        if (
            type(current).__module__.startswith("asyncpg")
            and "Connection" in type(current).__name__
        ):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite connections get WAL, busy_timeout and our own BEGIN.

    `sqlite_foreign_keys=False` is for schema migrations only (see `storage.migrate`). A new
    SQLite file is created private (0600) first: SQLite would create it under the umask.
    """
    if make_url(url).get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        from storage.files import create_private_file

        if Path(database).parent.is_dir():
            create_private_file(Path(database))
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
    async with _writer_lock(engine), _begin_write(engine) as connection:
        yield connection


def _begin_write(engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncConnection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite), without the in-process writer lock."""
    if is_sqlite(engine):
        engine = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return engine.begin()


def read_session(engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncSession]:
    """One ordinary transaction (a consistent snapshot on both backends)."""
    return _session(engine)


@asynccontextmanager
async def read_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Like `read_session`, on a bare connection: for hot reads (no ORM session)."""
    async with engine.connect() as connection, connection.begin():
        yield connection


class DirectWriter:
    """Single-statement writes, each its own transaction, on one connection held meanwhile.

    For the hottest write there is: the dispatcher marks each reminder right after sending it,
    and that mark bounds how fast reminders go out. The ordinary path (pool checkout, BEGIN
    IMMEDIATE, the statement, COMMIT, pool reset, each a trip through SQLAlchemy and the
    driver's thread) costs about 2 ms. Here the statement is compiled once and runs alone, in
    autocommit, which is atomic for a single UPDATE on both backends:

    - SQLite in WAL mode: on a plain sqlite3 connection, in the event loop itself (~0.05 ms,
      less than one hop to aiosqlite's thread). It must never block the loop, so it does not
      wait for a lock (timeout 0: a write lock held by another process sends the statement the
      ordinary way, which waits) and never checkpoints (that may fsync; the pool's
      connections checkpoint as usual). A WAL commit with synchronous=NORMAL does not fsync.
    - PostgreSQL (and SQLite not in WAL mode): on a held driver connection (~0.2 ms).

    If the held connection fails, it is dropped and the statement runs the ordinary way.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite_path = _sqlite_file(engine)
        self._sqlite: sqlite3.Connection | None = None
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._cursor: Any = None
        self._compiled: dict[int, tuple[Update, SQLCompiler, list[Any]]] = {}
        self._lock = _writer_lock(engine) if is_sqlite(engine) else asyncio.Lock()

    async def execute(self, statement: Update, values: dict[str, Any]) -> int:
        """Run `statement` with `values`; returns how many rows it changed."""
        async with self._lock:
            try:
                sql, params = self._bind(statement, values)
                if self._sqlite_path is not None and self._open_sqlite():
                    return self._run_sqlite(sql, params)
                return await self._direct(sql, params)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    log.warning("direct write failed; running it the ordinary way", exc_info=True)
                    await self._drop(broken=True)
            except Exception:
                log.warning("direct write failed; running it the ordinary way", exc_info=True)
                await self._drop(broken=True)
            # Only guarded updates run here, so running one again is harmless.
            return await self._ordinary(statement, values)

    async def close(self) -> None:
        async with self._lock:
            await self._drop(broken=False)

    def _open_sqlite(self) -> bool:
        """Open the plain connection once; False (and the held driver connection from then
        on) if the database is not in WAL mode, where a commit would fsync in the loop."""
        if self._sqlite is not None:
            return True
        assert self._sqlite_path is not None
        connection = sqlite3.connect(
            self._sqlite_path, timeout=0, isolation_level=None, check_same_thread=False
        )
        try:
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                connection.close()
                self._sqlite_path = None
                return False
            for pragma in ("synchronous=NORMAL", "wal_autocheckpoint=0", "foreign_keys=ON"):
                connection.execute(f"PRAGMA {pragma}")
        except BaseException:
            connection.close()
            raise
        self._sqlite = connection
        return True

    def _run_sqlite(self, sql: str, params: list[Any]) -> int:
        assert self._sqlite is not None
        count: int = self._sqlite.execute(sql, params).rowcount
        return max(count, 0)

    async def _direct(self, sql: str, params: list[Any]) -> int:
        if self._connection is None:
            connection = await self.engine.connect()
            try:
                raw = await connection.get_raw_connection()
            except BaseException:
                await connection.close()
                raise
            self._connection, self._driver = connection, raw.driver_connection
            if is_sqlite(self.engine):  # one cursor, reused: closing one is another thread hop
                self._cursor = await self._driver.cursor()
        if self._cursor is not None:
            await self._cursor.execute(sql, params)
            count: int = self._cursor.rowcount
            return max(count, 0)
        status: str = await self._driver.execute(sql, *params)  # e.g. "UPDATE 1"
        return int(status.rsplit(" ", 1)[-1])

    def _bind(self, statement: Update, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """The statement's SQL for this backend, and its parameters in order, converted by
        their column types (so a UTC datetime is stored exactly as the ordinary path does)."""
        entry = self._compiled.get(id(statement))
        if entry is None or entry[0] is not statement:
            dialect = self.engine.sync_engine.dialect
            compiled = statement.compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)
            processors = [
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in compiled.positiontup or ()
            ]
            entry = self._compiled[id(statement)] = (statement, compiled, processors)
        _, compiled, processors = entry
        params = compiled.construct_params(values) or {}
        ordered = [
            value if process is None else process(value)
            for name, process in zip(compiled.positiontup or (), processors, strict=True)
            for value in (params[name],)
        ]
        return compiled.string, ordered

    async def _ordinary(self, statement: Update, values: dict[str, Any]) -> int:
        # Not write_connection: it would wait for the writer lock this writer already holds.
        async with _begin_write(self.engine) as connection:
            result = await connection.execute(statement, values)
        count: int = getattr(result, "rowcount", 0)
        return max(count, 0)

    async def _drop(self, *, broken: bool) -> None:
        plain, self._sqlite = self._sqlite, None
        connection, self._connection, self._driver = self._connection, None, None
        cursor, self._cursor = self._cursor, None
        if plain is not None:
            try:  # closing may checkpoint, which may fsync: not in the loop
                await asyncio.to_thread(plain.close)
            except sqlite3.Error:  # already broken: nothing more to give back
                log.debug("closing the direct SQLite connection failed", exc_info=True)
        if connection is None:
            return
        try:
            if cursor is not None:
                await cursor.close()
            if broken:
                await connection.invalidate()
            await connection.close()
        except Exception:  # already broken: nothing more to give back
            log.debug("closing the direct connection failed", exc_info=True)
            if not connection.closed:
                await connection.invalidate()


def _sqlite_file(engine: AsyncEngine) -> str | None:
    """The SQLite database's file, or None (PostgreSQL, an in-memory or URI database)."""
    if not is_sqlite(engine):
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


@asynccontextmanager
async def direct_writer(engine: AsyncEngine) -> AsyncIterator[DirectWriter]:
    """A `DirectWriter` for the length of the block (its connection goes back at the end)."""
    writer = DirectWriter(engine)
    try:
        yield writer
    finally:
        await writer.close()
