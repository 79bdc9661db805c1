"""/xuat in chat: the status workbook sent to the Office and leadership, refused to units."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from core.test_usecases import NOW, PLAN, SECOND, TZ, World
from fakes.messenger import FakeMessenger
from xlsx_support import MISSING_FILL, fill, sheets, table

from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.usecases import BotSettings, ReportBot
from bot.services import status_export
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.repository import SqlRepository


async def exporting_world(tmp_path: Path, text: str) -> AsyncIterator[World]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    await upgrade(engine)
    await apply_plan(engine, parse_plan(text, "p.yaml"), path="p.yaml", now=NOW)
    files = LocalFileStore(tmp_path)
    repo = SqlRepository(engine, files)
    clock = [NOW]
    bot = ReportBot(
        repository=repo,
        files=files,
        settings=BotSettings(timezone=TZ, admins=frozenset({"999"})),
        clock=lambda: clock[0],
        exports=status_export(engine, repo),
    )
    try:
        yield World(bot, FakeMessenger(), repo, engine, tmp_path, clock)
    finally:
        await engine.dispose()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in exporting_world(tmp_path, PLAN):
        yield w


@pytest.fixture
async def two_reports(tmp_path: Path) -> AsyncIterator[World]:
    async for w in exporting_world(tmp_path, PLAN + SECOND):
        yield w


def staged(world: World) -> list[Path]:
    return list((world.data / ".staging").glob("*"))


async def test_a_unit_head_is_refused(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "/xuat")
    assert world.out.texts("1")[-1] == (
        "Chỉ cán bộ Văn phòng và lãnh đạo xuất được tình hình nộp báo cáo ra Excel."
    )
    assert world.out.uploads == []


async def test_the_office_gets_the_only_open_report_as_a_workbook(world: World) -> None:
    await world.register("1", "phong-a")
    await world.send_file("1", "bc.docx", b"PK\x03\x04 noi dung", caption="Bản chính thức")
    await world.register("7", "van-phong", Role.OFFICE)
    await world.say("7", "/xuat")
    ((chat, name, caption, photo, content),) = world.out.uploads
    assert (chat, name, photo) == ("7", "Tình hình nộp - Báo cáo 6 tháng.xlsx", False)
    assert caption == (
        "Tình hình nộp «Báo cáo 6 tháng»: 1/2 đơn vị đã nộp. Số liệu lúc 03/06/2024 10:00."
    )
    found = sheets(content)
    assert list(found) == ["Tình hình", "Các lần nộp"]
    _, _, rows = table(found["Tình hình"])
    assert [row[1:4] for row in rows] == [
        ("Phòng A", "Người 1 (@user1)", "đúng hạn"),
        ("Phòng B", None, "còn trong hạn"),
    ]
    _, _, register = table(found["Các lần nộp"])
    assert [row[2:5] for row in register] == [("Phòng A", 1, datetime(2024, 6, 3, 10, 0))]
    assert register[0][8:] == ("bc.docx", register[0][9], "Bản chính thức")
    assert staged(world) == []  # the file was made in the staging area, and removed


async def test_after_the_deadline_the_last_report_due_is_sent_with_the_missing_marked(
    world: World,
) -> None:
    await world.register("8", "ban-giam-doc", Role.LEADER)  # leadership may export too
    world.clock[0] = NOW + timedelta(days=3)
    await world.say("8", "/xuat")
    ((_, _, caption, _, content),) = world.out.uploads
    assert caption.startswith("Tình hình nộp «Báo cáo 6 tháng»: 0/2 đơn vị đã nộp.")
    ws = sheets(content)["Tình hình"]
    header, _, rows = table(ws)
    assert [row[3] for row in rows] == ["chưa nộp, đã trễ 1 ngày 10 giờ"] * 2
    assert fill(ws, header + 1) == MISSING_FILL
    assert "Chưa có đơn vị nào nộp." in [ws.cell(n, 1).value for n in range(1, header)]


async def test_several_open_reports_are_a_choice(two_reports: World) -> None:
    world = two_reports
    await world.register("7", "van-phong", Role.OFFICE)
    await world.say("7", "/xuat")
    question, keyboard = world.out.sent[-1][1:]
    assert question == "Xuất tình hình báo cáo nào ra tệp Excel?"
    labels = [row[0].text for row in keyboard]
    assert labels == [
        "Báo cáo 6 tháng — trước ngày 05/06/2024 (thứ Tư)",
        "Báo cáo chuyên đề — trước ngày 20/06/2024 (thứ Năm)",
        "Hủy",
    ]
    await world.press("7", keyboard[1][0].data)
    assert world.out.edits[-1][1] == "Đang xuất tình hình «Báo cáo chuyên đề» ra tệp Excel."
    ((_, name, _, _, content),) = world.out.uploads
    assert name == "Tình hình nộp - Báo cáo chuyên đề.xlsx"
    assert sheets(content)["Tình hình"]["A1"].value == "Báo cáo chuyên đề"
    await world.press("7", keyboard[0][0].data)  # the same question again: spent
    assert len(world.out.uploads) == 1
    assert world.out.answers[-1][1] == "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."

    await world.say("7", "/xuat")
    await world.press("7", world.out.sent[-1][2][-1][0].data)
    assert world.out.edits[-1][1] == "Đã hủy, không xuất gì."
    assert len(world.out.uploads) == 1


async def test_without_buttons_the_choice_is_a_number(two_reports: World) -> None:
    world = two_reports
    world.out.buttons = False  # type: ignore[attr-defined]
    await world.register("7", "van-phong", Role.OFFICE)
    await world.say("7", "/xuat")
    assert world.out.texts("7")[-1].endswith(
        "\n\n1. Báo cáo 6 tháng — trước ngày 05/06/2024 (thứ Tư)\n"
        "2. Báo cáo chuyên đề — trước ngày 20/06/2024 (thứ Năm)\n3. Hủy"
    )
    await world.say("7", "1")
    assert [u[1] for u in world.out.uploads] == ["Tình hình nộp - Báo cáo 6 tháng.xlsx"]


async def test_a_code_picks_the_report_and_a_wrong_one_is_named(two_reports: World) -> None:
    world = two_reports
    await world.register("7", "van-phong", Role.OFFICE)
    await world.say("7", "/xuat BC-CHUYEN-DE")
    assert [u[1] for u in world.out.uploads] == ["Tình hình nộp - Báo cáo chuyên đề.xlsx"]
    await world.say("7", "/xuat khong-co")
    assert world.out.texts("7")[-1] == (
        "Không có báo cáo nào mã «khong-co». Các mã báo cáo: bc-6-thang, bc-chuyen-de."
    )
    await world.say("7", "/xuat bc-6-thang 2024-01")
    assert world.out.texts("7")[-1] == "Báo cáo bc-6-thang không có kỳ «2024-01». Các kỳ: once."
    assert len(world.out.uploads) == 1


async def test_an_admin_without_a_contact_can_export(world: World) -> None:
    await world.say("999", "/xuat bc-6-thang")
    assert [u[0] for u in world.out.uploads] == ["999"]


async def test_too_big_for_the_platform_points_to_the_command_line(world: World) -> None:
    await world.register("7", "van-phong", Role.OFFICE)
    world.out.max_upload = 100
    await world.say("7", "/xuat")
    assert world.out.uploads == []
    assert world.out.texts("7")[-1].startswith("Tệp Excel quá lớn để gửi qua đây (")
    assert "«baocao export bc-6-thang --xlsx TỆP»" in world.out.texts("7")[-1]
    assert staged(world) == []


async def test_without_a_writer_the_bot_says_so(tmp_path: Path) -> None:
    from core.test_usecases import make_world

    async for world in make_world(tmp_path):
        await world.register("7", "van-phong", Role.OFFICE)
        await world.say("7", "/xuat")
        assert world.out.texts("7")[-1].startswith("Chức năng xuất Excel chưa được bật ở đây.")


def test_the_export_question_is_stored_and_read_back() -> None:
    from bot.core import steps

    step = steps.ExportChoice((4, 9))
    assert steps.decode(*steps.encode(step)) == step
    assert step.choices == ("0", "1", "x")
    for damaged in ({}, {"instances": []}, {"instances": ["4"]}, {"instances": [True]}):
        assert steps.decode(steps.EXPORT, damaged) is None
