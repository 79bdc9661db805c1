"""A department on Zalo for the end-to-end tests: its plan applied to a real database, the
strict fake Zalo Bot API, and the real runtimes started against them."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from e2e_support import TZ, plan_text

from bot.app import Runtime
from bot.config import Settings
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.status import report_status

WEBHOOK_SECRET = "e2e_Webhook-secret_123"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(200)
SIGN_IN_LINK = re.compile(r"(https?://\S+/dang-nhap/[\w.-]+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sign_in_link(text: str) -> str | None:
    """The one-time sign-in link in a message, if it carries one."""
    found = SIGN_IN_LINK.search(text)
    return None if found is None else found.group(1)


@dataclass
class Department:
    fake: object  # FakeZalo; typed loosely so that this module imports without the fake
    data: Path
    url: str
    values: dict[str, object]
    runtimes: list[Runtime] = field(default_factory=list)

    def settings(self, **changes: object) -> Settings:
        return Settings(_env_file=None, **{**self.values, **changes})  # type: ignore[call-arg, arg-type]

    async def start(
        self, clock: Callable[[], datetime] | None = None, **changes: object
    ) -> Runtime:
        runtime = Runtime(self.settings(**changes), clock=clock, poll_timeout=1)
        await runtime.start()
        self.runtimes.append(runtime)
        return runtime

    async def stop(self) -> None:
        while self.runtimes:
            await self.runtimes.pop().stop()

    async def invite(self, unit: str, role: Role = Role.HEAD, *, same_as: int | None = None) -> str:
        engine = make_engine(self.url)
        try:
            view = await create_invite(
                engine, unit_key=unit, role=role, now=datetime.now(UTC), same_as=same_as
            )
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

    async def register(
        self,
        user: object,
        unit: str,
        role: Role = Role.HEAD,
        *,
        bare: bool = False,
    ) -> None:
        """`user` redeems a fresh invite: as `/start CODE`, or (`bare`) the code typed alone."""
        code = await self.invite(unit, role)
        await self.fake.send_text(user, code if bare else f"/start {code}")  # type: ignore[attr-defined]
        await self.fake.wait_for_message(user.id, contains="Chào")  # type: ignore[attr-defined]


async def prepare(url: str, data: Path) -> None:
    """The schema and the test plan (two reports, four units) in the database at `url`."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        plan = parse_plan(plan_text(now.astimezone(TZ)), "p.yaml")
        await apply_plan(engine, plan, path="p.yaml", now=now)
    finally:
        await engine.dispose()


@asynccontextmanager
async def department_on(
    fake: object, data: Path, url: str | None = None
) -> AsyncIterator[Department]:
    """The department on `fake`, its database at `url` (a SQLite file in `data` by default);
    every runtime started through it is stopped at the end, and the fake checked clean."""
    await asyncio.to_thread(data.mkdir, parents=True, exist_ok=True)
    url = url or f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    await prepare(url, data)
    values: dict[str, object] = {
        "zalo_token": fake.token,  # type: ignore[attr-defined]
        "zalo_api_url": fake.api_url,  # type: ignore[attr-defined]
        "data_dir": data,
        "database_url": url,
        "admins": [],
        "reminder_tick": 0.1,
        "web": False,
    }
    office = Department(fake, data, url, values)
    try:
        yield office
    finally:
        await office.stop()
    fake.assert_clean()  # type: ignore[attr-defined]
