"""`baocao run` as the Office starts it: a real process that stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from conftest import Office
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram


async def until(condition: object, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait for `condition()` to hold, checking often; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_sigterm_finishes_the_submission_in_progress(
    office: Office, fake: FakeTelegram
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")},
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATABASE_URL": office.url,
        "BAOCAO_DATA_DIR": str(office.data),
        "BAOCAO_WEB": "false",  # Telegram alone: no port taken
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=office.data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_polling(timeout=60)
        binh = fake.user(1002, "Bình")
        await office.register(binh, "phong-b")

        fake.delay_next("getFile", 1.5)  # the download is under way when SIGTERM comes
        report = fake.add_file(DOCX, file_name="quy.docx", mime_type=DOCX_MIME)
        await fake.send_document(binh, report)
        await until(lambda: any(call.method == "getFile" for call in fake.calls))
        process.send_signal(signal.SIGTERM)

        receipt = await fake.wait_for_message(1002, contains="Biên nhận", timeout=20)
        assert "Phiên bản 1" in receipt["text"]
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode().strip().endswith("baocao đã dừng.")
    # The everyday stop is told in words, as the start is; not the library's own chatter.
    assert "Đang dừng: xử lý nốt các tin nhắn đã nhận" in stderr.decode()
    assert "Application" not in stderr.decode() and "stopping" not in stderr.decode()
    assert fake.token not in stdout.decode() + stderr.decode()  # the secret is never printed
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


# ---- failures at start and while running: words, not tracebacks, and never the token ---------

# Recognisable anywhere it might leak, percent-encoded or not.
SECRET = "555000111:AAsecretTokenThatMustNeverLeak_9x"
SECRET_PARTS = (SECRET, "AAsecretTokenThatMustNeverLeak", "555000111%3A")


def assert_no_secret(*outputs: str) -> None:
    for output in outputs:
        for part in SECRET_PARTS:
            assert part not in output, output


def run_env(data: Path, **settings: str) -> dict[str, str]:
    data.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env.update(
        {
            "BAOCAO_TELEGRAM_TOKEN": SECRET,
            "BAOCAO_DATA_DIR": str(data),
            "BAOCAO_REMINDERS": "false",
            "BAOCAO_WEB": "false",
            **{f"BAOCAO_{name.upper()}": value for name, value in settings.items()},
        }
    )
    return env


def start_baocao(data: Path, env: dict[str, str]) -> Coroutine[Any, Any, Process]:
    """`baocao run` as a real process in `data`, its output piped."""
    return asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def baocao_run(data: Path, **settings: str) -> tuple[int, str, str]:
    """`baocao run` until it exits by itself (it should: it cannot start)."""
    process = await start_baocao(data, run_env(data, **settings))
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def free_port() -> int:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@asynccontextmanager
async def garbage_server(answer: Callable[[str], bytes]) -> AsyncIterator[str]:
    """A tiny HTTP server on 127.0.0.1 answering each request with `answer(method)`'s raw
    bytes (the method is the last part of the path); yields its Bot API URL."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in lines
                    if line.lower().startswith("content-length:")
                ),
                0,
            )
            if length:
                await reader.readexactly(length)
            method = lines[0].split(" ")[1].rsplit("/", 1)[-1]
            writer.write(answer(method))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        server.close()
        await server.wait_closed()


def not_http(method: str) -> bytes:
    return b"garbage, not HTTP\r\n\r\n"


def http_answer(content_type: str, body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def html_page(method: str) -> bytes:
    return http_answer("text/html", b"<html><body>Proxy error</body></html>")


def json_answer(result: object) -> bytes:
    return http_answer("application/json", json.dumps({"ok": True, "result": result}).encode())


def garbage_only_for_updates(method: str) -> bytes:
    """A Bot API that lets the bot start, then answers every poll with garbage."""
    if method == "getMe":
        user = {"id": 555000111, "is_bot": True, "first_name": "Báo cáo", "username": "bc_bot"}
        return json_answer(user)
    if method == "getUpdates":
        return not_http(method)
    return json_answer(True)


TOKEN_REJECTED = "từ chối mã bot (BAOCAO_TELEGRAM_TOKEN)"
UNREACHABLE = "Không kết nối được với Telegram"


def assert_one_line(stderr: str, expected: str) -> None:
    assert "Traceback" not in stderr and "Unclosed" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], stderr


