"""The dispatch loop with a recording messenger, the real stores on SQLite and a clock we move."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fakes.messenger import FakeMessenger

from bot.app import applied_plans
from bot.core.model import Keyboard, MessageRef, SubmissionKind
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from scheduler.dispatcher import Dispatcher, DispatchSettings, plant_reminders
from scheduler.workers import Worker, process_marker, this_worker
from storage.db import make_engine, read_session
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.models import reminder_t
from storage.plans import apply_plan
from storage.reminders import ReminderStore
from storage.repository import SqlRepository
from storage.roster import SqlRoster
from storage.seen import SqlSeenMessages

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Due before Wed 05/06/2024 (last day Tue 04/06): 3wd = Thu 30/05, 1d = Mon 03/06,
# last_day = Tue 04/06, all at 08:00; overdue from Wed 05/06.
PLAN = """\
organisation:
  name: Sở Thử nghiệm
units:
  - {id: van-phong, name: Văn phòng Sở, type: office}
  - {id: ban-giam-doc, name: Ban Giám đốc, type: leadership}
  - {id: phong-a, name: Phòng A}
  - {id: phong-b, name: Phòng B}
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: all
    receiver: van-phong
    due_before: 05/06/2024
    reminders: [3wd, 1d, last_day, overdue]
    escalate_after_days: 2
  - id: tong-hop
    name: Báo cáo tổng hợp 6 tháng
    submitters: [van-phong]
    receiver: ban-giam-doc
    due_before: 10/06/2024
    depends_on: [bc-6-thang]
    reminders: [3wd]
