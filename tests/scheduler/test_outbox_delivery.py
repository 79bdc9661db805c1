"""Dispatchers of processes serving different platforms, over one database and its outbox.

Whichever process claims a reminder, each recipient gets exactly one copy, from the process
that reaches them: compared with one process that reaches everybody.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fakes.messenger import FakeMessenger
from sqlalchemy.ext.asyncio import AsyncEngine
from test_dispatcher import PLAN, local

from bot.app import applied_plans
from bot.core.model import Keyboard
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.ports import Messenger
from scheduler.dispatcher import Dispatcher, DispatchSettings, plant_reminders
from scheduler.workers import Worker, process_marker, this_worker
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.outbox import SqlOutbox
from storage.plans import apply_plan
from storage.reminders import ReminderStore
from storage.repository import SqlRepository

# (platform, user, unit, role): Phòng A on Telegram, Phòng B at a console; one office person
# on each; leadership at a console.
PEOPLE = [
    ("telegram", "1", "phong-a", Role.HEAD),
    ("console", "b", "phong-b", Role.HEAD),
    ("telegram", "5", "van-phong", Role.OFFICE),
    ("console", "office", "van-phong", Role.OFFICE),
    ("console", "lead", "ban-giam-doc", Role.LEADER),
]
# Each working day from the first reminder to two days late, at 08:00 and 08:01.
MOMENTS = [local(30, month=5), local(3), local(4), local(5), local(6)]


@dataclass
class Console(FakeMessenger):
    """A console's messenger: it reaches only whoever types at its terminal."""

    platform: str = "console"
    only_chats: frozenset[str] = field(default_factory=frozenset)


@dataclass
class World:
    engine: AsyncEngine
    clock: list[datetime]
    outbox: SqlOutbox

    def dispatcher(self, worker: str, **messengers: Messenger) -> Dispatcher:
        return Dispatcher(
            store=ReminderStore(self.engine),
            plans=applied_plans(self.engine),
            messengers=messengers,
            settings=DispatchSettings(batch=3),
            clock=lambda: self.clock[0],
            worker=worker,
            outbox=self.outbox,
        )

    async def tick(self, at: datetime, *dispatchers: Dispatcher) -> None:
        self.clock[0] = at
        for dispatcher in dispatchers:
            await dispatcher.tick()


@pytest.fixture
async def worlds(tmp_path: Path) -> AsyncIterator[list[World]]:
    """Two identical departments, each on its own database."""
    made: list[World] = []
    try:
        for name in ("split", "one"):
            (tmp_path / name).mkdir()
            made.append(await world(tmp_path / name))
        yield made
    finally:
        for each in made:
            await each.engine.dispose()


async def world(folder: Path) -> World:
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'baocao.db'}")
    await upgrade(engine)
    start = local(27, 9, month=5)
    plan = parse_plan(PLAN, "p.yaml")
    await apply_plan(engine, plan, path="p.yaml", now=start)
    await plant_reminders(ReminderStore(engine), plan, now=start)
    repo = SqlRepository(engine, LocalFileStore(folder))
    for platform, user, unit, role in PEOPLE:
        invite = await create_invite(engine, unit_key=unit, role=role, now=start)
        await repo.redeem_invite(
            code=invite.code,
            platform=platform,
            user_id=user,
            chat_id=user,
            display_name=f"Người {user}",
            now=start,
        )
    return World(engine, [start], SqlOutbox(engine))


def received(*messengers: FakeMessenger) -> Counter[tuple[str, str, str, Keyboard]]:
    return Counter(
        (messenger.platform, chat, text, keyboard)
        for messenger in messengers
        for chat, text, keyboard in messenger.sent
    )


