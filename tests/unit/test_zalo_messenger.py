"""The Zalo messenger: numbered choices, splits, photos by URL, links for files, and the same
retries and error kinds as on Telegram."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.core.model import Attachment, AttachmentKind, Button, Keyboard
from bot.core.ports import DeliveryError, FileTooBigError, UnreachableError
from handlers.zalo.client import ZaloClient, ZaloError
from handlers.zalo.files import OneTimeFiles
from handlers.zalo.messenger import PhotoGoneError, ZaloMessenger

TOKEN = "42:tok"
Handler = Callable[[httpx.Request], httpx.Response]


class Api:
    """A scripted Bot API: each call gets the next planned answer, or ok."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        self.calls.append((method, json.loads(request.content)))
        if self.answers:
            return self.answers.pop(0)
        return httpx.Response(
            200, json={"ok": True, "result": {"message_id": f"m{len(self.calls)}"}}
        )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def messenger(api: Api, clock: Clock | None = None, **extra: Any) -> ZaloMessenger:
    clock = clock or Clock()
    client = ZaloClient(
        token=TOKEN, api_url="https://zalo.test", transport=httpx.MockTransport(api)
    )
    return ZaloMessenger(client, sleep=clock.sleep, clock=clock, **extra)


def refusal(code: int, description: str = "", status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, json={"ok": False, "error_code": code, "description": description}
    )


async def test_a_message_is_sent_and_a_long_one_split_at_2000_characters() -> None:
    api = Api()
    zalo = messenger(api)
    ref = await zalo.send("c1", "xin chào")
    assert (ref.chat_id, ref.message_id) == ("c1", "m1")
    text = "\n".join(f"dòng {i:04d} " + "x" * 40 for i in range(50))  # about 2,500 characters
    await zalo.send("c1", text)
    pieces = [body["text"] for method, body in api.calls[1:]]
    assert len(pieces) == 2 and all(len(p) <= 2000 for p in pieces)
    assert "\n".join(pieces) == text


async def test_a_keyboard_becomes_numbered_lines_and_an_offer() -> None:
    offered: list[tuple[str, str, Keyboard]] = []

    async def offer(*, platform: str, user_id: str, keyboard: Keyboard) -> None:
        offered.append((platform, user_id, keyboard))

    api = Api()
    keyboard = ((Button("Nộp ngay", "r:1"),),)
    await messenger(api, offer=offer).send("c1", "Nhắc hạn", keyboard=keyboard)
    assert offered == [("zalo", "c1", keyboard)]
    assert "1" in api.calls[0][1]["text"] and "Nộp ngay" in api.calls[0][1]["text"]


async def test_an_edit_is_a_new_message_and_a_typed_numbers_notice_goes_to_its_chat() -> None:
    api = Api()
    zalo = messenger(api)
    ref = await zalo.send("c1", "một")
    await zalo.edit(ref, "hai")
    await zalo.answer("cb", "không có chat")
    await zalo.answer("number:zalo:c2:m9")
    await zalo.answer("number:zalo:c2:m9", "ba")
    assert [(body["chat_id"], body["text"]) for _, body in api.calls] == [
        ("c1", "một"),
        ("c1", "hai"),
        ("c2", "ba"),
    ]


@pytest.mark.parametrize(
    "answer",
    [
        refusal(403, "User has blocked the bot"),
        refusal(403, status=403),
        refusal(404, "chat not found"),
        refusal(400, "User not found"),
    ],
)
async def test_a_person_who_cannot_be_reached_is_unreachable_at_once(
    answer: httpx.Response,
) -> None:
    api = Api(answer)
    with pytest.raises(UnreachableError):
        await messenger(api).send("c1", "x")
    assert len(api.calls) == 1


async def test_another_refusal_is_raised_as_is_never_retried() -> None:
    api = Api(refusal(400, "text is too long"))
    with pytest.raises(ZaloError):
        await messenger(api).send("c1", "x")
    assert len(api.calls) == 1


async def test_a_rate_limit_is_waited_out_then_sent() -> None:
    clock = Clock()
    api = Api(
        httpx.Response(429, json={"ok": False, "error_code": 429, "parameters": {"retry_after": 3}})
    )
    await messenger(api, clock).send("c1", "x")
    assert len(api.calls) == 2
    assert clock.slept and clock.slept[0] >= 3


async def test_server_errors_are_retried_with_backoff_until_the_budget_then_delivery_error() -> (
    None
):
    clock = Clock()
    api = Api(*[httpx.Response(502) for _ in range(1000)])
    with pytest.raises(DeliveryError):
        await messenger(api, clock, retry_budget=30).send("c1", "x")
    assert 3 < len(api.calls) < 100
    assert clock.now <= 30 + 1e-6


