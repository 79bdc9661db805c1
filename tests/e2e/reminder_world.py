"""A department of many units for reminder tests with real `python -m bot run` processes.

`prepare` builds the database before any bot starts: a plan of N units with one report due in
30 days, one registered head per unit (a fake Telegram user who has started the bot), the
plan's own rows planted (all in the future) and N exact UNIT rows due now. `BotProcess` runs the
bot as the Office does, with its output in a file (a pipe nobody reads would fill and stall it).
"""

from __future__ import annotations

import asyncio
import inspect
import math
import os
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fakes.telegram_api import FakeTelegram
from sqlalchemy.engine import make_url

from bot.app import applied_plans
from bot.core.plan.loader import parse_plan
from bot.core.rules.reminders import Kind, PlannedRow
from scheduler.dispatcher import plant_reminders
from scheduler.workers import Worker
from storage.db import make_engine, read_session
from storage.migrate import upgrade
from storage.models import ReminderStatus, reminder_t
from storage.plans import apply_plan
from storage.reminders import ReminderStore

sys.path.append(str(Path(__file__).resolve().parents[1] / "storage"))
from department import TIMEZONE, person_name, plan_text, register_heads, unit_key, user_id
from storage_helpers import POSTGRES_URL, admin_execute, require_postgres

REMINDER_MARK = "Nhắc hạn"


def reminder_plan(units: int, *, now: datetime) -> str:
    """One report due in 30 days whose only reminder, an exact offset, fell due within the hour.

    (Rows must be ones the plan implies: each process plants the plan when it starts, and that
    cancels pending unit rows the plan does not name.)"""
    tz = ZoneInfo(TIMEZONE)
    day = (now.astimezone(tz) + timedelta(days=30)).date()
    due_end = datetime.combine(day, time(0), tzinfo=tz)  # "due_before" a day: its first moment
    before = math.ceil((due_end - now) / timedelta(hours=1))  # offsets have up to 4 digits
    return plan_text(units, due_before=day, reminders=f"{before}h")


def deadline_plan(units: int, *, now: datetime, lead: timedelta) -> tuple[str, datetime]:
    """One report due at the first whole minute `lead` or more from `now`, whose only reminder,
    an exact offset, fell due just now: a reminder sent seconds before its deadline.
    Returns the plan and its deadline."""
    tz = ZoneInfo(TIMEZONE)
    local = (now + lead).astimezone(tz)
    due_end = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    before = math.ceil((due_end - now).total_seconds())
    text = plan_text(units, due_before=due_end.date(), reminders=f"{before}s")
    due_time = f'due_time: "{due_end.strftime("%H:%M")}"'
    return text.replace(", reminders:", f", {due_time}, reminders:"), due_end


async def prepare(
    url: str, data: Path, fake: FakeTelegram, units: int, *, text: str | None = None
) -> None:
    """The department in `url`, and its people in `fake`; `units` reminders are due now
    (under the plan `text`, or a plan whose reminder came due within the hour)."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        plan = parse_plan(text or reminder_plan(units, now=now), "p.yaml")
        await apply_plan(engine, plan, path="p.yaml", now=now)
        await register_heads(engine, data, units, now=now)
        for n in range(units):
            fake.started(fake.user(user_id(n), person_name(n)))
        store = ReminderStore(engine)
        (instance,) = (await store.instance_ids()).values()
        (reminder,) = plan.reports[0].instances[0].reminders
        assert reminder.exact and reminder.at <= now
        added = await store.ensure(
            [
                PlannedRow(instance, unit_key(n), Kind.UNIT, reminder.rule_key, reminder.at)
                for n in range(units)
            ]
        )
        assert added == units
        # The plan's other rows (the Office's summaries, weeks ahead): the bots plant nothing.
        stored = await applied_plans(engine)()
        assert stored is not None
        await plant_reminders(store, stored, now=now)
        assert (await store.counts()).get("pending", 0) > units
    finally:
        await engine.dispose()


def bot_env(fake: FakeTelegram, url: str, data: Path, **extra: str) -> dict[str, str]:
    """The environment of `python -m bot run` (defaults for these tests, then `extra`)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")},
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATABASE_URL": url,
        "BAOCAO_DATA_DIR": str(data),
        "BAOCAO_REMINDER_TICK": "0.2",
        "BAOCAO_REMINDER_LEASE": "3",
        "BAOCAO_TELEGRAM_RATE_LIMIT": "false",
        "BAOCAO_WEB": "false",  # several bots at once: none takes the web app's port
        **extra,
    }


class BotProcess:
    """One `python -m bot run`; its stdout and stderr go to `log`."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self._out: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> BotProcess:
        self._out = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.cwd,
            env=self.env,
            stdout=self._out,
            stderr=asyncio.subprocess.STDOUT,
        )
        return self

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._close()

    async def terminate(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """SIGTERM and wait for a clean stop; returns the exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            finally:
                await self.kill()
        self._close()
        assert self.process.returncode is not None
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def until(
    condition: Callable[[], bool | Awaitable[bool]],
    timeout: float,  # noqa: ASYNC109 - a test's deadline
    what: str,
    *,
    every: float = 0.05,
) -> float:
    """Wait for `condition()` (plain or async) to hold; returns the seconds it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return loop.time() - start
        if loop.time() - start > timeout:
            raise AssertionError(f"not in {timeout} s: {what}")
        await asyncio.sleep(every)


def reminders_by_chat(fake: FakeTelegram) -> Counter[int]:
    """Reminder messages Telegram accepted, by chat."""
    found: Counter[int] = Counter()
    for call in fake.calls:
        if call.method == "sendMessage" and call.ok:
            found[int(call.params["chat_id"])] += 1
    return found


def reminded(fake: FakeTelegram, chats: int) -> Callable[[], bool]:
    """A condition for `until`: at least `chats` chats have had a reminder."""
    return lambda: len(reminders_by_chat(fake)) >= chats


def stray_messages(fake: FakeTelegram) -> list[str]:
    """Accepted sendMessage texts that are not reminders (there should be none)."""
    return [
        str(call.params.get("text"))
        for call in fake.calls
        if call.method == "sendMessage"
        and call.ok
        and REMINDER_MARK not in str(call.params.get("text"))
    ]


async def reminder_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return await ReminderStore(engine).counts()
    finally:
        await engine.dispose()


async def sent_by_worker(url: str) -> Counter[str]:
    """Sent unit rows by the worker that claimed them."""
    engine = make_engine(url)
    try:
        async with read_session(engine) as session:
            rows = await session.execute(
                sa.select(reminder_t.c.claimed_by, sa.func.count())
                .where(
                    reminder_t.c.kind == Kind.UNIT.value,
                    reminder_t.c.status == ReminderStatus.SENT.value,
                )
                .group_by(reminder_t.c.claimed_by)
            )
            return Counter({str(worker): int(count) for worker, count in rows})
    finally:
        await engine.dispose()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (a plain URL child processes can use), dropped afterwards."""
    await require_postgres()
    name = f"baocao_e2e_{uuid.uuid4().hex[:12]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def stop_all(processes: list[BotProcess]) -> None:
    for process in processes:
        await process.kill()


def pids(workers: Counter[str]) -> Counter[int]:
    """Sent rows by process id, from worker names."""
    by_pid: Counter[int] = Counter()
    for name, count in workers.items():
        worker = Worker.parse(name)
        assert worker is not None, name
        by_pid[worker.pid] += count
    return by_pid
