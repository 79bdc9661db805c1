"""Benchmark: two instances on one PostgreSQL database, each in its own process.

Every part runs in its own process, as in production: the fake Bot API (in this, the driving
process, which does nothing else while it measures), each instance, and the load balancer.
One event loop for all of them measured that loop's lag instead: sends due at different
times left together and the fake, timestamping in the same loop, saw bursts.

**Sending** (`--messages`, 2,000): two sender processes, each a PTB bot with its own
SharedRateLimiter over its own engine, send half the messages each to the fake, which answers
429 to anything over 30 in one second as Telegram does. Printed, from the fake's arrival
times: the rate together (goal >= 29/s), the most messages in any one-second window (goal
<= 30), the 429 count (goal 0), slots given up by late wake-ups, and database round trips per
message. Baseline, in the same run (`--baseline-messages`, 300): PTB's AIORateLimiter in each
of the two processes, which keeps each to 30/s, so together they meet 429s.

**Webhook** (`--seconds`, 60; `--rate`, 50 updates/s): two `baocao` runtimes in webhook mode
behind a round-robin proxy (its own process); the fake delivers `/start` from a new user at
`--rate` a second, and delivers every tenth update a second time, as Telegram does when an
answer is lost. Printed: p50/p99 handling time (the update queued at the fake to the bot's
answer reaching it), updates handled twice (goal 0), updates lost (no answer; goal 0).
Baseline, in the same run: one runtime behind the same proxy. Each update is answered, so
with Telegram's 30/s send limit on, 50 updates/s would only measure the send queue: the
bots here send unlimited unless `--send-limit` (the fake then enforces 30/s as well).

Run:  .venv/bin/python benchmarks/instances_bench.py [--messages 2000] [--seconds 60]
      [--only send|webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "storage")]
os.environ.setdefault("PTB_TIMEDELTA", "1")

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from fakes.telegram_api import FakeTelegram, QueuedUpdate  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from storage_helpers import POSTGRES_URL, admin_execute  # noqa: E402

from handlers.telegram.limiter import DEFAULT_RATE  # noqa: E402

SECRET = "bench_Two-instances_secret"
EXPECTED_FIELDS = ("ok", "failed", "round_trips", "late")


def most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# ---- child processes ------------------------------------------------------------------------


class Child:
    """One role of this script in its own process: started, then told by lines on stdin."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, role: str, spec: dict[str, Any], log: Path) -> Child:
        with log.open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--role",
                role,
                "--spec",
                json.dumps(spec),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        child = cls(process)
        line = await child.line()
        if line != "ready":
            raise RuntimeError(f"{role} did not start ({line!r}); see {log}")
        return child

    async def line(self) -> str:
        assert self.process.stdout is not None
        return (await self.process.stdout.readline()).decode().strip()

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")

    async def stop(self) -> None:
        assert self.process.stdin is not None
        if not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def stdin_lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def role_sender(spec: dict[str, Any]) -> None:
    """A bot sending `chats` messages through its limiter once told `go`; prints its counts."""
    from telegram.error import TelegramError
    from telegram.ext import AIORateLimiter, ExtBot

    from handlers.telegram.limiter import SharedRateLimiter
    from storage.db import make_engine
    from storage.rate_limit import SqlRateBudget

    engine = make_engine(spec["database"])
    shared = spec["limiter"] == "shared"
    leaving: list[tuple[int, float]] = []  # (chat, time.perf_counter()) as each request leaves

    class Timed(SharedRateLimiter if shared else AIORateLimiter):  # type: ignore[misc]
        """Notes when each request leaves its limiter, to tell its lateness from transit."""

        async def process_request(self, callback: Any, **rest: Any) -> Any:
            chat = rest["data"].get("chat_id")

            async def timed(*args: Any, **kwargs: Any) -> Any:
                leaving.append((chat, time.perf_counter()))
                return await callback(*args, **kwargs)

            return await super().process_request(callback=timed, **rest)

    limiter: Any = (
        Timed(SqlRateBudget(engine), rate=spec["send_rate"]) if shared else Timed(max_retries=5)
    )
    bot: ExtBot[None] = ExtBot(spec["token"], base_url=spec["api"], rate_limiter=limiter)
    await bot.initialize()
    reader = await stdin_lines()
    say("ready")
    await reader.readline()
    counts = Counter[str]()
    gate = asyncio.Semaphore(64)  # as many as the dispatcher's connection pool sends at once

    async def send(chat: int) -> None:
        async with gate:
            try:
                await bot.send_message(chat, "Nhắc hạn báo cáo")
                counts["ok"] += 1
            except TelegramError:
                counts["failed"] += 1

    await asyncio.gather(*(send(chat) for chat in spec["chats"]))
    if shared:
        counts["round_trips"] = limiter.round_trips
        counts["late"] = limiter.late
    await bot.shutdown()
    await engine.dispose()
    say(json.dumps({**counts, "leaving": leaving}))
    await reader.read()