async def test_a_revoked_token_is_a_delivery_error_without_retrying() -> None:
    api = Api(refusal(401, "Unauthorized"))
    with pytest.raises(DeliveryError):
        await messenger(api).send("c1", "x")
    assert len(api.calls) == 1


async def test_a_photo_is_downloaded_with_a_cap_whatever_its_type(tmp_path: Path) -> None:
    """What the bytes are is for the core to say (in words); a link gone is PhotoGoneError."""
    image = b"\xff\xd8" + b"x" * 1000

    def cdn(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/p.jpg":
            return httpx.Response(200, content=image, headers={"content-type": "image/jpeg"})
        if request.url.path == "/page":
            return httpx.Response(200, content=b"<html>", headers={"content-type": "text/html"})
        if request.url.path == "/gone":
            return httpx.Response(404, content=b"<html>", headers={"content-type": "text/html"})
        return httpx.Response(200, content=b"y" * 5000, headers={"content-type": "image/png"})

    downloads = httpx.AsyncClient(transport=httpx.MockTransport(cdn))
    zalo = messenger(Api(), downloads=downloads)
    zalo.max_download = 2000
    target = tmp_path / "a.jpg"
    photo = Attachment(kind=AttachmentKind.PHOTO, file_ref="https://cdn.test/p.jpg")
    assert await zalo.download(photo, target) == len(image)
    assert target.read_bytes() == image
    with pytest.raises(FileTooBigError):
        await zalo.download(
            Attachment(AttachmentKind.PHOTO, "https://cdn.test/big"), tmp_path / "b"
        )
    assert not (tmp_path / "b").exists()
    page = Attachment(AttachmentKind.PHOTO, "https://cdn.test/page")
    assert await zalo.download(page, tmp_path / "c") == len(b"<html>")
    with pytest.raises(PhotoGoneError):
        await zalo.download(Attachment(AttachmentKind.PHOTO, "https://cdn.test/gone"), target)
    assert not target.exists()
    await downloads.aclose()


async def test_an_upload_publishes_a_one_time_url(tmp_path: Path) -> None:
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    files = OneTimeFiles(tmp_path / "pub", "https://baocao.test", clock=lambda: now[0])
    api = Api()
    zalo = messenger(api, files=files)
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG chart")
    await zalo.upload("c1", chart, name="bieu-do.png", caption="Tiến độ", photo=True)
    method, body = api.calls[0]
    assert method == "sendPhoto" and body["caption"] == "Tiến độ"
    url = body["photo"]
    assert url.startswith("https://baocao.test/zalo/tep/")
    token = url.rsplit("/", 1)[-1]
    assert len(token) >= 40

    export = tmp_path / "x.xlsx"
    export.write_bytes(b"PK")
    await zalo.upload("c1", export, name="tong-hop.xlsx", caption="Bảng")
    method, body = api.calls[1]
    assert (
        method == "sendMessage" and "tong-hop.xlsx" in body["text"] and "/zalo/tep/" in body["text"]
    )

    published = files.take(token)
    assert published is not None and published.path.read_bytes() == b"\x89PNG chart"
    assert published.content_type == "image/png"
    assert files.take(token) is not None and files.take(token) is not None
    assert files.take(token) is None  # fetched its last time
    assert files.take("not-a-token") is None and files.take("../../etc") is None


def test_a_published_file_expires_and_is_swept(tmp_path: Path) -> None:
    now = [datetime(2025, 1, 1, tzinfo=UTC)]
    files = OneTimeFiles(tmp_path / "pub", "https://b", clock=lambda: now[0])
    source = tmp_path / "s"
    source.write_bytes(b"x")
    token = files.publish(source, name="s.png", content_type="image/png").rsplit("/", 1)[-1]
    now[0] += timedelta(minutes=11)
    assert files.take(token) is None
    files.publish(source, name="t.png", content_type="image/png")
    now[0] += timedelta(minutes=11)
    assert files.sweep() == 1
    assert list((tmp_path / "pub").iterdir()) == []


async def test_a_file_from_elsewhere_is_named_and_a_zalo_photo_resent_by_url() -> None:
    api = Api()
    zalo = messenger(api)
    await zalo.send_file("c1", Attachment(AttachmentKind.DOCUMENT, "tg-id", "bc.docx"), "Phòng A")
    await zalo.send_file("c1", Attachment(AttachmentKind.PHOTO, "https://f.zalo/p.jpg"), "Phòng B")
    assert api.calls[0][0] == "sendMessage" and "bc.docx" in api.calls[0][1]["text"]
    assert api.calls[1] == (
        "sendPhoto",
        {"chat_id": "c1", "photo": "https://f.zalo/p.jpg", "caption": "Phòng B"},
    )
