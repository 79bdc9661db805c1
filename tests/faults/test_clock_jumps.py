"""The system clock jumps (a VM resumed, NTP correcting a drifted host) around a reminder.

The dispatcher reads the time through its injectable clock; here it jumps forward past a
reminder, back before it, and forward again. What a unit reads comes from the catalog, and the
rows say what happened: a reminder still useful after the jump is sent once, one whose deadline
passed meanwhile is recorded as missed and the unit chased once (bot/core/rules/reminders.py,
`decide`), and nothing already sent or missed goes again when the clock goes back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fakes.messenger import FakeMessenger

from bot.app import applied_plans
from bot.core.i18n import t
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.rules.reminders import Kind
from scheduler.dispatcher import Dispatcher, plant_reminders
from storage.db import make_engine, read_session
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.models import reminder_t
from storage.plans import apply_plan
from storage.reminders import ReminderStore
from storage.repository import SqlRepository

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Due before Wed 05/06/2024: 3wd = Thu 30/05 08:00, 1d = Mon 03/06, last_day = Tue 04/06.
PLAN = """\
organisation:
  name: Sở Thử nghiệm
units:
  - {id: van-phong, name: Văn phòng Sở, type: office}
  - {id: phong-a, name: Phòng A}
  - {id: phong-b, name: Phòng B}
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: [phong-a, phong-b]
    receiver: van-phong
    due_before: 05/06/2024
    reminders: [3wd, 1d, last_day, overdue]
"""
DEADLINE = "trước ngày 05/06/2024 (thứ Tư)"
HEADS = {"1": "Phòng A", "2": "Phòng B"}


def local(day: int, hour: int = 9, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=TZ)


def reminder_line(unit: str, when: str) -> str:
    """The first line of a unit's reminder, as the catalog words it."""
    text = t(
        "reminder", report="Báo cáo 6 tháng", unit=unit, deadline=DEADLINE, when=when, received=""
    )
    return text.splitlines()[0]


@dataclass
class World:
    engine: object
    out: FakeMessenger
    dispatcher: Dispatcher
    clock: list[datetime]

    async def at(self, moment: datetime) -> None:
        """Set the clock (forward or back) and run one pass."""
        self.clock[0] = moment
        await self.dispatcher.tick()

    def reminders(self, chat: str) -> list[str]:
        return [text for to, text, _ in self.out.sent if to == chat and "Báo cáo 6 tháng" in text]

    async def rows(self) -> list[tuple[str, str]]:
        """(rule, status) of the units' rows, in order (one of each per unit: two of each)."""
        async with read_session(self.engine) as session:  # type: ignore[arg-type]
            found = await session.execute(
                sa.select(reminder_t.c.rule_key, reminder_t.c.status)
                .where(reminder_t.c.kind.in_([Kind.UNIT.value, Kind.OVERDUE.value]))
                .order_by(reminder_t.c.due_at, reminder_t.c.id)
            )
            return [(str(rule), str(status)) for rule, status in found]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    await upgrade(engine)
    start = local(27, month=5)
    plan = parse_plan(PLAN, "p.yaml")
    await apply_plan(engine, plan, path="p.yaml", now=start)
    store = ReminderStore(engine)
    await plant_reminders(store, plan, now=start)
    repo = SqlRepository(engine, None)  # type: ignore[arg-type]  # no files in these tests
    for user, unit in (("1", "phong-a"), ("2", "phong-b"), ("5", "van-phong")):
        role = Role.OFFICE if unit == "van-phong" else Role.HEAD
        invite = await create_invite(engine, unit_key=unit, role=role, now=start)
        await repo.redeem_invite(
            code=invite.code,
            platform="telegram",
            user_id=user,
            chat_id=user,
            display_name=f"Người {user}",
            now=start,
        )
    out = FakeMessenger()
    clock = [start]
    dispatcher = Dispatcher(
        store=store,
        plans=applied_plans(engine),
        messengers={"telegram": out},
        clock=lambda: clock[0],
        worker="test",
    )
    try:
        yield World(engine, out, dispatcher, clock)
    finally:
        await engine.dispose()


async def test_a_jump_forward_sends_a_reminder_once_and_a_jump_back_not_again(
    world: World,
) -> None:
    await world.at(local(29, month=5))  # the day before the first reminder
    assert world.reminders("1") == []
    await world.at(local(30, 10, month=5))  # a day forward in one step, past 08:00
    await world.at(local(29, month=5))  # and back
    await world.at(local(29, 9, 5, month=5))
    await world.at(local(30, 10, 5, month=5))  # forward again, past it once more
    for chat, unit in HEADS.items():
        (sent,) = world.reminders(chat)
        assert sent.splitlines()[0] == reminder_line(unit, t("reminder-days-left", days=5))
    assert (await world.rows())[:2] == [("3wd", "sent")] * 2
    # The next reminder still comes, once, on time.
    await world.at(local(3, 8))
    await world.at(local(1, 8))  # back two days
    await world.at(local(3, 8, 5))
    assert [r.splitlines()[0] for r in world.reminders("1")] == [
        reminder_line("Phòng A", t("reminder-days-left", days=5)),
        reminder_line("Phòng A", t("reminder-days-left", days=1)),
    ]


async def test_a_jump_past_the_deadline_misses_the_reminders_and_chases_once(
    world: World,
) -> None:
    await world.at(local(29, month=5))
    await world.at(local(5, 9))  # a week forward: every "before" reminder's deadline has passed
    chased = {chat: world.reminders(chat) for chat in HEADS}
    for chat in HEADS:
        (chase,) = chased[chat]
        assert t("reminder-late-days", days=1) in chase
    missed = [("3wd", "missed"), ("1d", "missed"), ("last_day", "missed")]
    rows = await world.rows()
    assert rows[:6] == [row for row in missed for _ in HEADS]
    assert [status for rule, status in rows[6:] if rule.startswith("overdue")] == ["sent"] * 2
    # Back before the deadline: what was missed stays missed, nothing is sent.
    await world.at(local(30, 10, month=5))
    await world.at(local(3, 9))
    await world.at(local(5, 9, 5))  # forward again to where it was
    assert {chat: world.reminders(chat) for chat in HEADS} == chased
    assert await world.rows() == rows
