"""The real runtime on Telegram by webhook: the web app served by uvicorn on 127.0.0.1 takes
the fake Bot API's webhook calls, checks their secret and handles each update once."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest
from conftest import Office
from fakes.telegram_api import FakeTelegram
from pydantic import SecretStr

from bot.app import Runtime
from bot.core.errors import UserError

SECRET = "e2e_Telegram-webhook_123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_by_webhook(office: Office, port: int) -> Runtime:
    config = office.config.model_copy(
        update={
            "web": True,
            "web_port": port,
            "webhook": True,
            "telegram_webhook_secret": SecretStr(SECRET),
        }
    )
    runtime = Runtime(config, poll_timeout=1)
    await runtime.start()
    office.runtimes.append(runtime)
    return runtime


async def test_updates_come_by_webhook_with_the_secret_and_are_handled_once(
    office: Office, fake: FakeTelegram
) -> None:
    port = free_port()
    await start_by_webhook(office, port)
    assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram/webhook"
    assert fake.webhook_secret == SECRET
    assert not fake.calls_to("getUpdates")

    an = fake.user(2001, "An")
    fake.started(an)
    code = await office.invite("phong-a")

    # A call without the right secret is refused, and nothing of it is handled.
    start = f"/start {code}"
    forged = await fake.build_update(
        {
            "message": {
                "message_id": 9_999,
                "date": int(time.time()),
                "chat": fake.private_chat(an),
                "from": an,
                "text": start,
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    assert await fake.deliver_webhook(forged, secret="wrong-secret-123") == 403
    assert await fake.deliver_webhook(forged, secret="") == 403
    await asyncio.sleep(0.3)
    assert fake.sent_messages(an["id"]) == []

    # Delivered by the fake (with its retries), then delivered again by hand: handled once.
    await fake.send_text(an, start)
    await fake.wait_for_message(an["id"], contains="Chào")
    await fake.wait_webhook_drained()
    (update,) = [u for u in fake.updates if u.update_id != forged.update_id]
    assert await fake.deliver_webhook(update) == 200
    await fake.send_text(an, "/huongdan")
    await fake.wait_for_message(an["id"])
    welcomes = [m for m in fake.sent_messages(an["id"]) if "Chào" in m.get("text", "")]
    assert len(welcomes) == 1
    assert set(fake.webhook_answers) == {200, 403}


async def test_a_garbled_webhook_body_is_refused_without_a_traceback(
    office: Office, fake: FakeTelegram
) -> None:
    import httpx

    port = free_port()
    await start_by_webhook(office, port)
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as client:
        for body in (b"not json", b"[]", b'{"update_id": "x"}', b"{" * 100_000):
            answer = await client.post(url, content=body, headers=headers)
            assert answer.status_code == 400
        answer = await client.post(url, content=b"x" * (2 * 1024 * 1024), headers=headers)
        assert answer.status_code == 413


async def test_an_instance_on_another_file_store_refuses_to_start(
    office: Office, fake: FakeTelegram, tmp_path: Path
) -> None:
    await office.start_bot()
    elsewhere = tmp_path / "local-folder"
    config = office.config.model_copy(update={"data_dir": elsewhere, "telegram_polling": False})
    runtime = Runtime(config, poll_timeout=1)
    with pytest.raises(UserError) as refused:
        await runtime.start()
    assert refused.value.key == "store-marker-missing"
    assert str(elsewhere / "files") in refused.value.message()
    assert not runtime.started
