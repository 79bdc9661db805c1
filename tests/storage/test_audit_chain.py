"""The audit trail as a hash chain: appends by concurrent writers stay one line, triggers refuse
changes, the migration chains old rows, and the check names the first row tampered with."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import POSTGRES_URL

from storage.audit import (
    GENESIS,
    ChainBreak,
    SqlAuditLog,
    _Row,
    _Walk,
    record_audit,
    row_hash,
    verify_chain,
)
from storage.db import make_engine, read_connection, write_session
from storage.migrate import downgrade, upgrade
from storage.models import audit_head_t, audit_t

T0 = datetime(2026, 5, 18, 2, 0, tzinfo=UTC)


async def append(engine: AsyncEngine, count: int, *, actor: str = "cli") -> None:
    log = SqlAuditLog(engine)
    for n in range(count):
        await log.audit(
            actor=actor,
            action="invite.create",
            detail={"code": f"M{n}", "unit": "kh", "at": T0},
            now=T0 + timedelta(minutes=n),
        )


async def rows(engine: AsyncEngine) -> list[sa.Row[tuple[object, ...]]]:
    async with read_connection(engine) as connection:
        return list(await connection.execute(sa.select(audit_t).order_by(audit_t.c.id)))


async def drop_guards(engine: AsyncEngine) -> None:
    """What someone with the database's own rights can do first."""
    async with write_session(engine) as session:
        if engine.dialect.name == "postgresql":
            await session.execute(sa.text("DROP TRIGGER audit_append_only ON audit"))
        else:
            await session.execute(sa.text("DROP TRIGGER audit_no_update"))
            await session.execute(sa.text("DROP TRIGGER audit_no_delete"))


async def tamper(engine: AsyncEngine, statement: sa.Executable) -> None:
    async with write_session(engine) as session:
        await session.execute(statement)


