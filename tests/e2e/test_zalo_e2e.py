"""The real baocao runtime on Zalo, against the strict fake Zalo Bot API, on a real SQLite file:
by polling, and by webhook through the web app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from aiohttp import web
from e2e_support import PNG, TZ, plan_text
from PIL import Image
from reminder_world import postgres_database
from zalo_world import (
    JPEG,
    WEBHOOK_SECRET,
    Department,
    department_on,
    free_port,
    sign_in_link,
)

from bot.core.errors import UserError
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from handlers.zalo.translate import unwrap
from storage.db import make_engine
from storage.models import seen_message_t

zalo_api = pytest.importorskip("fakes.zalo_api")
FakeZalo = zalo_api.FakeZalo
ZaloUser = zalo_api.ZaloUser


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:  # type: ignore[valid-type]
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def department(fake: FakeZalo, tmp_path: Path) -> AsyncIterator[Department]:  # type: ignore[valid-type]
    async with department_on(fake, tmp_path / "data") as office:
        yield office


# ---- polling -------------------------------------------------------------------------------


async def test_a_unit_registers_and_reports_by_text_and_by_photo(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start()
    await fake.wait_polling()
    binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await department.register(binh, "phong-b")
    assert not any(call.method == "setWebhook" for call in fake.calls)

    await fake.send_text(binh, "Báo cáo quý: đã hoàn thành các chỉ tiêu.")
    question = await fake.wait_for_message(binh.id, contains="Nộp nội dung này")
    assert "1" in question["text"] and "bấm" not in question["text"]
    await fake.send_text(binh, "1")
    receipt = await fake.wait_for_message(binh.id, contains="Biên nhận")
    assert "Mã biên nhận" in receipt["text"]

    await fake.send_image(binh, JPEG, caption="Ảnh biên bản")
    await fake.wait_for_message(binh.id, contains="Biên nhận")
    assert (await department.versions("bc-quy"))["phong-b"] == 2
    stored = [p for p in (department.data / "files").rglob("*") if p.is_file()]
    assert any(p.read_bytes() == JPEG for p in stored)


async def test_what_cannot_be_a_report_gets_guidance_and_unknown_events_nothing(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start()
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    await fake.send_sticker(binh)
    await fake.wait_for_message(binh.id, contains="nhãn dán")
    await fake.send_unsupported(binh)
    await fake.wait_for_message(binh.id, contains="Bot không nhận")
    fake.mark(binh.id)
    before = len(fake.messages_to(binh.id))
    await fake.send_raw(
        {
            "event_name": "message.reaction.received",
            "message": {"message_id": "r1", "chat": {"id": binh.id}, "from": {"id": binh.id}},
        }
    )
    await fake.send_text(binh, "/lich")
    await fake.wait_for_message(binh.id, contains="")
    # Only the answer to /lich: the reaction got none.
    assert len(fake.messages_to(binh.id)) == before + 1


async def test_a_message_delivered_twice_is_handled_once(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start()
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    mid = await fake.send_image(binh, JPEG)
    await fake.wait_for_message(binh.id, contains="Biên nhận")
    await fake.redeliver(mid)
    await fake.send_text(binh, "/lich")
    await fake.wait_for_message(binh.id, contains="")
    await fake.wait_drained()
    assert (await department.versions("bc-quy"))["phong-b"] == 1
    assert sum("Biên nhận" in m["text"] for m in fake.messages_to(binh.id)) == 1


async def test_a_stranger_gets_one_polite_answer(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start()
    stranger = fake.user("ffff0000aaaa", "Người lạ")
    await fake.send_text(stranger, "xin chào")
    await fake.wait_for_message(stranger.id, contains="chỉ làm việc với đầu mối")
    await fake.send_text(stranger, "có ai không?")
    await fake.wait_drained()
    await asyncio.sleep(0.2)
    assert len(fake.messages_to(stranger.id)) == 1


async def test_long_messages_are_split_and_limits_and_refusals_have_their_kinds(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    from bot.core.ports import UnreachableError

    runtime = await department.start()
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    (zalo,) = [p for p in runtime.started if p.name == "zalo"]
    long = "\n".join(f"Dòng {i:03d}: " + "nội dung " * 5 for i in range(50))
    assert len(long) > 2000
    fake.mark(binh.id)
    await zalo.messenger.send(binh.id, long)
    pieces = [m["text"] for m in fake.messages_to(binh.id)[-2:]]
    assert "\n".join(pieces) == long

    fake.rate_limit(1, retry_after=1)
    await zalo.messenger.send(binh.id, "sau khi chờ")
    assert fake.messages_to(binh.id)[-1]["text"] == "sau khi chờ"

    fake.block(binh)
    with pytest.raises(UnreachableError):
        await zalo.messenger.send(binh.id, "không tới")


async def test_an_expired_token_at_start_is_said_in_words(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    fake.expire_token()
    with pytest.raises(UserError) as raised:
        await department.start()
    assert raised.value.key == "zalo-token-rejected"
    assert "BAOCAO_ZALO_TOKEN" in raised.value.message()
    assert fake.token not in raised.value.message()


# ---- webhook -------------------------------------------------------------------------------


async def test_by_webhook_through_the_web_app(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    port = free_port()
    await department.start(web=True, web_port=port, zalo_webhook_secret=WEBHOOK_SECRET)
    assert fake.webhook_url == f"http://127.0.0.1:{port}/zalo/webhook"
    assert not any(call.method == "getUpdates" for call in fake.calls)
    binh = fake.user("b1b2c3d4e5f6", "Bình")

    # A call without the right secret is refused, and nothing of it is handled.
    code = await department.invite("phong-b")
    forged = fake.build_update(binh, "message.text.received", {"text": f"/start {code}"})
    assert await fake.deliver_webhook(forged, secret="wrong-secret-123") == 403
    await asyncio.sleep(0.2)
    assert fake.messages_to(binh.id) == []

    await department.register(binh, "phong-b")
    assert set(fake.webhook_answers) - {403} == {200}

    # A chart goes out with sendPhoto from a one-time URL of the web app, fetched by Zalo.
    (zalo,) = [p for p in department.runtimes[0].started if p.name == "zalo"]
    chart = department.data / "chart.png"
    chart.write_bytes(PNG)
    await zalo.messenger.upload(binh.id, chart, name="tien-do.png", caption="Tiến độ", photo=True)
    photo = fake.photos_to(binh.id)[-1]
    assert "/zalo/tep/" in photo["photo"]
    assert fake.photo_bytes(binh.id)[-1] == PNG


async def test_reminders_reach_zalo_contacts_with_numbered_choices(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    clock = [real_now]
    await department.start(clock=lambda: clock[0])
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    clock[0] = quarterly.reminders[0].at + timedelta(minutes=1)
    reminder = await fake.wait_for_message(binh.id, contains="«Báo cáo quý» của Phòng B")
    assert "1" in reminder["text"]


async def test_a_send_refused_with_ok_false_is_raised_by_its_kind(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    from bot.core.ports import DeliveryError

    runtime = await department.start()
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    (zalo,) = [p for p in runtime.started if p.name == "zalo"]
    zalo.messenger.retry_budget = 0.5  # type: ignore[attr-defined]
    fake.fail_next("sendMessage", error_code=500, description="Internal error", times=100)
    with pytest.raises(DeliveryError):
        await zalo.messenger.send(binh.id, "thử lại rồi thôi")


async def test_baocao_run_with_an_expired_zalo_token_stops_with_one_line_and_status_2(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    import os
    import sys

    fake.expire_token()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env.update(
        {
            "BAOCAO_ZALO_TOKEN": fake.token,
            "BAOCAO_ZALO_API_URL": fake.api_url,
            "BAOCAO_DATA_DIR": str(department.data),
            "BAOCAO_DATABASE_URL": department.url,
            "BAOCAO_REMINDERS": "false",
            "BAOCAO_WEB": "false",
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=department.data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    err = stderr.decode()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "BAOCAO_ZALO_TOKEN" in lines[0], err
    assert "Traceback" not in err and fake.token not in err + stdout.decode()


# ---- registration by the code alone --------------------------------------------------------


async def test_the_code_typed_alone_registers_by_polling(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start()
    await fake.wait_polling()
    binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await department.register(binh, "phong-b", bare=True)
    greeting = fake.messages_to(binh.id)[-1]["text"]
    assert "Phòng B" in greeting and "chỉ làm việc với đầu mối" not in greeting
    await fake.send_image(binh, JPEG)
    await fake.wait_for_message(binh.id, contains="Biên nhận")


async def test_the_code_typed_alone_registers_by_webhook(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start(web=True, web_port=free_port(), zalo_webhook_secret=WEBHOOK_SECRET)
    binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await department.register(binh, "phong-b", bare=True)
    assert "Phòng B" in fake.messages_to(binh.id)[-1]["text"]
    assert set(fake.webhook_answers) == {200}
    assert not any(call.method == "getUpdates" for call in fake.calls)


# ---- what chat cannot take: guidance and the portal ----------------------------------------


def location_update(fake: FakeZalo, user: ZaloUser) -> dict[str, object]:  # type: ignore[valid-type]
    """A shared place: Zalo passes it to bots as an unsupported message (its details, if any,
    are extra fields the bot does not read)."""
    return fake.build_update(  # type: ignore[no-any-return, attr-defined]
        user,
        "message.unsupported.received",
        {"location": {"latitude": 21.0285, "longitude": 105.8542}},
    )


async def test_a_sticker_a_file_and_a_place_get_guidance_and_a_working_portal_link(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    port = free_port()
    await department.start(web=True, web_port=port)  # polling, with the web app on
    binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await department.register(binh, "phong-b", bare=True)

    await fake.send_sticker(binh)
    sticker = await fake.wait_for_message(binh.id, contains="nhãn dán")
    await fake.send_unsupported(binh)
    file = await fake.wait_for_message(binh.id, contains="Bot không nhận được tệp")
    await fake.send_raw(location_update(fake, binh))
    place = await fake.wait_for_message(binh.id, contains="Bot không nhận")

    links = [sign_in_link(answer["text"]) for answer in (sticker, file, place)]
    assert all(link is not None for link in links), [a["text"] for a in (sticker, file, place)]
    assert len(set(links)) == 3  # each answer a fresh one-time link
    async with httpx.AsyncClient() as browser:
        for link in links:
            assert link is not None and link.startswith(f"http://127.0.0.1:{port}/dang-nhap/")
            page = await browser.get(link)
            assert page.status_code == 200
            assert 'name="xacnhan"' in page.text and "Trần Thị Bình" in page.text
    assert (await department.versions("bc-quy"))["phong-b"] == 0


async def test_a_stranger_sending_a_file_gets_no_link(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    await department.start(web=True, web_port=free_port())
    stranger = fake.user("ffff0000aaaa", "Người lạ")
    await fake.send_unsupported(stranger)
    answer = await fake.wait_for_message(stranger.id, contains="chỉ làm việc với đầu mối")
    await fake.send_raw(location_update(fake, stranger))
    await fake.send_sticker(stranger)
    await fake.wait_drained()
    await asyncio.sleep(0.2)
    assert fake.messages_to(stranger.id) == [answer]
    assert sign_in_link(answer["text"]) is None and "dang-nhap" not in answer["text"]


# ---- the same message twice, with the shared record of messages taken in ------------------


@asynccontextmanager
async def lossy_proxy(target: str) -> AsyncIterator[str]:
    """An HTTP hop in front of the webhook that passes every call on but loses the answer to
    the first delivery of each message (a 502 back), so that Zalo delivers it again."""
    seen: set[str] = set()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                target,
                content=body,
                headers={
                    key: value
                    for key, value in request.headers.items()
                    if key.lower() in ("content-type", "x-bot-api-secret-token")
                },
            )
        mid = str(unwrap(json.loads(body)).get("message", {}).get("message_id"))  # type: ignore[union-attr]
        if mid not in seen:
            seen.add(mid)
            return web.Response(status=502)
        return web.Response(status=answer.status_code, body=answer.content)

    app = web.Application()
    app.router.add_post("/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}/zalo/webhook"
    finally:
        await runner.cleanup()


async def idle(*platforms: object) -> None:
    """Wait until every Zalo platform has handled all it received."""
    for _ in range(200):
        if not any(platform._workers for platform in platforms):  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("updates still being handled")


async def test_a_webhook_delivery_retried_and_a_redelivery_are_handled_once(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    port = free_port()
    runtime = await department.start(web=True, web_port=port, zalo_webhook_secret=WEBHOOK_SECRET)
    (zalo,) = [p for p in runtime.started if p.name == "zalo"]
    assert type(zalo._seen).__name__ == "SqlSeenMessages"  # type: ignore[attr-defined]
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")
    async with lossy_proxy(f"http://127.0.0.1:{port}/zalo/webhook") as hop:
        fake.webhook_target = hop
        mid = await fake.send_image(binh, JPEG)
        await fake.wait_for_message(binh.id, contains="Biên nhận")
        await fake.wait_drained()
        assert fake.webhook_answers[-2:] == [502, 200]  # delivered twice, reached the bot twice
        await fake.redeliver(mid)
        await fake.wait_drained()
        await idle(zalo)
    assert fake.webhook_answers[-3:] == [502, 200, 200]  # and once more, redelivered
    assert (await department.versions("bc-quy"))["phong-b"] == 1
    assert sum("Biên nhận" in m["text"] for m in fake.messages_to(binh.id)) == 1
    engine = make_engine(department.url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.select(seen_message_t))).all()
    finally:
        await engine.dispose()
    assert mid in {row.message_id for row in rows}


async def test_two_processes_on_one_postgresql_database_handle_a_message_once(
    fake: FakeZalo,  # type: ignore[valid-type]
    tmp_path: Path,
) -> None:
    async with (
        postgres_database() as url,
        department_on(fake, tmp_path / "data", url) as office,
    ):
        ports = free_port(), free_port()
        first, second = [
            await office.start(web=True, web_port=port, zalo_webhook_secret=WEBHOOK_SECRET)
            for port in ports
        ]
        platforms = [
            next(p for p in runtime.started if p.name == "zalo") for runtime in (first, second)
        ]
        binh = fake.user("b1b2c3d4e5f6", "Bình")
        await office.register(binh, "phong-b", bare=True)
        photo = fake.add_file(JPEG, ".jpg", "image/jpeg")
        update = fake.build_update(binh, "message.image.received", {"photo_url": photo})
        fake.mark(binh.id)
        answers = await asyncio.gather(
            *(
                fake.deliver_webhook(update, url=f"http://127.0.0.1:{port}/zalo/webhook")
                for port in ports
            )
        )
        assert answers == [200, 200]
        await fake.wait_for_message(binh.id, contains="Biên nhận")
        await idle(*platforms)
        assert (await office.versions("bc-quy"))["phong-b"] == 1
        assert sum("Biên nhận" in m["text"] for m in fake.messages_to(binh.id)) == 1
        await office.stop()


# ---- the office's summary, privately ------------------------------------------------------


async def test_the_office_summary_and_its_chart_reach_office_staff_privately(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
) -> None:
    """Zalo bots cannot join groups: the summary an office group would get goes to each office
    staff member, the text first, then the chart by sendPhoto from a one-time URL Zalo fetches."""
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    clock = [real_now]
    await department.start(clock=lambda: clock[0], web=True, web_port=free_port())
    mai = fake.user("0ff1ce000001", "Lê Thị Mai")
    await department.register(mai, "van-phong", Role.OFFICE, bare=True)
    binh = fake.user("b1b2c3d4e5f6", "Bình")
    await department.register(binh, "phong-b")

    fake.mark(mai.id)
    clock[0] = quarterly.reminders[0].at + timedelta(minutes=1)  # a reminder day's summary
    summary = await fake.wait_for_message(mai.id, contains="đơn vị đã nộp", timeout=20)
    assert summary["text"].startswith("Báo cáo quý, trước ngày ")
    photo = await fake.wait_for_photo(mai.id, timeout=20)
    assert "/zalo/tep/" in photo["photo"]
    assert photo.get("caption") == "Biểu đồ tiến độ: Báo cáo quý"
    (picture,) = fake.photo_bytes(mai.id)
    assert picture is not None
    with Image.open(io.BytesIO(picture)) as image:
        assert image.format == "PNG"
    sent = [
        call.method
        for call in fake.calls
        if call.method in ("sendMessage", "sendPhoto") and call.body.get("chat_id") == mai.id
    ]
    assert sent[-2:] == ["sendMessage", "sendPhoto"]  # the text, then its chart
    # The unit's head gets the unit's reminder, not the office's summary nor its chart.
    await fake.wait_for_message(binh.id, contains="«Báo cáo quý» của Phòng B")
    assert not any("đơn vị đã nộp" in m["text"] for m in fake.messages_to(binh.id))
    assert fake.photos_to(binh.id) == []
