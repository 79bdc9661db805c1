"""`baocao contact export N` and `baocao contact forget N`: everything stored about a person,
and its erasure, which leaves the unit's submissions and a whole audit chain."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from backup_support import UNITS, submit_files
from cli_support import run
from test_cli import seed_copy

FILES = {unit: f"%PDF-1.7 {unit}".encode() for unit in UNITS[:2]}


@pytest.fixture
def season(capsys: pytest.CaptureFixture[str], office: Path) -> Path:
    """The seed plan applied; two units' heads registered (contacts 1 and 2), each sent a file."""
    assert run(capsys, "plan", "apply", str(seed_copy(office)))[0] == 0
    data = office / "data"
    submit_files(f"sqlite+aiosqlite:///{data / 'baocao.db'}", data, FILES)
    return data / "baocao.db"


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_export_holds_everything_about_the_person(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    code, out, err = run(capsys, "contact", "export", "1")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["contact_id"] == 1
    (account,) = data["accounts"]
    assert account["display_name"] == "Đầu mối phong-ttbcxb"
    assert (account["platform"], account["user_id"]) == ("telegram", "u-phong-ttbcxb")
    assert account["unit_key"] == "phong-ttbcxb"
    assert [invite["unit_key"] for invite in data["invites_redeemed"]] == ["phong-ttbcxb"]
    (sent,) = data["submissions"]
    assert sent["original_name"] == "Báo cáo phong-ttbcxb.pdf"
    assert len(sent["sha256"]) == 64 and sent["receipt_code"]
    actions = [row["action"] for row in data["audit"]]
    assert actions == ["invite.redeem", "submission.create", "contact.export"]
    assert "token_hash" not in out and "csrf" not in out
    assert "phong-cntt" not in json.dumps(data["accounts"])  # nobody else's data
    assert "Đầu mối" in out  # UTF-8 as it is, readable


def test_export_to_a_private_file(capsys: pytest.CaptureFixture[str], season: Path) -> None:
    code, out, _ = run(capsys, "contact", "export", "2", "--file", "nguoi-2.json")
    assert code == 0
    assert out == "Đã ghi dữ liệu của người liên hệ số 2 vào nguoi-2.json.\n"
    written = Path("nguoi-2.json")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert json.loads(written.read_text(encoding="utf-8"))["contact_id"] == 2
    code, _, err = run(capsys, "contact", "export", "2", "--file", "nguoi-2.json")
    assert code == 2 and "không ghi đè" in err
    code, _, err = run(capsys, "contact", "export", "99")
    assert code == 2 and err


def test_forget_asks_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, season: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = run(capsys, "contact", "forget", "1")
    assert code == 1
    assert "Xóa dữ liệu cá nhân của người liên hệ số 1" in out
    assert err == "Đã hủy, chưa xóa gì.\n"
    assert query(season, "SELECT display_name FROM contact WHERE id = 1") == [
        ("Đầu mối phong-ttbcxb",)
    ]


def test_forget_erases_the_person_and_keeps_the_units_reports(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, season: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, _ = run(capsys, "contact", "forget", "1")
    assert code == 0
    assert "Đã xóa dữ liệu cá nhân của người liên hệ số 1 (1 tài khoản: #1)" in out
    assert query(
        season, "SELECT display_name, username, user_id, chat_id, active FROM contact WHERE id = 1"
    ) == [("#1", None, "forgotten:1", "forgotten:1", 0)]
    assert query(season, "SELECT count(*) FROM contact WHERE user_id = 'u-phong-ttbcxb'") == [(0,)]
    # The unit's submission stays, with the contact's number.
    assert query(
        season,
        "SELECT s.contact_id, u.key FROM submission s JOIN unit u ON u.id = s.unit_id"
        " WHERE s.contact_id = 1",
    ) == [(1, "phong-ttbcxb")]
    # Contact 2 is untouched.
    assert query(season, "SELECT display_name FROM contact WHERE id = 2") == [
        ("Đầu mối phong-cntt-bcvt",)
    ]
    code, out, _ = run(capsys, "audit", "--kind", "contact.forget")
    assert code == 0 and "Xóa dữ liệu cá nhân của người liên hệ số 1" in out
    assert run(capsys, "audit", "verify")[0] == 0
    # Nothing left that names the person, anywhere in the database file's tables.
    for (table,) in query(season, "SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in query(season, f'SELECT * FROM "{table}"'):
            assert "Đầu mối phong-ttbcxb" not in repr(row), table
            assert "u-phong-ttbcxb" not in repr(row), table
    code, out, _ = run(capsys, "contact", "forget", "2", "--yes")
    assert code == 0
