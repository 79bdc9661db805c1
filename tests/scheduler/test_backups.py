"""The daily backup: at 02:00 local time, on one of the processes sharing a database, the newest
BAOCAO_BACKUP_KEEP kept; driven by an injected clock, never by waiting for the hour."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backups import daily_backups
from bot.config import Settings
from bot.core.errors import UserError
from scheduler.backups import DailyBackup, Made
from storage.backup import AUTOMATIC_NAME, check_backup
from storage.db import make_engine
from storage.migrate import upgrade

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = datetime(2024, 5, 20, 2, 0, tzinfo=ZONE)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def data(tmp_path: Path) -> Path:
    """A data folder with a migrated SQLite database and one stored file."""
    folder = tmp_path / "data"
    folder.mkdir()
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'baocao.db'}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    (folder / "files" / "2024" / "05").mkdir(parents=True)
    (folder / "files" / "2024" / "05" / "a.pdf").write_bytes(b"%PDF a")
    return folder


def settings(data: Path, **values: object) -> Settings:
    return Settings(data_dir=data, _env_file=None, **values)  # type: ignore[call-arg]


async def test_one_of_two_processes_backs_up_each_day_and_the_newest_are_kept(
    data: Path,
) -> None:
    config = settings(data, backup_keep=3)
    clock = Clock(FIRST)
    engines = [make_engine(config.resolved_database_url()) for _ in range(2)]
    jobs = [daily_backups(config, engine, clock) for engine in engines]
    try:
        made_by = []
        for day in range(5):
            clock.now = FIRST + timedelta(days=day)
            results = [await job.run() for job in jobs if job is not None]
            assert [result is not None for result in results].count(True) == 1
            made_by.append([result is not None for result in results].index(True))
        assert made_by == [0] * 5  # the process that took the turn keeps it
        folder = data / "sao-luu"
        names = sorted(path.name for path in folder.iterdir())
        assert names == [
            "baocao-20240522-020000.tar",
            "baocao-20240523-020000.tar",
            "baocao-20240524-020000.tar",
        ]
        assert check_backup(folder / names[-1]).files == 1

        # The first process stops: the other takes the turn at the next run.
        assert jobs[0] is not None and jobs[1] is not None
        await jobs[0].stop()
        clock.now = FIRST + timedelta(days=5)
        assert await jobs[1].run() is not None
        assert sorted(path.name for path in folder.iterdir())[-1] == "baocao-20240525-020000.tar"
        await jobs[1].stop()
    finally:
        for engine in engines:
            await engine.dispose()


async def test_the_folder_and_count_come_from_the_settings(data: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "o-dia-khac" / "sao-luu"
    config = settings(data, backup_dir=elsewhere, backup_keep=1)
    engine = make_engine(config.resolved_database_url())
    try:
        job = daily_backups(config, engine, Clock(FIRST))
        assert job is not None
        made = await job.run()
        assert made is not None and made.keep == 1
        assert [path.name for path in elsewhere.iterdir()] == ["baocao-20240520-020000.tar"]
        assert elsewhere.stat().st_mode & 0o077 == 0
        await job.stop()
        assert daily_backups(settings(data, backup_keep=0), engine, Clock(FIRST)) is None
    finally:
        await engine.dispose()


def test_it_runs_at_two_in_the_morning_local_time() -> None:
    async def nothing() -> None:
        return None

    async def turn() -> bool:
        return True

    async def make(now: datetime) -> Made:
        raise AssertionError("not run")

    job = DailyBackup(take_turn=turn, give_turn=nothing, make=make, clock=Clock(FIRST), zone=ZONE)
    after = datetime(2024, 5, 20, 3, 0, tzinfo=ZONE)
    assert job.next_run(after) == datetime(2024, 5, 21, 2, 0, tzinfo=ZONE)
    assert job.next_run(datetime(2024, 5, 20, 18, 59, tzinfo=UTC)) == datetime(
        2024, 5, 20, 19, 0, tzinfo=UTC
    )


async def test_a_failed_backup_is_logged_in_words_and_the_bot_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def nothing() -> None:
        return None

    async def turn() -> bool:
        return True

    async def make(now: datetime) -> Made:
        raise UserError("backup-error-write-failed", file="/sao-luu/baocao.tar")

    job = DailyBackup(take_turn=turn, give_turn=nothing, make=make, clock=Clock(FIRST), zone=ZONE)
    with caplog.at_level(logging.INFO, logger="baocao.backup"):
        assert await job.run() is None
    assert caplog.messages == [
        "Sao lưu tự động không thành công: Không ghi được tệp sao lưu «/sao-luu/baocao.tar»"
        " (ổ đĩa đầy, hoặc không có quyền ghi); không có tệp nào được ghi dở."
    ]


async def test_the_running_bot_schedules_the_daily_backup(data: Path) -> None:
    from bot.app import Runtime

    runtime = Runtime(settings(data, reminders=False, web=False))
    await runtime.start()
    try:
        assert runtime.backups is not None
        assert runtime.backups.zone == ZONE
    finally:
        await runtime.stop()
    assert runtime.backups is None
    off = Runtime(settings(data, reminders=False, web=False, backup_keep=0))
    await off.start()
    try:
        assert off.backups is None
    finally:
        await off.stop()


def test_daily_names_sort_by_time() -> None:
    assert AUTOMATIC_NAME.fullmatch("baocao-20240520-020000.tar")
    assert not AUTOMATIC_NAME.fullmatch("baocao-2024-05-20.tar")
