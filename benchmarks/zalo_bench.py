"""Benchmark: baocao on Zalo, through the fake Zalo Bot API (tests/fakes/zalo_api.py).

1. Fan-out: 2,000 due reminders to 2,000 Zalo contacts through the dispatcher, then the same
   2,000 messages again as plain httpx sendMessage calls to the same fake in the same run: both
   rates and their ratio (goal: the dispatcher reaches at least 70% of the plain loop). Rounds,
   dispatcher then plain loop, keeping each one's best rate: the machine is shared.
2. Latency: 200 people send 5 messages each (a text report, its "1" to confirm, a photo, another
   text and its "1") to a real `baocao run` process polling the fake; for each message, the time
   from the person sending it to the bot's first answer reaching the fake. Next to it, in the
   same run, a bare echo loop polling the same fake (getUpdates, then sendMessage of the same
   words) answering the same number of messages from the same people.
Figures are printed, nothing is asserted.  Run:  .venv/bin/python benchmarks/zalo_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402
from department import person_name, plan_text, register_heads, unit_key, user_id  # noqa: E402
from fakes.zalo_api import FakeZalo, ZaloUser  # noqa: E402
from PIL import Image  # noqa: E402

from bot.app import applied_plans  # noqa: E402
from bot.core.plan.loader import parse_plan  # noqa: E402
from bot.core.rules.reminders import Kind, PlannedRow  # noqa: E402
from handlers.zalo.client import ZaloClient  # noqa: E402
from handlers.zalo.messenger import ZaloMessenger  # noqa: E402
from scheduler.dispatcher import Dispatcher, DispatchSettings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.plans import apply_plan  # noqa: E402
from storage.reminders import ReminderStore  # noqa: E402

PLATFORM = "zalo"


def jpeg() -> bytes:
    """A small real JPEG: the photo a person sends in the latency part."""
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, format="JPEG")
    return picture.getvalue()


JPEG = jpeg()


def person(fake: FakeZalo, n: int) -> ZaloUser:
    return fake.user(str(user_id(n)), person_name(n))


async def prepare(url: str, data: Path, units: int, *, reminders: str | None) -> None:
    """The plan applied and every unit's head registered on Zalo, before the clock starts."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        due = (now + timedelta(days=30)).date()
        plan = parse_plan(plan_text(units, due_before=due, reminders=reminders), "b.yaml")
        await apply_plan(engine, plan, path="b.yaml", now=now)
        await register_heads(engine, data, units, now=now, platform=PLATFORM)
    finally:
        await engine.dispose()


# ---- 1. fan-out ----------------------------------------------------------------------------


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


async def dispatch(fake: FakeZalo, url: str, units: int, tag: str) -> tuple[int, float]:
    """Warm up (one tick plants the plan's own rows), plant `units` due rows, then time."""
    engine = make_engine(url)
    async with ZaloClient(token=fake.token, api_url=fake.api_url) as client:
        try:
            dispatcher = Dispatcher(
                store=ReminderStore(engine),
                plans=applied_plans(engine),
                messengers={PLATFORM: ZaloMessenger(client)},
                settings=DispatchSettings(),
                worker="bench",
            )
            await dispatcher.tick()
            await plant_due(url, units, tag)
            start = time.perf_counter()
            sent = await dispatcher.tick()
            return sent, time.perf_counter() - start
        finally:
            await engine.dispose()


async def plain_loop(fake: FakeZalo, bodies: list[dict[str, Any]]) -> float:
    """The same messages sent again, one plain httpx request after another."""
    url = f"{fake.api_url}/bot{fake.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        start = time.perf_counter()
        for body in bodies:
            response = await client.post(url, json=body)
            response.raise_for_status()
        return time.perf_counter() - start


