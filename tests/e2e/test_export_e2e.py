"""/xuat end to end: the real Application sends the workbook over the fake Bot API, and the
console saves it beside the chat; both files open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import Office
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram
from test_console import UNITS, Chat, baocao, monthly, start_chat
from xlsx_support import sheets, table

from bot.core.plan.model import Role


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def test_the_office_asks_for_the_workbook_on_telegram(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình", username="binh_pb")
    await office.register(binh, "phong-b")
    report = fake.add_file(DOCX, file_name="báo cáo quý.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, report)
    await fake.wait_for_message(1002, contains="Biên nhận")
    head = fake.user(1003, "Trưởng phòng")
    await office.register(head, "phong-a")
    await fake.send_text(head, "/xuat")
    refused = await fake.wait_for_message(1003, contains="Excel")
    assert refused["text"].startswith("Chỉ cán bộ Văn phòng và lãnh đạo xuất được")

    mai = fake.user(1001, "Mai")
    await office.register(mai, "van-phong", Role.OFFICE)
    await fake.send_text(mai, "/xuat")
    question = await fake.wait_for_message(1001, contains="ra tệp Excel?")
    (quarterly, _), (_, _), (_, _) = buttons(question)
    assert quarterly.startswith("Báo cáo quý — trước ngày ")
    await fake.press_button(mai, question, buttons(question)[0][1])
    sent = await fake.wait_for_message(1001, contains="Tình hình nộp «Báo cáo quý»")
    assert sent["caption"].startswith("Tình hình nộp «Báo cáo quý»: 1/2 đơn vị đã nộp.")
    document = sent["document"]
    assert document["file_name"] == "Tình hình nộp - Báo cáo quý.xlsx"
    (call,) = fake.calls_to("sendDocument")
    assert call.ok
    found = sheets(fake.file_bytes(document["file_id"]))
    _, _, rows = table(found["Tình hình"])
    assert [row[1:4] for row in rows] == [
        ("Phòng A", "Trưởng phòng", "còn trong hạn"),
        ("Phòng B", "Bình (@binh_pb)", "đúng hạn"),
    ]
    _, _, register = table(found["Các lần nộp"])
    assert [row[8] for row in register] == ["báo cáo quý.docx"]
    for _ in range(100):  # removed once the upload returns, just after the fake answers it
        if not list((office.data / ".staging").glob("*")):
            break
        await asyncio.sleep(0.02)
    assert list((office.data / ".staging").glob("*")) == []


async def test_the_office_exports_from_the_console(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(now), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    process = await start_chat(tmp_path, "office")
    chat = Chat(process)
    try:
        await chat.answer("/huongdan")
        await chat.type("/xuat")
        shown = await chat.answer("đã được lưu tại: ")
        assert "Tình hình nộp «Báo cáo tháng»: 0/1 đơn vị đã nộp." in shown
        await chat.type("/thoat")
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    saved = tmp_path / "tep-nhan" / "Tình hình nộp - Báo cáo tháng.xlsx"
    _, _, rows = table(sheets(saved)["Tình hình"])
    assert [row[1:4] for row in rows] == [("Phòng A", None, "còn trong hạn")]
