"""The Zalo platform on a scripted Bot API: starting, polling in order, dropping repeats, the
webhook's secret, the one-time files, and a token revoked while running."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.core.errors import UserError
from bot.core.model import Incoming, Keyboard
from bot.core.ports import Messenger
from handlers.zalo.files import OneTimeFiles
from handlers.zalo.platform import Webhook, ZaloPlatform

SECRET = "s3cret-Webhook_token"


class Core:
    """What the platform calls on the core, recorded."""

    def __init__(self) -> None:
        self.handled: list[Incoming] = []
        self.gate: asyncio.Event | None = None

    async def handle(self, incoming: Incoming, out: Messenger) -> None:
        if self.gate is not None and incoming.text == "slow":
            await self.gate.wait()
        self.handled.append(incoming)

    async def offer(self, *, platform: str, user_id: str, keyboard: Keyboard) -> None:
        pass


class Api:
    """getMe, deleteWebhook and setWebhook answer ok; getUpdates hands out queued updates, or
    408 after a moment."""

    def __init__(self) -> None:
        self.updates: asyncio.Queue[dict[str, Any] | int] = asyncio.Queue()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.get_me: httpx.Response | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        self.calls.append((method, json.loads(request.content or b"{}")))
        if method == "getMe" and self.get_me is not None:
            return self.get_me
        if method == "getUpdates":
            try:
                item = await asyncio.wait_for(self.updates.get(), 0.05)
            except TimeoutError:
                return httpx.Response(200, json={"ok": False, "error_code": 408})
            if isinstance(item, int):
                return httpx.Response(item, json={"ok": False, "error_code": item})
            return httpx.Response(200, json={"ok": True, "result": item})
        if method == "getMe":
            return httpx.Response(
                200, json={"ok": True, "result": {"id": "b1", "account_name": "Bot Sở"}}
            )
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "m"}})


def text(mid: str, chat: str, words: str) -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": mid,
            "date": 1_700_000_000_000,
            "from": {"id": chat, "display_name": "A"},
            "chat": {"id": chat, "chat_type": "PRIVATE"},
            "text": words,
        },
    }


def platform(api: Api, core: Core, **extra: Any) -> ZaloPlatform:
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    return ZaloPlatform(
        token="1:tok",
        api_url="https://zalo.test",
        core=core,  # type: ignore[arg-type]
        transport=httpx.MockTransport(api),
        poll_timeout=1,
        sleep=no_wait,
        **extra,
    )


async def until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_polling_hands_each_message_once_and_in_order_per_chat() -> None:
    api, core = Api(), Core()
    zalo = platform(api, core)
    await zalo.start()
    try:
        assert zalo.bot_name == "Bot Sở"
        assert [m for m, _ in api.calls[:2]] == ["getMe", "deleteWebhook"]
        core.gate = asyncio.Event()
        for update in (text("1", "c1", "slow"), text("2", "c1", "after"), text("3", "c2", "other")):
            await api.updates.put(update)
        await api.updates.put(text("2", "c1", "after"))  # redelivered
        await until(lambda: [e.text for e in core.handled] == ["other"])
        core.gate.set()
        await until(lambda: len(core.handled) == 3)
        assert [e.text for e in core.handled] == ["other", "slow", "after"]
    finally:
        await zalo.stop()
    assert len(core.handled) == 3


async def test_an_expired_token_at_start_is_a_user_error() -> None:
    api, core = Api(), Core()
    api.get_me = httpx.Response(401, json={"ok": False, "error_code": 401})
    zalo = platform(api, core)
    with pytest.raises(UserError) as raised:
        await zalo.start()
    assert raised.value.key == "zalo-token-rejected"


async def test_a_server_that_cannot_be_reached_at_start_is_said_so() -> None:
    core = Core()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    zalo = ZaloPlatform(
        token="1:t", api_url="https://zalo.test", core=core, transport=httpx.MockTransport(down)
    )  # type: ignore[arg-type]
    with pytest.raises(UserError) as raised:
        await zalo.start()
    assert raised.value.key == "zalo-unreachable"
    assert "zalo.test" in raised.value.message()


async def test_a_token_revoked_while_polling_ends_polling_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api, core = Api(), Core()
    zalo = platform(api, core)
    await zalo.start()
    await api.updates.put(401)
    assert zalo._poller is not None
    await asyncio.wait_for(zalo._poller, 5)
    polls = sum(1 for m, _ in api.calls if m == "getUpdates")
    await asyncio.sleep(0.1)
    assert sum(1 for m, _ in api.calls if m == "getUpdates") == polls  # no spinning
    assert any("BAOCAO_ZALO_TOKEN" in r.getMessage() for r in caplog.records)
    await zalo.stop()


async def test_the_webhook_checks_the_secret_and_the_body(tmp_path: Path) -> None:
    api, core = Api(), Core()
    zalo = platform(api, core, webhook=Webhook("https://b.test/zalo/webhook", SECRET))
    await zalo.start()
    assert (
        "setWebhook",
        {"url": "https://b.test/zalo/webhook", "secret_token": SECRET},
    ) in api.calls
    assert not any(m == "getUpdates" for m, _ in api.calls)
    app = Starlette(routes=list(zalo.routes))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as web:
        body = text("9", "c1", "xin chào")
        assert (await web.post("/zalo/webhook", json=body)).status_code == 403
        wrong = {"X-Bot-Api-Secret-Token": SECRET + "x"}
        assert (await web.post("/zalo/webhook", json=body, headers=wrong)).status_code == 403
        right = {"X-Bot-Api-Secret-Token": SECRET}
        assert (
            await web.post("/zalo/webhook", content=b"{not json", headers=right)
        ).status_code == 400
        assert (await web.post("/zalo/webhook", json=[1], headers=right)).status_code == 400
        await asyncio.sleep(0.05)
        assert core.handled == []
        answer = await web.post("/zalo/webhook", json={"ok": True, "result": body}, headers=right)
        assert answer.status_code == 200
        await until(lambda: len(core.handled) == 1)
        assert (await web.post("/zalo/webhook", json=body, headers=right)).status_code == 200
    await zalo.stop()
    assert len(core.handled) == 1


async def test_published_files_are_served_a_few_times_then_gone(tmp_path: Path) -> None:
    api, core = Api(), Core()
    files = OneTimeFiles(tmp_path / "pub", "http://t", clock=lambda: datetime.now(UTC))
    zalo = platform(api, core, files=files)
    source = tmp_path / "c.png"
    source.write_bytes(b"\x89PNG")
    url = files.publish(source, name="bieu-do.png", content_type="image/png")
    app = Starlette(routes=list(zalo.routes))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as web:
        for _ in range(files.max_fetches):
            got = await web.get(url)
            assert got.status_code == 200 and got.content == b"\x89PNG"
            assert got.headers["content-type"] == "image/png"
        assert (await web.get(url)).status_code == 404
        assert (await web.get("/zalo/tep/guess")).status_code == 404
    await zalo.stop()
