"""Migration 0004 on a database with reminders: 0003 -> 0004 -> 0003 -> 0004 keeps every row."""

from __future__ import annotations

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, LATER_TABLES, NOW, audit_before_0010, row_counts

from bot.core.ports import Outgoing
from storage.db import write_session
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.outbox import SqlOutbox
from storage.plans import apply_plan


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_0004_up_down_up_with_reminders(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    await upgrade(engine, "0003")
    with audit_before_0010():
        await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    async with write_session(engine) as session:
        # SQLite keeps UTC text in SQLAlchemy's format; asyncpg takes the aware datetime.
        sqlite_now = NOW.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        params = {"now": sqlite_now if engine.dialect.name == "sqlite" else NOW}
        await session.execute(
            sa.text(
                "INSERT INTO reminder (instance_id, unit_id, kind, rule_key, due_at, status,"
                " attempts, note) SELECT min(id), NULL, 'summary', '1d', :now, 'sent', 1, NULL"
                " FROM report_instance"
            ),
            params,
        )
    assert "outbox" not in await tables(engine)
    before = await row_counts_at_0003(engine)

    await upgrade(engine)
    assert await current(engine) == HEAD  # the head, through 0004
    assert await schema_diff(engine) == []
    outbox = SqlOutbox(engine)
    assert await outbox.put([Outgoing("console", "ana", "Nhắc hạn")], now=NOW) == 1
    assert await outbox.waiting() == {"console": 1}

    await downgrade(engine, "0003")
    assert await current(engine) == "0003"
    assert "outbox" not in await tables(engine)
    assert await row_counts_at_0003(engine) == before

    await upgrade(engine)
    assert await current(engine) == HEAD  # the head, through 0004
    assert await schema_diff(engine) == []
    assert (await row_counts(engine))["outbox"] == 0
    assert await row_counts_at_0003(engine) == before


async def row_counts_at_0003(engine: AsyncEngine) -> dict[str, int]:
    """Rows in every table 0003 has (the models' tables but the outbox and signatures)."""
    async with engine.connect() as connection:
        counts = {}
        later = {"alembic_version", "outbox", "submission_signature"}
        later |= {"web_secret", "web_link", "web_session", "web_notice"} | LATER_TABLES
        for name in sorted(await tables(engine) - later):
            counts[name] = int(
                await connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0
            )
    return counts
