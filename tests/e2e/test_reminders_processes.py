"""Reminders from real `python -m bot run` processes: killed mid fan-out, two at once, outages.

Each test prepares the database before any bot starts (reminder_world.prepare: N units, one
head each who has started the bot, N exact reminders due now), runs the bot as the Office does
against the in-process fake Bot API, and checks what reached Telegram and what the database says.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.telegram_api import FakeTelegram
from reminder_world import (
    BotProcess,
    bot_env,
    deadline_plan,
    pids,
    postgres_database,
    prepare,
    reminded,
    reminder_counts,
    reminders_by_chat,
    sent_by_worker,
    stop_all,
    stray_messages,
    until,
    user_id,
)


def sqlite_url(data: Path) -> str:
    return f"sqlite+aiosqlite:///{data / 'baocao.db'}"


def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    return data


async def all_sent(url: str, rows: int) -> bool:
    return (await reminder_counts(url)).get("sent", 0) >= rows


async def test_sigkill_in_the_middle_of_a_fan_out_repeats_at_most_one_per_kill(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    units = 500
    data = data_dir(tmp_path)
    url = sqlite_url(data)
    await prepare(url, data, fake, units)
    env = bot_env(fake, url, data)
    loop = asyncio.get_running_loop()
    processes: list[BotProcess] = []
    delivered_at_kill: list[int] = []
    begin = loop.time()
    try:
        target = 150
        for run in range(2):  # two kills, each with about 150 more reminders delivered
            bot = await BotProcess(env, data, tmp_path / f"bot-{run}.log").start()
            processes.append(bot)
            await until(reminded(fake, target), 60, f"{target} chats reminded")
            await bot.kill()
            delivered_at_kill.append(len(reminders_by_chat(fake)))
            target = delivered_at_kill[-1] + 150
        assert delivered_at_kill[-1] < units, "the fan-out ended before the second kill"

        last = await BotProcess(env, data, tmp_path / "bot-last.log").start()
        processes.append(last)
        await until(reminded(fake, units), 60, "every chat reminded")
        await until(lambda: all_sent(url, units), 30, "every row marked sent")
        took = loop.time() - begin
        assert await last.terminate() == 0, last.output()
    finally:
        await stop_all(processes)

    chats = reminders_by_chat(fake)
    assert set(chats) == {user_id(n) for n in range(units)}
    repeated = sum(count - 1 for count in chats.values())
    print(
        f"\nSIGKILL x{len(delivered_at_kill)} at {delivered_at_kill} delivered: "
        f"{repeated} duplicate(s), all {units} reminded in {took:.1f} s"
    )
    assert repeated <= len(delivered_at_kill)  # only a send in flight at the kill repeats
    counts = await reminder_counts(url)
    assert counts.get("sent") == units
    assert "claimed" not in counts
    assert stray_messages(fake) == []
    fake.assert_clean()


@pytest.mark.parametrize("lease", [None, "3600"], ids=["default-lease", "hour-lease"])
async def test_a_crash_seconds_before_a_deadline_costs_at_most_the_message_in_flight(
    fake: FakeTelegram, tmp_path: Path, lease: str | None
) -> None:
    """Four reminders fall due under 90 s before their deadline; the bot is killed
    after the first is delivered, with the second in flight. Started again, with the default
    lease or a far longer one, it takes the dead process's claims back at once and reminds
    everyone in time."""
    units = 4
    data = data_dir(tmp_path)
    url = sqlite_url(data)
    wall, perf = datetime.now(UTC), time.perf_counter()
    text, due_end = deadline_plan(units, now=wall, lead=timedelta(seconds=25))
    await prepare(url, data, fake, units, text=text)
    env = bot_env(fake, url, data)
    del env["BAOCAO_REMINDER_LEASE"]
    if lease is not None:
        env["BAOCAO_REMINDER_LEASE"] = lease
    fake.delay_next("sendMessage", 0)
    fake.delay_next("sendMessage", 5)  # held: in flight when the process dies
    processes: list[BotProcess] = []
    try:
        first = await BotProcess(env, data, tmp_path / "bot-0.log").start()
        processes.append(first)
        await until(reminded(fake, 1), 30, "the first chat reminded")
        # The second request arrives only once the first reminder is marked sent.
        await until(lambda: len(fake.calls_to("sendMessage")) >= 2, 30, "the second in flight")
        await first.kill()
        again = await BotProcess(env, data, tmp_path / "bot-1.log").start()
        processes.append(again)
        left = (due_end - datetime.now(UTC)).total_seconds()
        took = await until(reminded(fake, units), left, "every chat reminded before the deadline")
        await until(lambda: all_sent(url, units), 30, "every row marked sent")
        assert "took back 3 reminder(s)" in again.output()
        assert await again.terminate() == 0, again.output()
    finally:
        await stop_all(processes)

    delivered: dict[int, datetime] = {}
    for call in fake.calls_to("sendMessage"):
        if call.ok and call.done_time is not None:
            at = wall + timedelta(seconds=call.done_time - perf)
            chat = int(call.params["chat_id"])
            delivered[chat] = min(at, delivered.get(chat, at))
    assert set(delivered) == {user_id(n) for n in range(units)}
    assert max(delivered.values()) < due_end
    print(
        f"\nkilled with {left:.0f} s to the deadline; the restarted bot reminded the rest in "
        f"{took:.1f} s, {(due_end - max(delivered.values())).total_seconds():.0f} s early"
    )
    chats = reminders_by_chat(fake)
    assert sum(count - 1 for count in chats.values()) <= 1  # the one in flight
    counts = await reminder_counts(url)
    assert counts.get("sent") == units
    assert "claimed" not in counts
    assert stray_messages(fake) == []
    fake.assert_clean()


@pytest.mark.postgres
async def test_two_processes_on_postgresql_send_1000_reminders_once_each(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    units = 1000
    data = data_dir(tmp_path)
    loop = asyncio.get_running_loop()
    async with postgres_database() as url:
        await prepare(url, data, fake, units)
        polling = BotProcess(bot_env(fake, url, data), data, tmp_path / "polling.log")
        sender = BotProcess(
            bot_env(fake, url, data, BAOCAO_TELEGRAM_POLLING="false"),
            data,
            tmp_path / "sender.log",
        )
        processes = [polling, sender]
        begin = loop.time()
        try:
            await asyncio.gather(polling.start(), sender.start())
            await until(reminded(fake, units), 90, "every chat reminded")
            await until(lambda: all_sent(url, units), 30, "every row marked sent")
            took = loop.time() - begin
            # Stop both, so a send still in flight (there should be none) is counted too.
            statuses = await asyncio.gather(polling.terminate(), sender.terminate())
            assert list(statuses) == [0, 0], polling.output() + sender.output()
        finally:
            await stop_all(processes)
        by_pid = pids(await sent_by_worker(url))
        counts = await reminder_counts(url)

    chats = reminders_by_chat(fake)
    print(
        f"\n2 processes, {units} reminders in {took:.1f} s: polling one sent "
        f"{by_pid[polling.pid]}, the other {by_pid[sender.pid]}"
    )
    assert set(chats) == {user_id(n) for n in range(units)}
    assert max(chats.values()) == 1  # no duplicates
    assert counts.get("sent") == units
    assert set(by_pid) == {polling.pid, sender.pid}  # both dispatched...
    assert by_pid[polling.pid] + by_pid[sender.pid] == units
    assert min(by_pid.values()) > 0  # ...some each
    assert stray_messages(fake) == []
    fake.assert_clean()


async def test_an_outage_of_502_then_429_delays_reminders_but_loses_none(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    units = 30
    retry_after = 2
    data = data_dir(tmp_path)
    url = sqlite_url(data)
    await prepare(url, data, fake, units)
    env = bot_env(fake, url, data, BAOCAO_TELEGRAM_RATE_LIMIT="true")
    bot = BotProcess(env, data, tmp_path / "bot.log")
    outage = asyncio.create_task(_outage(fake, bad_gateway_for=1.0, retry_after=retry_after))
    try:
        await bot.start()
        await until(reminded(fake, units), 60, "every chat reminded")
        await until(lambda: all_sent(url, units), 30, "every row marked sent")
        assert outage.done()
        assert await bot.terminate() == 0, bot.output()
    finally:
        outage.cancel()
        await bot.kill()

    sends = fake.calls_to("sendMessage")
    bad_gateway = [c for c in sends if c.status == 502]
    (too_many,) = [c for c in sends if c.status == 429]
    assert all(c.scripted for c in [*bad_gateway, too_many])
    assert too_many.done_time is not None
    assert max(c.index for c in bad_gateway) < too_many.index  # 502s first, then the 429
    after = [c for c in sends if c.index > too_many.index]
    assert after, "nothing was sent after the 429"
    waited = min(c.time for c in after) - too_many.done_time
    outage_took = too_many.done_time - bad_gateway[0].time
    delivered = max(c.time for c in sends if c.ok) - bad_gateway[0].time
    print(
        f"\n{len(bad_gateway)} x 502 over {bad_gateway[-1].time - bad_gateway[0].time:.1f} s, "
        f"429 at {outage_took:.1f} s, next send {waited:.2f} s after it; "
        f"all {units} delivered {delivered:.1f} s after the first 502"
    )
    assert waited >= retry_after  # never sooner than Telegram asked
    chats = reminders_by_chat(fake)
    assert set(chats) == {user_id(n) for n in range(units)}
    assert max(chats.values()) == 1
    # The messenger kept retrying within its budget: the dispatcher never had to put a row back.
    assert "not delivered" not in bot.output()
    assert (await reminder_counts(url)).get("sent") == units
    assert stray_messages(fake) == []
    fake.assert_clean()


async def _outage(fake: FakeTelegram, *, bad_gateway_for: float, retry_after: int) -> None:
    """Answer sendMessage with 502 until one arrives `bad_gateway_for` seconds or more after the
    first, then answer the next one (the messenger's backoff is 1-2 s by then) with 429. One
    scripted failure waits at a time; the messenger's retries come at least 0.25 s apart, so
    topping up every 10 ms leaves no gap a send could slip through. (The real process keeps
    real time: this is the one outage smoke test that waits; tests/e2e/test_delivery.py
    drives longer outages on the messenger's clock.)"""
    fake.fail_next("sendMessage", 502)
    scheduled = 1
    while True:
        answered = [c for c in fake.calls if c.scripted and c.method == "sendMessage" and c.done]
        if len(answered) == scheduled:
            if answered[-1].time - answered[0].time < bad_gateway_for:
                fake.fail_next("sendMessage", 502)
                scheduled += 1
            else:
                fake.fail_next("sendMessage", 429, retry_after=retry_after)
                return
        await asyncio.sleep(0.01)


async def test_one_of_two_processes_killed_mid_fan_out_the_other_finishes_it(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Two bots run; the one that claimed the fan-out (a batch holds every row) is SIGKILLed a
    third of the way through. The other takes back the dead one's claims (same host: at once,
    not after the lease) and finishes every row; only the message the dead one had in flight
    may arrive twice."""
    units = 400
    data = data_dir(tmp_path)
    url = sqlite_url(data)
    await prepare(url, data, fake, units)
    survivor = BotProcess(bot_env(fake, url, data), data, tmp_path / "survivor.log")
    victim = BotProcess(
        bot_env(fake, url, data, BAOCAO_TELEGRAM_POLLING="false"), data, tmp_path / "victim.log"
    )
    processes = [survivor, victim]
    try:
        await victim.start()
        await until(reminded(fake, 1), 30, "the first chat reminded")  # it holds the batch
        await survivor.start()
        await until(reminded(fake, units // 3), 60, f"{units // 3} chats reminded")
        await victim.kill()
        at_kill = len(reminders_by_chat(fake))
        assert at_kill < units, "the fan-out ended before the kill"
        await until(reminded(fake, units), 60, "every chat reminded")
        await until(lambda: all_sent(url, units), 30, "every row marked sent")
        assert await survivor.terminate() == 0, survivor.output()
    finally:
        await stop_all(processes)
    assert "reminder(s) claimed by" in survivor.output()  # taken back, not waited for
    by_pid = pids(await sent_by_worker(url))
    counts = await reminder_counts(url)

    chats = reminders_by_chat(fake)
    print(
        f"\nkilled one of two at {at_kill}/{units} delivered; it had sent "
        f"{by_pid[victim.pid]}, the survivor {by_pid[survivor.pid]}"
    )
    assert set(chats) == {user_id(n) for n in range(units)}
    assert sum(count - 1 for count in chats.values()) <= 1  # the one in flight at the kill
    assert counts.get("sent") == units
    assert "claimed" not in counts
    assert by_pid[survivor.pid] + by_pid[victim.pid] == units  # each row marked once
    assert by_pid[survivor.pid] > units - at_kill - 1  # the survivor finished the rest
    assert stray_messages(fake) == []
    fake.assert_clean()