async def test_rows_chain_from_genesis(engine: AsyncEngine) -> None:
    await append(engine, 3)
    found = await rows(engine)
    assert [row.id for row in found] == [1, 2, 3]
    assert found[0].prev_hash == GENESIS
    for before, row in itertools.pairwise(found):
        assert row.prev_hash == before.row_hash
    for row in found:
        assert row.row_hash == row_hash(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
    assert found[0].detail["at"] == T0.isoformat(sep=" ")  # stored as it was hashed
    check = await verify_chain(engine)
    assert (check.rows, check.broken) == (3, None)


async def test_an_empty_trail_is_whole(engine: AsyncEngine) -> None:
    check = await verify_chain(engine)
    assert (check.rows, check.broken) == (0, None)


async def test_concurrent_writers_keep_one_line(engine: AsyncEngine) -> None:
    other = await second_engine(engine)
    try:
        await asyncio.gather(
            append(engine, 25, actor="first"),
            append(other, 25, actor="second"),
            *(append(engine, 5, actor=f"more{n}") for n in range(3)),
        )
    finally:
        await other.dispose()
    found = await rows(engine)
    assert [row.id for row in found] == list(range(1, 66))
    assert len({row.prev_hash for row in found}) == 65  # no two rows chain onto one
    check = await verify_chain(engine)
    assert (check.rows, check.broken) == (65, None)


async def second_engine(engine: AsyncEngine) -> AsyncEngine:
    """Another pool on the same database, as a second process has: its own connections."""
    if engine.dialect.name != "postgresql":
        return make_engine(engine.url.render_as_string(hide_password=False))
    async with engine.connect() as connection:
        schema = await connection.scalar(sa.text("SELECT current_schema()"))
    return make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


async def test_rows_cannot_be_changed_or_removed(engine: AsyncEngine) -> None:
    await append(engine, 2)
    for statement in (
        sa.update(audit_t).where(audit_t.c.id == 1).values(actor="someone else"),
        sa.delete(audit_t).where(audit_t.c.id == 2),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            await tamper(engine, statement)
    assert len(await rows(engine)) == 2


async def test_an_altered_row_is_named(engine: AsyncEngine) -> None:
    await append(engine, 5)
    await drop_guards(engine)
    await tamper(engine, sa.update(audit_t).where(audit_t.c.id == 3).values(actor="someone"))
    assert (await verify_chain(engine)).broken == ChainBreak("altered", 3)


async def test_an_altered_row_hashed_again_is_named(engine: AsyncEngine) -> None:
    await append(engine, 5)
    await drop_guards(engine)
    row = (await rows(engine))[2]
    forged = row_hash(
        id=3,
        at=row.at,
        actor="someone",
        action=row.action,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )
    await tamper(
        engine,
        sa.update(audit_t).where(audit_t.c.id == 3).values(actor="someone", row_hash=forged),
    )
    assert (await verify_chain(engine)).broken == ChainBreak("altered", 3)


async def test_the_last_row_altered_and_hashed_again_is_named(engine: AsyncEngine) -> None:
    await append(engine, 3)
    await drop_guards(engine)
    row = (await rows(engine))[2]
    forged = row_hash(
        id=3, at=row.at, actor="x", action=row.action, detail=row.detail, prev_hash=row.prev_hash
    )
    await tamper(
        engine, sa.update(audit_t).where(audit_t.c.id == 3).values(actor="x", row_hash=forged)
    )
    assert (await verify_chain(engine)).broken == ChainBreak("altered", 3)


async def test_a_removed_row_is_named(engine: AsyncEngine) -> None:
    await append(engine, 5)
    await drop_guards(engine)
    await tamper(engine, sa.delete(audit_t).where(audit_t.c.id.in_([2, 3])))
    assert (await verify_chain(engine)).broken == ChainBreak("removed", 4, after_id=1)


async def test_the_first_rows_removed_are_named(engine: AsyncEngine) -> None:
    await append(engine, 3)
    await drop_guards(engine)
    await tamper(engine, sa.delete(audit_t).where(audit_t.c.id == 1))
    assert (await verify_chain(engine)).broken == ChainBreak("removed", 2, after_id=None)


async def test_rows_cut_off_the_end_are_seen(engine: AsyncEngine) -> None:
    await append(engine, 4)
    await drop_guards(engine)
    await tamper(engine, sa.delete(audit_t).where(audit_t.c.id >= 3))
    assert (await verify_chain(engine)).broken == ChainBreak("removed", None, after_id=2)


async def test_a_row_added_past_the_end_is_named(engine: AsyncEngine) -> None:
    await append(engine, 3)
    last = (await rows(engine))[-1]
    # Well formed and linked: only the recorded head shows it was not appended by baocao.
    forged = row_hash(
        id=4, at=T0, actor="cli", action="plan.apply", detail={}, prev_hash=last.row_hash
    )
    await tamper(
        engine,
        sa.insert(audit_t).values(
            id=4,
            at=T0,
            actor="cli",
            action="plan.apply",
            detail={},
            prev_hash=last.row_hash,
            row_hash=forged,
        ),
    )
    assert (await verify_chain(engine)).broken == ChainBreak("inserted", 4)


async def test_the_progress_is_told(engine: AsyncEngine) -> None:
    await append(engine, 3)
    told: list[int] = []
    await verify_chain(engine, advance=told.append)
    assert sum(told) == 3


def test_a_row_slipped_into_a_gap_is_named() -> None:
    # Rows migrated from before the chain may have gaps in their ids; a row put in one links
    # to the row before it, but the row after it still links past it.
    a = _Row(id=1, prev_hash=GENESIS, row_hash="a" * 64, valid=True)
    b = _Row(id=5, prev_hash="a" * 64, row_hash="b" * 64, valid=True)
    slipped = _Row(id=3, prev_hash="f" * 64, row_hash="c" * 64, valid=True)
    walk = _Walk((5, "b" * 64))
    for row in (a, slipped, b):
        walk.take(row)
    walk.finish()
    assert walk.broken == ChainBreak("inserted", 3)


async def test_the_migration_chains_the_rows_before_it(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine, "0009")
    async with write_session(empty_engine) as session:
        for n, name in enumerate(["Nguyễn Văn A", "Trần Thị B", "C"]):
            await session.execute(
                sa.text(
                    "INSERT INTO audit (id, at, actor, action, detail)"
                    " VALUES (:id, :at, 'cli', 'invite.create', :detail)"
                ),
                {
                    "id": 2 * n + 1,  # gaps, as a PostgreSQL sequence leaves them
                    "at": T0 + timedelta(seconds=n, microseconds=n),
                    "detail": f'{{"code": "M{n}", "who": "{name}", "n": {n}}}',
                },
            )
    await upgrade(empty_engine)
    check = await verify_chain(empty_engine)
    assert (check.rows, check.broken) == (3, None)
    await append(empty_engine, 2)  # appends go on from the last one
    found = await rows(empty_engine)
    assert [row.id for row in found] == [1, 3, 5, 6, 7]
    assert (await verify_chain(empty_engine)).broken is None
    # Down, up again: the chain is made again the same way.
    await downgrade(empty_engine, "0009")
    await append_old(empty_engine)
    await upgrade(empty_engine)
    check = await verify_chain(empty_engine)
    assert (check.rows, check.broken) == (6, None)
    async with read_connection(empty_engine) as connection:
        head = (await connection.execute(sa.select(audit_head_t))).one()
    assert head.last_id == 8


async def append_old(engine: AsyncEngine) -> None:
    """An append as the schema before the chain made it: the id from the sequence."""
    async with write_session(engine) as session:
        await session.execute(
            sa.text("INSERT INTO audit (at, actor, action, detail) VALUES (:at, 'cli', 'x', '{}')"),
            {"at": T0},
        )


async def test_record_audit_refuses_naive_times(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with write_session(engine) as session:
            await record_audit(session, at=datetime(2026, 1, 1), actor="cli", action="x", detail={})


def test_the_hash_is_over_canonical_json() -> None:
    one = row_hash(
        id=1, at=T0, actor="cli", action="a", detail={"b": 1, "a": "ư"}, prev_hash=GENESIS
    )
    other = row_hash(
        id=1,
        at=T0.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")),
        actor="cli",
        action="a",
        detail={"a": "ư", "b": 1},
        prev_hash=GENESIS,
    )
    assert one == other and len(one) == 64
