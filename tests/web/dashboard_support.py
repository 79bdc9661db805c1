"""A department on a real SQLite file, the web app over it, and a signed-in person chosen by the
test: the session middleware is another part's, so a tiny one sets `scope["baocao.user"]`."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.app import draft_desk
from bot.config import Settings
from bot.core.model import Contact, Receipt, StagedFile, SubmissionKind
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.usecases import ReportBot
from bot.core.usecases.context import BotSettings
from bot.services import archive_desk
from bot.services import status_export as make_status_export
from bot.web import build_web_deps
from handlers.web.app import build_app
from handlers.web.context import WebDeps, WebSettings, WebUser
from storage.db import make_engine
from storage.files import STAGING_DIR, LocalFileStore
from storage.instances import SqlReportInstances
from storage.migrate import upgrade
from storage.repository import SqlRepository

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 18/05/2026, 09:00 in Hà Nội: the monthly report is due before Friday 29/05/2026.
NOW = datetime(2026, 5, 18, 2, 0, tzinfo=UTC)
REPORT = "Báo cáo công tác tháng"
PLAN = """\
organisation: {name: Sở Thử nghiệm, timezone: Asia/Ho_Chi_Minh}
units:
  - {id: van-phong, name: Văn phòng Sở, type: office}
  - {id: lanh-dao, name: Lãnh đạo Sở, type: leadership}
  - {id: kh, name: Phòng Kế hoạch - Tài chính}
  - {id: ttbc, name: Phòng Thông tin - Báo chí}
  - {id: dv-xa, name: Trung tâm Dịch vụ}
reports:
  - id: bc-thang
    name: Báo cáo công tác tháng
    submitters: [kh, ttbc, dv-xa]
    receiver: van-phong
    due_before: 29/05/2026
"""

OFFICE = WebUser(session_id=1, role=Role.OFFICE, display_name="Cán bộ Văn phòng", csrf="c" * 32)
LEADER = WebUser(session_id=2, role=Role.LEADER, display_name="Lãnh đạo Sở", csrf="l" * 32)
HEAD = WebUser(
    session_id=3,
    role=Role.HEAD,
    display_name="Trưởng phòng",
    csrf="h" * 32,
    contact_id=1,
    unit_key="kh",
    unit_name="Phòng Kế hoạch - Tài chính",
)


@dataclass
class Told:
    """Implements bot.core.ports.Notifier: what the people were told, instead of a platform."""

    messages: list[tuple[int, str]] = field(default_factory=list)

    async def notify(self, contact: Contact, text: str) -> bool:
        self.messages.append((contact.id, text))
        return True


class SignedIn:
    """Sets the signed-in person on every request, as the session middleware does."""

    def __init__(self, app: ASGIApp, who: Callable[[], WebUser | None]) -> None:
        self.app = app
        self.who = who

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["baocao.user"] = self.who()
        await self.app(scope, receive, send)


@dataclass
class World:
    engine: AsyncEngine
    data: Path
    deps: WebDeps
    repository: SqlRepository
    told: Told
    app: Starlette
    user: WebUser | None = OFFICE
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def client(self, user: WebUser | None = OFFICE) -> httpx.AsyncClient:
        """A browser signed in as `user` (None: nobody)."""
        self.user = user
        transport = httpx.ASGITransport(app=SignedIn(self.app, lambda: self.user))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def staged(self) -> list[Path]:
        """What is left in the file store's staging area (a download leaves nothing)."""
        folder = self.data / STAGING_DIR
        return sorted(folder.iterdir()) if folder.is_dir() else []

    async def instance_id(self) -> int:
        (status,) = await self.deps.office.status(report_key=None, now=NOW)
        return status.instance_id

    async def register(self, unit_key: str, role: Role, name: str, user_id: str) -> Contact:
        invite = await self.deps.office.create_invite(
            unit_key=unit_key, role=role, ttl=timedelta(days=14), now=NOW
        )
        done = await self.repository.redeem_invite(
            code=invite.code,
            platform="telegram",
            user_id=user_id,
            chat_id=user_id,
            display_name=name,
            now=NOW,
        )
        assert done.contact is not None
        return done.contact

    async def submit_text(self, contact: Contact, text: str, at: datetime) -> Receipt:
        return await self.repository.submit(
            instance_id=await self.instance_id(),
            unit_key=contact.unit_key,
            contact_id=contact.id,
            kind=SubmissionKind.TEXT,
            source_ref=f"test:{contact.id}:{at.isoformat()}",
            now=at,
            text=text,
        )

    async def submit_file(
        self, contact: Contact, name: str, content: bytes, at: datetime
    ) -> Receipt:
        import hashlib

        staged = self.deps.core.context.files.staging_path(Path(name).suffix)
        staged.write_bytes(content)
        return await self.repository.submit(
            instance_id=await self.instance_id(),
            unit_key=contact.unit_key,
            contact_id=contact.id,
            kind=SubmissionKind.FILE,
            source_ref=f"test:{contact.id}:{at.isoformat()}:{name}",
            now=at,
            file=StagedFile(
                path=staged,
                original_name=name,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            ),
        )


def web_deps(
    engine: AsyncEngine,
    data: Path,
    notifier: Told,
    clock: Callable[[], datetime],
) -> tuple[WebDeps, SqlRepository]:
    """The WebDeps the composition root builds, over this database and data folder."""
    files = LocalFileStore(data)
    repository = SqlRepository(engine, files)
    config = Settings(_env_file=None, data_dir=data, admins=[])  # type: ignore[call-arg]
    core = ReportBot(
        repository=repository,
        files=files,
        settings=BotSettings(timezone=TZ),
        clock=clock,
        exports=make_status_export(engine, SqlReportInstances(engine)),
        drafts=draft_desk(engine, files, repository),
        archives=archive_desk(engine, files, TZ),
    )
    deps = build_web_deps(
        config,
        engine=engine,
        files=files,
        core=core,
        clock=clock,
        notifier=notifier,
        invite_link=invite_link,
        settings=WebSettings(timezone=TZ),
    )
    return deps, repository


async def invite_link(code: str) -> str | None:
    """The link the chat platform makes for an invite code."""
    return f"https://t.me/baocao_thu_bot?start={code}"


@asynccontextmanager
async def department(tmp_path: Path, migrated: Path, *, plan: str = PLAN) -> AsyncIterator[World]:
    """The plan applied on a copy of a migrated SQLite file; nobody registered yet."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(migrated, data / "baocao.db")
    engine = make_engine(f"sqlite+aiosqlite:///{data / 'baocao.db'}")
    told = Told()
    clock = [NOW]
    deps, repository = web_deps(engine, data, told, lambda: clock[0])
    try:
        await deps.plans.apply(
            parse_plan(plan, "ke-hoach.yaml", now=NOW), path="ke-hoach.yaml", archive=False, now=NOW
        )
        world = World(
            engine=engine,
            data=data,
            deps=deps,
            repository=repository,
            told=told,
            app=build_app(deps),
            clock=clock,
        )
        yield world
    finally:
        await engine.dispose()


Setup = Callable[[World], Awaitable[None]]


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once, copied for each test (migrating costs a tenth of a second)."""
    path = tmp_path_factory.mktemp("dashboard-db") / "baocao.db"

    async def migrate() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    return path
