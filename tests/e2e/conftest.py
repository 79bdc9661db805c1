"""The real baocao Telegram application against the fake Bot API, on a real SQLite file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes.telegram_api import FakeTelegram, find_api_json

from bot.app import Runtime
from bot.config import Settings
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.status import report_status

# PTB warns when it builds RetryAfter unless told to use timedelta; warnings are errors here.
os.environ.setdefault("PTB_TIMEDELTA", "1")

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def plan_text(today: datetime) -> str:
    """Two reports due in ten and twenty days: Phòng A has both open, Phòng B only the first."""
    first = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    second = (today + timedelta(days=20)).strftime("%d/%m/%Y")
    return f"""\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: ban-giam-doc
    name: Ban Giám đốc Sở
    type: leadership
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-quy
    name: Báo cáo quý
    submitters: all
    receiver: van-phong
    due_before: {first}
    forward_files: true
  - id: bc-chuyen-de
    name: Báo cáo chuyên đề
    kind: chuyên đề
    submitters: [phong-a]
    receiver: van-phong
    due_before: {second}
"""


@dataclass
class Office:
    """A department with its plan applied, and the bot that serves it."""

    fake: FakeTelegram
    config: Settings
    data: Path
    url: str
    runtimes: list[Runtime] = field(default_factory=list)

    async def start_bot(self, clock: Callable[[], datetime] | None = None) -> Runtime:
        runtime = Runtime(self.config, clock=clock, poll_timeout=1)
        await runtime.start()
        self.runtimes.append(runtime)
        await self.fake.wait_polling()
        return runtime

    async def stop_bot(self) -> None:
        while self.runtimes:
            await self.runtimes.pop().stop()

    async def invite(self, unit: str, role: Role = Role.HEAD) -> str:
        engine = make_engine(self.url)
        try:
            view = await create_invite(engine, unit_key=unit, role=role, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return view.code

    async def versions(self, report: str) -> dict[str, int]:
        engine = make_engine(self.url)
        try:
            (instance,) = await report_status(engine, report_key=report, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return {unit.unit_key: unit.versions for unit in instance.units}

    async def register(self, user: dict[str, Any], unit: str, role: Role = Role.HEAD) -> None:
        code = await self.invite(unit, role)
        await self.fake.send_text(user, f"/start {code}")
        await self.fake.wait_for_message(user["id"], contains="Chào")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as server:
        yield server


@pytest.fixture
async def office(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Office]:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        await apply_plan(
            engine, parse_plan(plan_text(now.astimezone(TZ)), "p.yaml"), path="p.yaml", now=now
        )
    finally:
        await engine.dispose()
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        data_dir=data,
        database_url=url,
        admins=[],
        reminder_tick=0.1,
    )
    department = Office(fake, config, data, url)
    try:
        yield department
    finally:
        await department.stop_bot()
    fake.assert_clean()
