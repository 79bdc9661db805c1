"""A real web app for tests: a temp SQLite file and files folder, the seed plan applied, the
runtime's own WebDeps, and Starlette's TestClient on it (real HTTP semantics, no server).

Use `web_world(tmp_path)` (the `web` fixture of tests/web/conftest.py): `world.call(f, ...)`
runs a coroutine function in the app's event loop (the database lives there), `world.contact`
registers someone through a real invite, `world.sign_in(url)` goes through the confirm page.
"""

from __future__ import annotations

import asyncio
import atexit
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from starlette.testclient import TestClient

from bot.app import Runtime
from bot.config import SEED_PLAN, Settings
from bot.core.model import Contact, RedeemStatus
from bot.core.plan.loader import load_plan
from bot.core.plan.model import Role
from bot.services import apply_plan_file, upgrade_database
from handlers.web.app import build_app
from handlers.web.context import WebDeps

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / SEED_PLAN
UNIT = "phong-ttbcxb"  # a unit of the seed plan
OFFICE_UNIT = "van-phong"
LEADERSHIP = "ban-giam-doc"
T = TypeVar("T")


class Clock:
    """The app's clock, moved by the test (time is never waited for)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class WebWorld:
    client: TestClient
    runtime: Runtime
    config: Settings
    clock: Clock

    @property
    def deps(self) -> WebDeps:
        assert self.runtime.web is not None
        return self.runtime.web

    def call(self, function: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`await function(*args)` in the app's event loop."""
        portal = self.client.portal
        assert portal is not None
        return portal.call(function, *args)

    def contact(
        self,
        unit_key: str = UNIT,
        *,
        role: Role = Role.HEAD,
        name: str = "Nguyễn Văn An",
        platform: str = "telegram",
        user_id: str | None = None,
    ) -> Contact:
        """Someone registered through a real invite, on `platform`."""
        deps = self.deps
        user_id = user_id or f"{platform}-{unit_key}-{role.value}-{name}"

        async def register() -> Contact:
            invite = await deps.office.create_invite(
                unit_key=unit_key, role=role, ttl=timedelta(days=1), now=self.clock()
            )
            result = await deps.core.context.repo.redeem_invite(
                code=invite.code,
                platform=platform,
                user_id=user_id,
                chat_id=user_id,
                display_name=name,
                now=self.clock(),
            )
            assert result.status is RedeemStatus.REGISTERED and result.contact is not None
            return result.contact

        return self.call(register)

    def link(self, contact: Contact | None = None, *, role: Role = Role.OFFICE) -> str:
        """A one-time sign-in link's path, for `contact` or for office staff without one."""
        access = self.deps.access

        async def issue() -> str:
            issued = await access.issue(
                role=role, display_name="Văn phòng", contact=contact, created_by="test"
            )
            return issued.url

        return urlsplit(self.call(issue)).path

    def confirm_value(self, path: str) -> str:
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r'name="xacnhan" value="([^"]+)"', page.text)
        assert found is not None
        return found.group(1)

    def sign_in(self, contact: Contact | None = None, *, role: Role = Role.OFFICE) -> None:
        """Open a fresh link and press its button: the client then holds the session cookie."""
        path = self.link(contact, role=role)
        answer = self.client.post(
            path, data={"xacnhan": self.confirm_value(path)}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text

    def csrf(self) -> str:
        """The signed-in session's CSRF token, as its pages carry it."""
        page = self.client.get("/don-vi/thong-bao")  # any signed-in page carries it
        found = re.search(r'name="csrf" value="([^"]*)"', page.text)
        assert found is not None and found.group(1)
        return found.group(1)


def settings_for(folder: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": folder / "data",
        "reminders": False,
        "web": True,
        "web_port": 8080,  # never bound here: the TestClient calls the app directly
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def seeded_database(folder: Path, now: datetime) -> Path:
    """A SQLite file in `folder`, migrated, with the seed plan applied at `now`."""
    config = settings_for(folder)
    asyncio.run(upgrade_database(config))
    plan = load_plan(SEED, now=now)
    asyncio.run(apply_plan_file(config, plan, path=str(SEED), archive=False, at=now))
    return config.data_dir / "baocao.db"


# One seeded database per test process, copied for each world: migrating and applying the
# plan costs most of a second.
_SEEDED: dict[str, Path] = {}


@contextmanager
def web_world(folder: Path, *, now: datetime | None = None, **overrides: Any) -> Iterator[WebWorld]:
    """The app over a fresh database in `folder` with the seed plan applied (at `now`, or at
    the start of the test run)."""
    config = settings_for(folder, **overrides)
    if now is None:
        if "seeded" not in _SEEDED:
            template = Path(tempfile.mkdtemp(prefix="baocao-web-seed-"))
            atexit.register(shutil.rmtree, template, True)
            _SEEDED["seeded"] = seeded_database(template, datetime.now(UTC))
        config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(_SEEDED["seeded"], config.data_dir / "baocao.db")
        now = datetime.now(UTC)
    else:
        seeded_database(folder, now)
    clock = Clock(now)
    runtime = Runtime(config, clock=clock)
    assert runtime.web is not None
    app = build_app(runtime.web)
    with TestClient(app, base_url=runtime.web.settings.base_url) as client:
        world = WebWorld(client=client, runtime=runtime, config=config, clock=clock)
        try:
            yield world
        finally:
            world.call(runtime.engine.dispose)
