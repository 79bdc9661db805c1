"""End to end: the Office asks for the compiled draft on Telegram (the fake Bot API) and gets
the Word file, sent with sendDocument as the Bot API specifies."""

from __future__ import annotations

import asyncio
import io

from conftest import Office
from docx import Document
from e2e_support import DOCX_MIME
from fakes.telegram_api import FakeTelegram

from bot.core.plan.model import Role


def word_file(*lines: str) -> bytes:
    document = Document()
    document.add_heading("Báo cáo quý của Phòng B", level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def test_the_office_asks_for_the_draft_and_gets_a_word_file(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    mai = fake.user(1005, "Mai")
    await office.register(binh, "phong-b")
    await office.register(mai, "van-phong", Role.OFFICE)
    report = fake.add_file(
        word_file("Phòng B đã hoàn thành các chỉ tiêu của quý."),
        file_name="bao-cao-quy.docx",
        mime_type=DOCX_MIME,
    )
    await fake.send_document(binh, report)
    await fake.wait_for_message(1002, contains="Biên nhận")

    await fake.send_text(binh, "/tonghop bc-quy")  # a unit head is not the Office
    refused = await fake.wait_for_message(1002)
    assert refused["text"] == "Chỉ cán bộ Văn phòng mới lấy được bản tổng hợp."

    await fake.send_text(mai, "/tonghop bc-quy")
    call = await fake.wait_for("sendDocument")
    upload = call.files["document"]
    assert upload.filename == "Tổng hợp bc-quy.docx"
    assert call.params["caption"].startswith(
        "Bản tổng hợp (nháp) «Báo cáo quý», kỳ một lần: 1/2 đơn vị đã nộp, ghép 1 tệp Word"
    )
    document = Document(io.BytesIO(upload.data))
    text = [p.text for p in document.paragraphs]
    assert "Phòng B" in text and "Phòng B đã hoàn thành các chỉ tiêu của quý." in text
    status = [[c.text for c in row.cells][1:3] for row in document.tables[0].rows]
    assert status == [
        ["Đơn vị", "Tình trạng"],
        ["Phòng A", "Chưa nộp, còn trong hạn"],
        ["Phòng B", "Đúng hạn"],
    ]
    for _ in range(200):  # the bot deletes its copy once Telegram has taken the file
        if not list((office.data / ".staging").glob("*")):
            break
        await asyncio.sleep(0.01)
    assert list((office.data / ".staging").glob("*")) == []

    # In the office group too: the file goes to the group.
    group = fake.group_chat(-100500, "Văn phòng Sở")
    await fake.send_text(mai, "/tonghop bc-quy", chat=group)
    sent = await fake.wait_for_message(-100500, contains="Bản tổng hợp")
    assert sent["document"]["file_name"] == "Tổng hợp bc-quy.docx"
