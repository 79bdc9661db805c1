"""storage.backup: a consistent SQLite copy while the bot writes, archive names, pruning, and
how PostgreSQL's tools are found and given the password."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tarfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, POSTGRES_URL

from bot.core.errors import UserError
from storage import backup
from storage.backup import (
    FILES_DIR,
    BackupTurn,
    automatic_name,
    check_backup,
    create_backup,
    kind_of_entry,
    libpq_environment,
    prune_backups,
)
from storage.db import make_engine

NOW = datetime(2024, 5, 20, 19, 0, tzinfo=UTC)
BATCH = 10  # rows the writer commits together: a consistent copy holds a multiple of it


def test_a_sqlite_backup_is_one_snapshot_while_a_writer_commits(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "baocao.db"
    shutil.copyfile(migrated_sqlite, database)
    (data / FILES_DIR / "2024" / "05").mkdir(parents=True)
    (data / FILES_DIR / "2024" / "05" / "a.pdf").write_bytes(b"%PDF a")
    stop = threading.Event()
    committed: list[int] = []
    failures: list[BaseException] = []
    started = threading.Event()

    def writer() -> None:
        # The bot's way: WAL, BEGIN IMMEDIATE, a busy timeout.
        connection = sqlite3.connect(database, isolation_level=None, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        try:
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                first = sum(committed)
                connection.executemany(
                    "INSERT INTO seen_message (platform, message_id, seen_at) VALUES (?, ?, ?)",
                    [("test", str(first + n), "2024-05-20 03:00:00") for n in range(BATCH)],
                )
                connection.execute("COMMIT")
                committed.append(BATCH)
                started.set()
        except BaseException as error:
            failures.append(error)
            started.set()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        started.wait(30)
        before = sum(committed)
        result = asyncio.run(
            create_backup(
                url=f"sqlite+aiosqlite:///{database}",
                data_dir=data,
                destination=tmp_path / "b.tar",
                now=NOW,
            )
        )
        during = sum(committed)
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert (result.database, result.files, result.schema_revision) == ("sqlite", 1, HEAD)
    manifest = check_backup(tmp_path / "b.tar")
    assert [entry.path for entry in manifest.entries] == [
        "database/baocao.db",
        "files/2024/05/a.pdf",
    ]
    with tarfile.open(tmp_path / "b.tar") as tar:
        tar.extract("database/baocao.db", tmp_path / "out", filter="data")
    copy = sqlite3.connect(tmp_path / "out" / "database" / "baocao.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        (rows,) = copy.execute("SELECT count(*) FROM seen_message").fetchone()
    finally:
        copy.close()
    assert rows % BATCH == 0
    assert before <= rows <= during
    assert sum(committed) > before  # the writer went on committing meanwhile


def test_a_backup_waits_for_no_writer(tmp_path: Path, migrated_sqlite: Path) -> None:
    """A write transaction held open (a slow request) does not stop the copy, in WAL mode."""
    database = tmp_path / "baocao.db"
    shutil.copyfile(migrated_sqlite, database)
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO seen_message (platform, message_id, seen_at) VALUES ('t', '1', 'x')"
    )
    try:
        result = asyncio.run(
            create_backup(
                url=f"sqlite+aiosqlite:///{database}",
                data_dir=tmp_path,
                destination=tmp_path / "b.tar",
                now=NOW,
            )
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.files == 0
    assert check_backup(tmp_path / "b.tar").schema_revision == HEAD


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("manifest.json", "manifest.json"),
        ("database/baocao.db", "sqlite"),
        ("database/baocao.pgdump", "postgresql"),
        ("files/2024/05/0a1b.pdf", "files"),
        ("files/2024/05/.hidden", None),
        ("files/../etc/passwd", None),
        ("files/2024/../../x", None),
        ("/files/2024/x.pdf", None),
        ("files//2024/x.pdf", None),
        ("files/./x.pdf", None),
        ("files/2024/x.pdf/", None),
        ("files\\2024\\x.pdf", None),
        ("files", None),
        ("database/other.db", None),
        ("other/x", None),
    ],
)
def test_only_names_a_backup_writes_are_taken(name: str, kind: str | None) -> None:
    assert kind_of_entry(name) == kind


def test_pruning_keeps_the_newest_daily_backups_and_nothing_else_goes(tmp_path: Path) -> None:
    zone_times = [NOW + timedelta(days=day) for day in range(6)]
    daily = [tmp_path / automatic_name(moment) for moment in zone_times]
    for path in daily:
        path.write_bytes(b"x")
    mine = tmp_path / "truoc-khi-nang-cap.tar"
    mine.write_bytes(b"the Office's own")
    fresh = tmp_path / ".baocao-20240526-020000.tar.abc.tmp"  # a backup being written now
    fresh.write_bytes(b"x")
    begun = (NOW + timedelta(days=6) - timedelta(hours=1)).timestamp()
    os.utime(fresh, (begun, begun))
    gone = prune_backups(tmp_path, 3, now=NOW + timedelta(days=6))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [path.name for path in daily[3:]] + [mine.name, fresh.name]
    )
    assert gone == daily[:3]
    later = NOW + timedelta(days=30)
    assert prune_backups(tmp_path, 3, now=later) == [fresh]
    assert prune_backups(tmp_path, 0, now=later) == daily[3:]
    assert [path.name for path in tmp_path.iterdir()] == [mine.name]


def test_a_missing_postgresql_tool_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup, "POSTGRES_LIB", tmp_path / "none")
    with pytest.raises(UserError) as raised:
        backup.postgres_tool("pg_dump")
    assert raised.value.message().startswith(
        "Không tìm thấy chương trình pg_dump của PostgreSQL (cần để sao lưu và khôi phục)."
    )
    versions = tmp_path / "lib"
    for version in ("9", "15", "13"):
        tool = versions / version / "bin" / "pg_dump"
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setattr(backup, "POSTGRES_LIB", versions)
    assert backup.postgres_tool("pg_dump") == str(versions / "15" / "bin" / "pg_dump")


def test_the_tools_get_the_password_in_their_environment_only() -> None:
    url = make_url("postgresql+asyncpg://baocao:m%40t-kh%E1%BA%A9u@db.so:6543/baocao?ssl=require")
    env = libpq_environment(url)
    assert {name: env[name] for name in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE")} == {
        "PGHOST": "db.so",
        "PGPORT": "6543",
        "PGUSER": "baocao",
        "PGDATABASE": "baocao",
    }
    assert env["PGPASSWORD"] == "m@t-khẩu"
    assert env["PGSSLMODE"] == "require"


async def test_one_process_at_a_time_holds_the_backup_turn(
    engine: AsyncEngine, backend: str
) -> None:
    """Two engines on one database stand for two processes sharing it."""
    if backend == "sqlite":
        other = make_engine(engine.url.render_as_string(hide_password=False))
    else:
        async with engine.connect() as connection:
            schema = await connection.scalar(sa.text("SELECT current_schema()"))
        other = make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    first, second = BackupTurn(engine), BackupTurn(other)
    try:
        assert await first.take()
        assert await first.take()  # still its turn
        assert not await second.take()
        await first.release()  # the process stopped, or died
        assert await second.take()
        assert not await first.take()
    finally:
        await first.release()
        await second.release()
        await other.dispose()


def test_a_file_store_on_another_disk_through_a_link_is_backed_up(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    data, disk = tmp_path / "data", tmp_path / "disk" / "files"
    data.mkdir()
    shutil.copyfile(migrated_sqlite, data / "baocao.db")
    (disk / "2024" / "05").mkdir(parents=True)
    (disk / "2024" / "05" / "a.pdf").write_bytes(b"%PDF a")
    (disk / "2024" / "05" / "link.pdf").symlink_to("/etc/hostname")  # never followed
    (data / FILES_DIR).symlink_to(disk)
    result = asyncio.run(
        create_backup(
            url=f"sqlite+aiosqlite:///{data / 'baocao.db'}",
            data_dir=data,
            destination=tmp_path / "b.tar",
            now=NOW,
        )
    )
    assert result.files == 1
    paths = [entry.path for entry in check_backup(tmp_path / "b.tar").entries]
    assert paths == ["database/baocao.db", "files/2024/05/a.pdf"]
