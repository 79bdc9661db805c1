"""End to end: a button answers only its owner, in private; every kind of message is answered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import Office
from fakes.telegram_api import FakeTelegram

from bot.cli import main
from bot.core.plan.model import Role

STALE = "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."
PRIVATE_ONLY = "Nút này chỉ dùng trong cuộc trò chuyện riêng với bot."


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def forge_press(fake: FakeTelegram, user: dict[str, Any], message: Any, data: str) -> str:
    """Send a callback with `data` from `user` on `message`, as a modified client could."""
    query_id = f"forged-{user['id']}-{message['message_id']}-{data}"
    await fake.queue_update(
        {
            "callback_query": {
                "id": query_id,
                "from": user,
                "message": message,
                "chat_instance": "1",
                "data": data,
            }
        }
    )
    return query_id


async def answered(fake: FakeTelegram, query_id: str) -> str | None:
    call = await fake.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id, since=0
    )
    text: str | None = call.params.get("text")
    return text


async def test_a_pressed_button_never_answers_someone_else(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    lan = fake.user(1001, "Lan")
    await office.register(binh, "phong-b")
    await office.register(lan, "phong-a")
    await fake.send_text(binh, "Phòng B đã hoàn thành kế hoạch quý.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    data = buttons(question)[0][1]
    await fake.press_button(binh, question, data)
    await fake.wait_for_message(1002, contains="Biên nhận")

    lan_message = fake.sent_messages(1001)[-1]
    query = await forge_press(fake, lan, lan_message, data)
    assert await answered(fake, query) == STALE
    await fake.send_text(lan, "/huy")  # a later update, answered after the forged press
    await fake.wait_for_message(1001, contains="Không có bước nào")
    assert not any("Biên nhận" in m.get("text", "") for m in fake.sent_messages(1001))
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


async def test_buttons_pressed_in_a_group_act_only_in_private(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    mai = fake.user(1005, "Mai")
    await office.register(binh, "phong-b")
    await office.register(mai, "van-phong", Role.OFFICE)
    group = fake.group_chat(-100500, "Văn phòng Sở")
    await fake.send_text(mai, "/nhom", chat=group)
    bound = await fake.wait_for_message(-100500)

    await fake.send_text(binh, "Phòng B đã hoàn thành kế hoạch quý.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    submit = buttons(question)[0][1]
    for data in ("r:1", submit):
        query = await forge_press(fake, binh, bound, data)
        assert await answered(fake, query) == PRIVATE_ONLY
    assert len(fake.sent_messages(-100500)) == 1  # only the binding message
    assert fake.calls_to("editMessageText") == []
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}

    await fake.press_button(binh, question, submit)  # the step is still there, in private
    assert "Phiên bản 1" in (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]


MEDIA = {"file_unique_id": "AgADmedia01"}
KINDS: list[tuple[str, dict[str, Any], str]] = [
    (
        "video",
        {"video": {"file_id": "vid1", **MEDIA, "width": 640, "height": 360, "duration": 5}},
        "Bot không nhận video làm báo cáo",
    ),
    (
        "voice",
        {"voice": {"file_id": "voi1", **MEDIA, "duration": 3}},
        "Bot không nhận tin nhắn thoại làm báo cáo",
    ),
    (
        "sticker",
        {
            "sticker": {
                "file_id": "stk1",
                **MEDIA,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        "Bot không nhận nhãn dán (sticker) làm báo cáo",
    ),
    (
        "audio",
        {"audio": {"file_id": "aud1", **MEDIA, "duration": 30}},
        "Bot không nhận tệp âm thanh làm báo cáo",
    ),
    (
        "video_note",
        {"video_note": {"file_id": "vnt1", **MEDIA, "length": 240, "duration": 4}},
        "Bot không nhận tin nhắn video tròn làm báo cáo",
    ),
    (
        "animation",
        {
            "animation": {"file_id": "ani1", **MEDIA, "width": 320, "height": 240, "duration": 2},
            "document": {"file_id": "ani1", **MEDIA, "file_name": "a.mp4"},
        },
        "Bot không nhận ảnh động (GIF) làm báo cáo",
    ),
    (
        "contact",
        {"contact": {"phone_number": "+84900000000", "first_name": "An"}},
        "Bot không nhận danh bạ làm báo cáo",
    ),
    (
        "location",
        {"location": {"latitude": 21.03, "longitude": 105.85}},
        "Bot không nhận vị trí làm báo cáo",
    ),
    ("dice", {"dice": {"emoji": "🎲", "value": 4}}, "Bot không nhận biểu tượng động làm báo cáo"),
    (
        "poll",
        {
            "poll": {
                "id": "poll1",
                "question": "Họp lúc nào?",
                "options": [
                    {"persistent_id": "o1", "text": "Sáng", "voter_count": 0},
                    {"persistent_id": "o2", "text": "Chiều", "voter_count": 0},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
        "Bot không nhận cuộc bình chọn làm báo cáo",
    ),
]


@pytest.mark.parametrize(("name", "content", "answer"), KINDS, ids=[k[0] for k in KINDS])
async def test_every_kind_of_message_gets_a_clear_answer(
    office: Office, fake: FakeTelegram, name: str, content: dict[str, Any], answer: str
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    caption = "Báo cáo quý của Phòng B" if name in {"video", "audio", "animation"} else None
    await fake.send_content(binh, content, caption=caption)
    reply = (await fake.wait_for_message(1002, contains="Bot không nhận"))["text"]
    assert reply.startswith(answer)
    assert "Bot nhận: tệp PDF, Word" in reply
    if caption:
        assert "kể cả lời nhắn kèm theo" in reply
    assert fake.calls_to("getFile") == []
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}


async def test_a_very_long_file_name_gets_its_receipt(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    name = "bao-cao-" + "rat-dai-" * 500 + ".pdf"
    report = fake.add_file(b"%PDF-1.7 dai", file_name=name, mime_type="application/pdf")
    await fake.send_document(binh, report)
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert receipt["text"].startswith("Biên nhận: đã nhận tệp «bao-cao-rat-dai-")
    assert "….pdf»" in receipt["text"]
    assert "\nPhiên bản 1, đúng hạn." in receipt["text"]
    assert not any("Xin lỗi" in m.get("text", "") for m in fake.sent_messages(1002))
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


async def test_moving_a_contact_ends_their_waiting_step(
    office: Office,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    await fake.send_text(binh, "Nội dung báo cáo quý của Phòng B.")
    question = await fake.wait_for_message(1002, contains="Nộp nội dung này")
    for name, value in {
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATABASE_URL": office.url,
        "BAOCAO_DATA_DIR": str(office.data),
    }.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["contact", "move", "1", "phong-a"]) == 0
    printed = capsys.readouterr().out
    assert "Đã hủy bước nộp đang chờ của người đó" in printed
    notice = await fake.wait_for_message(1002, contains="đã chuyển bạn")
    assert "Bước nộp đang chờ xác nhận đã bị hủy" in notice["text"]

    query = await fake.press_button(binh, question, buttons(question)[0][1])
    assert await answered(fake, query) == STALE
    await fake.send_text(binh, "/huy")
    await fake.wait_for_message(1002, contains="Không có bước nào")
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 0}
