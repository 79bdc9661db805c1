"""End to end: what hostile or careless input and a flaky Telegram found, answered in words."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from conftest import Office
from fakes.telegram_api import FakeTelegram

from bot.core.plan.model import Role
from storage.db import make_engine
from storage.models import submission_t
from storage.store_marker import MARKER_FILE

SORRY = "Xin lỗi, bot gặp sự cố"


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in fake.sent_messages(chat_id)]


async def test_a_mistyped_report_code_in_status_is_named_with_the_codes(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    mai = fake.user(1005, "Mai")
    await office.register(mai, "van-phong", Role.OFFICE)
    group = fake.group_chat(-100500, "Văn phòng Sở")

    await fake.send_text(mai, "/tinhhinh bc-qui")
    answer = (await fake.wait_for_message(1005, contains="bc-qui"))["text"]
    assert answer.startswith("Không có báo cáo nào mã «bc-qui».")
    assert "bc-quy" in answer and "bc-chuyen-de" in answer
    await fake.send_text(mai, "/tinhhinh@baocao_so_bot " + "x" * 3000, chat=group)
    answer = (await fake.wait_for_message(-100500, contains="Không có báo cáo nào mã"))["text"]
    assert len(answer) < 600  # the person's text is not repeated whole
    await fake.send_text(mai, "/tinhhinh bc-quy")
    status = (await fake.wait_for_message(1005, contains="Báo cáo quý"))["text"]
    assert "0/2 đơn vị đã nộp" in status
    assert not any(SORRY in text for text in texts(fake, 1005) + texts(fake, -100500))


async def test_a_question_that_cannot_be_edited_still_takes_the_report(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    await fake.send_text(binh, "Phòng B đã hoàn thành kế hoạch quý.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    # The person deleted the question on another device, or Telegram refuses the edit.
    fake.fail_next("editMessageText", 400, description="Bad Request: message to edit not found")
    await fake.press_button(binh, question, buttons(question)[0][1])
    receipt = (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
    assert "\nPhiên bản 1, đúng hạn." in receipt
    assert any(text.startswith("Đang nộp cho báo cáo «Báo cáo quý»") for text in texts(fake, 1002))
    assert not any(SORRY in text for text in texts(fake, 1002))
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


async def test_a_file_name_cannot_turn_the_receipt_around_or_break_its_lines(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    # U+202E shows "bao<RLO>exe.pdf" as "baofdp.exe", and everything after it reversed.
    spoof = fake.add_file(b"%PDF-1.7 a", file_name="bao\u202eexe.pdf", mime_type="application/pdf")
    await fake.send_document(binh, spoof)
    receipt = (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
    assert receipt.startswith("Biên nhận: đã nhận tệp «baoexe.pdf» của Phòng B")
    lines = fake.add_file(
        b"%PDF-1.7 b", file_name="bao\ncao\r\nquy\u2066.pdf", mime_type="application/pdf"
    )
    await fake.send_document(binh, lines)
    receipt = (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
    assert receipt.startswith("Biên nhận: đã nhận tệp «bao cao quy.pdf» của Phòng B")
    assert receipt.count("\n") == 2


async def edit(fake: FakeTelegram, sent: dict[str, Any], **changes: Any) -> None:
    """The person edits a message they sent, as Telegram delivers it (edited_message)."""
    message = {k: v for k, v in sent.items() if k != "entities"} | changes
    message["edit_date"] = message["date"] + 1
    await fake.queue_update({"edited_message": message})


async def stored_texts(office: Office) -> list[str | None]:
    engine = make_engine(office.url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(submission_t.c.text).order_by(submission_t.c.id)
            )
            return [row[0] for row in rows]
    finally:
        await engine.dispose()


async def test_an_edited_text_is_what_gets_submitted(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    sent = await fake.send_text(binh, "Phòng B đã hoàn thàng kế hoạch quý.")
    first = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    await edit(fake, sent, text="Phòng B đã hoàn thành kế hoạch quý.")
    second = await fake.wait_for_message(1002, contains="nội dung đã sửa")
    assert "Nộp nội dung này cho báo cáo «Báo cáo quý»?" in second["text"]

    query = await fake.press_button(binh, first, buttons(first)[0][1])
    await fake.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query, since=0
    )
    assert fake.callback_answers[query].get("text", "").startswith("Nút này không còn hiệu lực")
    await fake.press_button(binh, second, buttons(second)[0][1])
    await fake.wait_for_message(1002, contains="Biên nhận")
    assert await stored_texts(office) == ["Phòng B đã hoàn thành kế hoạch quý."]

    report = fake.add_file(b"%PDF-1.7 c", file_name="quy.pdf", mime_type="application/pdf")
    document = await fake.send_document(binh, report, caption="Bản đầu")
    await fake.wait_for_message(1002, contains="Biên nhận")
    await edit(fake, document, caption="Bản sửa")
    notice = await fake.wait_for_message(1002, contains="Sửa lời nhắn kèm tệp")
    assert "hãy gửi lại tệp" in notice["text"]
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 2}


async def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    program = fake.add_file(
        b"MZ\x90\x00\x03" + bytes(200), file_name="bao-cao.pdf", mime_type="application/pdf"
    )
    await fake.send_document(binh, program)
    refusal = (await fake.wait_for_message(1002, contains="bao-cao.pdf"))["text"]
    assert refusal.startswith("Tệp «bao-cao.pdf» mang đuôi PDF nhưng nội dung không phải tệp PDF")
    assert "bot chưa lưu gì" in refusal
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}
    assert not (office.data / "files").exists() or not any(
        path.is_file() and path.name != MARKER_FILE  # the shared store's own marker
        for path in (office.data / "files").rglob("*")
    )
    # The same bytes under their true name are refused by name, before any download.
    await fake.send_document(binh, program, file_name="bao-cao.exe")
    await fake.wait_for_message(1002, contains="không thuộc loại được nhận")
    real = fake.add_file(b"%PDF-1.7 d", file_name="bao-cao.pdf", mime_type="text/html")
    await fake.send_document(binh, real)  # a lying MIME type alone does not matter
    await fake.wait_for_message(1002, contains="Biên nhận")
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}
