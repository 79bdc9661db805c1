"""Reminder rows on SQLite and PostgreSQL: planted idempotently, claimed by one process only."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import admin_execute

from bot.core.plan.model import Role
from bot.core.rules.reminders import Kind, Outcome, PlannedRow
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.models import ReminderStatus, reminder_t
from storage.plans import apply_plan
from storage.reminders import ReminderStore
from storage.repository import SqlRepository

NOW = datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)  # every row from `rows` is due
HOUR = timedelta(hours=1)


async def prepared(engine: AsyncEngine) -> tuple[ReminderStore, list[int]]:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    store = ReminderStore(engine)
    return store, sorted((await store.instance_ids()).values())


def rows(instance: int, count: int, *, at: datetime = NOW) -> list[PlannedRow]:
    units = ["kh", "tc", "ns"]
    return [
        PlannedRow(instance, units[n % 3], Kind.UNIT, f"{n // 3}d", at + timedelta(seconds=n))
        for n in range(count)
    ]


async def another_engine(engine: AsyncEngine) -> AsyncEngine:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return make_engine(url)
    async with engine.connect() as connection:
        path = await connection.scalar(sa.text("SHOW search_path"))
    return make_engine(url, connect_args={"server_settings": {"search_path": path}})


async def test_plant_is_idempotent_moves_and_cancels(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    assert await store.plant(rows(first, 6), kinds=frozenset({Kind.UNIT}), now=NOW) == 6
    assert await store.plant(rows(first, 6), kinds=frozenset({Kind.UNIT}), now=NOW) == 0
    later = rows(first, 6, at=NOW + timedelta(days=1))[:4]  # moved, and two no longer wanted
    assert await store.plant(later, kinds=frozenset({Kind.UNIT}), now=NOW) == 6
    assert await store.counts() == {"pending": 4, "cancelled": 2}


async def test_ensure_adds_only_what_is_missing(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    daily = [
        PlannedRow(first, "kh", Kind.OVERDUE, "overdue:2024-06-05", NOW),
        PlannedRow(first, None, Kind.LATE_LIST, "late:2024-06-05", NOW),
    ]
    assert await store.ensure(daily) == 2
    assert await store.ensure(daily) == 0
    results = await asyncio.gather(store.ensure(daily), store.ensure(daily))
    assert results == [0, 0]
    assert await store.counts() == {"pending": 2}


async def test_two_processes_claim_disjoint_rows(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 300), kinds=frozenset({Kind.UNIT}), now=NOW)
    other_engine = await another_engine(engine)
    other = ReminderStore(other_engine)
    claimed: dict[str, list[int]] = {"a": [], "b": []}

    async def worker(name: str, where: ReminderStore) -> None:
        while batch := await where.claim(
            worker=name, now=NOW + timedelta(hours=1), lease=timedelta(minutes=5), limit=7
        ):
            for row in batch:
                claimed[name].append(row.id)
                assert await where.finish(
                    reminder_id=row.id, worker=name, status=Outcome.SENT, now=NOW
                )

    try:
        await asyncio.gather(worker("a", store), worker("b", other), worker("a", store))
    finally:
        await other_engine.dispose()
    everything = claimed["a"] + claimed["b"]
    assert len(everything) == 300 and len(set(everything)) == 300
    assert await store.counts() == {"sent": 300}


async def test_an_expired_lease_is_taken_over_and_the_old_claim_cannot_finish(
    engine: AsyncEngine,
) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 1), kinds=frozenset({Kind.UNIT}), now=NOW)
    (mine,) = await store.claim(worker="dead", now=NOW, lease=timedelta(seconds=30), limit=5)
    assert (
        await store.claim(
            worker="alive", now=NOW + timedelta(seconds=10), lease=timedelta(seconds=30), limit=5
        )
        == []
    )
    (taken,) = await store.claim(
        worker="alive", now=NOW + timedelta(seconds=31), lease=timedelta(seconds=30), limit=5
    )
    assert taken.id == mine.id and taken.attempts == 2
    assert not await store.finish(reminder_id=mine.id, worker="dead", status=Outcome.SENT, now=NOW)
    assert await store.finish(reminder_id=mine.id, worker="alive", status=Outcome.SENT, now=NOW)


async def test_a_renewed_lease_keeps_the_claim_and_a_dead_holders_rows_come_back(
    engine: AsyncEngine,
) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 3), kinds=frozenset({Kind.UNIT}), now=LATER)
    lease = timedelta(seconds=60)
    one, _ = await store.claim(worker="alive", now=LATER, lease=lease, limit=2)
    (three,) = await store.claim(worker="dead", now=LATER, lease=lease, limit=5)
    # Beats every 15 s: long after the first lease would have ended, nobody can take them.
    for beat in range(1, 9):
        assert await store.renew(worker="alive", now=LATER + beat * lease / 4, lease=lease) == 2
    taken = await store.claim(worker="rival", now=LATER + lease * 2, lease=lease, limit=5)
    assert [row.id for row in taken] == [three.id]  # the dead holder's: its lease ran out
    assert await store.holders() == ["alive", "rival"]
    assert await store.take_back(["rival"]) == 1
    assert await store.holders() == ["alive"]
    (again,) = await store.claim(worker="w", now=LATER + lease * 2, lease=lease, limit=5)
    assert again.id == three.id and again.due_at == three.due_at
    assert await store.finish(
        reminder_id=one.id, worker="alive", status=Outcome.SENT, now=LATER + lease * 2
    )
    assert not await store.finish(
        reminder_id=three.id, worker="rival", status=Outcome.SENT, now=NOW
    )
    assert await store.counts() == {"claimed": 2, "sent": 1}


async def test_a_missed_reminder_keeps_why_and_late_planting_adds_no_row(
    engine: AsyncEngine,
) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 1), kinds=frozenset({Kind.UNIT}), now=NOW)
    (row,) = await store.claim(worker="w", now=NOW, lease=timedelta(minutes=1), limit=5)
    assert await store.finish(
        reminder_id=row.id, worker="w", status=Outcome.MISSED, now=NOW, note="deadline_passed"
    )
    async with engine.connect() as connection:
        status, note = (
            await connection.execute(
                sa.select(reminder_t.c.status, reminder_t.c.note).where(reminder_t.c.id == row.id)
            )
        ).one()
    assert (status, note) == ("missed", "deadline_passed")
    # Rows of a deadline already past when first planted are left out; kept rows stay.
    late = [
        PlannedRow(first, "kh", Kind.UNIT, "0d", NOW, expires_at=NOW),
        PlannedRow(first, "tc", Kind.UNIT, "1d", NOW, expires_at=NOW),
    ]
    assert await store.plant(late, kinds=frozenset({Kind.UNIT}), now=NOW) == 0
    assert await store.counts() == {"missed": 1}


async def test_postpone_gives_the_row_back(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 1), kinds=frozenset({Kind.UNIT}), now=NOW)
    (row,) = await store.claim(worker="w", now=NOW, lease=timedelta(minutes=1), limit=5)
    later = NOW + timedelta(hours=9)
    assert await store.postpone(reminder_id=row.id, worker="w", due_at=later)
    assert (
        await store.claim(
            worker="w", now=NOW + timedelta(hours=8), lease=timedelta(minutes=1), limit=5
        )
        == []
    )
    (again,) = await store.claim(worker="w", now=later, lease=timedelta(minutes=1), limit=5)
    assert again.due_at == later


async def test_facts_and_cancel_for_a_unit(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 6), kinds=frozenset({Kind.UNIT}), now=NOW)
    assert await store.cancel_unit(instance_id=first, unit_key="kh", now=NOW) == 2
    (fact,) = await store.facts({first})
    assert fact.report_key == "dan-chu"
    assert sorted(u.unit_key for u in fact.missing()) == ["kh", "ns", "tc"]
    assert await store.counts() == {"pending": 4, "cancelled": 2}


async def test_marks_on_a_held_connection_store_what_the_ordinary_path_stores(
    engine: AsyncEngine,
) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 4), kinds=frozenset({Kind.UNIT}), now=NOW)
    one, two, three, four = await store.claim(
        worker="w", now=NOW + timedelta(hours=1), lease=timedelta(minutes=5), limit=10
    )
    sent_at = datetime(2024, 5, 20, 1, 2, 3, tzinfo=UTC)  # whole seconds: the format shows
    assert await store.finish(reminder_id=one.id, worker="w", status=Outcome.SENT, now=sent_at)
    async with store.marking():
        assert await store.finish(reminder_id=two.id, worker="w", status=Outcome.SENT, now=sent_at)
        assert not await store.finish(
            reminder_id=three.id, worker="someone else", status=Outcome.SENT, now=sent_at
        )
        later = NOW + timedelta(hours=9)
        assert await store.postpone(reminder_id=three.id, worker="w", due_at=later)
        assert not await store.postpone(reminder_id=three.id, worker="w", due_at=later)
    assert await store.finish(reminder_id=four.id, worker="w", status=Outcome.SKIPPED, now=NOW)
    async with engine.connect() as connection:
        stored = dict(
            (
                await connection.execute(
                    sa.text("SELECT id, sent_at FROM reminder WHERE id IN (:a, :b)"),
                    {"a": one.id, "b": two.id},
                )
            ).all()
        )
    assert stored[one.id] == stored[two.id]  # the same text on SQLite, the same instant on PG
    assert await store.counts() == {"sent": 2, "pending": 1, "skipped": 1}
    (again,) = await store.claim(worker="w", now=later, lease=timedelta(minutes=1), limit=5)
    assert (again.id, again.due_at) == (three.id, later)


async def test_a_held_connection_that_breaks_is_replaced(engine: AsyncEngine) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 2), kinds=frozenset({Kind.UNIT}), now=NOW)
    one, two = await store.claim(worker="w", now=LATER, lease=timedelta(minutes=5), limit=10)
    async with store.marking():
        assert await store.finish(reminder_id=one.id, worker="w", status=Outcome.SENT, now=NOW)
        writer = store._direct
        assert writer is not None
        if engine.dialect.name == "sqlite":
            assert writer._sqlite is not None
            writer._sqlite.close()
        else:
            pid = writer._driver.get_server_pid()
            await admin_execute(f"SELECT pg_terminate_backend({pid})")
        assert await store.finish(reminder_id=two.id, worker="w", status=Outcome.SENT, now=NOW)
    assert await store.counts() == {"sent": 2}


async def test_a_mark_waits_for_another_process_without_stopping_the_loop(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    try:
        await upgrade(engine)
        store, (first, *_) = await prepared(engine)
        await store.plant(rows(first, 2), kinds=frozenset({Kind.UNIT}), now=NOW)
        one, two = await store.claim(worker="w", now=LATER, lease=timedelta(minutes=5), limit=10)
        other = sqlite3.connect(tmp_path / "baocao.db", isolation_level=None)
        beats = 0

        async def heartbeat() -> None:
            nonlocal beats
            while True:
                await asyncio.sleep(0.02)
                beats += 1

        async with store.marking():
            assert await store.finish(reminder_id=one.id, worker="w", status=Outcome.SENT, now=NOW)
            other.execute("BEGIN IMMEDIATE")  # another process is writing
            beating = asyncio.create_task(heartbeat())
            mark = asyncio.create_task(
                store.finish(reminder_id=two.id, worker="w", status=Outcome.SENT, now=NOW)
            )
            await asyncio.sleep(0.5)
            assert not mark.done() and beats >= 10  # waiting, and the loop runs meanwhile
            other.execute("COMMIT")
            assert await mark
            beating.cancel()
        other.close()
        assert await store.counts() == {"sent": 2}
    finally:
        await engine.dispose()


async def test_the_overview_lists_coming_sent_and_missed_and_who_is_unreachable(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    store, (first, *_) = await prepared(engine)
    await store.plant(rows(first, 6), kinds=frozenset({Kind.UNIT}), now=NOW)
    one, two, three = await store.claim(worker="w", now=LATER, lease=timedelta(minutes=1), limit=3)
    for row, status, at in ((one, Outcome.SENT, LATER), (two, Outcome.SENT, LATER + HOUR)):
        assert await store.finish(reminder_id=row.id, worker="w", status=status, now=at)
    assert await store.finish(
        reminder_id=three.id, worker="w", status=Outcome.MISSED, now=LATER, note="after_hours"
    )
    invite = await create_invite(engine, unit_key="tc", role=Role.HEAD, now=NOW)
    contact = await SqlRepository(engine, LocalFileStore(tmp_path)).redeem_invite(
        code=invite.code,
        platform="telegram",
        user_id="7",
        chat_id="7",
        display_name="Người 7",
        now=NOW,
    )
    assert await store.mark_unreachable(contact_id=contact.contact.id, now=LATER)

    found = await store.overview(limit=2)
    assert (found.upcoming_total, found.sent_total, found.missed_total) == (3, 2, 1)
    assert [line.due_at for line in found.upcoming] == [NOW + timedelta(seconds=n) for n in (3, 4)]
    assert [line.sent_at for line in found.sent] == [LATER + HOUR, LATER]  # newest first
    (missed,) = found.missed
    assert (missed.status, missed.kind, missed.rule_key, missed.note) == (
        ReminderStatus.MISSED,
        Kind.UNIT,
        three.rule_key,
        "after_hours",
    )
    assert missed.unit_name is not None and missed.report_name
    (person,) = found.unreachable
    assert (person.display_name, person.platform, person.since) == ("Người 7", "telegram", LATER)


async def test_a_plan_that_drops_a_report_or_a_unit_leaves_none_of_their_reminders_coming(
    engine: AsyncEngine,
) -> None:
    """Daily chases already added for a report or unit a new plan drops (a year rolled over
    with --archive) were listed as coming by `baocao reminders`, though never to be sent."""
    from plans_factory import LEADERSHIP, OFFICE, plan, report, unit

    store, _ = await prepared(engine)
    ids = await store.instance_ids()
    old, kept = ids[("dan-chu", "2024-H1")], ids[("dan-chu-tong-hop", "2024-H1")]
    await store.ensure(
        [
            PlannedRow(old, "kh", Kind.OVERDUE, "overdue:2024-06-05", LATER),
            PlannedRow(old, None, Kind.LATE_LIST, "late:2024-06-05", LATER),
            PlannedRow(kept, "vp", Kind.OVERDUE, "overdue:2024-06-11", LATER),
        ]
    )
    rolled = plan(
        [OFFICE, LEADERSHIP, unit("tc")],  # "kh" and "ns" leave the plan
        [report("dan-chu-2025", ["tc"]), report("dan-chu-tong-hop", ["vp"], receiver="bgd")],
    )
    await apply_plan(engine, rolled, path="p.yaml", archive=True, now=NOW)
    await store.plant([], kinds=frozenset({Kind.UNIT, Kind.SUMMARY}), now=NOW)
    overview = await store.overview(limit=10)
    coming = {(line.report_name, line.kind, line.unit_name) for line in overview.upcoming}
    assert coming == {("Báo cáo dan-chu-tong-hop", Kind.OVERDUE, "Văn phòng Sở")}
    assert overview.upcoming_total == 1
