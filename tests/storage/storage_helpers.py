"""Helpers shared by the storage tests."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import read_session
from storage.models import metadata

NOW = datetime(2024, 5, 20, 3, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get(
    "BAOCAO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

_postgres_problem: list[str] = []  # filled once: empty list = not checked yet


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg.connect takes, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def require_postgres() -> None:
    """Skip (or, under CI, fail) when the test PostgreSQL server cannot be reached."""
    if not _postgres_problem:
        try:
            connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            _postgres_problem.append(f"{type(error).__name__}: {error}")
        else:
            await connection.close()
            _postgres_problem.append("")
    problem = _postgres_problem[0]
    if problem:
        reason = (
            f"PostgreSQL is not reachable at {make_url(POSTGRES_URL)!r} ({problem}):"
            " start it or set BAOCAO_TEST_POSTGRES_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


async def admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with read_session(engine) as session:
        return {
            table.name: int(
                await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            )
            for table in metadata.sorted_tables
        }


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for "nothing changed" assertions."""
    async with read_session(engine) as session:
        result: dict[str, list[tuple[object, ...]]] = {}
        for table in metadata.sorted_tables:
            rows = (await session.execute(sa.select(table))).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return result
