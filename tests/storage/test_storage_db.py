"""Engines and transactions: UTC round trips, string chat ids, no lost concurrent updates."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW

from storage.audit import record_audit
from storage.db import database_url_for, make_engine, read_session, write_session
from storage.migrate import upgrade
from storage.models import AuditRecord, ContactRecord, UnitRecord, audit_t, contact_t, unit_t


async def add_unit(engine: AsyncEngine, key: str = "kh") -> int:
    async with write_session(engine) as session:
        unit = UnitRecord(key=key, name=f"Phòng {key}", short_name=key, type="unit")
        session.add(unit)
        await session.flush()
        assert unit.id is not None
        return unit.id


async def test_datetimes_come_back_as_aware_utc(engine: AsyncEngine) -> None:
    local = datetime(2024, 6, 4, 23, 59, 59, 123456, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    async with write_session(engine) as session:
        await record_audit(session, at=local, actor="test", action="tz", detail={"n": 1})
    async with read_session(engine) as session:
        record = (await session.execute(sa.select(AuditRecord))).scalar_one()
        core_at = await session.scalar(sa.select(audit_t.c.at))
        later = await session.scalar(
            sa.select(sa.func.count()).where(audit_t.c.at > datetime(2024, 6, 4, 16, 0, tzinfo=UTC))
        )
    assert record.at == local
    assert record.at.utcoffset() == timedelta(0)
    assert record.at == datetime(2024, 6, 4, 16, 59, 59, 123456, tzinfo=UTC)
    assert record.at.tzinfo is not None and core_at == local
    assert record.detail == {"n": 1}
    assert later == 1  # comparisons with an aware bound value are in UTC too


async def test_offsets_other_than_the_plan_timezone(engine: AsyncEngine) -> None:
    at = datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5)))
    async with write_session(engine) as session:
        await record_audit(session, at=at, actor="t", action="a", detail={})
    async with read_session(engine) as session:
        stored = await session.scalar(sa.select(audit_t.c.at))
    assert stored == at and stored is not None and stored.tzinfo is not None
    assert (stored.hour, stored.utcoffset()) == (5, timedelta(0))


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with write_session(engine) as session:
            await session.execute(
                sa.insert(audit_t).values(
                    at=datetime(2024, 1, 1),
                    actor="t",
                    action="a",
                    detail={},
                )
            )


@pytest.mark.parametrize(
    ("platform", "user_id", "chat_id"),
    [
        ("telegram", str(2**63 - 1), str(-(10**12) - 1234567890)),  # supergroup-style id
        ("telegram", "7000000001", "7000000001"),  # beyond int32
        ("zalo", "8f3a2b1c0d9e8f7a6b5c", "e1d2c3b4a5968778"),
    ],
)
async def test_chat_ids_are_strings(
    engine: AsyncEngine, platform: str, user_id: str, chat_id: str
) -> None:
    unit_id = await add_unit(engine)
    async with write_session(engine) as session:
        session.add(
            ContactRecord(
                platform=platform,
                user_id=user_id,
                chat_id=chat_id,
                display_name="Nguyễn Văn A",
                unit_id=unit_id,
                role="head",
                created_at=NOW,
            )
        )
    async with read_session(engine) as session:
        row = (
            await session.execute(
                sa.select(contact_t.c.user_id, contact_t.c.chat_id).where(
                    contact_t.c.platform == platform, contact_t.c.user_id == user_id
                )
            )
        ).one()
    assert tuple(row) == (user_id, chat_id)


async def test_contact_is_unique_per_platform_and_user(engine: AsyncEngine) -> None:
    unit_id = await add_unit(engine)

    def contact(platform: str) -> ContactRecord:
        return ContactRecord(
            platform=platform,
            user_id="42",
            chat_id="42",
            unit_id=unit_id,
            role="head",
            created_at=NOW,
        )

    async with write_session(engine) as session:
        session.add_all([contact("telegram"), contact("zalo")])
    with pytest.raises(sa.exc.IntegrityError):
        async with write_session(engine) as session:
            session.add(contact("telegram"))


async def increment(engine: AsyncEngine, unit_id: int, pause: float) -> None:
    """A read-modify-write on unit.name (a counter), the way application code would do it."""
    async with write_session(engine) as session:
        value = await session.scalar(
            sa.select(unit_t.c.name).where(unit_t.c.id == unit_id).with_for_update()
        )
        await asyncio.sleep(pause)  # let the other writers interleave
        await session.execute(
            sa.update(unit_t).where(unit_t.c.id == unit_id).values(name=str(int(value or 0) + 1))
        )


async def test_concurrent_read_modify_write_loses_nothing(engine: AsyncEngine) -> None:
    """write_session serialises writers: BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL."""
    unit_id = await add_unit(engine)
    async with write_session(engine) as session:
        await session.execute(sa.update(unit_t).values(name="0"))
    engines = [engine] + [make_engine(engine.url.render_as_string(False)) for _ in range(3)]
    if engine.dialect.name == "postgresql":
        for other in engines[1:]:
            await other.dispose()
        engines = [engine]  # one pool of many connections; the schema is on this engine
    try:
        await asyncio.gather(
            *(increment(engines[n % len(engines)], unit_id, 0.001) for n in range(80))
        )
    finally:
        for other in engines[1:]:
            await other.dispose()
    async with read_session(engine) as session:
        assert await session.scalar(sa.select(unit_t.c.name)) == "80"


async def test_sqlite_begin_statements(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    statements: list[str] = []

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    try:
        async with write_session(engine) as session:
            await session.execute(sa.text("SELECT 1"))
        async with read_session(engine) as session:
            await session.execute(sa.text("SELECT 2"))
    finally:
        await engine.dispose()
    assert statements == ["BEGIN IMMEDIATE", "SELECT 1", "BEGIN", "SELECT 2"]


async def test_sqlite_deferred_transactions_would_fail(tmp_path: Path) -> None:
    """The same workload with plain BEGIN: writers collide (SQLITE_BUSY) instead of queueing."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}"
    await upgrade(url)
    engines = [make_engine(url) for _ in range(4)]
    unit_id = await add_unit(engines[0])
    async with write_session(engines[0]) as session:
        await session.execute(sa.update(unit_t).values(name="0"))

    async def deferred_increment(engine: AsyncEngine) -> None:
        async with read_session(engine) as session:  # plain BEGIN
            value = await session.scalar(sa.select(unit_t.c.name).where(unit_t.c.id == unit_id))
            await asyncio.sleep(0.005)
            await session.execute(
                sa.update(unit_t)
                .where(unit_t.c.id == unit_id)
                .values(name=str(int(value or 0) + 1))
            )

    try:
        results = await asyncio.gather(
            *(deferred_increment(engines[n % 4]) for n in range(20)), return_exceptions=True
        )
        async with read_session(engines[0]) as session:
            final = int(await session.scalar(sa.select(unit_t.c.name)) or 0)
    finally:
        for engine in engines:
            await engine.dispose()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(f, OperationalError) for f in failures), failures
    assert failures or final < 20  # some writers failed (or, worse, overwrote each other)
    assert final == 20 - len(failures)  # BEGIN before the read: a snapshot, no silent loss


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask: SQLite alone would create 0644 files
    try:
        data = tmp_path / "data"
        engine = make_engine(database_url_for(data))
        try:
            await upgrade(engine)
            await add_unit(engine)
            for name in ("baocao.db", "baocao.db-wal", "baocao.db-shm"):
                assert mode(data / name) == 0o600, name
        finally:
            await engine.dispose()
        assert mode(data) == 0o700
        elsewhere = tmp_path / "elsewhere.db"  # BAOCAO_DATABASE_URL=sqlite:///elsewhere.db
        engine = make_engine(f"sqlite+aiosqlite:///{elsewhere}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        assert mode(elsewhere) == 0o600
    finally:
        os.umask(previous)
