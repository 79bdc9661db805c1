"""Two instances on one PostgreSQL and one data folder, in webhook mode behind a tiny
round-robin load balancer (an aiohttp proxy): every update, even delivered twice, is handled
once, and the reminders that fall due are sent once."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from conftest import TZ, plan_text
from fakes.telegram_api import FakeTelegram
from pydantic import SecretStr
from reminder_world import postgres_database

from bot.app import Runtime
from bot.config import Settings
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan

pytestmark = pytest.mark.postgres
SECRET = "e2e_Two-instances_secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RoundRobin:
    """A load balancer: each POST goes to the next backend, headers and body as they came."""

    def __init__(self, backends: list[str]) -> None:
        self._next = itertools.cycle(backends)
        self.routed: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        backend = next(self._next)
        self.routed[backend] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with self._session.post(
            backend + request.path, data=await request.read(), headers=headers
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    async def __aenter__(self) -> RoundRobin:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self._session = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None and self._runner is not None
        await self._session.close()
        await self._runner.cleanup()


async def test_two_instances_behind_a_load_balancer_handle_each_update_once(
    tmp_path: Path,
) -> None:
    async with postgres_database() as url, FakeTelegram(bot_username="baocao_so_bot") as fake:
        engine = make_engine(url)
        now = datetime.now(UTC)
        try:
            await upgrade(engine)
            plan = parse_plan(plan_text(now.astimezone(TZ)), "p.yaml")
            await apply_plan(engine, plan, path="p.yaml", now=now)
            codes = [
                (await create_invite(engine, unit_key=unit, role=Role.HEAD, now=now)).code
                for unit in ("phong-a", "phong-b") * 5
            ]
        finally:
            await engine.dispose()
        data = tmp_path / "shared"
        ports = [free_port(), free_port()]
        runtimes = []
        async with RoundRobin([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
            fake.webhook_target = balancer.url + "/telegram/webhook"
            try:
                for port in ports:
                    config = Settings(
                        _env_file=None,  # type: ignore[call-arg]
                        telegram_token=fake.token,
                        telegram_api_url=fake.base_url,
                        data_dir=data,
                        database_url=url,
                        reminder_tick=0.1,
                        web=True,
                        web_port=port,
                        webhook=True,
                        telegram_webhook_secret=SecretStr(SECRET),
                    )
                    runtime = Runtime(config, poll_timeout=1)
                    await runtime.start()
                    runtimes.append(runtime)
                users = [fake.user(3000 + i, f"Người {i}") for i in range(len(codes))]
                for user, code in zip(users, codes, strict=True):
                    fake.started(user)
                    await fake.send_text(user, f"/start {code}")
                await fake.wait_webhook_drained()
                # Every update once more, through the balancer: the other instance gets it.
                for update in list(fake.updates):
                    assert await fake.deliver_webhook(update) == 200
                for user in users:
                    await fake.wait_for_message(user["id"], contains="Chào", since=0)
                await asyncio.sleep(0.5)  # anything handled twice would have answered by now
                for user in users:
                    welcomes = [
                        m for m in fake.sent_messages(user["id"]) if "Chào" in m.get("text", "")
                    ]
                    assert len(welcomes) == 1, user
                assert len(balancer.routed) == 2
                assert not fake.calls_to("getUpdates")
            finally:
                for runtime in reversed(runtimes):
                    await runtime.stop()
        fake.assert_clean()
