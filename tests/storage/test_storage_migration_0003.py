"""Migration 0003 on a database with reminders: 0002 -> 0003 -> 0002 -> 0003 keeps every row."""

from __future__ import annotations

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, NOW, audit_before_0010

from storage.db import read_session, write_session
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.plans import apply_plan


async def columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: sa.inspect(sync).get_columns("reminder"))
    return {column["name"] for column in found}


async def statuses(engine: AsyncEngine) -> list[str]:
    async with read_session(engine) as session:
        rows = await session.execute(sa.text("SELECT status FROM reminder ORDER BY rule_key"))
        return [str(status) for (status,) in rows]


async def test_0003_up_down_up_with_reminders(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    await upgrade(engine, "0002")
    with audit_before_0010():
        await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    async with write_session(engine) as session:
        # SQLite keeps UTC text in SQLAlchemy's format; asyncpg takes the aware datetime.
        sqlite_now = NOW.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        params = {"now": sqlite_now if engine.dialect.name == "sqlite" else NOW}
        for rule in ("1d", "7d"):
            await session.execute(
                sa.text(
                    "INSERT INTO reminder (instance_id, unit_id, kind, rule_key, due_at, status,"
                    " attempts) SELECT min(id), NULL, 'unit', :rule, :now, 'pending', 0"
                    " FROM report_instance"
                ),
                {**params, "rule": rule},
            )
    assert await statuses(engine) == ["pending", "pending"]

    await upgrade(engine)
    assert await current(engine) == HEAD  # the head, through 0003
    assert "note" in await columns(engine)
    assert await schema_diff(engine) == []
    async with write_session(engine) as session:
        await session.execute(
            sa.text(
                "UPDATE reminder SET status = 'missed', note = 'deadline' WHERE rule_key = '1d'"
            )
        )

    await downgrade(engine, "0002")
    assert await current(engine) == "0002"
    assert "note" not in await columns(engine)
    # 0002's code knows no "missed": such a row reads as skipped, as it would have been.
    assert await statuses(engine) == ["skipped", "pending"]

    await upgrade(engine)
    assert await current(engine) == HEAD  # the head, through 0003
    assert await statuses(engine) == ["skipped", "pending"]
    assert await schema_diff(engine) == []
