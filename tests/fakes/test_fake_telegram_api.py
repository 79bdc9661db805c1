"""The fake Bot API server, driven by a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakes.telegram_api import FakeTelegram, find_api_json, parse_html, parse_markdown_v2

POLL_TIMEOUT = 5  # seconds a getUpdates call may be held open

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram() as server:
        yield server


class Recorder:
    """What the bot's handlers saw."""

    def __init__(self) -> None:
        self.start_args: list[list[str]] = []
        self.downloads: list[bytes] = []
        self.errors: list[BaseException] = []


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the deep-link payload and offer a button."""
    context.bot_data["recorder"].start_args.append(list(context.args or []))
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Xác nhận", callback_data="ok:1")]])
    await update.effective_message.reply_text("Chào mừng", reply_markup=keyboard)


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the document and acknowledge it."""
    message = update.effective_message
    assert message is not None and message.document is not None
    try:
        file = await context.bot.get_file(message.document.file_id)
    except BadRequest as error:
        await message.reply_text(f"failed: {error.message}")
        return
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    context.bot_data["recorder"].downloads.append(buffer.getvalue())
    await message.reply_text(f"received {len(buffer.getvalue())} bytes")


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Đã nhận")
    await query.edit_message_text(f"chosen {query.data}")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data["recorder"].errors.append(context.error)


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    application.bot_data["recorder"] = Recorder()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.Document.ALL, document))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(button))
    application.add_error_handler(on_error)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert application.bot_data["recorder"].errors == []
    fake.assert_clean()  # stopping the updater too spoke the real API


def recorder(app: Application[Any, Any, Any, Any, Any, Any]) -> Recorder:
    result: Recorder = app.bot_data["recorder"]
    return result


