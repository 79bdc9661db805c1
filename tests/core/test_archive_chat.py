"""/taitep: the Office and leadership get a round's files as a zip in chat; others do not."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakes.messenger import FakeMessenger
from test_usecases import NOW, PLAN, SECOND, TZ, World

from bot.core.model import ChatKind
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.usecases import BotSettings, ReportBot
from bot.services import archive_desk
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.repository import SqlRepository


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    await upgrade(engine)
    await apply_plan(engine, parse_plan(PLAN + SECOND, "p.yaml"), path="p.yaml", now=NOW)
    files = LocalFileStore(tmp_path)
    clock = [NOW]
    bot = ReportBot(
        repository=SqlRepository(engine, files),
        files=files,
        settings=BotSettings(timezone=TZ, admins=frozenset({"999"})),
        clock=lambda: clock[0],
        archives=archive_desk(engine, files, TZ),
    )
    try:
        yield World(bot, FakeMessenger(), SqlRepository(engine, files), engine, tmp_path, clock)
    finally:
        await engine.dispose()


async def test_the_office_gets_the_latest_files_as_a_zip(world: World) -> None:
    await world.register("2", "phong-b")  # one open report: a file goes straight to it
    await world.send_file("2", "Báo cáo 6 tháng.docx", b"PK\x03\x04 phong b")
    await world.register("9", "van-phong", Role.OFFICE)
    await world.say("9", "/taitep bc-6-thang")
    chat, name, caption, photo, content = world.out.uploads[-1]
    assert (chat, name, photo) == ("9", "Báo cáo 6 tháng.zip", False)
    assert caption == (
        "Báo cáo 6 tháng — kỳ một lần: 1 tệp của 1/2 đơn vị đã nộp, kèm bảng tình hình."
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert names == ["Phòng B - Báo cáo 6 tháng.docx", "Tình hình.xlsx"]
        assert archive.read(names[0]) == b"PK\x03\x04 phong b"
        assert archive.getinfo(names[0]).flag_bits & 0x800
    assert world.out.texts("9")[-1] == "Đang đóng gói các tệp của Báo cáo 6 tháng…"
    assert list((world.data / ".staging").iterdir()) == []  # nothing left behind


async def test_every_version_on_request_and_leaders_too(world: World) -> None:
    await world.register("2", "phong-b")
    await world.send_file("2", "Báo cáo.docx", b"PK\x03\x04v1")
    await world.send_file("2", "Báo cáo.docx", b"PK\x03\x04v2")
    await world.register("8", "ban-giam-doc", Role.LEADER)
    await world.say("8", "/taitep bc-6-thang tatca")
    _, _, _, _, content = world.out.uploads[-1]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == [
            "Phòng B/v1 - Báo cáo.docx",
            "Phòng B/v2 - Báo cáo.docx",
            "Tình hình.xlsx",
        ]
        assert archive.read("Phòng B/v1 - Báo cáo.docx") == b"PK\x03\x04v1"


async def test_units_heads_are_refused_and_mistakes_named(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "/taitep")
    assert world.out.texts("1")[-1] == (
        "Chỉ Văn phòng và lãnh đạo tải được tệp nén các báo cáo đã nộp."
    )
    assert world.out.uploads == []
    await world.register("9", "van-phong", Role.OFFICE)
    await world.say("9", "/taitep khong-co")
    assert world.out.texts("9")[-1] == (
        "Không có báo cáo nào mã «khong-co». Các mã báo cáo: bc-6-thang, bc-chuyen-de."
    )
    await world.say("9", "/taitep bc-6-thang 2030")
    assert world.out.texts("9")[-1] == "Báo cáo bc-6-thang không có kỳ «2030». Các kỳ: once."
    await world.say("9", "/taitep BC-6-THANG ONCE")  # capitals: the same report and round
    assert world.out.uploads[-1][1] == "Báo cáo 6 tháng.zip"


async def test_too_big_for_the_platform_points_to_the_command_line(world: World) -> None:
    await world.register("2", "phong-b")
    await world.send_file("2", "Lớn.pdf", b"%PDF-" + bytes(5000))
    await world.register("9", "van-phong", Role.OFFICE)
    world.out.max_upload = 1000  # the file alone is more than twice that: refused unwritten
    await world.say("9", "/zip bc-6-thang")
    assert world.out.uploads == []
    assert world.out.texts("9")[-1] == (
        "Tệp nén khoảng 0,0 MB, quá giới hạn 0,0 MB mà bot gửi được qua tin nhắn. Trên máy chủ, "
        "Văn phòng chạy lệnh: baocao export bc-6-thang --instance once --zip TÊN-TỆP.zip"
    )
    assert list((world.data / ".staging").iterdir()) == []
    world.out.max_upload = 3000  # under twice the file: written, then found too big
    await world.say("9", "/zip bc-6-thang")
    assert world.out.uploads == []
    assert world.out.texts("9")[-1].startswith("Tệp nén khoảng 0,0 MB, quá giới hạn 0,0 MB")
    assert list((world.data / ".staging").iterdir()) == []


async def test_not_in_groups(world: World) -> None:
    await world.register("9", "van-phong", Role.OFFICE)
    sent = len(world.out.sent)
    await world.say("9", "/taitep", chat="-100", kind=ChatKind.GROUP)
    assert len(world.out.sent) == sent and world.out.uploads == []
