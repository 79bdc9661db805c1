"""`baocao audit` and `baocao audit verify`: the trail newest first, its filters, and the chain
check's verdict and exit status."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from backup_support import UNITS, submit_files
from cli_support import run
from test_cli import seed_copy

FILES = {unit: f"%PDF-1.7 {unit}".encode() for unit in UNITS}


@pytest.fixture
def season(capsys: pytest.CaptureFixture[str], office: Path) -> Path:
    """The seed plan applied, then three units invited, registered and reporting on 03/06/2024."""
    assert run(capsys, "plan", "apply", str(seed_copy(office)))[0] == 0
    data = office / "data"
    submit_files(f"sqlite+aiosqlite:///{data / 'baocao.db'}", data, FILES)
    return data / "baocao.db"


def rows(out: str) -> list[str]:
    """The listed rows, without the heading and its rule."""
    lines = out.splitlines()
    assert lines[0].split() == ["Số", "Lúc", "Ai", "làm", "Loại", "Việc", "gì"]
    return [line for line in lines[2:] if line and not line.startswith("Chỉ hiện")]


def actions(out: str) -> list[str]:
    return [re.findall(r"  ([a-z_]+\.[a-z_]+)  ", line)[0] for line in rows(out)]


def test_the_trail_newest_first_in_local_time(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    code, out, err = run(capsys, "audit")
    assert (code, err) == (0, "")
    listed = rows(out)
    # plan.apply, then for each unit: invite.create, invite.redeem, submission.create
    assert len(listed) == 10
    newest = listed[0]
    assert newest.split()[:8] == [
        "10",
        "03/06/2024",
        "10:00",
        "người",
        "liên",
        "hệ",
        "số",
        "3",
    ]
    assert "  submission.create  " in newest
    assert "Đơn vị trung-tam-gsdh nộp báo cáo dcs-6-thang-2024" in newest
    assert "mã biên nhận" in newest
    assert listed[-1].split()[0] == "1" and "plan.apply" in listed[-1]
    assert "Văn phòng (dòng lệnh)" in listed[-1]


def test_filters(capsys: pytest.CaptureFixture[str], season: Path) -> None:
    code, out, _ = run(capsys, "audit", "--unit", "Phong-TTBCXB")
    assert code == 0
    assert actions(out) == [
        "submission.create",
        "invite.redeem",
        "invite.create",
    ]
    code, out, _ = run(capsys, "audit", "--kind", "submission")
    assert code == 0 and len(rows(out)) == 3
    code, out, _ = run(capsys, "audit", "--kind", "invite.redeem")
    assert code == 0 and len(rows(out)) == 3
    code, out, _ = run(capsys, "audit", "--person", "1")
    assert code == 0
    assert actions(out) == ["submission.create", "invite.redeem"]
    code, out, _ = run(capsys, "audit", "--to", "03/06/2024")
    assert code == 0 and len(rows(out)) == 9
    code, out, _ = run(capsys, "audit", "--from", "4/6/2024")
    assert code == 0 and actions(out) == ["plan.apply"]
    code, out, _ = run(capsys, "audit", "--from", "03/06/2024", "--to", "03/06/2024")
    assert code == 0 and len(rows(out)) == 9
    code, out, _ = run(capsys, "audit", "--limit", "2")
    assert code == 0 and len(rows(out)) == 2
    assert "Chỉ hiện 2 dòng mới nhất" in out
    assert run(capsys, "audit", "--person", "99") == (
        0,
        "Không có dòng nhật ký nào khớp.\n",
        "",
    )


def test_bad_filters_are_said_in_words(capsys: pytest.CaptureFixture[str], season: Path) -> None:
    code, out, err = run(capsys, "audit", "--kind", "xoa")
    assert (code, out) == (2, "")
    assert err.startswith("Không có loại việc «xoa». Các loại: invite, contact, submission")
    code, _, err = run(capsys, "audit", "--from", "31/02/2024")
    assert code == 2 and "Ngày «31/02/2024» không đúng" in err
    code, _, err = run(capsys, "audit", "--to", "2024-06-03")
    assert code == 2 and "dd/mm/yyyy" in err
    code, _, err = run(capsys, "audit", "--from", "05/06/2024", "--to", "01/06/2024")
    assert code == 2 and "đứng sau" in err


def test_audit_needs_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit")
    assert (code, out) == (2, "")
    assert "baocao" in err or "dữ liệu" in err


def tamper(database: Path, sql: str) -> None:
    connection = sqlite3.connect(database)
    try:
        connection.execute("DROP TRIGGER IF EXISTS audit_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        connection.execute(sql)
        connection.commit()
    finally:
        connection.close()


def test_verify_says_whole_or_names_the_first_broken_row(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    assert run(capsys, "audit", "verify") == (
        0,
        "Nhật ký nguyên vẹn: 10 dòng, chuỗi mã băm khớp từ dòng đầu đến dòng cuối.\n",
        "",
    )
    tamper(season, "DELETE FROM audit WHERE id IN (4, 5)")
    assert run(capsys, "audit", "verify") == (
        1,
        "Nhật ký KHÔNG nguyên vẹn: có dòng bị xóa giữa dòng số 3 và dòng số 6.\n",
        "",
    )
    tamper(season, "UPDATE audit SET actor = 'web:someone' WHERE id = 2")
    assert run(capsys, "audit", "verify") == (
        1,
        "Nhật ký KHÔNG nguyên vẹn: dòng số 2 đã bị sửa sau khi ghi.\n",
        "",
    )


def test_the_rows_refuse_changes_from_outside(season: Path) -> None:
    connection = sqlite3.connect(season)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit WHERE id = 1")
    finally:
        connection.close()


def test_a_progress_bar_on_a_terminal_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, season: Path
) -> None:
    from bot import cli

    monkeypatch.setattr(cli.err, "_force_terminal", True)
    monkeypatch.setattr(cli.err, "is_interactive", True)
    code, _, err = run(capsys, "audit", "verify")
    assert code == 0 and "Kiểm tra nhật ký" in err
    monkeypatch.setattr(cli.err, "_force_terminal", None)
    monkeypatch.setattr(cli.err, "is_interactive", False)
    assert run(capsys, "audit", "verify")[2] == ""


def test_exports_are_recorded(capsys: pytest.CaptureFixture[str], season: Path) -> None:
    assert run(capsys, "export", "dcs-6-thang-2024", "--xlsx", "t.xlsx", "--zip", "b.zip")[0] == 0
    code, out, _ = run(capsys, "audit", "--kind", "export")
    assert code == 0
    assert actions(out) == ["export.zip", "export.xlsx"]
    assert "Văn phòng (dòng lệnh)" in rows(out)[0]
    assert run(capsys, "audit", "verify")[0] == 0
