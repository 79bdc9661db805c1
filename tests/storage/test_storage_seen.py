"""SqlSeenMessages: of every delivery of one message, exactly one is the first, across
processes (two engines on one database), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, POSTGRES_URL

from storage.db import is_sqlite, make_engine, read_session
from storage.models import seen_message_t
from storage.seen import SqlSeenMessages


@pytest.fixture
async def other_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """A second engine on the same database, as another process would have."""
    if is_sqlite(engine):
        other = make_engine(engine.url.render_as_string(hide_password=False))
    else:
        async with engine.connect() as connection:
            schema = (await connection.execute(sa.text("SELECT current_schema()"))).scalar_one()
        other = make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield other
    finally:
        await other.dispose()


async def test_the_first_delivery_only_is_the_first(engine: AsyncEngine) -> None:
    seen = SqlSeenMessages(engine)
    assert await seen.first_time(platform="zalo", message_id="abc", now=NOW)
    assert not await seen.first_time(platform="zalo", message_id="abc", now=NOW)
    assert not await seen.first_time(
        platform="zalo", message_id="abc", now=NOW + timedelta(hours=1)
    )
    # Another message, or the same id on another platform, is new.
    assert await seen.first_time(platform="zalo", message_id="abd", now=NOW)
    assert await seen.first_time(platform="console", message_id="abc", now=NOW)


async def test_concurrent_deliveries_on_two_engines_make_one_first(
    engine: AsyncEngine, other_engine: AsyncEngine
) -> None:
    stores = [SqlSeenMessages(engine), SqlSeenMessages(other_engine)]
    for message in ("m-1", "m-2", "m-3"):
        results = await asyncio.gather(
            *(
                stores[n % 2].first_time(platform="zalo", message_id=message, now=NOW)
                for n in range(24)
            )
        )
        assert results.count(True) == 1, message
    async with read_session(engine) as session:
        count = (
            await session.execute(sa.select(sa.func.count()).select_from(seen_message_t))
        ).scalar_one()
    assert count == 3


async def test_forget_prunes_what_came_before(engine: AsyncEngine) -> None:
    seen = SqlSeenMessages(engine)
    await seen.first_time(platform="zalo", message_id="old", now=NOW - timedelta(days=8))
    await seen.first_time(platform="zalo", message_id="new", now=NOW - timedelta(days=6))
    assert await seen.forget(before=NOW - timedelta(days=7)) == 1
    assert await seen.forget(before=NOW - timedelta(days=7)) == 0
    # Forgotten, a message would be taken as new; remembered, it is not.
    assert await seen.first_time(platform="zalo", message_id="old", now=NOW)
    assert not await seen.first_time(platform="zalo", message_id="new", now=NOW)