"""


def local(d: int, hh: int = 8, mm: int = 0, month: int = 6) -> datetime:
    return datetime(2024, month, d, hh, mm, tzinfo=TZ)


@dataclass
class Department:
    engine: object
    repo: SqlRepository
    store: ReminderStore
    out: FakeMessenger
    dispatcher: Dispatcher
    clock: list[datetime]

    async def tick(self, at: datetime) -> int:
        self.clock[0] = at
        return await self.dispatcher.tick()

    async def person(self, user: str, unit: str, role: Role = Role.HEAD) -> None:
        invite = await create_invite(self.engine, unit_key=unit, role=role, now=self.clock[0])  # type: ignore[arg-type]
        await self.repo.redeem_invite(
            code=invite.code,
            platform="telegram",
            user_id=user,
            chat_id=user,
            display_name=f"Người {user}",
            now=self.clock[0],
        )

    async def submit(self, unit: str) -> None:
        (instance,) = await self.store.facts(report_keys=["bc-6-thang"])
        await self.repo.submit(
            instance_id=instance.instance_id,
            unit_key=unit,
            contact_id=None,
            kind=SubmissionKind.TEXT,
            source_ref=f"{unit}@{self.clock[0]}",
            now=self.clock[0],
            text="xong",
        )


@pytest.fixture
async def department(tmp_path: Path) -> AsyncIterator[Department]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    await upgrade(engine)
    start = local(27, 9, month=5)
    plan = parse_plan(PLAN, "p.yaml")
    await apply_plan(engine, plan, path="p.yaml", now=start)
    store = ReminderStore(engine)
    await plant_reminders(store, plan, now=start)
    out = FakeMessenger()
    clock = [start]
    dispatcher = Dispatcher(
        store=store,
        plans=applied_plans(engine),
        messengers={"telegram": out},
        settings=DispatchSettings(batch=3),
        clock=lambda: clock[0],
        worker="test",
    )
    department = Department(
        engine, SqlRepository(engine, LocalFileStore(tmp_path)), store, out, dispatcher, clock
    )
    await department.person("1", "phong-a")
    await department.person("2", "phong-b")
    await department.person("5", "van-phong", Role.OFFICE)
    await department.person("6", "ban-giam-doc", Role.LEADER)
    try:
        yield department
    finally:
        await engine.dispose()  # type: ignore[attr-defined]


async def test_reminders_arrive_in_order_once_each_and_stop_after_submitting(
    department: Department,
) -> None:
    d = department
    assert await d.tick(local(30, 7, 59, month=5)) == 0
    await d.tick(local(30, 8, 0, month=5))
    await d.tick(local(30, 8, 5, month=5))  # nothing twice
    assert [len(d.out.texts(u)) for u in ("1", "2")] == [1, 1]
    (text,) = d.out.texts("1")
    assert text == (
        "Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng A, trước ngày 05/06/2024 (thứ Tư). "
        "Còn 5 ngày.\nBot chưa nhận được báo cáo nào của đơn vị.\n"
        "Gửi tệp hoặc nội dung vào đây, hoặc bấm «Nộp ngay»."
    )
    ((button,),) = next(k for chat, _, k in d.out.sent if chat == "1")
    assert (button.text, button.data) == ("Nộp ngay", f"r:{(await d.store.facts())[0].instance_id}")
    summary = d.out.texts("5")[-1]  # no office group bound: the office staff get summaries
    assert summary.startswith("Báo cáo 6 tháng, trước ngày 05/06/2024 (thứ Tư): 0/2 đơn vị đã nộp")

    d.clock[0] = local(31, 10, month=5)
    await d.submit("phong-a")
    await d.tick(local(3, 8))
    await d.tick(local(4, 8))
    assert len(d.out.texts("1")) == 1  # Phòng A reported: no more reminders
    assert [t.splitlines()[0].split("). ")[1] for t in d.out.texts("2")] == [
        "Còn 5 ngày.",
        "Còn 1 ngày.",
        "Hôm nay là ngày cuối: hạn chót trước 05/06/2024 00:00.",
    ]


async def test_nothing_outside_working_hours_and_missed_reminders_when_still_useful(
    department: Department,
) -> None:
    d = department
    # The bot was down from Wednesday to Saturday night: the 3wd reminder (Thu) is still
    # useful, but not at 21:00 on a Saturday: it goes out on Monday at 07:30.
    assert await d.tick(local(1, 21)) == 0
    assert d.out.texts("1") == []
    await d.tick(local(3, 7, 30))
    (missed,) = d.out.texts("1")
    assert missed.startswith("Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng A")
    assert "Còn 1 ngày." in missed  # what it says is worked out when it is sent
    await d.tick(local(3, 8))  # Monday's own 1d reminder, on time
    assert len(d.out.texts("1")) == 2


async def test_late_units_are_chased_and_the_office_and_leadership_told(
    department: Department,
) -> None:
    d = department
    d.clock[0] = local(3, 9)
    await d.submit("phong-a")
    d.out.sent.clear()
    await d.tick(local(5, 8))  # the first working day after the deadline
    assert d.out.texts("1") == []
    (chase,) = d.out.texts("2")
    assert "Đã trễ hạn 1 ngày làm việc." in chase
    office = d.out.texts("5")
    assert (
        "Báo cáo «Báo cáo 6 tháng» (trước ngày 05/06/2024 (thứ Tư)): 1/2 đơn vị chưa nộp, đã "
        "trễ 1 ngày làm việc.\n• Phòng B" in office
    )
    escalations = [t for t in d.out.texts("6") if t.startswith("Báo cáo lãnh đạo")]
    assert escalations == []  # leadership is told of late units from 2 working days late
    await d.tick(local(6, 8))
    assert "Đã trễ hạn 2 ngày làm việc." in d.out.texts("2")[-1]
    assert any(
        t.startswith("Báo cáo lãnh đạo: đơn vị trễ hạn nộp báo cáo.") for t in d.out.texts("6")
    )
    await d.tick(local(8, 9))  # Saturday: nobody is chased
    assert len(d.out.texts("2")) == 2


async def test_a_blocked_person_is_marked_and_the_office_told_once(department: Department) -> None:
    d = department
    d.out.blocked.add("2")
    await d.tick(local(30, 8, month=5))
    await d.tick(local(3, 8))
    assert len(d.out.texts("1")) == 2  # the rest of the fan-out goes on
    told = [t for t in d.out.texts("5") if t.startswith("Không gửi được tin nhắc cho Người 2")]
    assert len(told) == 1


async def test_a_platform_outage_postpones_and_retries(department: Department) -> None:
    d = department
    d.out.down = 1
    await d.tick(local(30, 8, month=5))
    assert await d.store.counts() != {}
    await d.tick(local(30, 8, 1, month=5))  # retried after 30 s
    assert len(d.out.texts("1")) == 1 and len(d.out.texts("2")) == 1


async def test_the_office_is_told_when_it_can_compile_then_reminded_itself(
    department: Department,
) -> None:
    d = department
    d.clock[0] = local(3, 9)
    await d.submit("phong-a")
    await d.submit("phong-b")
    await d.tick(local(3, 10))
    ready = [t for t in d.out.texts("5") if t.startswith("Tất cả")]
    assert ready == [
        "Tất cả 2 đơn vị đã nộp báo cáo «Báo cáo 6 tháng». Văn phòng có thể bắt đầu tổng hợp: "
        "Báo cáo tổng hợp 6 tháng."
    ]
    await d.tick(local(3, 11))
    assert len([t for t in d.out.texts("5") if t.startswith("Tất cả")]) == 1  # once
    # The compiled report (last day Sun 09/06: 3wd from Fri 07/06 = Tue 04/06) reminds the Office.
    await d.tick(local(4, 8))
    assert any(
        t.startswith("Nhắc hạn: báo cáo «Báo cáo tổng hợp 6 tháng» của Văn phòng Sở")
        for t in d.out.texts("5")
    )
    # Leadership receives the compiled report: a daily digest while it is open.
    assert d.out.texts("6")[-1].startswith("Tóm tắt tình hình nộp báo cáo hôm nay:")


@dataclass
class Hooked(FakeMessenger):
    """Runs `hook` before each send: the world changing while a batch goes out."""

    hook: Callable[[str], Awaitable[None]] | None = None

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if self.hook is not None:
            await self.hook(chat_id)
        return await super().send(chat_id, text, keyboard=keyboard)


def dispatcher_with(d: Department, out: FakeMessenger, **settings: Any) -> Dispatcher:
    return Dispatcher(
        store=d.store,
        plans=applied_plans(d.engine),
        messengers={"telegram": out},
        settings=DispatchSettings(**settings),
        clock=lambda: d.clock[0],
        worker="hooked",
    )


async def test_a_unit_that_reports_while_its_batch_goes_out_is_not_reminded(
    department: Department,
) -> None:
    d = department
    reported: list[str] = []

    async def the_other_unit_reports(chat_id: str) -> None:
        if chat_id in ("1", "2") and not reported:
            reported.append("phong-b" if chat_id == "1" else "phong-a")
            d.clock[0] += timedelta(seconds=3)  # longer than what a batch decides on stays fresh
            await d.submit(reported[0])

    out = Hooked(hook=the_other_unit_reports)
    d.clock[0] = local(30, 8, month=5)
    await dispatcher_with(d, out, batch=10).tick()
    reminded = [chat for chat, text, _ in out.sent if text.startswith("Nhắc hạn")]
    assert reminded == [{"phong-b": "1", "phong-a": "2"}[reported[0]]]
    assert (await d.store.counts()).get("claimed") is None


async def test_a_pass_ends_at_the_first_undelivered_reminder_and_gives_the_rest_back(
    department: Department,
) -> None:
    d = department
    out = FakeMessenger(down=1)
    dispatcher = dispatcher_with(d, out, batch=10)
    d.clock[0] = local(30, 8, month=5)
    assert await dispatcher.tick() == 0
    assert out.sent == [] and (await d.store.counts()).get("claimed") is None
    assert await dispatcher.tick() >= 1  # the rest, at once; the failed one waits 30 s
    d.clock[0] += timedelta(seconds=30)
    await dispatcher.tick()
    assert sorted(chat for chat, text, _ in out.sent if text.startswith("Nhắc hạn")) == ["1", "2"]


async def test_a_pass_gives_its_batch_back_when_half_the_lease_is_gone(
    department: Department,
) -> None:
    d = department

    async def slow(chat_id: str) -> None:
        d.clock[0] += timedelta(seconds=6)

    out = Hooked(hook=slow)
    dispatcher = dispatcher_with(d, out, batch=10, lease=timedelta(seconds=10))
    d.clock[0] = local(30, 8, month=5)
    assert await dispatcher.tick() == 1  # 6 s into a 10 s lease: the others go back
    assert (await d.store.counts()).get("claimed") is None
    while await dispatcher.tick():
        pass
    assert sorted(chat for chat, text, _ in out.sent if text.startswith("Nhắc hạn")) == ["1", "2"]


async def test_a_heartbeat_keeps_a_long_fan_out_claimed_by_its_live_holder(
    department: Department,
) -> None:
    d = department
    rival_out = FakeMessenger()
    rival = Dispatcher(
        store=d.store,
        plans=applied_plans(d.engine),
        messengers={"telegram": rival_out},
        settings=DispatchSettings(batch=10, lease=timedelta(seconds=10)),
        clock=lambda: d.clock[0],
        worker="rival",
    )

    async def slow(chat_id: str) -> None:
        d.clock[0] += timedelta(seconds=6)  # each send outlasts half the lease...
        await dispatcher.heartbeat()  # ...and the beats go on meanwhile
        assert await rival.tick() == 0  # a live holder's rows are not for the taking

    out = Hooked(hook=slow)
    dispatcher = dispatcher_with(d, out, batch=10, lease=timedelta(seconds=10))
    d.clock[0] = local(30, 8, month=5)
    sent = await dispatcher.tick()  # one pass, 18 s and more, on a 10 s lease
    assert sent == len(out.sent) >= 3
    assert sorted(chat for chat, text, _ in out.sent if text.startswith("Nhắc hạn")) == ["1", "2"]
    assert rival_out.sent == []
    assert (await d.store.counts()).get("claimed") is None


async def test_the_claims_of_a_dead_process_of_this_host_are_taken_back_at_once(
    department: Department, caplog: pytest.LogCaptureFixture
) -> None:
    d = department
    d.clock[0] = now = local(30, 8, month=5)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)"
    )
    me = this_worker()
    dead = Worker(me.host, child.pid, process_marker(child.pid), "dead00")
    child.kill()
    await child.wait()
    alive = Worker(me.host, me.pid, me.marker, "alive0")  # another dispatcher of this process
    lease = timedelta(minutes=5)
    (of_dead,) = await d.store.claim(worker=dead.name, now=now, lease=lease, limit=1)
    (of_alive,) = await d.store.claim(worker=alive.name, now=now, lease=lease, limit=1)
    dispatcher = dispatcher_with(d, d.out, batch=10)
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        await dispatcher.tick()  # at once: the same moment the dead process claimed its row
    assert await statuses(d, of_dead.id, of_alive.id) == ["sent", "claimed"]
    assert f"took back 1 reminder(s) claimed by {dead.name}" in caplog.text


async def test_a_reminder_missed_while_the_bot_was_down_is_recorded_and_the_unit_chased_once(
    department: Department, caplog: pytest.LogCaptureFixture
) -> None:
    d = department
    await d.tick(local(30, 8, month=5))
    await d.tick(local(3, 8))
    d.out.sent.clear()
    # Down from before the last day's reminder until after the deadline (Wed 05/06 00:00).
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        await d.tick(local(5, 9))
        await d.tick(local(5, 9, 1))
    for chat in ("1", "2"):
        (chase,) = [t for t in d.out.texts(chat) if "Báo cáo 6 tháng" in t]
        assert "Đã trễ hạn 1 ngày làm việc." in chase
    missed = await rows_where(d, status="missed")
    assert [(r["rule_key"], r["note"]) for r in missed] == [("last_day", "deadline_passed")] * 2
    assert caplog.text.count("missed: deadline_passed") == 2


async def test_a_report_without_daily_chases_still_chases_a_missed_reminder_once(
    department: Department,
) -> None:
    d = department
    # Down from Thu 30/05 to Mon 10/06, 09:00: every "before" reminder of both reports missed.
    # The compiled report (due before 10/06, reminders [3wd] only) has no daily chase.
    await d.tick(local(10, 9))
    await d.tick(local(10, 9, 1))
    await d.tick(local(11, 9))
    compiled = [t for t in d.out.texts("5") if t.startswith("Nhắc hạn") and "tổng hợp" in t]
    (chase,) = compiled
    assert "Đã trễ hạn 1 ngày làm việc." in chase
    # The half-year report's 3wd, 1d and last_day were all missed: one chase a day, not three.
    for chat in ("1", "2"):
        chases = [t for t in d.out.texts(chat) if t.startswith("Nhắc hạn")]
        assert len(chases) == 2  # Monday and Tuesday
    missed = await rows_where(d, status="missed")
    assert len(missed) == 2 * 3 + 1
    assert {r["note"] for r in missed} == {"deadline_passed"}


async def statuses(d: Department, *ids: int) -> list[str]:
    async with read_session(d.engine) as session:  # type: ignore[arg-type]
        found = dict((await session.execute(sa.select(reminder_t.c.id, reminder_t.c.status))).all())
    return [found[ident] for ident in ids]


async def rows_where(d: Department, *, status: str) -> list[Any]:
    async with read_session(d.engine) as session:  # type: ignore[arg-type]
        rows = await session.execute(
            sa.select(reminder_t)
            .where(reminder_t.c.status == status)
            .order_by(reminder_t.c.due_at, reminder_t.c.id)
        )
        return list(rows.mappings())


async def test_incoming_messages_seen_are_forgotten_after_a_week(department: Department) -> None:
    d = department
    seen = SqlSeenMessages(d.engine)  # type: ignore[arg-type]
    d.dispatcher.seen = seen
    start = d.clock[0]
    await seen.first_time(platform="zalo", message_id="old", now=start - timedelta(days=8))
    await seen.first_time(platform="zalo", message_id="new", now=start - timedelta(days=1))
    await d.tick(start)
    assert await seen.first_time(platform="zalo", message_id="old", now=start)
    assert not await seen.first_time(platform="zalo", message_id="new", now=start)
    # Pruned every few hours, not every tick.
    await seen.first_time(platform="zalo", message_id="later", now=start - timedelta(days=9))
    await d.tick(start + timedelta(minutes=1))
    assert not await seen.first_time(platform="zalo", message_id="later", now=start)


async def test_downloads_cut_short_are_swept_from_staging_while_the_bot_runs(
    department: Department, tmp_path: Path
) -> None:
    """A crash mid-download leaves a file in staging: the running bot removes it once it is
    an hour old, not only at its next start; a fresh one (another process's download) stays."""
    import os
    import time

    from storage.files import LocalFileStore

    d = department
    files = LocalFileStore(tmp_path / "store")
    left, fresh = files.staging_path(".pdf"), files.staging_path(".pdf")
    left.write_bytes(b"%PDF-1.7 half")
    fresh.write_bytes(b"%PDF-1.7 being written")
    hour_ago = time.time() - 2 * 3600
    os.utime(left, (hour_ago, hour_ago))
    d.dispatcher.sweep = lambda: files.sweep_staging(timedelta(hours=1))
    start = d.clock[0]
    await d.tick(start)
    assert not left.exists() and fresh.exists()
    # Now and then, not at every tick.
    os.utime(fresh, (hour_ago, hour_ago))
    await d.tick(start + timedelta(minutes=1))
    assert fresh.exists()
    await d.tick(start + timedelta(minutes=31))
    assert not fresh.exists()


async def test_a_person_on_two_platforms_is_reminded_once_where_they_chose(
    department: Department, tmp_path: Path
) -> None:
    from bot.core.model import Chat, ChatKind, Incoming, Sender
    from bot.core.usecases import BotSettings, ReportBot

    d = department
    zalo = FakeMessenger(platform="zalo")
    zalo.buttons = False  # type: ignore[attr-defined]  # numbered choices, as on Zalo
    d.dispatcher = Dispatcher(
        store=d.store,
        plans=applied_plans(d.engine),
        messengers={"telegram": d.out, "zalo": zalo},
        settings=DispatchSettings(batch=3),
        clock=lambda: d.clock[0],
        worker="test",
    )
    bot = ReportBot(
        repository=d.repo,
        files=LocalFileStore(tmp_path),
        settings=BotSettings(timezone=TZ),
        clock=lambda: d.clock[0],
    )
    events = iter(range(1, 100))

    async def on_zalo(text: str) -> None:
        event = Incoming(
            chat=Chat("zalo", "z2", ChatKind.PRIVATE),
            sender=Sender("z2", "Người 2"),
            received_at=d.clock[0],
            source_ref=f"zalo:z2:{next(events)}",
            text=None if text.startswith("/") else text,
            command=text[1:] if text.startswith("/") else None,
        )
        await bot.handle(event, zalo)

    # The Office invites person 2 (Phòng B, on Telegram) to Zalo too; they send the code there.
    telegram_account = await d.repo.contact(platform="telegram", user_id="2")
    assert telegram_account is not None
    invite = await create_invite(
        d.engine,  # type: ignore[arg-type]
        unit_key="",
        role=Role.HEAD,
        now=d.clock[0],
        same_as=telegram_account.id,
    )
    await on_zalo(invite.code)
    greeting, question = zalo.texts("z2")
    assert greeting.startswith("Chào Người 2! Bạn đã đăng ký là đầu mối đơn vị của Phòng B.")
    assert "Hiện đang gửi qua Telegram" in question
    assert question.endswith("1. Telegram (đang nhận)\n2. Zalo\n3. Hủy")

    # Until they choose, reminders reach them on Telegram only, once.
    await d.tick(local(30, 8, 0, month=5))
    assert len(d.out.texts("2")) == 1 and len(zalo.texts("z2")) == 2

    # Days later the question has expired: /nhacqua asks again; they choose Zalo, and the
    # next reminder goes there only.
    await on_zalo("/nhacqua")
    assert zalo.texts("z2")[-1].endswith("1. Telegram (đang nhận)\n2. Zalo\n3. Hủy")
    await on_zalo("2")
    assert zalo.texts("z2")[-1] == "Từ nay tin nhắc hạn và tóm tắt gửi qua Zalo."
    await d.tick(local(3, 8))
    assert len(d.out.texts("2")) == 1
    assert zalo.texts("z2")[-1].startswith("Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng B")

    # The Office sets Telegram back.
    roster = SqlRoster(d.engine)  # type: ignore[arg-type]
    await roster.reach_on(contact_id=telegram_account.id, platform="telegram", now=d.clock[0])
    before = len(zalo.texts("z2"))
    await d.tick(local(4, 8))
    assert len(zalo.texts("z2")) == before
    assert d.out.texts("2")[-1].startswith("Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng B")


class Recorded:
    """Implements DispatchEvents by keeping what it is told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    def reminder(self, outcome: str) -> None:
        self.told.append(("reminder", outcome))

    def outbox(self, outcome: str) -> None:
        self.told.append(("outbox", outcome))


async def test_monitoring_is_told_what_became_of_each_reminder(department: Department) -> None:
    d = department
    events = Recorded()
    d.dispatcher.events = events
    d.out.down = 1
    await d.tick(local(30, 8, month=5))
    assert events.told == [("reminder", "failed")]
    d.out.blocked.add("2")
    await d.tick(local(30, 8, 1, month=5))
    told = events.told[1:]
    assert ("reminder", "unreachable") in told
    assert told.count(("reminder", "sent")) >= 1
    assert {what for what, _ in told} == {"reminder"}
