"""Database fixtures: every storage test runs on a fresh SQLite file and a fresh PostgreSQL schema.

PostgreSQL comes from BAOCAO_TEST_POSTGRES_URL (default: the local test server). When it is not
reachable the PostgreSQL half is skipped, or fails when the CI variable is set.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import POSTGRES_URL, admin_execute, require_postgres

from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def empty_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    await require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    await admin_execute(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        await admin_execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once, copied for each test that wants one: running the
    migrations every time costs a tenth of a second a test."""
    path = tmp_path_factory.mktemp("migrated") / "baocao.db"

    async def migrate() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()  # closing the last connection folds the WAL into the file

    asyncio.run(migrate())
    return path


@pytest.fixture
async def engine(
    empty_engine: AsyncEngine, backend: str, tmp_path: Path, migrated_sqlite: Path
) -> AsyncEngine:
    """An engine on a database migrated to head."""
    if backend == "sqlite":
        # The engine has not connected yet: its file is made here, already migrated.
        shutil.copyfile(migrated_sqlite, tmp_path / "baocao.db")
        return empty_engine
    await upgrade(empty_engine)
    return empty_engine
