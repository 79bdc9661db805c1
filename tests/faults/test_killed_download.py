"""`baocao run` is SIGKILLed (a power cut, the OOM killer) while it downloads a report: after the
restart nothing half-received is in the store or the staging area, no submission was recorded,
and the file the person sends again is taken once.

The fake Bot API stalls the download halfway (`download_stall`) so that the kill lands in it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram, find_api_json
from hostile import worlds
from hostile.snapshot import snapshot
from reminder_world import BotProcess, bot_env, until

from storage.files import STAGING_DIR
from storage.store_marker import MARKER_FILE


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as server:
        yield server


def kept_files(data: Path) -> list[Path]:
    """Files in the store and the staging area (the store's marker aside)."""
    return [
        path
        for folder in (data / "files", data / STAGING_DIR)
        for path in (folder.rglob("*") if folder.is_dir() else [])
        if path.is_file() and path.name != MARKER_FILE
    ]


async def test_a_kill_during_a_download_leaves_nothing_and_the_file_sent_again_is_taken_once(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    url = await worlds.department(data)
    env = bot_env(fake, url, data, BAOCAO_REMINDERS="false")
    processes: list[BotProcess] = []
    report = DOCX + os.urandom(256 * 1024)  # big enough to arrive in pieces
    try:
        first = await BotProcess(env, data, tmp_path / "bot-0.log").start()
        processes.append(first)
        await fake.wait_polling(timeout=60)
        binh = fake.user(1002, "Bình")
        await fake.send_text(binh, f"/start {await worlds.invite(url, 'phong-b')}")
        await fake.wait_for_message(1002, contains="Chào", timeout=20)
        before = snapshot(data)

        fake.download_stall = 60.0  # half the file, then nothing: the kill lands here
        file = fake.add_file(report, file_name="bao-cao-quy.docx", mime_type=DOCX_MIME)
        await fake.send_document(binh, file)
        await until(lambda: bool(fake.downloads), 20, "the download under way")
        await first.kill()
        fake.download_stall = 0.0

        again = await BotProcess(env, data, tmp_path / "bot-1.log").start()
        processes.append(again)
        await fake.wait_polling(timeout=60)
        # The restart's sweep is done before it polls: nothing half-received anywhere.
        assert kept_files(data) == []
        after = snapshot(data)
        assert after["submission"] == before["submission"]
        assert after["files"] == before["files"]

        # The update was taken before the kill: it is not handed out again, so the person,
        # told nothing, sends the file again.
        mark = fake.mark()
        await fake.send_document(binh, fake.add_file(report, file_name="bao-cao-quy.docx"))
        receipt = (await fake.wait_for_message(1002, contains="Biên nhận", timeout=20))["text"]
        assert "Phiên bản 1" in receipt
        assert "bao-cao-quy.docx" in receipt
        assert await again.terminate() == 0, again.output()
    finally:
        for process in processes:
            await process.kill()

    receipts = [
        c for c in fake.calls[mark:] if c.method == "sendMessage" and "Biên nhận" in str(c.params)
    ]
    assert len(receipts) == 1
    final = snapshot(data)
    assert len(final["submission"]) == len(before["submission"]) + 1
    (stored,) = kept_files(data)
    assert stored.read_bytes() == report  # the whole file, once
    fake.assert_clean()
