"""End to end: what hostile or careless input and a flaky Telegram found, answered in words."""

from __future__ import annotations

from typing import Any

from conftest import Office
from fakes.telegram_api import FakeTelegram

from bot.plan.model import Role

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