async def test_every_recipient_gets_one_copy_whichever_process_claims_the_reminder(
    worlds: list[World],
) -> None:
    split, one = worlds
    # One process reaching everybody: what each person should receive.
    everybody = (FakeMessenger(), FakeMessenger(platform="console"))  # every chat of each
    alone = one.dispatcher("all", telegram=everybody[0], console=everybody[1])
    for moment in MOMENTS:
        await one.tick(moment, alone)
        await one.tick(moment + timedelta(minutes=1), alone)
    expected = received(*everybody)
    assert {chat for _, chat, _, _ in expected} == {"1", "b", "5", "office", "lead"}

    # `baocao run` (Telegram) and `baocao chat --as office` take turns to claim first.
    telegram = FakeMessenger()
    office = Console(only_chats=frozenset({"office"}))
    bot = split.dispatcher("run", telegram=telegram)
    chat = split.dispatcher("chat-office", console=office)
    for day, moment in enumerate(MOMENTS):
        first, then = (bot, chat) if day % 2 else (chat, bot)
        await split.tick(moment, first, then)
        await split.tick(moment + timedelta(minutes=1), then, first)
    assert received(telegram, office) == Counter(
        {key: n for key, n in expected.items() if key[1] in ("1", "5", "office")}
    )
    assert await split.outbox.waiting() == {
        "console": sum(n for key, n in expected.items() if key[1] in ("b", "lead"))
    }

    # Phòng B and leadership open their consoles later: everything waiting appears, once.
    b, lead = Console(only_chats=frozenset({"b"})), Console(only_chats=frozenset({"lead"}))
    later = MOMENTS[-1] + timedelta(hours=1)
    await split.tick(later, split.dispatcher("chat-b", console=b))
    await split.tick(later, split.dispatcher("chat-lead", console=lead), bot, chat)
    assert received(telegram, office, b, lead) == expected
    assert await split.outbox.waiting() == {}


async def test_an_unreachable_or_failing_chat_is_handled_as_for_reminders(
    worlds: list[World],
) -> None:
    split, _ = worlds
    telegram = FakeMessenger()
    bot = split.dispatcher("run", telegram=telegram)
    await split.tick(MOMENTS[0], bot)  # Phòng B's reminder waits for its console
    assert (await split.outbox.waiting())["console"] >= 1

    # Phòng B's console is down for a moment: the message waits 30 s, then goes out.
    b = Console(only_chats=frozenset({"b"}), down=1)
    chat_b = split.dispatcher("chat-b", console=b)
    await split.tick(MOMENTS[0] + timedelta(seconds=1), chat_b)
    assert b.sent == []
    await split.tick(MOMENTS[0] + timedelta(seconds=10), chat_b)
    assert b.sent == []
    await split.tick(MOMENTS[0] + timedelta(seconds=31), chat_b)
    (reminder,) = b.texts("b")
    assert reminder.startswith("Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng B")

    # Leadership blocked its console: marked unreachable, the office told once, on Telegram
    # at once and at the office's console through the outbox.
    lead = Console(only_chats=frozenset({"lead"}), blocked={"lead"})
    await split.tick(MOMENTS[-1], bot)
    await split.tick(MOMENTS[-1] + timedelta(minutes=1), split.dispatcher("lead", console=lead))
    await split.tick(MOMENTS[-1] + timedelta(minutes=2), bot)
    told = [
        t for t in telegram.texts("5") if t.startswith("Không gửi được tin nhắc cho Người lead")
    ]
    assert len(told) == 1
    office = Console(only_chats=frozenset({"office"}))
    await split.tick(MOMENTS[-1] + timedelta(minutes=3), split.dispatcher("o", console=office))
    assert office.texts("office").count(told[0]) == 1
    # Leadership's other messages were tried, found unreachable, and are not tried again.
    assert (await split.outbox.counts())["unreachable"] >= 1
    nothing = await split.outbox.claim(
        reach={"console": frozenset({"lead"})},
        worker="w",
        now=MOMENTS[-1] + timedelta(days=1),
        lease=timedelta(minutes=1),
        limit=10,
    )
    assert nothing == []


async def test_the_outbox_claims_of_a_dead_process_of_this_host_are_taken_back_at_once(
    worlds: list[World], caplog: pytest.LogCaptureFixture
) -> None:
    split, _ = worlds
    await split.tick(MOMENTS[0], split.dispatcher("run", telegram=FakeMessenger()))
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)"
    )
    me = this_worker()
    dead = Worker(me.host, child.pid, process_marker(child.pid), "dead00")
    child.kill()
    await child.wait()
    held = await split.outbox.claim(
        reach={"console": frozenset({"b"})},
        worker=dead.name,
        now=MOMENTS[0],
        lease=timedelta(minutes=5),
        limit=10,
    )
    assert held
    b = Console(only_chats=frozenset({"b"}))
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        await split.tick(MOMENTS[0], split.dispatcher("chat-b", console=b))  # at once
    assert len(b.sent) == len(held)
    assert f"took back {len(held)} outbox message(s) claimed by {dead.name}" in caplog.text
