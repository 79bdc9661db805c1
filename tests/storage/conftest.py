"""Database fixtures: every storage test runs on a fresh SQLite file and a fresh PostgreSQL schema.

PostgreSQL comes from BAOCAO_TEST_POSTGRES_URL (default: the local test server). When it is not
reachable the PostgreSQL half is skipped, or fails when the CI variable is set.
"""

from __future__ import annotations

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


@pytest.fixture
async def engine(empty_engine: AsyncEngine) -> AsyncEngine:
    """An engine on a database migrated to head."""
    await upgrade(empty_engine)
    return empty_engine
