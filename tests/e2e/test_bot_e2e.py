"""End to end: people on Telegram (the fake Bot API) and the real baocao Application."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest
from conftest import Office
from e2e_support import DOCX, DOCX_MIME, PNG
from fakes.telegram_api import FakeTelegram

from bot.cli import main
from bot.core.plan.model import Role
from storage.store_marker import MARKER_FILE


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def test_menu_is_registered_in_vietnamese(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    someone = fake.user(1, "Ai đó")
    menu = {
        c["command"]: c["description"] for c in fake.visible_commands(fake.private_chat(someone))
    }
    assert menu["baocao"] == "Báo cáo cần nộp và những gì đã gửi"
    assert menu["tinhhinh"] == "Tình hình nộp báo cáo (Văn phòng, lãnh đạo)"
    assert set(menu) == {"baocao", "lich", "tinhhinh", "huy", "huongdan"}


async def test_invite_start_submit_docx_receipt_and_version_two(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình", username="binh_pb")
    code = await office.invite("phong-b")
    await fake.send_text(binh, f"/start {code}")
    greeting = await fake.wait_for_message(1002, contains="Chào Bình!")
    assert "Bạn đã đăng ký là đầu mối đơn vị của Phòng B." in greeting["text"]
    assert "• Báo cáo quý — trước ngày" in greeting["text"]
    assert "Cách nộp:" in greeting["text"]

    first = fake.add_file(DOCX, file_name="bao-cao-quy.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, first, caption="Bản gửi Văn phòng")
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert receipt["text"].startswith(
        "Biên nhận: đã nhận tệp «bao-cao-quy.docx» của Phòng B cho báo cáo «Báo cáo quý» lúc "
    )
    assert "\nPhiên bản 1, đúng hạn.\nMã biên nhận: " in receipt["text"]

    second = fake.add_file(DOCX + b"v2", file_name="bao-cao-quy-v2.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, second)
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert "\nPhiên bản 2, bản sửa; lần nộp đầu lúc " in receipt["text"]
    assert receipt["text"].split("\n")[1].endswith(" đúng hạn.")
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 2}
    stored = sorted(p.read_bytes() for p in (office.data / "files").rglob("*.docx"))
    assert stored == sorted([DOCX, DOCX + b"v2"])

    # The same code a second time, by someone else: used up.
    other = fake.user(1003, "Người khác")
    await fake.send_text(other, f"/start {code}")
    refused = await fake.wait_for_message(1003)
    assert refused["text"].startswith("Mã mời này đã được dùng để đăng ký cho người khác.")


async def test_text_report_needs_a_tap_and_can_be_cancelled(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")

    await fake.send_text(binh, "ok, cảm ơn")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    assert question["text"] == "Nộp nội dung này cho báo cáo «Báo cáo quý»?"
    (submit, _), (cancel, cancel_data) = buttons(question)
    assert (submit, cancel) == ("Nộp", "Hủy")
    await fake.press_button(binh, question, cancel_data)
    await fake.wait_for("answerCallbackQuery")
    edited = await fake.wait_for_message(1002, contains="Đã hủy", include_edits=True)
    assert edited["text"] == "Đã hủy, chưa nộp gì."
    assert "reply_markup" not in fake.sent_messages(1002)[-1]  # no button left to press
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}

    await fake.send_text(binh, "Phòng B đã hoàn thành toàn bộ nội dung quý này.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    await fake.press_button(binh, question, buttons(question)[0][1])
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert receipt["text"].startswith("Biên nhận: đã nhận nội dung của Phòng B")
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


async def test_choosing_among_two_open_reports(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    lan = fake.user(1001, "Lan")
    await office.register(lan, "phong-a")
    pdf = fake.add_file(
        b"%PDF-1.7 chuyen de", file_name="chuyen-de.pdf", mime_type="application/pdf"
    )
    await fake.send_document(lan, pdf)
    question = await fake.wait_for_message(1001, contains="cho báo cáo nào?")
    labels = [text for text, _ in buttons(question)]
    assert labels == ["Nộp cho: Báo cáo quý", "Nộp cho: Báo cáo chuyên đề", "Hủy"]
    await fake.press_button(lan, question, buttons(question)[1][1])
    receipt = await fake.wait_for_message(1001, contains="Biên nhận")
    assert "cho báo cáo «Báo cáo chuyên đề»" in receipt["text"]
    assert await office.versions("bc-chuyen-de") == {"phong-a": 1}
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}
    stored = next((office.data / "files").rglob("*.pdf"))
    assert (
        hashlib.sha256(stored.read_bytes()).hexdigest()
        == hashlib.sha256(b"%PDF-1.7 chuyen de").hexdigest()
    )


async def test_a_stranger_gets_one_polite_answer(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    stranger = fake.user(6666, "Người lạ")
    await fake.send_text(stranger, "Cho tôi xem báo cáo")
    answer = await fake.wait_for_message(6666)
    assert answer["text"].startswith("Xin chào! baocao là trợ lý nhận báo cáo của Văn phòng Sở")
    await fake.send_text(stranger, "/tinhhinh")
    binh = fake.user(1002, "Bình")
    await fake.send_text(binh, "/huongdan")  # a later update, answered after the stranger's
    await fake.wait_for_message(1002)
    assert len(fake.sent_messages(6666)) == 1


async def test_forged_and_stale_buttons_do_nothing(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    greeting = fake.sent_messages(1002)[-1]
    for data, notice in (
        ("xoa-het", "Nút không hợp lệ."),
        ("p:AAAAAAAAAAAAAAAA:0", "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."),
    ):
        await fake.queue_update(
            {
                "callback_query": {
                    "id": f"forged-{data}",
                    "from": binh,
                    "message": greeting,
                    "chat_instance": "1",
                    "data": data,
                }
            }
        )
        answered = await fake.wait_for("answerCallbackQuery")
        assert answered.params.get("text") == notice
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}


async def test_a_25_mb_file_and_an_exe_are_refused(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    big = fake.add_file(size=25 * 1024 * 1024, file_name="ho-so.pdf", mime_type="application/pdf")
    await fake.send_document(binh, big)
    answer = await fake.wait_for_message(1002)
    assert answer["text"].startswith("Tệp quá lớn (25,0 MB); bot chỉ nhận được tệp đến 20,0 MB.")
    exe = fake.add_file(b"MZ\x90\x00", file_name="setup.exe", mime_type="application/x-msdownload")
    await fake.send_document(binh, exe)
    answer = await fake.wait_for_message(1002)
    assert answer["text"].startswith("Tệp «setup.exe» không thuộc loại được nhận.")
    assert fake.calls_to("getFile") == []
    assert not [p for p in (office.data / "files").rglob("*") if p.name != MARKER_FILE]


async def test_the_office_group(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    mai = fake.user(1005, "Mai")
    outsider = fake.user(7777, "Khách")
    await office.register(binh, "phong-b")
    await office.register(mai, "van-phong", Role.OFFICE)
    group = fake.group_chat(-100500, "Văn phòng Sở")

    await fake.send_text(outsider, "/tinhhinh", chat=group)  # not a contact: ignored
    await fake.send_text(binh, "/tinhhinh", chat=group)  # a unit head, not office staff
    refused = await fake.wait_for_message(-100500)
    assert refused["text"] == "Chỉ cán bộ Văn phòng và lãnh đạo xem được tình hình nộp báo cáo."
    assert len(fake.sent_messages(-100500)) == 1

    await fake.send_text(mai, "/nhom", chat=group)
    bound = await fake.wait_for_message(-100500)
    assert bound["text"].startswith("Đã gắn nhóm «Văn phòng Sở» làm nhóm Văn phòng")

    report = fake.add_file(DOCX, file_name="quy.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, report)
    forwarded = await fake.wait_for_message(-100500, contains="Phòng B nộp báo cáo")
    assert forwarded["document"]["file_id"] == report.file_id
    await fake.send_text(mai, "/tinhhinh", chat=group)
    status = await fake.wait_for_message(-100500, contains="đơn vị đã nộp")
    assert "1/2 đơn vị đã nộp" in status["text"]
    assert "✓ Phòng B — nộp lúc" in status["text"]
    assert "… Phòng A — chưa nộp, còn trong hạn" in status["text"]


async def test_a_restart_between_two_submissions_loses_nothing(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    first = fake.add_file(DOCX, file_name="v1.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, first)
    await fake.wait_for_message(1002, contains="Phiên bản 1")
    await fake.send_text(binh, "Bổ sung số liệu tháng cuối quý.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")

    await office.stop_bot()
    await office.start_bot()

    await fake.press_button(binh, question, buttons(question)[0][1])  # asked before the restart
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert "Phiên bản 2" in receipt["text"]
    second = fake.add_file(DOCX + b"3", file_name="v3.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, second)
    assert "Phiên bản 3" in (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 3}


async def test_a_photo_and_the_asking_commands(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    photo = fake.add_file(PNG, mime_type="image/png")
    await fake.send_photo(binh, photo, caption="Ảnh biên bản họp")
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert receipt["text"].startswith(
        "Biên nhận: đã nhận ảnh của Phòng B cho báo cáo «Báo cáo quý»"
    )

    await fake.send_text(binh, "/baocao")
    mine = await fake.wait_for_message(1002)
    assert mine["text"].startswith("Báo cáo Phòng B cần nộp (1):\n• Báo cáo quý — trước ngày ")
    assert "Đã gửi 1 phiên bản, mới nhất lúc " in mine["text"]
    await fake.send_text(binh, "/lich")
    coming = await fake.wait_for_message(1002)
    assert coming["text"].startswith("Hạn nộp sắp tới:\n• Báo cáo quý — trước ngày ")
    await fake.send_text(binh, "/help")  # English aliases work too
    assert (await fake.wait_for_message(1002))["text"].startswith("baocao nhận báo cáo")
    await fake.send_text(binh, "/huy")
    assert (await fake.wait_for_message(1002))["text"] == "Không có bước nào đang chờ để hủy."


async def test_the_office_removes_a_contact_and_the_person_is_told(
    office: Office, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    for name, value in {
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATABASE_URL": office.url,
        "BAOCAO_DATA_DIR": str(office.data),
    }.items():
        monkeypatch.setenv(name, value)
    fake.mark()
    assert await asyncio.to_thread(main, ["contact", "remove", "1"]) == 0
    notice = await fake.wait_for_message(1002)
    assert notice["text"].startswith("Văn phòng Sở đã gỡ bạn khỏi danh sách đầu mối của Phòng B")
    await fake.send_text(binh, "Báo cáo đây")
    answer = await fake.wait_for_message(1002)
    assert answer["text"].startswith("Xin chào! baocao là trợ lý nhận báo cáo")