async def role_instance(spec: dict[str, Any]) -> None:
    """A `baocao` runtime in webhook mode on `port`, until stdin closes."""
    from pydantic import SecretStr

    from bot.app import Runtime
    from bot.config import Settings

    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token=spec["token"],
        telegram_api_url=spec["api"],
        data_dir=Path(spec["data"]),
        database_url=spec["database"],
        web=True,
        web_port=spec["port"],
        webhook=True,
        telegram_webhook_secret=SecretStr(SECRET),
        telegram_rate_limit=spec["send_limit"],
    )
    runtime = Runtime(config, poll_timeout=1)
    await runtime.start()
    reader = await stdin_lines()
    say("ready")
    try:
        await reader.read()
    finally:
        await runtime.stop()


async def role_proxy(spec: dict[str, Any]) -> None:
    """A round-robin load balancer: each POST to the next backend, headers and body as came."""
    backends = itertools.cycle(spec["backends"])
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with session.post(
            next(backends) + request.path, data=await request.read(), headers=headers
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    app = web.Application()
    app.router.add_post("/{tail:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", spec["port"]).start()
    reader = await stdin_lines()
    say("ready")
    try:
        await reader.read()
    finally:
        await session.close()
        await runner.cleanup()


ROLES = {"sender": role_sender, "instance": role_instance, "proxy": role_proxy}


# ---- the sending half -----------------------------------------------------------------------


async def sending(
    fake: FakeTelegram,
    database: str,
    messages: int,
    limiter: str,
    logs: Path,
    first_id: int,
    send_rate: float = DEFAULT_RATE,
) -> dict[str, Any]:
    users = [fake.user(first_id + i, f"U{i}") for i in range(messages)]
    for user in users:
        fake.started(user)
    chats = [user["id"] for user in users]
    spec = {
        "database": database,
        "token": fake.token,
        "api": fake.base_url,
        "limiter": limiter,
        "send_rate": send_rate,
    }
    senders = [
        await Child.start("sender", {**spec, "chats": chats[i::2]}, logs / f"sender{i}.log")
        for i in range(2)
    ]
    mark = len(fake.calls)
    started = time.perf_counter()
    for sender in senders:
        sender.tell("go")
    results = [json.loads(await sender.line()) for sender in senders]
    for sender in senders:
        await sender.stop()
    calls = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    ok = [c.time for c in calls if c.status == 200]
    totals = {key: sum(r.get(key, 0) for r in results) for key in EXPECTED_FIELDS}
    # perf_counter is CLOCK_MONOTONIC, one clock for every process on this machine: the time
    # from a request leaving its limiter to the fake's arrival is transit (PTB, HTTP, the
    # fake's own event loop), which no limiter controls.
    left = [(int(chat), at) for r in results for chat, at in r["leaving"] if chat]
    arrivals: dict[int, list[float]] = {}
    for call in calls:
        arrivals.setdefault(int(call.params.get("chat_id", 0)), []).append(call.time)
    order: dict[int, int] = Counter()
    transit = []
    for chat, at in sorted(left, key=lambda x: x[1]):
        times = arrivals.get(chat, [])
        if order[chat] < len(times):
            transit.append((times[order[chat]] - at) * 1000)
        order[chat] += 1
    return {
        "messages": messages,
        "rate": len(ok) / (max(ok) - started) if ok else 0.0,
        "most": most_in_any_second(ok),
        "429": sum(1 for c in calls if c.status == 429),
        "most_leaving": most_in_any_second([at for _, at in left]),
        "transit50": statistics.median(transit) if transit else float("nan"),
        "transit99": percentile(transit, 0.99),
        "transit_max": max(transit, default=float("nan")),
        **totals,
    }


async def sending_half(args: argparse.Namespace, database: str, logs: Path) -> None:
    async with FakeTelegram() as fake:
        fake.enforce_rate_limit = True
        shared = await sending(
            fake, database, args.messages, "shared", logs, 10_000, args.send_rate
        )
        await asyncio.sleep(1.5)  # the fake's one-second window empties between the two
        base = await sending(fake, database, args.baseline_messages, "ptb", logs, 500_000)
    print(
        "sending: two instances, each in its own process, fake Bot API in another;"
        f" shared limit at {args.send_rate:g}/s"
    )
    print(f"  {'':30}{'shared limit':>16}{'AIORateLimiter x2':>20}")
    print(f"  {'messages':30}{shared['messages']:>16}{base['messages']:>20}")
    print(f"  {'rate together /s (>= 29)':30}{shared['rate']:>16.1f}{base['rate']:>20.1f}")
    print(f"  {'most in any second (<= 30)':30}{shared['most']:>16}{base['most']:>20}")
    print(f"  {'429 answers (0)':30}{shared['429']:>16}{base['429']:>20}")
    print(
        f"  {'most leaving limiters in 1 s':30}{shared['most_leaving']:>16}"
        f"{base['most_leaving']:>20}"
    )
    for key, label in (("transit50", "p50"), ("transit99", "p99"), ("transit_max", "max")):
        print(f"  {label + ' leaving to arrival ms':30}{shared[key]:>16.1f}{base[key]:>20.1f}")
    print(f"  {'failed sends':30}{shared['failed']:>16}{base['failed']:>20}")
    print(f"  {'slots given up, woken late':30}{shared['late']:>16}{'-':>20}")
    trips = shared["round_trips"]
    print(f"  {'DB round trips':30}{trips:>16}  ({trips / max(1, shared['messages']):.2f}/message)")


# ---- the webhook half -----------------------------------------------------------------------


async def webhook_run(
    fake: FakeTelegram,
    args: argparse.Namespace,
    database: str,
    data: Path,
    logs: Path,
    instances: int,
    first_id: int,
) -> dict[str, Any]:
    ports = [free_port() for _ in range(instances)]
    proxy_port = free_port()
    proxy = await Child.start(
        "proxy",
        {"port": proxy_port, "backends": [f"http://127.0.0.1:{p}" for p in ports]},
        logs / f"proxy{instances}.log",
    )
    fake.webhook_target = f"http://127.0.0.1:{proxy_port}/telegram/webhook"
    spec = {
        "token": fake.token,
        "api": fake.base_url,
        "database": database,
        "data": str(data),
        "send_limit": args.send_limit,
    }
    runtimes: list[Child] = []
    try:
        for index, port in enumerate(ports):
            runtimes.append(
                await Child.start(
                    "instance", {**spec, "port": port}, logs / f"instance{instances}-{index}.log"
                )
            )
        count = int(args.rate * args.seconds)
        users = [fake.user(first_id + i, f"Người {i}") for i in range(count)]
        for user in users:
            fake.started(user)
        mark = len(fake.calls)
        queued: dict[int, QueuedUpdate] = {}
        again: list[asyncio.Task[int]] = []

        async def deliver_again(update: QueuedUpdate) -> int:
            await asyncio.sleep(0.2)
            return await fake.deliver_webhook(update)

        start = time.perf_counter()
        for index, user in enumerate(users):
            delay = start + index / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await fake.send_text(user, "/start")
            update = fake.updates[-1]
            queued[user["id"]] = update
            if index % 10 == 9:
                again.append(asyncio.create_task(deliver_again(update)))
        statuses = await asyncio.gather(*again)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            answered = {c.params.get("chat_id") for c in fake.calls[mark:] if c.ok}
            if all(chat in answered for chat in queued):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # anything handled twice has answered by now
        answers: dict[int, list[float]] = {}
        for call in fake.calls[mark:]:
            if call.method == "sendMessage" and call.ok:
                answers.setdefault(call.params.get("chat_id"), []).append(call.time)
    finally:
        for runtime in runtimes:
            await runtime.stop()
        await proxy.stop()
    # One /start from a new user is answered with the same number of messages each time: the
    # most common count is one handling, more than that is a second one.
    per_update = Counter(len(times) for times in answers.values()).most_common(1)
    once = per_update[0][0] if per_update else 1
    handling = [
        (min(answers[chat]) - update.queued_at) * 1000
        for chat, update in queued.items()
        if chat in answers
    ]
    return {
        "instances": instances,
        "updates": len(queued),
        "again": len(statuses),
        "again_refused": sum(1 for s in statuses if not 200 <= s < 300),
        "p50": statistics.median(handling) if handling else float("nan"),
        "p99": percentile(handling, 0.99),
        "max": max(handling, default=float("nan")),
        "twice": sum(1 for chat in queued if len(answers.get(chat, [])) > once),
        "lost": sum(1 for chat in queued if chat not in answers),
        "dropped": len(fake.webhook_dropped),
        "once": once,
        "violations": len(fake.pop_violations()),
    }


async def webhook_half(args: argparse.Namespace, database: str, logs: Path) -> None:
    data = logs / "data"
    async with FakeTelegram(bot_username="baocao_so_bot") as fake:
        fake.enforce_rate_limit = args.send_limit
        base = await webhook_run(fake, args, database, data, logs, 1, 1_000_000)
        two = await webhook_run(fake, args, database, data, logs, 2, 2_000_000)
    limit = "30/s limit" if args.send_limit else "no send limit"
    print(
        f"webhook: {args.rate:g} updates/s for {args.seconds:g} s, behind a round-robin proxy,"
        f" {limit}; every 10th update delivered twice"
    )
    print(f"  {'':30}{'two instances':>16}{'one (baseline)':>18}")
    rows = [
        ("updates", "updates", "d"),
        ("delivered again", "again", "d"),
        ("  of which not answered 200", "again_refused", "d"),
        ("answers to one update", "once", "d"),
        ("p50 handling ms", "p50", ".1f"),
        ("p99 handling ms", "p99", ".1f"),
        ("max handling ms", "max", ".1f"),
        ("handled twice (0)", "twice", "d"),
        ("lost (0)", "lost", "d"),
        ("dropped by the fake", "dropped", "d"),
        ("calls the fake refused", "violations", "d"),
    ]
    for label, key, form in rows:
        print(f"  {label:30}{two[key]:>16{form}}{base[key]:>18{form}}")


def show_logs(logs: Path) -> None:
    """The children's logs, for a run that failed."""
    for log in sorted(logs.glob("*.log")):
        sys.stderr.write(f"--- {log.name}\n{log.read_text()[-3000:]}\n")


async def main(args: argparse.Namespace) -> None:
    name = f"baocao_bench_{uuid.uuid4().hex[:8]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(url)
    try:
        await upgrade(engine)
        await engine.dispose()
        with tempfile.TemporaryDirectory(prefix="baocao_bench_") as folder:
            logs = Path(folder)
            try:
                if args.only in (None, "send"):
                    await sending_half(args, url, logs)
                if args.only in (None, "webhook"):
                    await webhook_half(args, url, logs)
            except Exception:
                show_logs(logs)
                raise
    finally:
        await engine.dispose()
        await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--baseline-messages", type=int, default=300)
    parser.add_argument("--send-rate", type=float, default=DEFAULT_RATE)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--send-limit", action="store_true")
    parser.add_argument("--only", choices=["send", "webhook"])
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.role:
        asyncio.run(ROLES[parsed.role](json.loads(parsed.spec)))
    else:
        asyncio.run(main(parsed))
