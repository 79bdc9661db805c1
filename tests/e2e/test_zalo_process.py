"""`baocao run` with Zalo by webhook, as a real process: the web app serves the webhook, a text
from Zalo is answered; killed with SIGKILL (a power cut) while Zalo holds a message for it, the
process restarts and the message, delivered again by Zalo's retries, is handled once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from reminder_world import BotProcess, until
from zalo_world import JPEG, WEBHOOK_SECRET, Department, department_on, free_port

zalo_api = pytest.importorskip("fakes.zalo_api")
FakeZalo = zalo_api.FakeZalo


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:  # type: ignore[valid-type]
    async with FakeZalo() as server:
        # Deliveries to a process that is down are retried for about half a minute, often at
        # first: long enough for a restart, without a long wait once it is up.
        server.webhook_retries = 14
        server.webhook_retry_delay = 0.05
        yield server


@pytest.fixture
async def department(fake: FakeZalo, tmp_path: Path) -> AsyncIterator[Department]:  # type: ignore[valid-type]
    async with department_on(fake, tmp_path / "data") as office:
        yield office


def run_env(department: Department, port: int) -> dict[str, str]:
    import os

    fake = department.fake
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")},
        "BAOCAO_ZALO_TOKEN": fake.token,  # type: ignore[attr-defined]
        "BAOCAO_ZALO_API_URL": fake.api_url,  # type: ignore[attr-defined]
        "BAOCAO_ZALO_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BAOCAO_WEB": "true",
        "BAOCAO_WEB_PORT": str(port),
        "BAOCAO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BAOCAO_DATABASE_URL": department.url,
        "BAOCAO_DATA_DIR": str(department.data),
        "BAOCAO_REMINDERS": "false",
    }


async def test_a_process_by_webhook_answers_and_after_sigkill_handles_a_held_message_once(
    department: Department,
    fake: FakeZalo,  # type: ignore[valid-type]
    tmp_path: Path,
) -> None:
    port = free_port()
    env = run_env(department, port)
    webhook = f"http://127.0.0.1:{port}/zalo/webhook"
    log = tmp_path / "baocao.log"
    first = await BotProcess(env, department.data, log).start()
    second: BotProcess | None = None
    try:
        await until(lambda: fake.webhook_url == webhook, 60, "the webhook set")
        binh = fake.user("b1b2c3d4e5f6", "Trần Thị Bình")
        await department.register(binh, "phong-b", bare=True)
        await fake.send_text(binh, "Báo cáo quý: đã hoàn thành.")
        await fake.wait_for_message(binh.id, contains="Nộp nội dung này")
        await fake.send_text(binh, "0")  # not submitted
        await fake.wait_for_message(binh.id, contains="")

        await first.kill()
        answers = len(fake.webhook_answers)
        mid = await fake.send_image(binh, JPEG, caption="Biên bản họp")
        await until(lambda: 0 in fake.webhook_answers[answers:], 10, "a delivery refused")

        second = await BotProcess(env, department.data, log).start()
        receipt = await fake.wait_for_message(binh.id, contains="Biên nhận", timeout=60)
        assert "Mã biên nhận" in receipt["text"]
        await fake.wait_drained(timeout=30)
        await fake.redeliver(mid)  # once more, as a retry after a lost answer would
        await fake.wait_drained(timeout=30)
        await fake.send_text(binh, "/lich")
        await fake.wait_for_message(binh.id, contains="", timeout=20)
        assert fake.webhook_dropped == []
        assert (await department.versions("bc-quy"))["phong-b"] == 1
        assert sum("Biên nhận" in m["text"] for m in fake.messages_to(binh.id)) == 1
        assert await second.terminate() == 0
    finally:
        await first.kill()
        if second is not None:
            await second.kill()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output, output
    assert fake.token not in output and WEBHOOK_SECRET not in output
