"""The bot's HTTP client (aiohttp under PTB) against the fake Bot API: what PTB's client did."""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot

from handlers.telegram.app import polling_request, send_request
from handlers.telegram.transport import AiohttpRequest, without_secret


@asynccontextmanager
async def bot_on(fake: FakeTelegram, request: AiohttpRequest) -> AsyncIterator[ExtBot[None]]:
    bot: ExtBot[None] = ExtBot(
        fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, request=request
    )
    await bot.initialize()
    try:
        yield bot
    finally:
        await bot.shutdown()


async def test_a_message_with_a_button_goes_out_and_comes_back_as_ptb_objects(
    fake: FakeTelegram,
) -> None:
    user = fake.user(1001, "An")
    await fake.send_text(user, "/start")
    async with bot_on(fake, send_request()) as bot:
        assert bot.username == "baocao_so_bot"  # getMe in initialize went through
        message = await bot.send_message(chat_id=1001, text="Nhắc hạn: báo cáo quý")
    assert message.text == "Nhắc hạn: báo cáo quý" and message.chat.id == 1001
    assert fake.sent_messages(1001)[-1]["text"] == "Nhắc hạn: báo cáo quý"
    fake.assert_clean()


async def test_a_file_is_uploaded_as_a_multipart_form(fake: FakeTelegram) -> None:
    await fake.send_text(fake.user(1001, "An"), "/start")
    async with bot_on(fake, send_request()) as bot:
        message = await bot.send_document(
            chat_id=1001,
            document=InputFile(DOCX, filename="bao-cao.docx"),
            caption="Báo cáo quý — Phòng A",
        )
    assert message.document is not None and message.document.file_name == "bao-cao.docx"
    (call,) = fake.calls_to("sendDocument")
    upload = call.files["document"]
    assert (upload.filename, upload.data, upload.content_type) == ("bao-cao.docx", DOCX, DOCX_MIME)
    assert call.params["caption"] == "Báo cáo quý — Phòng A"
    fake.assert_clean()


async def test_a_file_is_downloaded(fake: FakeTelegram) -> None:
    stored = fake.add_file(DOCX, file_name="bao-cao.docx", mime_type=DOCX_MIME)
    async with bot_on(fake, send_request()) as bot:
        remote = await bot.get_file(stored.file_id)
        assert bytes(await remote.download_as_bytearray()) == DOCX


async def test_a_slow_answer_is_timed_out(fake: FakeTelegram) -> None:
    await fake.send_text(fake.user(1001, "An"), "/start")
    fake.delay_next("sendMessage", 2.0)
    async with bot_on(fake, AiohttpRequest(read_timeout=0.3)) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=1001, text="chậm")


async def test_nobody_listening_is_a_network_error(fake: FakeTelegram) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot: ExtBot[None] = ExtBot(
        fake.token, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest()
    )
    with pytest.raises(NetworkError, match="aiohttp"):
        await bot.initialize()
    await bot.shutdown()


async def test_requests_before_initialize_or_after_shutdown_are_refused() -> None:
    request = polling_request()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/", "GET")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/", "GET")


def test_the_proxy_comes_from_the_environment_once_per_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/bot1/getMe") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.so.gov.vn:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/bot1/getMe") == "http://proxy.so.gov.vn:3128"
    assert request._proxy("http://127.0.0.1:8081/bot1/getMe") is None
    monkeypatch.delenv("HTTPS_PROXY")  # read once per host: the running bot keeps its proxy
    assert request._proxy("https://api.telegram.org/bot1/sendMessage") == (
        "http://proxy.so.gov.vn:3128"
    )


async def garbage_listener() -> asyncio.Server:
    """A server on 127.0.0.1 that answers anything with bytes that are not HTTP."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"garbage, not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


def failure_text(error: BaseException) -> str:
    """Everything a log or a traceback would print about `error`, its chain included."""
    return "".join(traceback.format_exception(error))


async def test_network_errors_never_carry_the_token(fake: FakeTelegram) -> None:
    server = await garbage_listener()
    port = server.sockets[0].getsockname()[1]
    token = "555000111:AAsecretTokenThatMustNeverLeak_9x"
    try:
        for base_url in (f"http://127.0.0.1:{port}/bot", f"127.0.0.1:{port}/bot"):
            bot: ExtBot[None] = ExtBot(token, base_url=base_url, request=AiohttpRequest())
            with pytest.raises(NetworkError) as caught:
                await bot.initialize()
            await bot.shutdown()
            text = failure_text(caught.value)
            assert "aiohttp" in str(caught.value) and "getMe" in str(caught.value), text
            assert "AAsecretTokenThatMustNeverLeak" not in text, text
    finally:
        server.close()
        await server.wait_closed()


def test_the_token_is_cut_out_of_any_error_text() -> None:
    url = "http://127.0.0.1:8081/bot555000111:AAsecret_Token-That/getMe"
    for text in (
        f"400, message='Bad status line', url='{url}'",
        f"Can not write request body for {url}",
        "url=URL('http://127.0.0.1:8081/bot555000111%3AAAsecret_Token-That/getMe')",
        "bot555000111:AAsecret_Token-ThatXX/file",
    ):
        cleaned = without_secret(text, url)
        assert "AAsecret" not in cleaned and "555000111" not in cleaned, cleaned
    assert without_secret(f"failed: {url}", url) == "failed: http://127.0.0.1:8081/…/getMe"
