"""The web app as people meet it: the real runtime serving Telegram (against the strict fake Bot
API) and the web side by side, driven in chromium.

A unit head asks the bot for a link, opens it on a phone, hands in a 30 MB file with the
progress bar and gets the same receipt on the page and in chat; the Office signs in from the
command line's link, sees the unit as reported and opens the Excel it downloads; a forged
link and a file over the limit are refused in words. The pictures the guide shows are taken
here too (`make screenshots`).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import pytest_asyncio
from browser_support import Screenshots, horizontal_overflow
from fakes.telegram_api import FakeTelegram, find_api_json
from playwright.async_api import Browser, Page

from bot.app import Runtime
from bot.config import Settings
from bot.core.formatting import megabytes
from bot.core.i18n import t
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.web import sign_in_link
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.status import report_status

# PTB warns when it builds RetryAfter unless told to use timedelta; warnings are errors here.
os.environ.setdefault("PTB_TIMEDELTA", "1")

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LIMIT_MB = 31  # the portal's limit here: the 30 MB file fits, one byte over 31 MB does not
LINK = re.compile(r"https?://\S+/dang-nhap/\S+")


def plan_text(today: datetime) -> str:
    due = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    return f"""\
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
    name: Phòng Kế hoạch - Tài chính
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


def big_zip(path: Path, size: int) -> Path:
    """A real zip archive of about `size` bytes (stored, not compressed: random content)."""
    chunk = random.Random(7).randbytes(1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive,
        archive.open("so-lieu.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(size >> 20):
            member.write(chunk)
    return path


@dataclass
class Department:
    fake: FakeTelegram
    config: Settings
    runtime: Runtime
    url: str  # the web app's address

    async def versions(self) -> dict[str, int]:
        engine = make_engine(self.config.resolved_database_url())
        try:
            (instance,) = await report_status(engine, report_key="bc-quy", now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return {unit.unit_key: unit.versions for unit in instance.units}

    async def register(self, user: dict[str, Any], unit: str) -> None:
        engine = make_engine(self.config.resolved_database_url())
        try:
            invite = await create_invite(
                engine, unit_key=unit, role=Role.HEAD, now=datetime.now(UTC)
            )
        finally:
            await engine.dispose()
        await self.fake.send_text(user, f"/start {invite.code}")
        await self.fake.wait_for_message(user["id"], contains="Chào")


@pytest_asyncio.fixture(loop_scope="session")
async def department(browser: Browser, tmp_path: Path) -> AsyncIterator[Department]:
    """The plan applied on a fresh SQLite file; Telegram and the web served by one runtime."""
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
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
    port = free_port()
    async with FakeTelegram(bot_username="baocao_so_bot") as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            data_dir=data,
            database_url=database,
            admins=[],
            reminders=False,
            web=True,
            web_port=port,
            web_max_mb=LIMIT_MB,
        )
        runtime = Runtime(config, poll_timeout=1)
        await runtime.start()
        try:
            await fake.wait_polling()
            yield Department(fake, config, runtime, f"http://127.0.0.1:{port}")
        finally:
            await runtime.stop()


async def sign_in(page: Page, link: str, screenshots: Screenshots | None = None) -> None:
    """Open a sign-in link, as from a chat, and press the button that signs in."""
    await page.goto(link)
    button = page.get_by_role("button", name=t("signin-confirm-button"))
    await button.wait_for()
    if screenshots is not None:
        await screenshots.take(page, "dang-nhap")
    await button.click()
    await page.wait_for_load_state()


async def test_a_unit_hands_in_30_mb_on_a_phone_and_the_office_sees_it(
    department: Department, phone: Page, desktop: Page, screenshots: Screenshots, tmp_path: Path
) -> None:
    fake = department.fake
    an = fake.user(1001, "An")
    await department.register(an, "phong-a")

    # The head asks the bot for a link; it comes without a preview (scanners must not use it).
    await fake.send_text(an, "/web")
    message = await fake.wait_for_message(1001, contains="/dang-nhap/")
    match = LINK.search(message["text"])
    assert match is not None, message["text"]
    await sign_in(phone, match.group(0), screenshots)
    assert phone.url.endswith("/don-vi")
    assert await horizontal_overflow(phone) == 0
    await screenshots.take(phone, "cong-don-vi", full_page=True)

    # One report open: its page, a 30 MB file, the progress bar, the receipt.
    await phone.get_by_role("link", name=t("web-portal-open-report")).first.click()
    report = big_zip(tmp_path / "so-lieu-quy.zip", 30 << 20)
    await phone.set_input_files("#files", str(report))
    await phone.get_by_role("button", name=t("web-portal-upload-button")).click()
    await phone.locator(".result.done").wait_for(timeout=60_000)
    assert await phone.locator("progress").get_attribute("value") == "100"
    await screenshots.take(phone, "nop-tep", full_page=True)
    shown = await phone.locator(".result").inner_text()
    code = re.search(r"Mã biên nhận: (\w+)", shown)
    assert code is not None, shown
    assert "Phiên bản 1" in shown
    await screenshots.take(phone, "bien-nhan-web", full_page=True)

    # The same receipt reaches the chat.
    receipt = await fake.wait_for_message(1001, contains=code.group(1), timeout=20)
    assert "Biên nhận" in receipt["text"] and "so-lieu-quy.zip" in receipt["text"]
    assert await department.versions() == {"phong-a": 1, "phong-b": 0}

    # One byte over the limit: refused in words, nothing stored.
    await phone.reload()
    too_big = tmp_path / "qua-lon.zip"
    with too_big.open("wb") as stream:
        stream.truncate((LIMIT_MB << 20) + 1)
    await phone.set_input_files("#files", str(too_big))
    await phone.get_by_role("button", name=t("web-portal-upload-button")).click()
    refusal = phone.locator(".result.error")
    await refusal.wait_for()
    assert "qua-lon.zip" in await refusal.inner_text()
    assert f"{megabytes(LIMIT_MB << 20)} MB" in await refusal.inner_text()
    assert await department.versions() == {"phong-a": 1, "phong-b": 0}

    # The Office signs in with the link `baocao web login` prints, and sees the unit reported.
    link = await sign_in_link(department.config, contact_id=None, at=datetime.now(UTC))
    await sign_in(desktop, link.url)
    assert desktop.url.endswith("/van-phong")
    await screenshots.take(desktop, "bang-theo-doi", full_page=True)
    await desktop.get_by_role("link", name="Báo cáo quý").first.click()
    row = desktop.locator("tr", has_text="Phòng Kế hoạch - Tài chính")
    assert code.group(1) in await row.inner_text()

    async with desktop.expect_download() as waiting:
        await desktop.get_by_role("link", name=t("dash-download-excel")).click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    book = await asyncio.to_thread(openpyxl.load_workbook, saved)
    cells = [str(cell.value) for sheet in book.worksheets for r in sheet.iter_rows() for cell in r]
    assert code.group(1) in cells

    # An invite made on the dashboard: its link and QR code, for the guide.
    await desktop.goto(f"{department.url}/van-phong/loi-moi")
    await desktop.locator("select[name=unit]").select_option("phong-b")
    await desktop.locator("form[action='/van-phong/loi-moi/tao'] button").click()
    await desktop.locator("svg").first.wait_for()
    await screenshots.take(desktop, "moi-dau-moi", full_page=True)


async def test_a_forged_link_is_refused_in_words(department: Department, phone: Page) -> None:
    await phone.goto(f"{department.url}/dang-nhap/gia-mao.khong-dung")
    assert t("signin-link-forged") in await phone.locator("main").inner_text()
    response = await phone.goto(f"{department.url}/don-vi")
    assert response is not None and response.status == 401
