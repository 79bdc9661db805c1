"""A Zalo contact hands in a file the chat cannot carry: the bot answers the file with a one-time
link, the link opens the portal on a phone in chromium, the PDF goes up there, and the receipt
comes back in the Zalo chat. The real runtime serves Zalo (against the strict fake Zalo Bot
API) and the web side by side."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from browser_support import horizontal_overflow
from playwright.async_api import Browser, Page

from bot.app import Runtime
from bot.config import Settings
from bot.core.i18n import t
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.status import report_status

zalo_api = pytest.importorskip("fakes.zalo_api")
FakeZalo = zalo_api.FakeZalo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LINK = re.compile(r"https?://\S+/dang-nhap/[\w.-]+")
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF\n"


def plan_text(today: datetime) -> str:
    due = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    return f"""\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-b
    name: Phòng Văn hóa và Gia đình
reports:
  - id: bc-quy
    name: Báo cáo quý
    submitters: all
    receiver: van-phong
    due_before: {due}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Department:
    fake: FakeZalo  # type: ignore[valid-type]
    database: str

    async def versions(self) -> dict[str, int]:
        engine = make_engine(self.database)
        try:
            (instance,) = await report_status(engine, report_key="bc-quy", now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return {unit.unit_key: unit.versions for unit in instance.units}

    async def invite(self, unit: str) -> str:
        engine = make_engine(self.database)
        try:
            view = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return view.code


@pytest_asyncio.fixture(loop_scope="session")
async def department(browser: Browser, tmp_path: Path) -> AsyncIterator[Department]:
    """The plan on a fresh SQLite file; Zalo (by polling) and the web served by one runtime."""
    data = tmp_path / "data"
    data.mkdir()
    database = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    engine = make_engine(database)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        plan = parse_plan(plan_text(now.astimezone(TZ)), "ke-hoach.yaml")
        await apply_plan(engine, plan, path="ke-hoach.yaml", now=now)
    finally:
        await engine.dispose()
    async with FakeZalo() as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            zalo_token=fake.token,
            zalo_api_url=fake.api_url,
            data_dir=data,
            database_url=database,
            admins=[],
            reminders=False,
            web=True,
            web_port=free_port(),
        )
        runtime = Runtime(config, poll_timeout=1)
        await runtime.start()
        try:
            await fake.wait_polling()
            yield Department(fake, database)
        finally:
            await runtime.stop()
        fake.assert_clean()


async def test_a_file_zalo_cannot_carry_goes_in_on_the_portal_and_the_receipt_comes_back(
    department: Department, phone: Page, tmp_path: Path
) -> None:
    fake = department.fake
    binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await fake.send_text(binh, await department.invite("phong-b"))
    await fake.wait_for_message(binh.id, contains="Chào")

    # A file sent in Zalo reaches the bot as "unsupported": guidance and the one-time link.
    await fake.send_unsupported(binh)
    answer = await fake.wait_for_message(binh.id, contains="/dang-nhap/")
    assert answer["text"].startswith("Bot không nhận được tệp")
    link = LINK.search(answer["text"])
    assert link is not None, answer["text"]

    # Opened on the phone: the confirm button signs in as the unit's head.
    await phone.goto(link.group(0))
    button = phone.get_by_role("button", name=t("signin-confirm-button"))
    await button.wait_for()
    assert "Trần Thị Bình" in await phone.locator("main").inner_text()
    await button.click()
    await phone.wait_for_load_state()
    assert phone.url.endswith("/don-vi")
    assert await horizontal_overflow(phone) == 0

    # The open report, a PDF, the receipt on the page.
    await phone.get_by_role("link", name=t("web-portal-open-report")).first.click()
    report = tmp_path / "bao-cao-quy.pdf"
    report.write_bytes(PDF)
    await phone.set_input_files("#files", str(report))
    await phone.get_by_role("button", name=t("web-portal-upload-button")).click()
    await phone.locator(".result.done").wait_for(timeout=30_000)
    shown = await phone.locator(".result").inner_text()
    code = re.search(r"Mã biên nhận: (\w+)", shown)
    assert code is not None, shown

    # The same receipt in the Zalo chat, through the fake's sendMessage.
    receipt = await fake.wait_for_message(binh.id, contains=code.group(1), timeout=20)
    assert "Biên nhận" in receipt["text"] and "bao-cao-quy.pdf" in receipt["text"]
    assert await department.versions() == {"phong-b": 1}
    # The link was used: opened again, it signs nobody in.
    await phone.context.clear_cookies()
    await phone.goto(link.group(0))
    assert t("signin-confirm-button") not in await phone.locator("main").inner_text()
