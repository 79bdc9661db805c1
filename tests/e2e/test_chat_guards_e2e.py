"""End to end: a button answers only its owner, in private; every kind of message is answered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import Office
from fakes.telegram_api import FakeTelegram

from bot.cli import main
from bot.plan.model import Role

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
