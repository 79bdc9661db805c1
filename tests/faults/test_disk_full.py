"""The disk fills up while a file arrives: the person is told in Vietnamese, nothing is left
half-written, and once there is room again the same file is taken.

The data folder is a 1 MB tmpfs made for the test (mounting needs root: skipped otherwise);
the database lies elsewhere, as a database server's would."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakes.telegram_api import FakeTelegram, find_api_json
from hostile import worlds
from hostile.snapshot import snapshot

from bot.app import Runtime
from bot.config import Settings
from bot.core.i18n import t
from storage.store_marker import MARKER_FILE

DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as server:
        yield server


async def test_a_full_disk_is_told_and_leaves_nothing_half_written(
    small_disk: Path, fake: FakeTelegram, tmp_path: Path
) -> None:
    database = tmp_path / "db"
    url = await worlds.department(database)
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        data_dir=small_disk,
        database_url=url,
        admins=[],
        reminder_tick=60,
    )
    runtime = Runtime(config, poll_timeout=1)
    await runtime.start()
    try:
        await fake.wait_polling()
        binh = fake.user(1002, "Bình")
        await fake.send_text(binh, f"/start {await worlds.invite(url, 'phong-b')}")
        await fake.wait_for_message(1002, contains="Chào")
        before = snapshot(database)
        big = DOCX + os.urandom(2 * 1024 * 1024)  # twice the disk, and incompressible
        await fake.send_document(binh, fake.add_file(big, file_name="bao-cao-quy.docx"))
        told = (await fake.wait_for_message(1002))["text"]
        assert told == t("submit-disk-full")
        after = snapshot(database)
        assert after["submission"] == before["submission"]
        stored = [p for p in small_disk.rglob("*") if p.is_file()]  # noqa: ASYNC240
        assert [p for p in stored if p.name != MARKER_FILE] == []  # no half a file

        # Room again (the Office cleaned up): a smaller file goes through.
        small = DOCX + bytes(1000)
        await fake.send_document(binh, fake.add_file(small, file_name="bao-cao-quy.docx"))
        receipt = (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
        assert "Phiên bản 1" in receipt
    finally:
        await runtime.stop()
    fake.assert_clean()
