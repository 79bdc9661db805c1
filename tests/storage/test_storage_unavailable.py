"""Which database errors mean "not now" (the event is handled again after a pause) and which
mean a wrong statement or a broken rule (never retried)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.db import unavailable


class ConnectionDoesNotExistError(Exception):
    """Shaped as asyncpg's, raised when the server closed the connection."""


ConnectionDoesNotExistError.__module__ = "asyncpg.exceptions"


class CannotConnectNow(Exception):
    sqlstate = "57P03"  # the database system is starting up


def wrapped(orig: BaseException, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def test_a_database_that_cannot_serve_now_is_unavailable() -> None:
    assert unavailable(ConnectionRefusedError(111, "Connection refused"))
    assert unavailable(wrapped(ConnectionDoesNotExistError("closed")))
    assert unavailable(wrapped(CannotConnectNow("starting up")))
    assert unavailable(wrapped(RuntimeError("gone"), invalidated=True))
    busy = sqlite3.OperationalError("database is locked")
    assert unavailable(OperationalError("UPDATE x", {}, busy))


def test_a_wrong_statement_or_a_broken_rule_is_not() -> None:
    missing = sqlite3.OperationalError("no such table: contact")
    assert not unavailable(OperationalError("SELECT * FROM contact", {}, missing))
    duplicate = sqlite3.IntegrityError("UNIQUE constraint failed")
    assert not unavailable(IntegrityError("INSERT", {}, duplicate))
    assert not unavailable(ValueError("bad"))
    assert not unavailable(KeyError("x"))
