"""`baocao reminders`: what the Office reads about reminders coming, sent and missed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_support import run
from fakes.messenger import FakeMessenger

from bot.app import applied_plans
from bot.core.plan.model import Role
from bot.core.rules.reminders import Kind
from scheduler.dispatcher import Dispatcher
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.outbox import SqlOutbox
from storage.reminders import ReminderStore
from storage.repository import SqlRepository

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


COLUMNS = 250  # its tables are wide


def plan_file(folder: Path, due_before: datetime) -> Path:
    path = folder / "ke-hoach.yaml"
    path.write_text(
        f"""organisation: {{name: Sở Thử nghiệm}}
units:
  - {{id: van-phong, name: Văn phòng Sở, type: office}}
  - {{id: phong-a, name: Phòng A}}
  - {{id: phong-b, name: Phòng B}}
reports:
  - {{id: bc, name: Báo cáo quý, submitters: all, receiver: van-phong,
      due_before: {due_before.strftime("%d/%m/%Y")}, reminders: [7d, last_day]}}
""",
        encoding="utf-8",
    )
    return path


class Week:
    """The bot's reminder loop on the office's database, on a clock the test sets."""

    def __init__(self, office: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        self.files = LocalFileStore(office / "data")
        self.out = FakeMessenger()
        self.clock = [datetime.now(UTC)]
        self.store = ReminderStore(self.engine)
        self.dispatcher = Dispatcher(
            store=self.store,
            plans=applied_plans(self.engine),
            messengers={"telegram": self.out},
            clock=lambda: self.clock[0],
        )

    async def register(self, unit: str, user: str, platform: str = "telegram") -> None:
        now = datetime.now(UTC)
        invite = await create_invite(self.engine, unit_key=unit, role=Role.HEAD, now=now)
        await SqlRepository(self.engine, self.files).redeem_invite(
            code=invite.code,
            platform=platform,
            user_id=user,
            chat_id=user,
            display_name=f"Người {user}",
            now=now,
        )

    async def first_unit_reminder(self) -> datetime:
        overview = await self.store.overview(limit=100)
        return min(line.due_at for line in overview.upcoming if line.kind is Kind.UNIT)

    async def tick(self, at: datetime) -> None:
        self.clock[0] = at
        await self.dispatcher.tick()


def test_reminders_coming_sent_and_missed_with_why(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    today = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    due_end = today + timedelta(days=20)
    assert run(capsys, "plan", "apply", str(plan_file(office, due_end)))[0] == 0
    code, out, err = run(capsys, "reminders")
    assert (code, err) == (0, "")

    assert "Sắp gửi: 8 tin nhắc (gần nhất trước)." in out  # 3 units x 2, 2 summaries
    assert "Đã gửi: 0 tin nhắc" in out and "Bị lỡ: 0 tin nhắc" in out
    assert "nhắc trước hạn (7d)" in out and "nhắc ngày cuối" in out and "Phòng B" in out
    assert "tình hình nộp, gửi Văn phòng" in out

    async def the_bot_runs() -> None:
        week = Week(office)
        try:
            await week.register("phong-a", "1")
            await week.register("phong-b", "2")
            week.out.blocked.add("2")
            first = await week.first_unit_reminder()
            # Sent in working hours: 09:00 on that day, or on the next working day.
            for day in range(5):
                moment = (first.astimezone(TZ) + timedelta(days=day)).replace(hour=9)
                await week.tick(moment)
                if week.out.sent:
                    break
            # Down from then until after the deadline: the last day's reminders are missed.
            await week.tick(due_end + timedelta(hours=1))
        finally:
            await week.engine.dispose()

    asyncio.run(the_bot_runs())
    code, out, err = run(capsys, "reminders")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    sent = lines.index(next(line for line in lines if line.startswith("Đã gửi:")))
    assert lines[sent] == "Đã gửi: 3 tin nhắc (mới nhất trước)."  # two units, the summary
    assert lines[sent + 1].split() == [
        *["Hẹn", "lúc", "Báo", "cáo", "Gửi", "cho", "Loại", "tin", "Đã", "gửi", "lúc"],
    ]
    rows = "\n".join(lines[sent + 3 : sent + 6])
    assert rows.count("nhắc trước hạn (7d)") == 2 and "Phòng A" in rows and "Phòng B" in rows
    missed = lines.index("Bị lỡ: 2 tin nhắc không gửi được kịp lúc.")
    for row in lines[missed + 3 : missed + 5]:
        # the last working day before the deadline, at the reminder time, in local time
        last_day = datetime.strptime(row[:16], "%d/%m/%Y %H:%M").replace(tzinfo=TZ)
        assert last_day.hour == 8 and timedelta(0) < due_end - last_day < timedelta(days=4)
        assert "nhắc ngày cuối" in row
        assert row.endswith(
            "Không gửi được trước hạn nộp (bot ngừng chạy hoặc không gửi được qua ứng dụng); "
            "đơn vị được nhắc trễ hạn thay vào đó."
        )
    assert "nhắc trễ hạn" in out  # the chase that stands in for them, coming
    unreachable = lines.index(
        "Không nhắn được cho 1 người (đã chặn bot hoặc không còn dùng ứng dụng); hãy liên hệ "
        "trực tiếp hoặc mời người khác làm đầu mối:"
    )
    assert lines[unreachable + 3].split()[:5] == ["Người", "2", "Phòng", "B", "telegram"]

    code, out, _ = run(capsys, "reminders", "--missed", "--limit", "1")
    assert code == 0
    assert out.splitlines()[0] == "Bị lỡ: 2 tin nhắc không gửi được kịp lúc."
    assert "Sắp gửi" not in out and "Đã gửi" not in out
    assert "… và 1 tin nữa. Xem hết: thêm --limit 2" in out


def test_before_any_plan_and_with_nothing_missed(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0  # data, but no plan in it
    assert run(capsys, "reminders") == (
        0,
        "Chưa có tin nhắc nào. Nạp kế hoạch: baocao plan apply TỆP-KẾ-HOẠCH.yaml\n",
        "",
    )
    assert run(capsys, "reminders", "--missed") == (0, "Không có tin nhắc nào bị lỡ.\n", "")
    code, _, err = run(capsys, "reminders", "--limit", "0")
    assert code == 2 and err.startswith("Giá trị của --limit không hợp lệ")


def test_messages_waiting_for_another_platform_are_listed_by_platform(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    today = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    due_end = today + timedelta(days=20)
    assert run(capsys, "plan", "apply", str(plan_file(office, due_end)))[0] == 0

    async def only_telegram_runs() -> datetime:
        week = Week(office)
        week.dispatcher.outbox = SqlOutbox(week.engine)  # as the runtime builds it
        try:
            await week.register("phong-a", "1")
            await week.register("phong-b", "b", platform="console")
            first = await week.first_unit_reminder()
            for day in range(5):
                moment = (first.astimezone(TZ) + timedelta(days=day)).replace(hour=9)
                await week.tick(moment)
                if week.out.sent:
                    return moment
            raise AssertionError("no reminder went out")
        finally:
            await week.engine.dispose()

    moment = asyncio.run(only_telegram_runs())
    code, out, err = run(capsys, "reminders")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    waiting = lines.index(
        "Đang chờ gửi: 1 tin cho người nhận trên nền tảng mà tiến trình baocao đã xử lý tin nhắc "
        "không phục vụ. Tin được gửi khi baocao chạy với nền tảng đó (baocao run cho Telegram; "
        "baocao chat --as … cho người trò chuyện trong cửa sổ dòng lệnh):"
    )
    assert lines[waiting + 1].split() == ["Nền", "tảng", "Số", "tin", "chờ", "Chờ", "từ", "lúc"]
    assert lines[waiting + 3].split() == [
        "console",
        "1",
        *moment.strftime("%d/%m/%Y %H:%M").split(),
    ]
