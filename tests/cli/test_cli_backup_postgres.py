"""`baocao backup` and `restore` on PostgreSQL (pg_dump, pg_restore): a round trip between two
scratch databases, a target that holds tables, an archive of the other kind, and the
password in the URL never printed."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_support import HEAD_REVISION, UNITS, every_row, submit_files
from cli_support import run
from sqlalchemy.engine import make_url
from test_cli import seed_copy

sys.path.append(str(Path(__file__).resolve().parents[1] / "storage"))
from storage_helpers import POSTGRES_URL, admin_execute, require_postgres

pytestmark = pytest.mark.postgres

PASSWORD = "mk-bi-mat-9f2c"  # the test server trusts local users: any password is taken


@pytest.fixture
def scratch() -> Iterator[list[str]]:
    """Two new, empty databases (source and target), dropped afterwards; their URLs, each with
    a password in it."""
    asyncio.run(require_postgres())
    names = [f"baocao_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        asyncio.run(admin_execute(f'CREATE DATABASE "{name}"'))
    base = make_url(POSTGRES_URL).set(password=PASSWORD)
    try:
        yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        for name in names:
            asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_a_postgresql_backup_restores_into_an_empty_database(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    scratch: list[str],
) -> None:
    source, target = scratch
    monkeypatch.setenv("BAOCAO_DATABASE_URL", source)
    code, _, _ = run(capsys, "plan", "apply", str(seed_copy(office)))
    assert code == 0
    receipts = submit_files(source, office / "data", {UNITS[0]: b"%PDF one", UNITS[2]: b"%PDF 2"})
    said = []
    code, out, err = run(capsys, "backup", "pg.tar")
    said.append(out + err)
    assert (code, err) == (0, "")
    assert out.startswith(
        "Đã ghi bản sao lưu pg.tar: cơ sở dữ liệu PostgreSQL"
        f" (cấu trúc phiên bản {HEAD_REVISION})"
        " và 2 tệp đã nộp, "
    )

    monkeypatch.setenv("BAOCAO_DATABASE_URL", target)
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(office / "restored"))
    code, out, err = run(capsys, "restore", "pg.tar")
    said.append(out + err)
    assert (code, err) == (0, "")
    assert "cơ sở dữ liệu PostgreSQL và 2 tệp đã nộp" in out
    assert every_row(target) == every_row(source)
    code, out, _ = run(capsys, "verify")
    said.append(out)
    assert code == 0 and out.startswith("Cả 2 tệp đã nộp đều nguyên vẹn")

    # Again into the same database: it holds tables now.
    code, out, err = run(capsys, "restore", "pg.tar")
    said.append(out + err)
    assert (code, out) == (2, "")
    tables = len(every_row(target))
    assert err.startswith(f"Cơ sở dữ liệu đích không trống: đã có {tables} bảng (alembic_version, ")
    assert all(PASSWORD not in text for text in said)
    assert receipts[0] in "".join(every_row(target)["submission"])


def test_a_sqlite_archive_is_not_restored_into_postgresql(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    scratch: list[str],
) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    code, _, _ = run(capsys, "backup", "lite.tar")
    assert code == 0
    monkeypatch.setenv("BAOCAO_DATABASE_URL", scratch[1])
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(office / "restored"))
    code, out, err = run(capsys, "restore", "lite.tar")
    assert (code, out) == (2, "")
    assert err.startswith(
        "Tệp sao lưu là của cơ sở dữ liệu SQLite, còn nơi khôi phục là PostgreSQL"
    )
    assert every_row(scratch[1]) == {}


def test_a_database_that_cannot_be_dumped_is_said_without_the_password(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    scratch: list[str],
) -> None:
    gone = make_url(scratch[0]).set(database=f"khong_co_{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("BAOCAO_DATABASE_URL", gone.render_as_string(hide_password=False))
    code, out, err = run(capsys, "backup", "x.tar")
    assert code == 2
    assert PASSWORD not in out + err
    assert not (office / "x.tar").exists()
    assert err.strip()


def test_what_pg_dump_says_is_shown_with_the_password_cut_out(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    scratch: list[str],
) -> None:
    tools = office / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    # A real process, failing as pg_dump does, and careless enough to repeat the password.
    fake.write_text(
        '#!/bin/sh\necho "pg_dump: error: password \\"$PGPASSWORD\\" refused for $PGUSER" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    monkeypatch.setenv("BAOCAO_DATABASE_URL", scratch[0])
    code, out, err = run(capsys, "backup", "x.tar")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "pg_dump của PostgreSQL báo lỗi; chưa ghi gì. Thông báo của pg_dump:"
        ' pg_dump: error: password "***" refused for postgres'
    )
    assert not (office / "x.tar").exists()
    assert [path.name for path in office.iterdir() if path.name.startswith(".")] == []
