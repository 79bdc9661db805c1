"""A department on a real SQLite file and files folder, and the web app over it, with whoever
the test chooses signed in (the session middleware belongs to the sign-in pages)."""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fakes.messenger import FakeMessenger
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.config import Settings
from bot.core.archive import SubmittedVersion
from bot.core.model import Contact, RedeemStatus, SubmissionKind
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.ports import Messenger
from bot.core.usecases import BotSettings, ReportBot
from bot.platforms import WebInviteLinks
from bot.services import PlatformNotifier, archive_desk
from bot.web import build_web_deps
from handlers.web.app import build_app
from handlers.web.context import WebSettings, WebUser
from storage.db import make_engine, read_session
from storage.files import LocalFileStore
from storage.history import SqlSubmissionHistory
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.models import outbox_t
from storage.plans import apply_plan
from storage.repository import SqlRepository

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 5, 20, 3, 0, tzinfo=UTC)  # Monday 20/05/2024, 10:00 in Hà Nội
CSRF = "csrf-cua-phien-thu"

PLAN = """\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: ban-giam-doc
    name: Ban Giám đốc Sở
    type: leadership
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: all
    receiver: van-phong
    due_before: 05/06/2024
    forward_files: true
  - id: bc-thang-4
    name: Báo cáo tháng 4
    submitters: all
    receiver: van-phong
    due_before: 15/05/2024
  - id: bc-chuyen-de
    name: Báo cáo chuyên đề
    kind: chuyên đề
    submitters: [phong-b]
    receiver: van-phong
    due_before: 10/06/2024
"""


@dataclass
class Department:
    """The plan applied, a head registered for each unit, and Phòng A's April report sent
    (late, on 16/05) so that it may be corrected now."""

    data: Path
    url: str
    heads: dict[str, Contact]
    instances: dict[str, int]  # report key to its (only) instance id

    @property
    def files(self) -> LocalFileStore:
        return LocalFileStore(self.data)

    def user(self, unit: str, *, csrf: str = CSRF) -> WebUser:
        head = self.heads[unit]
        return WebUser(
            session_id=head.id,
            role=head.role,
            display_name=head.display_name,
            csrf=csrf,
            contact_id=head.id,
            unit_key=head.unit_key,
            unit_name=head.unit_name,
        )

    def versions(self, report: str, unit: str = "phong-a") -> list[SubmittedVersion]:
        async def read() -> list[SubmittedVersion]:
            engine = make_engine(self.url)
            try:
                rows = await SqlSubmissionHistory(engine).versions(
                    instance_id=self.instances[report]
                )
            finally:
                await engine.dispose()
            return [row for row in rows if row.unit_key == unit]

        return asyncio.run(read())

    def stored_sha256(self, version: SubmittedVersion) -> str:
        assert version.stored_path is not None
        return hashlib.sha256((self.data / version.stored_path).read_bytes()).hexdigest()

    def outbox(self) -> list[dict[str, Any]]:
        async def read() -> list[dict[str, Any]]:
            engine = make_engine(self.url)
            try:
                async with read_session(engine) as session:
                    rows = (await session.execute(sa.select(outbox_t))).mappings().all()
            finally:
                await engine.dispose()
            return [dict(row) for row in rows]

        return asyncio.run(read())

    def staged(self) -> list[Path]:
        staging = self.files.staging
        return sorted(staging.iterdir()) if staging.exists() else []

    def stored(self) -> list[Path]:
        return sorted(path for path in (self.data / "files").rglob("*") if path.is_file())


_TEMPLATE: list[Department] = []  # built once per test run, copied for each test


def department(tmp_path: Path) -> Department:
    """A fresh copy of the department: migrating and applying the plan once per run keeps
    each test to a file copy."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="baocao-portal-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _TEMPLATE.append(_build(folder))
    template = _TEMPLATE[0]
    data = tmp_path / "data"
    shutil.copytree(template.data, data)
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    return Department(data, url, template.heads, template.instances)


def _build(folder: Path) -> Department:
    data = folder / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"

    async def build() -> Department:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            await apply_plan(engine, parse_plan(PLAN, "p.yaml"), path="p.yaml", now=NOW)
            repo = SqlRepository(engine, LocalFileStore(data))
            heads = {}
            for unit in ("phong-a", "phong-b", "van-phong"):
                role = Role.OFFICE if unit == "van-phong" else Role.HEAD
                invite = await create_invite(engine, unit_key=unit, role=role, now=NOW)
                redeemed = await repo.redeem_invite(
                    code=invite.code,
                    platform="telegram",
                    user_id=f"tg-{unit}",
                    chat_id=f"chat-{unit}",
                    display_name=f"Đầu mối {unit}",
                    now=NOW,
                )
                assert redeemed.status is RedeemStatus.REGISTERED and redeemed.contact
                heads[unit] = redeemed.contact
            instances = {
                status.report_key: status.instance_id
                for status in await repo.status(report_key=None, now=NOW)
            }
            await repo.submit(
                instance_id=instances["bc-thang-4"],
                unit_key="phong-a",
                contact_id=heads["phong-a"].id,
                kind=SubmissionKind.TEXT,
                source_ref="tg:april",
                now=NOW - timedelta(days=4),
                text="Số liệu tháng 4",
            )
        finally:
            await engine.dispose()
        return Department(data, url, heads, instances)

    return asyncio.run(build())


class AsUser:
    """Stands in for the session middleware: the request is signed in as `signed[0]`."""

    def __init__(self, app: ASGIApp, signed: list[WebUser | None]) -> None:
        self.app = app
        self.signed = signed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.signed[0] is not None:
            scope["baocao.user"] = self.signed[0]
        await self.app(scope, receive, send)


@dataclass
class Portal:
    client: TestClient
    department: Department
    signed: list[WebUser | None]
    messenger: FakeMessenger = field(default_factory=FakeMessenger)

    def sign_in(self, unit: str | None, **options: Any) -> None:
        self.signed[0] = None if unit is None else self.department.user(unit, **options)


@contextmanager
def portal(
    department: Department,
    *,
    max_upload: int = 4096,
    messengers: Mapping[str, Messenger] | None = None,
    clock: datetime = NOW,
) -> Iterator[Portal]:
    """The web app over `department`, signed in as Phòng A's head; the fake Telegram messenger
    runs in this process unless `messengers` says otherwise."""
    engine = make_engine(department.url)
    files = department.files
    repo = SqlRepository(engine, files)
    core = ReportBot(
        repository=repo,
        files=files,
        settings=BotSettings(max_text=200),
        clock=lambda: clock,
        archives=archive_desk(engine, files, TZ),
    )
    messenger = FakeMessenger()
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=department.data,
        database_url=department.url,
        admins=[],
    )
    deps = build_web_deps(
        config,
        engine=engine,
        files=files,
        core=core,
        clock=lambda: clock,
        notifier=PlatformNotifier(config),
        invite_link=WebInviteLinks(config).invite_link,
        settings=WebSettings(max_upload=max_upload),
    )
    deps.messengers = {"telegram": messenger} if messengers is None else messengers
    signed: list[WebUser | None] = [department.user("phong-a")]
    app = AsUser(build_app(deps), signed)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        try:
            yield Portal(client, department, signed, messenger)
        finally:
            client.portal.call(engine.dispose)  # type: ignore[union-attr]
