"""The outbox on SQLite and PostgreSQL: queued once, claimed by one process only, within reach."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import submit_as_unit
from test_storage_reminders import another_engine

from bot.core.model import Button, Contact, RedeemStatus
from bot.core.plan.model import Role
from bot.core.ports import Outgoing
from bot.core.rules.reminders import Kind, PlannedRow
from storage.db import write_session
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.models import contact_t
from storage.outbox import SqlOutbox
from storage.plans import apply_plan
from storage.reminders import ReminderStore
from storage.repository import SqlRepository

NOW = datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
EVERYWHERE: dict[str, frozenset[str] | None] = {"telegram": None, "console": None}


async def person(engine: AsyncEngine, platform: str, user: str, unit: str = "kh") -> Contact:
    repo = SqlRepository(engine, LocalFileStore(Path("/nonexistent")))
    invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=NOW)
    redeemed = await repo.redeem_invite(
        code=invite.code,
        platform=platform,
        user_id=user,
        chat_id=user,
        display_name=f"Người {user}",
        now=NOW,
    )
    assert redeemed.status is RedeemStatus.REGISTERED and redeemed.contact is not None
    return redeemed.contact


async def reminder_ids(engine: AsyncEngine, count: int, unit: str = "kh") -> list[int]:
    """`count` unit reminders of the first instance, for messages to come from."""
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    store = ReminderStore(engine)
    first = min((await store.instance_ids()).values())
    rows = [PlannedRow(first, unit, Kind.UNIT, f"{n}d", NOW) for n in range(count)]
    await store.plant(rows, kinds=frozenset({Kind.UNIT}), now=NOW)
    return [row.id for row in await store.claim(worker="w", now=NOW, lease=LEASE, limit=count)]


def to(contact: Contact, text: str, reminder: int | None = None) -> Outgoing:
    return Outgoing(
        platform=contact.platform,
        chat_id=contact.chat_id,
        text=text,
        contact_id=contact.id,
        reminder_id=reminder,
    )


async def test_a_reminders_message_to_a_chat_is_queued_once(engine: AsyncEngine) -> None:
    (reminder,) = await reminder_ids(engine, 1)
    ana = await person(engine, "console", "ana")
    outbox = SqlOutbox(engine)
    keyboard = ((Button("Nộp ngay", "r:1"),),)
    message = Outgoing("console", "ana", "Nhắc hạn", keyboard, ana.id, reminder)
    assert await outbox.put([message], now=NOW) == 1
    assert await outbox.put([message], now=NOW) == 0  # the reminder sent again: not twice
    notice = Outgoing("telegram", "group", "Thông báo")
    assert await outbox.put([notice, notice], now=NOW) == 2  # a notice is no reminder's
    assert await outbox.waiting() == {"console": 1, "telegram": 2}
    claimed = await outbox.claim(reach=EVERYWHERE, worker="w", now=NOW, lease=LEASE, limit=10)
    first = next(m for m in claimed if m.platform == "console")
    assert (first.text, first.keyboard, first.contact, first.attempts) == (
        "Nhắc hạn",
        keyboard,
        ana,
        1,
    )
    assert sorted((m.chat_id, m.contact is None) for m in claimed) == [
        ("ana", False),
        ("group", True),
        ("group", True),
    ]


async def test_a_claim_takes_only_the_chats_the_process_reaches(engine: AsyncEngine) -> None:
    await reminder_ids(engine, 0)
    people = [
        await person(engine, platform, user)
        for platform, user in [("telegram", "1"), ("console", "ana"), ("console", "bo")]
    ]
    outbox = SqlOutbox(engine)
    await outbox.put([to(p, "nhắc") for p in people], now=NOW)
    await outbox.put([Outgoing("zalo", "z1", "nhắc")], now=NOW)

    async def claim(reach: dict[str, frozenset[str] | None]) -> list[tuple[str, str]]:
        found = await outbox.claim(reach=reach, worker="w", now=NOW, lease=LEASE, limit=10)
        return sorted((m.platform, m.chat_id) for m in found)

    assert await claim({}) == []
    assert await claim({"console": frozenset()}) == []
    # A console at Bô's terminal, with Telegram: Ana's message waits for her own console.
    assert await claim({"telegram": None, "console": frozenset({"bo"})}) == [
        ("console", "bo"),
        ("telegram", "1"),
    ]
    assert await claim({"console": frozenset({"ana"})}) == [("console", "ana")]
    assert await outbox.waiting() == {"console": 2, "telegram": 1, "zalo": 1}


async def test_two_processes_claim_disjoint_messages(engine: AsyncEngine) -> None:
    await reminder_ids(engine, 0)
    ana = await person(engine, "telegram", "ana")
    outbox = SqlOutbox(engine)
    await outbox.put([to(ana, f"tin {n}") for n in range(120)], now=NOW)
    other_engine = await another_engine(engine)
    other = SqlOutbox(other_engine)
    sent: dict[str, list[int]] = {"a": [], "b": []}

    async def worker(name: str, where: SqlOutbox) -> None:
        while batch := await where.claim(
            reach={"telegram": None}, worker=name, now=NOW, lease=LEASE, limit=7
        ):
            for message in batch:
                sent[name].append(message.id)
                assert await where.sent(message_id=message.id, worker=name, now=NOW)

    try:
        await asyncio.gather(worker("a", outbox), worker("b", other), worker("a", outbox))
    finally:
        await other_engine.dispose()
    everything = sent["a"] + sent["b"]
    assert len(everything) == 120 and len(set(everything)) == 120
    assert await outbox.counts() == {"sent": 120}
    assert await outbox.waiting() == {}


async def test_leases_expire_renew_and_come_back_from_dead_holders(engine: AsyncEngine) -> None:
    await reminder_ids(engine, 0)
    ana = await person(engine, "telegram", "ana")
    outbox = SqlOutbox(engine)
    await outbox.put([to(ana, "một"), to(ana, "hai"), to(ana, "ba")], now=NOW)
    reach = {"telegram": None}
    one, two = await outbox.claim(reach=reach, worker="alive", now=NOW, lease=LEASE, limit=2)
    (three,) = await outbox.claim(reach=reach, worker="dead", now=NOW, lease=LEASE, limit=5)
    assert await outbox.holders() == ["alive", "dead"]
    for beat in range(1, 9):  # beats every 15 s, long after the first lease would have ended
        assert await outbox.renew(worker="alive", now=NOW + beat * LEASE / 4, lease=LEASE) == 2
    later = NOW + 2 * LEASE
    (taken,) = await outbox.claim(reach=reach, worker="rival", now=later, lease=LEASE, limit=5)
    assert (taken.id, taken.attempts) == (three.id, 2)  # the dead holder's lease ran out
    assert not await outbox.sent(message_id=three.id, worker="dead", now=later)
    # A holder known dead gives its claims back at once, due as they were.
    assert await outbox.take_back(["rival"]) == 1
    (again,) = await outbox.claim(reach=reach, worker="w", now=later, lease=LEASE, limit=5)
    assert again.id == three.id
    # A pass that ends early gives back the rest; a failed send waits.
    assert await outbox.give_back([one.id], worker="dead") == 0
    assert await outbox.give_back([one.id], worker="alive") == 1
    assert await outbox.postpone(message_id=two.id, worker="alive", due_at=later + LEASE)
    assert [
        m.id for m in await outbox.claim(reach=reach, worker="x", now=later, lease=LEASE, limit=5)
    ] == [one.id]
    (retried,) = await outbox.claim(
        reach=reach, worker="x", now=later + LEASE, lease=LEASE, limit=5
    )
    assert retried.id == two.id
    assert await outbox.unreachable(message_id=two.id, worker="x", now=later + LEASE)
    assert await outbox.counts() == {"claimed": 2, "unreachable": 1}


async def test_messages_no_longer_worth_sending_are_dropped(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first, second = await reminder_ids(engine, 2)
    ana = await person(engine, "console", "ana")
    bo = await person(engine, "console", "bo", unit="tc")
    gone = await person(engine, "console", "gone", unit="tc")
    outbox = SqlOutbox(engine)
    await outbox.put([to(ana, "trước", first)], now=NOW)
    await outbox.put([to(bo, "tin"), to(gone, "tin")], now=NOW)
    async with write_session(engine) as session:
        await session.execute(
            sa.update(contact_t).where(contact_t.c.id == gone.id).values(active=False)
        )
    instance = min((await ReminderStore(engine).instance_ids()).values())
    await submit_as_unit(
        engine, tmp_path, instance_id=instance, unit_key="kh", now=NOW + timedelta(minutes=1)
    )
    await outbox.put([to(ana, "sau", second)], now=NOW + timedelta(minutes=2))
    claimed = await outbox.claim(
        reach=EVERYWHERE, worker="w", now=NOW + timedelta(minutes=3), lease=LEASE, limit=10
    )
    # Phòng KH reported after the first reminder was queued; the second came after.
    assert sorted(m.text + ":" + m.chat_id for m in claimed) == ["sau:ana", "tin:bo"]
    assert await outbox.counts() == {"claimed": 2, "dropped": 2}


async def test_ended_messages_are_pruned_after_a_while(engine: AsyncEngine) -> None:
    await reminder_ids(engine, 0)
    ana = await person(engine, "telegram", "ana")
    outbox = SqlOutbox(engine)
    await outbox.put([to(ana, "cũ"), to(ana, "mới"), to(ana, "chờ")], now=NOW)
    old, new = await outbox.claim(
        reach={"telegram": None}, worker="w", now=NOW, lease=LEASE, limit=2
    )
    assert await outbox.sent(message_id=old.id, worker="w", now=NOW)
    assert await outbox.sent(message_id=new.id, worker="w", now=NOW + timedelta(days=20))
    assert await outbox.prune(before=NOW + timedelta(days=10)) == 1
    assert await outbox.counts() == {"sent": 1, "queued": 1}


async def test_a_claimed_message_says_which_reminder_and_instance_it_comes_from(
    engine: AsyncEngine,
) -> None:
    """What the sending process needs to add the instance's chart to a queued summary."""
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    store = ReminderStore(engine)
    first = min((await store.instance_ids()).values())
    await store.plant(
        [
            PlannedRow(first, "kh", Kind.UNIT, "1d", NOW),
            PlannedRow(first, None, Kind.SUMMARY, "summary:1", NOW),
        ],
        kinds=frozenset({Kind.UNIT, Kind.SUMMARY}),
        now=NOW,
    )
    rows = await store.claim(worker="w", now=NOW, lease=LEASE, limit=10)
    by_kind = {row.kind: row.id for row in rows}
    outbox = SqlOutbox(engine)
    await outbox.put(
        [
            Outgoing("console", "ana", "Nhắc hạn", reminder_id=by_kind[Kind.UNIT]),
            Outgoing("console", "office", "Tình hình", reminder_id=by_kind[Kind.SUMMARY]),
            Outgoing("console", "office", "Không gửi được tin nhắc"),
        ],
        now=NOW,
    )
    claimed = await outbox.claim(reach=EVERYWHERE, worker="w", now=NOW, lease=LEASE, limit=10)
    assert sorted((m.text, m.reminder_id, m.kind, m.instance_id) for m in claimed) == [
        ("Không gửi được tin nhắc", None, None, None),
        ("Nhắc hạn", by_kind[Kind.UNIT], Kind.UNIT, first),
        ("Tình hình", by_kind[Kind.SUMMARY], Kind.SUMMARY, first),
    ]
