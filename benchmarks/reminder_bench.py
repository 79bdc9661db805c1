"""Benchmark: the reminder dispatcher fanning out to the fake Bot API, next to a plain loop.

1. 2,000 due reminders through the dispatcher (rate limiter off), then the same 2,000 messages
   (text and button, as the dispatcher sent them) again as plain httpx sendMessage calls to the
   same fake in the same run: both rates and their ratio (goal: the dispatcher reaches at least
   70% of the plain loop). Same messages, so that the ratio measures the dispatcher (claiming,
   deciding, writing the text, marking each one sent) and not the size of a message. This
   runs in rounds, dispatcher then plain loop, and keeps each one's best rate: the machine is
   shared, and a round slowed by a neighbour says nothing about either.
2. The rate limiter on, for 60 seconds: the rate achieved (goal: at least 29 per second) and
   how many answers were 429 (goal: none). The fake answers 429 to anything over 30 per
   second, as Telegram would.
Figures are printed, nothing is asserted.  Run:  .venv/bin/python benchmarks/reminder_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PTB_TIMEDELTA", "1")

import httpx  # noqa: E402
from department import person_name, plan_text, register_heads, unit_key, user_id  # noqa: E402
from fakes.telegram_api import FakeTelegram  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402

from bot.app import applied_plans  # noqa: E402
from bot.core.plan.loader import parse_plan  # noqa: E402
from bot.core.rules.reminders import Kind, PlannedRow  # noqa: E402
from handlers.telegram.app import rate_limiter, send_request  # noqa: E402
from handlers.telegram.messenger import TelegramMessenger  # noqa: E402
from scheduler.dispatcher import Dispatcher, DispatchSettings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.plans import apply_plan  # noqa: E402
from storage.reminders import ReminderStore  # noqa: E402


async def prepare(url: str, data: Path, units: int) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        due = (now + timedelta(days=30)).date()
        plan = parse_plan(plan_text(units, due_before=due, reminders="90s"), "b.yaml")
        await apply_plan(engine, plan, path="b.yaml", now=now)
        await register_heads(engine, data, units, now=now)
    finally:
        await engine.dispose()


async def plant_due(url: str, units: int, tag: str) -> None:
    """`units` exact reminders, due now (exact ones ignore working hours)."""
    engine = make_engine(url)
    try:
        store = ReminderStore(engine)
        (instance,) = (await store.instance_ids()).values()
        now = datetime.now(UTC)
        await store.ensure(
            [PlannedRow(instance, unit_key(n), Kind.UNIT, f"{tag}s", now) for n in range(units)]
        )
    finally:
        await engine.dispose()


async def dispatch(
    fake: FakeTelegram, url: str, units: int, tag: str, *, limiter: bool, seconds: float | None
) -> tuple[int, float]:
    """Warm up (one tick plants the plan's own rows), plant `units` due rows, then time."""
    bot = ExtBot(  # the bot's own HTTP client and, when on, its own rate limiter
        fake.token,
        base_url=fake.base_url,
        request=send_request(),
        rate_limiter=rate_limiter() if limiter else None,
    )
    engine = make_engine(url)
    await bot.initialize()
    try:
        dispatcher = Dispatcher(
            store=ReminderStore(engine),
            plans=applied_plans(engine),
            messengers={"telegram": TelegramMessenger(bot)},
            settings=DispatchSettings(),
            worker="bench",
        )
        await dispatcher.tick()
        await plant_due(url, units, tag)
        start = time.perf_counter()
        if seconds is None:
            sent = await dispatcher.tick()
        else:
            task = asyncio.create_task(dispatcher.tick())
            await asyncio.sleep(seconds)
            task.cancel()
            sent = len([c for c in fake.calls_to("sendMessage") if c.time >= start and c.ok])
        return sent, time.perf_counter() - start
    finally:
        await bot.shutdown()
        await engine.dispose()


def replayed(fake: FakeTelegram, since: float) -> list[dict[str, str]]:
    """The dispatcher's sendMessage requests since `since`, as form fields to send again."""
    return [
        {
            name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for name, value in call.params.items()
        }
        for call in fake.calls_to("sendMessage")
        if call.time >= since and call.ok
    ]


async def plain_loop(fake: FakeTelegram, requests: list[dict[str, str]]) -> float:
    """The same messages (text and button) sent again, one plain httpx request after another."""
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        start = time.perf_counter()
        for data in requests:
            response = await client.post(url, data=data)
            response.raise_for_status()
        return time.perf_counter() - start


async def main(units: int, window: float, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
        await prepare(url, data, units)
        async with FakeTelegram(bot_username="baocao_bench_bot") as fake:
            for n in range(units):  # everyone has written to the bot, so it may write back
                await fake.send_text(fake.user(user_id(n), person_name(n)), "/start")
            print(f"{units} reminders, rate limiter off ({rounds} rounds, best of each):")
            best_dispatch = best_plain = 0.0
            for round_ in range(rounds):
                since = time.perf_counter()
                sent, took = await dispatch(
                    fake, url, units, f"{round_ + 10}", limiter=False, seconds=None
                )
                requests = replayed(fake, since)
                plain = len(requests) / await plain_loop(fake, requests)
                best_dispatch, best_plain = max(best_dispatch, sent / took), max(best_plain, plain)
                print(
                    f"  round {round_ + 1}: dispatcher {sent} sent = {sent / took:6.1f} /s, "
                    f"plain loop {len(requests)} sent = {plain:6.1f} /s"
                )
            print(f"  dispatcher  {best_dispatch:7.1f} /s")
            print(f"  plain loop  {best_plain:7.1f} /s")
            ratio = best_dispatch / best_plain
            print(f"  ratio dispatcher / plain loop: {ratio:.2f} (goal >= 0.70)")

            fake.enforce_rate_limit = True
            before = len(fake.calls)
            sent, took = await dispatch(fake, url, units, "9", limiter=True, seconds=window)
            limited = [
                c for c in fake.calls[before:] if c.method == "sendMessage" and c.status == 429
            ]
            print(f"rate limiter on, {window:.0f} s window:")
            rate = sent / took
            print(f"  sent {sent} = {rate:5.1f} /s (goal >= 29 /s); 429 answers: {len(limited)}")
            fake.pop_violations("Too Many Requests")  # counted above; not a broken request
            fake.assert_clean()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.units, options.window, options.rounds))
