"""The real baocao Telegram application against the fake Bot API, on a real SQLite file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_support import TZ, plan_text
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
