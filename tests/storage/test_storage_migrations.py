"""Migrations: up, down to base, up again; idempotent; the schema matches the models."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, POSTGRES_URL, admin_execute, require_postgres

from storage.db import database_url_for, make_engine, read_session
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.models import metadata


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def test_up_down_up(empty_engine: AsyncEngine) -> None:
    expected = {table.name for table in metadata.sorted_tables}
    assert await current(empty_engine) is None
    await upgrade(empty_engine)
    assert await current(empty_engine) == HEAD
    assert await table_names(empty_engine) == expected
    await downgrade(empty_engine, "base")
    assert await current(empty_engine) is None
    assert await table_names(empty_engine) == set()
    await upgrade(empty_engine)
    assert await table_names(empty_engine) == expected
    assert await schema_diff(empty_engine) == []


async def test_upgrade_twice_is_a_no_op(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await current(engine) == HEAD


async def test_models_and_migrated_schema_agree(engine: AsyncEngine) -> None:
    assert await schema_diff(engine) == []


async def test_by_url_on_sqlite(tmp_path: Path) -> None:
    url = database_url_for(tmp_path / "data")
    assert (tmp_path / "data").is_dir()
    assert await current(url) is None
    await upgrade(url)
    await upgrade(url)
    assert await current(url) == HEAD
    assert await schema_diff(url) == []
    await downgrade(url, "base")
    assert await current(url) is None


@pytest.mark.postgres
async def test_by_url_on_postgres() -> None:
    await require_postgres()
    name = f"baocao_test_{uuid.uuid4().hex[:12]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        await upgrade(url)
        assert await current(url) == HEAD
        assert await schema_diff(url) == []
        await downgrade(url, "base")
        assert await current(url) is None
    finally:
        await admin_execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(database_url_for(tmp_path))
    try:
        async with read_session(engine) as session:
            pragmas = {
                name: (await session.execute(sa.text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    finally:
        await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 10000,
        "foreign_keys": 1,
        "synchronous": 1,
    }
