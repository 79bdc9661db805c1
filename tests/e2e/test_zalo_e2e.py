"""The real baocao runtime on Zalo, against the strict fake Zalo Bot API, on a real SQLite file:
by polling, and by webhook through the web app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import TZ, plan_text
from e2e_support import PNG

from bot.app import Runtime
from bot.config import Settings
from bot.core.errors import UserError
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.status import report_status

zalo_api = pytest.importorskip("fakes.zalo_api")
FakeZalo = zalo_api.FakeZalo
ZaloUser = zalo_api.ZaloUser

WEBHOOK_SECRET = "e2e_Webhook-secret_123"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(200)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Department:
    fake: FakeZalo  # type: ignore[valid-type]
    data: Path
    url: str
    values: dict[str, object]
    runtimes: list[Runtime] = field(default_factory=list)

    def settings(self, **changes: object) -> Settings:
        return Settings(_env_file=None, **{**self.values, **changes})  # type: ignore[call-arg, arg-type]

    async def start(
        self, clock: Callable[[], datetime] | None = None, **changes: object
    ) -> Runtime:
        runtime = Runtime(self.settings(**changes), clock=clock, poll_timeout=1)
        await runtime.start()
        self.runtimes.append(runtime)
        return runtime

    async def stop(self) -> None:
        while self.runtimes:
            await self.runtimes.pop().stop()

    async def invite(self, unit: str, role: Role = Role.HEAD) -> str:
        engine = make_engine(self.url)
        try:
            view = await create_invite(engine, unit_key=unit, role=role, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return view.code

    async def versions(self, report: str) -> dict[str, int]:
        engine = make_engine(self.url)
        try:
            (instance,) = await report_status(engine, report_key=report, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return {unit.unit_key: unit.versions for unit in instance.units}

    async def register(self, user: ZaloUser, unit: str, role: Role = Role.HEAD) -> None:  # type: ignore[valid-type]
        code = await self.invite(unit, role)
        await self.fake.send_text(user, f"/start {code}")
        await self.fake.wait_for_message(user.id, contains="Chào")  # type: ignore[attr-defined]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:  # type: ignore[valid-type]
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def department(fake: FakeZalo, tmp_path: Path) -> AsyncIterator[Department]:  # type: ignore[valid-type]
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        plan = parse_plan(plan_text(now.astimezone(TZ)), "p.yaml")
        await apply_plan(engine, plan, path="p.yaml", now=now)
    finally:
        await engine.dispose()
    values: dict[str, object] = {
        "zalo_token": fake.token,
        "zalo_api_url": fake.api_url,
        "data_dir": data,
        "database_url": url,
        "admins": [],
        "reminder_tick": 0.1,
        "web": False,
    }
    office = Department(fake, data, url, values)
    try:
        yield office
    finally:
        await office.stop()
    fake.assert_clean()


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