async def test_a_rejected_token_is_one_line_without_the_token(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    code, out, err = await baocao_run(tmp_path / "data", telegram_api_url=fake.base_url)
    assert code == 2
    assert_one_line(err, TOKEN_REJECTED)
    assert_no_secret(out, err)
    fake.pop_violations("Unauthorized")


async def test_an_api_url_that_misses_bot_is_one_line_naming_it(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    url = fake.base_url.removesuffix("bot") + "api"  # http://127.0.0.1:PORT/api: not /bot
    code, out, err = await baocao_run(tmp_path / "data", telegram_api_url=url)
    assert code == 2
    assert_one_line(err, "BAOCAO_TELEGRAM_API_URL không trỏ tới một máy chủ Bot API")
    assert_no_secret(out, err)
    fake.pop_violations("not a Bot API URL")


async def test_nobody_listening_at_the_api_url_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot"
    code, out, err = await baocao_run(tmp_path / "data", telegram_api_url=url)
    assert code == 2
    assert_one_line(err, UNREACHABLE)
    assert_no_secret(out, err)


async def test_a_server_answering_garbage_at_start_is_one_line(tmp_path: Path) -> None:
    for answer in (not_http, html_page):
        async with garbage_server(answer) as url:
            code, out, err = await baocao_run(tmp_path / "data", telegram_api_url=url)
        assert code == 2, answer
        assert_one_line(err, UNREACHABLE)
        assert_no_secret(out, err)


async def test_an_api_url_without_its_scheme_is_named(tmp_path: Path) -> None:
    code, out, err = await baocao_run(tmp_path / "data", telegram_api_url="127.0.0.1:8081/bot")
    assert code == 2
    assert_one_line(err, "BAOCAO_TELEGRAM_API_URL")
    assert_no_secret(out, err)


async def test_garbage_while_running_is_logged_without_the_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with garbage_server(garbage_only_for_updates) as url:
        process = await start_baocao(data, run_env(data, telegram_api_url=url))
        seen: list[bytes] = []
        try:
            assert process.stderr is not None
            # The failed poll, logged in words: a server answering garbage is, to the Office,
            # a connection that does not work.
            while not any(b"WARNING" in line and b"Telegram" in line for line in seen):
                line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
                assert line, b"".join(seen).decode()
                seen.append(line)
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    log = b"".join(seen).decode() + stderr.decode()
    assert process.returncode == 0, log
    assert "Tạm mất kết nối với Telegram" in log and "Traceback" not in log
    assert_no_secret(stdout.decode(), log)


async def test_a_second_bot_on_the_same_token_is_told_in_words_not_tracebacks(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """Two `make run` with one token take each other's updates (Telegram answers 409 to
    one of them); each says so in one Vietnamese line, not a traceback every few seconds."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")},
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATA_DIR": str(tmp_path / "data"),
        "BAOCAO_REMINDERS": "false",
        "BAOCAO_WEB": "false",  # two bots on one folder: the second would find the port taken
    }
    said = "Một baocao khác đang nhận tin nhắn bằng cùng mã bot"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    bots: list[asyncio.subprocess.Process] = []
    try:
        for log in logs:
            with log.open("wb") as out:
                bots.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "run",
                        cwd=tmp_path,
                        env=env,
                        stdout=out,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
            await fake.wait_polling(timeout=60)
        await until(lambda: any(said in log.read_text() for log in logs), timeout=30)
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
    for log in logs:
        text = log.read_text()
        assert "Traceback" not in text and "Conflict" not in text, text
        assert text.count(said) <= 1, text  # said once, not at every retry


async def test_a_token_revoked_while_running_stops_the_bot_with_words(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """A token changed with @BotFather while the bot runs: python-telegram-bot stops polling
    for good, so a bot that stayed up would hear nobody. It stops and says why, in words."""
    data = tmp_path / "data"
    token = fake.token
    env = run_env(data, telegram_token=token, telegram_api_url=fake.base_url)
    process = await start_baocao(data, env)
    try:
        await fake.wait_polling(timeout=60)
        fake.token = "999000111:AAaNewTokenFromBotFather_0123456789"  # the old one: 401
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 2, err
    assert err.splitlines()[-1].startswith("Telegram không còn nhận mã bot"), err
    assert "Traceback" not in err and "InvalidToken" not in err and "Unauthorized" not in err
    assert token not in out + err and token.split(":")[1] not in out + err
