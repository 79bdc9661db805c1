"""Migration 0002 on a database with data: 0001 -> 0002 -> 0001 -> 0002 keeps every row."""

from __future__ import annotations

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, NOW, audit_before_0010

from storage.db import read_session, write_session
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.plans import apply_plan

NEW_TABLES = {"chat_binding", "pending_step"}


async def columns(engine: AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: sa.inspect(sync).get_columns(table))
    return {column["name"] for column in found}


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def counts(engine: AsyncEngine) -> tuple[int, int]:
    async with read_session(engine) as session:
        contacts = await session.scalar(sa.text("SELECT count(*) FROM contact"))
        submissions = await session.scalar(sa.text("SELECT count(*) FROM submission"))
    return int(contacts or 0), int(submissions or 0)


async def test_0002_up_down_up_with_data(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    await upgrade(engine, "0001")
    with audit_before_0010():
        await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    # Rows written the way 0001's code wrote them (no column of 0002 named).
    async with write_session(engine) as session:
        # SQLite keeps UTC text in SQLAlchemy's format; asyncpg takes the aware datetime.
        sqlite_now = NOW.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        params = {"now": sqlite_now if engine.dialect.name == "sqlite" else NOW}
        await session.execute(
            sa.text(
                "INSERT INTO contact (platform, user_id, chat_id, display_name, unit_id, role,"
                " active, created_at) SELECT 'telegram', '1', '1', 'A', id, 'head', true, :now"
                " FROM unit WHERE key = 'kh'"
            ),
            params,
        )
        await session.execute(
            sa.text(
                "INSERT INTO submission (instance_id, unit_id, contact_id, version, kind,"
                " receipt_code, submitted_at) SELECT i.id, u.id, c.id, 1, 'text', 'ABCDEFGH',"
                " :now FROM report_instance i, unit u, contact c WHERE u.key = 'kh'"
                " AND i.key = '2024-H1' AND i.report_id = (SELECT id FROM report"
                " WHERE key = 'dan-chu')"
            ),
            params,
        )
    assert await counts(engine) == (1, 1)

    await upgrade(engine)
    assert await current(engine) == HEAD  # the head, through 0002
    assert await tables(engine) >= NEW_TABLES
    assert "source_ref" in await columns(engine, "submission")
    assert "username" in await columns(engine, "contact")
    assert await counts(engine) == (1, 1)
    assert await schema_diff(engine) == []

    await downgrade(engine, "0001")
    assert await current(engine) == "0001"
    assert not NEW_TABLES & await tables(engine)
    assert "source_ref" not in await columns(engine, "submission")
    assert "username" not in await columns(engine, "contact")
    assert await counts(engine) == (1, 1)

    await upgrade(engine)
    assert await counts(engine) == (1, 1)
    assert await schema_diff(engine) == []
    async with write_session(engine) as session:
        await session.execute(sa.text("UPDATE submission SET source_ref = 'tg:1'"))
