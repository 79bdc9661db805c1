"""Benchmark: 1,000 submissions from 200 people through the fake Bot API, against an echo bot.

For every submission it measures the time from the fake serving the update (the document,
or the tap that confirms a text) to the bot's receipt reaching the fake; for the echo bot,
from serving a text to the echo. Both bots run as their own processes against the same fake
in the same run; the figures are printed, nothing is asserted. Goal: baocao's p99 at most
1.5 times the echo bot's.  Run:  .venv/bin/python benchmarks/bot_latency_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from department import person_name, plan_text, register_heads, user_id  # noqa: E402
from fakes.telegram_api import FakeTelegram  # noqa: E402

from bot.core.plan.loader import parse_plan  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.plans import apply_plan  # noqa: E402


async def prepare(url: str, data: Path, users: int) -> None:
    """The plan applied and every person registered, before the clock starts."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        due = (now + timedelta(days=30)).date()
        plan = parse_plan(plan_text(users, due_before=due), "bench.yaml")
        await apply_plan(engine, plan, path="bench.yaml", now=now)
        await register_heads(engine, data, users, now=now)
    finally:
        await engine.dispose()


async def start_process(args: list[str], env: dict[str, str], fake: FakeTelegram) -> Any:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await fake.wait_polling(timeout=60)
    return process


async def stop_process(process: Any) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), timeout=60)


def is_reply(chat_id: int, contains: str) -> Callable[[Any], bool]:
    def match(call: Any) -> bool:
        return str(call.params.get("chat_id")) == str(chat_id) and contains in str(
            call.params.get("text", "")
        )

    return match


async def measure(
    fake: FakeTelegram, action: Callable[[], Awaitable[Any]], chat_id: int, contains: str
) -> float:
    since = len(fake.calls)
    queued = await action()
    update = getattr(queued, "queued_update", queued)
    call = await fake.wait_for("sendMessage", is_reply(chat_id, contains), timeout=120, since=since)
    served = update.served_at
    assert served is not None
    return call.time - served


async def baocao_user(fake: FakeTelegram, number: int, rounds: int, out: list[float]) -> None:
    user = fake.user(user_id(number), person_name(number))
    chat = user["id"]
    for round_ in range(rounds):
        if round_ % 5 in (1, 3):  # two texts in five, each confirmed with a tap
            since = len(fake.calls)
            await fake.send_text(user, f"Báo cáo ngắn số {round_} của đơn vị {number}.")
            question = await fake.wait_for(
                "sendMessage", is_reply(chat, "Nộp nội dung này"), timeout=120, since=since
            )
            data = question.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

            async def press(message: Any = question.result, data: str = data) -> Any:
                query_id = await fake.press_button(user, message, data)
                return next(
                    u
                    for u in reversed(fake.updates)
                    if u.data.get("callback_query", {}).get("id") == query_id
                )

            out.append(await measure(fake, press, chat, "Biên nhận"))
        else:
            file = fake.add_file(
                b"%PDF-1.7 " + os.urandom(2048),
                file_name=f"bc-{round_}.pdf",
                mime_type="application/pdf",
            )
            out.append(
                await measure(
                    fake, lambda file=file: fake.send_document(user, file), chat, "Biên nhận"
                )
            )


async def echo_user(fake: FakeTelegram, number: int, rounds: int, out: list[float]) -> None:
    user = fake.user(user_id(number), person_name(number))
    for round_ in range(rounds):
        text = f"tin {round_} của {number}"
        out.append(
            await measure(fake, lambda text=text: fake.send_text(user, text), user["id"], text)
        )


def summary(name: str, values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    median = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"{name:<34} n={len(values):5d}  median {median:8.1f} ms   p99 {p99:8.1f} ms")
    return median, p99


async def main(users: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
        await prepare(url, data, users)
        async with FakeTelegram(bot_username="baocao_bench_bot") as fake:
            base = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
            env = {
                **base,
                "BAOCAO_TELEGRAM_TOKEN": fake.token,
                "BAOCAO_TELEGRAM_API_URL": fake.base_url,
                "BAOCAO_DATABASE_URL": url,
                "BAOCAO_DATA_DIR": str(data),
                "PYTHONPATH": str(ROOT),
                # The bare bot does not pace itself and the fake does not enforce Telegram's
                # limits; with its limiter on, baocao would answer at most 30 messages a second
                # (as Telegram requires), which measures the limit and not the bot.
                "BAOCAO_TELEGRAM_RATE_LIMIT": "false",
            }
            echo_env = {**base, "ECHO_TOKEN": fake.token, "ECHO_API_URL": fake.base_url}

            echo: list[float] = []
            process = await start_process(
                [str(ROOT / "benchmarks" / "echo_bot.py")], echo_env, fake
            )
            await asyncio.gather(*(echo_user(fake, n, rounds, echo) for n in range(users)))
            await stop_process(process)

            receipts: list[float] = []
            process = await start_process(["-m", "bot", "run"], env, fake)
            await asyncio.gather(*(baocao_user(fake, n, rounds, receipts) for n in range(users)))
            await stop_process(process)
            fake.assert_clean()
    print(f"{users} people x {rounds} each (after one warm-up round each);")
    print("time from the fake serving the update to the reply reaching the fake:")
    _, echo_p99 = summary("bare echo bot (text -> echo)", echo)
    _, ours_p99 = summary("baocao (submission -> receipt)", receipts)
    print(f"p99 ratio baocao / echo: {ours_p99 / echo_p99:.2f} (goal: at most 1.5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.users, options.rounds))