async def fan_out(units: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
        await prepare(url, data, units, reminders="90s")
        async with FakeZalo() as fake:
            for n in range(units):  # everyone has written to the bot, so it may write back
                await fake.send_text(person(fake, n), "chào")
            fake.discard_pending()
            print(f"1. {units} reminders to Zalo contacts ({rounds} rounds, best of each):")
            best_dispatch = best_plain = 0.0
            for round_ in range(rounds):
                since = len(fake.calls)
                sent, took = await dispatch(fake, url, units, f"{round_ + 10}")
                bodies = [
                    call.body
                    for call in fake.calls[since:]
                    if call.method == "sendMessage" and call.ok
                ]
                plain = len(bodies) / await plain_loop(fake, bodies)
                best_dispatch, best_plain = max(best_dispatch, sent / took), max(best_plain, plain)
                print(
                    f"  round {round_ + 1}: dispatcher {sent} sent = {sent / took:6.1f} /s, "
                    f"plain loop {len(bodies)} sent = {plain:6.1f} /s"
                )
            print(f"  dispatcher  {best_dispatch:7.1f} /s")
            print(f"  plain loop  {best_plain:7.1f} /s")
            print(
                f"  ratio dispatcher / plain loop: {best_dispatch / best_plain:.2f} (goal >= 0.70)"
            )
            fake.assert_clean()


# ---- 2. latency ----------------------------------------------------------------------------


async def answered(fake: FakeZalo, user: ZaloUser, send: Any) -> float:
    """Seconds from sending to the first answer in the person's chat."""
    start = time.perf_counter()
    await send()
    await fake.wait_for_message(user.id, timeout=120)
    return time.perf_counter() - start


async def baocao_person(fake: FakeZalo, n: int, out: list[float]) -> None:
    user = person(fake, n)
    for round_ in range(5):
        if round_ in (0, 3):
            words = f"Báo cáo ngắn số {round_} của đơn vị {n}."
            out.append(await answered(fake, user, lambda w=words: fake.send_text(user, w)))
        elif round_ in (1, 4):
            out.append(await answered(fake, user, lambda: fake.send_text(user, "1")))
        else:
            out.append(await answered(fake, user, lambda: fake.send_image(user, JPEG)))


async def echo_person(fake: FakeZalo, n: int, out: list[float]) -> None:
    user = person(fake, n)
    for round_ in range(5):
        words = f"tin {round_} của {n}"
        out.append(await answered(fake, user, lambda w=words: fake.send_text(user, w)))


async def echo_bot(fake: FakeZalo) -> None:
    """The least a Zalo bot can do: take one update, say its words back."""
    base = f"{fake.api_url}/bot{fake.token}"
    async with httpx.AsyncClient(timeout=60) as client:
        while True:
            answer = (await client.post(f"{base}/getUpdates", json={"timeout": 30})).json()
            if not answer.get("ok"):
                continue  # 408: nothing new
            message = answer["result"]["message"]
            await client.post(
                f"{base}/sendMessage",
                json={"chat_id": message["chat"]["id"], "text": message.get("text") or "?"},
            )


def summary(name: str, values: list[float]) -> float:
    ordered = sorted(values)
    median = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"  {name:<36} n={len(values):5d}  p50 {median:8.1f} ms   p99 {p99:8.1f} ms")
    return p99


async def latency(people: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
        await prepare(url, data, people, reminders=None)
        async with FakeZalo() as fake:
            echo: list[float] = []
            task = asyncio.create_task(echo_bot(fake))
            await asyncio.gather(*(echo_person(fake, n, echo) for n in range(people)))
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

            base = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
            env = {
                **base,
                "BAOCAO_ZALO_TOKEN": fake.token,
                "BAOCAO_ZALO_API_URL": fake.api_url,
                "BAOCAO_DATABASE_URL": url,
                "BAOCAO_DATA_DIR": str(data),
                "BAOCAO_WEB": "false",
                "PYTHONPATH": str(ROOT),
            }
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                await fake.wait_polling(timeout=60)
                ours: list[float] = []
                await asyncio.gather(*(baocao_person(fake, n, ours) for n in range(people)))
            finally:
                process.terminate()
                await asyncio.wait_for(process.wait(), timeout=60)
            fake.assert_clean()
    print(f"2. {people} people x 5 messages; time from sending to the first answer:")
    echo_p99 = summary("bare echo loop (text -> echo)", echo)
    ours_p99 = summary("baocao (text, 1, photo -> answer)", ours)
    print(f"  p99 ratio baocao / echo: {ours_p99 / echo_p99:.2f}")


async def main(units: int, rounds: int, people: int) -> None:
    await fan_out(units, rounds)
    await latency(people)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=200)
    options = parser.parse_args()
    asyncio.run(main(options.units, options.rounds, options.people))