async def test_echo_reply_arrives_well_before_the_poll_timeout(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    alice = fake.user(1001, "Alice", "alice")
    await fake.wait_polling()
    began = time.perf_counter()
    sent = await fake.send_text(alice, "xin chào")
    reply = await fake.wait_for_message(alice["id"], contains="echo: xin chào")
    assert time.perf_counter() - began < POLL_TIMEOUT / 2
    assert sent.queued_update is not None and sent.queued_update.served_at is not None
    assert reply["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Alice",
        "username": "alice",
    }
    assert reply["from"]["id"] == fake.bot_user["id"]
    assert isinstance(reply["date"], int) and abs(reply["date"] - time.time()) < 5
    assert [m["text"] for m in fake.sent_messages(alice["id"])] == ["echo: xin chào"]
    assert [c.method for c in fake.calls[:2]] == ["getMe", "deleteWebhook"]
    fake.assert_clean()


async def test_start_command_gets_its_args_and_button_is_answered(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    bob = fake.user(1002, "Bob")
    await fake.send_text(bob, "/start INVITE-42")
    welcome = await fake.wait_for_message(bob["id"], contains="Chào mừng")
    assert recorder(app).start_args == [["INVITE-42"]]
    assert welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok:1"

    query_id = await fake.press_button(bob, welcome, "ok:1")
    answer = await fake.wait_for("answerCallbackQuery")
    assert answer.params["callback_query_id"] == query_id
    assert fake.callback_answers[query_id]["text"] == "Đã nhận"
    await fake.wait_for_message(bob["id"], contains="chosen ok:1", include_edits=True)
    (shown,) = fake.sent_messages(bob["id"])
    assert shown["text"] == "chosen ok:1" and "reply_markup" not in shown  # edit dropped it
    fake.assert_clean()


async def test_command_addressed_to_the_bot_in_a_group(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    carol = fake.user(1003, "Carol")
    group = fake.group_chat(-1001234567890, "Văn phòng Sở")
    await fake.send_text(carol, "chuyện riêng", chat=group)  # privacy mode hides it
    await fake.send_text(carol, f"/start@{fake.bot_user['username']} G1", chat=group)
    await fake.wait_for_message(group["id"], contains="Chào mừng")
    assert recorder(app).start_args == [["G1"]]
    assert fake.sent_messages(group["id"])[0]["text"] == "Chào mừng"
    fake.assert_clean()


async def test_document_is_downloaded_byte_for_byte(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    dan = fake.user(1004, "Dan")
    content = bytes(range(256)) * 4000  # about 1 MB
    report = fake.add_file(content, file_name="bao-cao.docx", mime_type="application/msword")
    await fake.send_document(dan, report, caption="Báo cáo 6 tháng")
    await fake.wait_for_message(dan["id"], contains=f"received {len(content)} bytes")
    assert recorder(app).downloads == [content]
    (get_file,) = fake.calls_to("getFile")
    assert get_file.result["file_path"].endswith(".docx")
    fake.assert_clean()


async def test_file_over_20_mb_is_refused_like_telegram(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    erin = fake.user(1005, "Erin")
    huge = fake.add_file(size=25 * 1024 * 1024, file_name="scan.pdf", mime_type="application/pdf")
    await fake.send_document(erin, huge)
    await fake.wait_for_message(erin["id"], contains="failed: File is too big")
    assert fake.pop_violations("file is too big") == ["getFile: Bad Request: file is too big"]
    fake.assert_clean()


async def test_bot_uploads_and_resends_files_and_sets_commands(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    frank = fake.user(1006, "Frank")
    await fake.send_text(frank, "hi")
    await fake.wait_for_message(frank["id"])
    bot = app.bot
    sent = await bot.send_document(frank["id"], b"a;b\n1;2\n", filename="tong-hop.csv")
    assert sent.document is not None and sent.document.file_name == "tong-hop.csv"
    assert fake.file_bytes(sent.document.file_id) == b"a;b\n1;2\n"
    assert fake.calls_to("sendDocument")[0].upload_size == 8
    again = await bot.send_document(frank["id"], sent.document.file_id, caption="lần 2")
    assert again.document is not None and again.document.file_id == sent.document.file_id
    photo = await bot.send_photo(frank["id"], PNG_1x1)
    assert photo.photo[-1].width == 1 and fake.file_bytes(photo.photo[-1].file_id) == PNG_1x1
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await bot.send_photo(frank["id"], sent.document.file_id)
    assert fake.pop_violations("type of file mismatch")

    commands = [("start", "Bắt đầu"), ("status", "Tình hình nộp báo cáo")]
    assert await bot.set_my_commands(commands)
    assert [c.command for c in await bot.get_my_commands()] == ["start", "status"]
    assert fake.visible_commands(fake.private_chat(frank))[1]["command"] == "status"
    fake.assert_clean()


async def test_html_text_is_parsed_and_errors_come_back_as_telegram_words(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    gia = fake.user(1007, "Gia")
    await fake.send_text(gia, "hi")
    await fake.wait_for_message(gia["id"])
    message = await app.bot.send_message(gia["id"], "<b>Hạn chót</b> 04/06 &amp; 😀 x", "HTML")
    assert message.text == "Hạn chót 04/06 & 😀 x"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 8)]
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await app.bot.send_message(gia["id"], "a < b", "HTML")
    with pytest.raises(Forbidden, match="initiate conversation"):
        await app.bot.send_message(fake.user(1008, "Never")["id"], "hello")
    assert len(fake.pop_violations()) == 2


async def test_scripted_429_reaches_the_bot_as_retry_after(
    fake: FakeTelegram,
    app: Application[Any, Any, Any, Any, Any, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without PTB_TIMEDELTA, PTB 22.8 warns (an error here) whenever it builds a RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    hoa = fake.user(1009, "Hoa")
    await fake.send_text(hoa, "hi")
    await fake.wait_for_message(hoa["id"])
    fake.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(hoa["id"], "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    assert fake.calls_to("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert (await app.bot.send_message(hoa["id"], "y")).text == "y"
    fake.assert_clean()  # scripted failures are not violations


async def test_invalid_requests_are_rejected_and_recorded(fake: FakeTelegram) -> None:
    alice = fake.user(1001, "Alice")
    await fake.send_text(alice, "hi")  # opens the private chat
    api = f"{fake.base_url}{fake.token}"
    async with httpx.AsyncClient() as client:
        extra = await client.post(
            f"{api}/sendMessage", json={"chat_id": 1001, "text": "x", "bogus": 1}
        )
        missing = await client.post(f"{api}/sendMessage", data={"chat_id": "1001"})
        unknown = await client.post(f"{api}/sendTelepathy", json={})
        nested = await client.post(
            f"{api}/sendMessage",
            data={
                "chat_id": "1001",
                "text": "x",
                "reply_markup": '{"inline_keyboard": [[{"txt": "a"}]]}',
            },
        )
        token = await client.post(f"{fake.base_url}999:WRONG/getMe")
        not_impl = await client.post(f"{api}/sendDice", json={"chat_id": 1001})
        fine = await client.post(f"{api}/sendMessage", data={"chat_id": "1001", "text": "ok"})
    assert extra.status_code == 400 and "'bogus'" in extra.json()["description"]
    assert missing.status_code == 400 and "'text'" in missing.json()["description"]
    assert unknown.status_code == 404 and unknown.json()["ok"] is False
    assert nested.status_code == 400 and "'txt'" in nested.json()["description"]
    assert token.status_code == 401 and token.json()["description"] == "Unauthorized"
    assert not_impl.status_code == 501
    assert fine.status_code == 200 and fine.json()["result"]["text"] == "ok"
    assert len(fake.violations) == 6
    assert any("bogus" in v for v in fake.violations)
    assert any("sendTelepathy" in v for v in fake.violations)


async def test_long_poll_is_held_then_released_by_an_update_or_by_stop(fake: FakeTelegram) -> None:
    api = f"{fake.base_url}{fake.token}"

    async def get_updates(**params: int) -> list[dict[str, Any]]:
        response = await client.post(f"{api}/getUpdates", json=params)
        assert response.status_code == 200
        result: list[dict[str, Any]] = response.json()["result"]
        return result

    async with httpx.AsyncClient(timeout=10) as client:
        began = time.perf_counter()
        assert await get_updates(timeout=1) == []
        assert time.perf_counter() - began >= 0.9  # held for the whole timeout

        alice = fake.user(1001, "Alice")
        one = (await fake.send_text(alice, "one")).queued_update
        two = (await fake.send_text(alice, "two")).queued_update
        assert one is not None and two is not None and two.update_id > one.update_id
        assert [u["update_id"] for u in await get_updates(timeout=5, limit=1)] == [one.update_id]
        assert [u["message"]["text"] for u in await get_updates(offset=one.update_id + 1)] == [
            "two"
        ]
        assert one.confirmed and not two.confirmed and two.served_at is not None

        poll = asyncio.create_task(get_updates(offset=two.update_id + 1, timeout=30))
        await fake.wait_polling()
        began = time.perf_counter()
        await fake.stop()
        assert await poll == []
        assert time.perf_counter() - began < 3
    fake.assert_clean()


def test_entity_parsers_follow_telegram() -> None:
    assert parse_html('<a href="https://t.me/x">link</a> <i>i</i>') == (
        "link i",
        [
            {"type": "text_link", "offset": 0, "length": 4, "url": "https://t.me/x"},
            {"type": "italic", "offset": 5, "length": 1},
        ],
    )
    assert parse_markdown_v2(r"*đậm* 1\.5") == (
        "đậm 1.5",
        [{"type": "bold", "offset": 0, "length": 3}],
    )
    with pytest.raises(Exception, match=r"Character '\.' is reserved"):
        parse_markdown_v2("1.5")
    with pytest.raises(Exception, match="Can't find end tag"):
        parse_html("<b>x")
