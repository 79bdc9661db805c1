"""`baocao backup FILE`, `restore FILE`, `verify` on SQLite: a round trip, refusals that write
nothing, and the stored files checked against their rows."""

from __future__ import annotations

import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from backup_support import HEAD_REVISION, UNITS, every_row, members, rewrite, submit_files
from cli_support import run
from test_cli import seed_copy

FILES = {
    UNITS[0]: b"%PDF-1.7 bao cao phong TTBCXB" * 200,
    UNITS[1]: b"%PDF-1.7 bao cao phong CNTT" * 300,
}


def sqlite_url(data: Path) -> str:
    return f"sqlite+aiosqlite:///{data / 'baocao.db'}"


@pytest.fixture
def season(capsys: pytest.CaptureFixture[str], office: Path) -> list[str]:
    """The seed plan applied and two units' files received; their receipt codes."""
    code, _, _ = run(capsys, "plan", "apply", str(seed_copy(office)))
    assert code == 0
    return submit_files(sqlite_url(office / "data"), office / "data", FILES)


def restore_to(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, folder: Path, archive: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(folder))
    return run(capsys, "restore", archive)


def nothing_written(folder: Path) -> bool:
    """Nothing but the empty database file the settings make, if that."""
    found = [path for path in folder.rglob("*") if path.is_file() and path.stat().st_size]
    return found == [] and not (folder / "files").exists()


def test_a_backup_restores_into_an_empty_folder_as_it_was(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    season: list[str],
) -> None:
    code, out, err = run(capsys, "backup", "sao lưu.tar")
    # Output piped (as here): no progress bar, only the result.
    assert (code, err) == (0, "")
    assert out.startswith(
        "Đã ghi bản sao lưu sao lưu.tar: cơ sở dữ liệu SQLite"
        f" (cấu trúc phiên bản {HEAD_REVISION})"
        " và 2 tệp đã nộp, "
    )
    archive = office / "sao lưu.tar"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    names = [info.name for info, _ in members(archive)]
    assert names[0] == "database/baocao.db" and names[-1] == "manifest.json"
    assert sorted(names[1:-1]) == sorted(
        path.relative_to(office / "data").as_posix()
        for path in (office / "data" / "files").rglob("*")
        if path.is_file()
    )
    manifest = json.loads(members(archive)[-1][1])
    assert manifest["format"] == 1 and manifest["database"] == "sqlite"
    assert manifest["schema_revision"] == HEAD_REVISION and manifest["baocao_version"]
    assert {entry["path"] for entry in manifest["entries"]} == set(names[:-1])
    assert not [path for path in office.iterdir() if path.name.endswith(".tmp")]

    restored = office / "restored"
    code, out, err = restore_to(capsys, monkeypatch, restored, "sao lưu.tar")
    assert (code, err) == (0, "")
    assert out.startswith("Đã khôi phục từ sao lưu.tar (sao lưu lúc ")
    assert "cơ sở dữ liệu SQLite và 2 tệp đã nộp" in out
    assert every_row(sqlite_url(restored)) == every_row(sqlite_url(office / "data"))
    for path in (office / "data" / "files").rglob("*"):
        if path.is_file():
            twin = restored / path.relative_to(office / "data")
            assert twin.read_bytes() == path.read_bytes()
            assert stat.S_IMODE(twin.stat().st_mode) == 0o600
    assert not [path.name for path in restored.iterdir() if path.name.startswith(".")]
    code, out, _ = run(capsys, "verify")
    assert code == 0
    assert out.strip() == (
        "Cả 2 tệp đã nộp đều nguyên vẹn: có trên máy chủ, đúng kích thước"
        " và mã SHA-256 như lúc nộp."
    )


def test_a_backup_never_replaces_a_file(
    capsys: pytest.CaptureFixture[str], office: Path, season: list[str]
) -> None:
    (office / "cu.tar").write_bytes(b"old")
    code, out, err = run(capsys, "backup", "cu.tar")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "Tệp «cu.tar» đã có. Chọn tên khác, hoặc xóa tệp đó trước:"
        " bản sao lưu không ghi đè tệp nào."
    )
    assert (office / "cu.tar").read_bytes() == b"old"
    code, _, err = run(capsys, "backup", "khong-co/x.tar")
    assert code == 2
    assert "Không có thư mục «khong-co»" in err


def test_restore_refuses_a_database_that_holds_tables(
    capsys: pytest.CaptureFixture[str], office: Path, season: list[str]
) -> None:
    run(capsys, "backup", "b.tar")
    before = every_row(sqlite_url(office / "data"))
    code, out, err = run(capsys, "restore", "b.tar")
    assert (code, out) == (2, "")
    tables = len(before)
    assert err.startswith(
        f"Cơ sở dữ liệu đích không trống: đã có {tables} bảng (alembic_version, audit,"
    )
    assert every_row(sqlite_url(office / "data")) == before


def test_restore_refuses_a_file_store_that_holds_files(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    season: list[str],
) -> None:
    run(capsys, "backup", "b.tar")
    other = office / "other"
    (other / "files" / "2024").mkdir(parents=True)
    (other / "files" / "2024" / "x.pdf").write_bytes(b"someone's")
    code, _, err = restore_to(capsys, monkeypatch, other, "b.tar")
    assert code == 2
    assert err.strip() == (
        f"Kho tệp «{other / 'files'}» không trống: đã có 1 tệp."
        " Chỉ khôi phục vào thư mục dữ liệu mới. Chưa ghi gì."
    )
    assert not (other / "baocao.db").stat().st_size


@pytest.mark.parametrize(
    ("forgery", "said"),
    [
        ("changed byte", "Mục «files/"),
        ("changed manifest hash", "Mục «database/baocao.db» trong tệp sao lưu khác với bảng kê"),
        ("extra file", "Mục «files/2024/06/extra.pdf» trong tệp sao lưu không có trong bảng kê"),
        ("dot-dot name", "mang tên không an toàn «files/../../evil.pdf»"),
        ("absolute name", "mang tên không an toàn «/tmp/evil.pdf»"),
        ("symlink", "Mục «files/2024/06/link.pdf» trong tệp sao lưu không phải tệp thường"),
        ("missing manifest", "thiếu bảng kê (manifest.json)"),
        ("missing file", "Tệp sao lưu thiếu mục «files/"),
        ("truncated", "không phải bản sao lưu của baocao, hoặc đã hỏng hay bị cắt cụt"),
        ("not a tar", "không phải bản sao lưu của baocao, hoặc đã hỏng hay bị cắt cụt"),
        ("newer format", "định dạng phiên bản 2, mới hơn bản baocao này"),
        ("newer schema", "cấu trúc cơ sở dữ liệu phiên bản 0999, mới hơn bản baocao này"),
    ],
)
def test_a_damaged_or_forged_archive_is_refused_and_nothing_written(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    season: list[str],
    forgery: str,
    said: str,
) -> None:
    run(capsys, "backup", "b.tar")
    archive = office / "b.tar"
    entries = members(archive)
    manifest = json.loads(entries[-1][1])
    if forgery == "changed byte":
        info, data = entries[1]
        entries[1] = (info, data[:10] + bytes([data[10] ^ 1]) + data[11:])
    elif forgery == "changed manifest hash":
        manifest["entries"][0]["sha256"] = "0" * 64
    elif forgery in ("extra file", "dot-dot name", "absolute name"):
        name = {
            "extra file": "files/2024/06/extra.pdf",
            "dot-dot name": "files/../../evil.pdf",
            "absolute name": "/tmp/evil.pdf",
        }[forgery]
        entries.insert(2, (tarfile.TarInfo(name), b"evil"))
    elif forgery == "symlink":
        link = tarfile.TarInfo("files/2024/06/link.pdf")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        entries.insert(2, (link, b""))
    elif forgery == "missing manifest":
        entries.pop()
    elif forgery == "missing file":
        entries.pop(1)
    elif forgery == "newer format":
        manifest["format"] = 2
    elif forgery == "newer schema":
        manifest["schema_revision"] = "0999"
    if entries[-1][0].name == "manifest.json":
        entries[-1] = (entries[-1][0], json.dumps(manifest).encode())
    rewrite(archive, entries)
    if forgery == "truncated":
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif forgery == "not a tar":
        archive.write_bytes(b"PK\x03\x04 not a tar at all" * 100)
    target = office / "target"
    code, out, err = restore_to(capsys, monkeypatch, target, "b.tar")
    assert (code, out) == (2, "")
    assert said in err
    assert "Chưa ghi gì" in err or "chưa ghi gì" in err
    assert nothing_written(target)
    assert not (Path("/tmp") / "evil.pdf").exists()


def test_verify_names_each_missing_or_changed_file(
    capsys: pytest.CaptureFixture[str], office: Path, season: list[str]
) -> None:
    stored = sorted((office / "data" / "files").rglob("*.pdf"), key=lambda p: p.stat().st_size)
    first, second = stored  # TTBCXB's file is the smaller one
    first.unlink()
    data = bytearray(second.read_bytes())
    data[5] ^= 1
    second.write_bytes(bytes(data))
    code, out, err = run(capsys, "verify")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == "2 trong 2 tệp đã nộp có vấn đề:"
    assert sorted(lines[1:]) == sorted(
        [
            "Phòng Thông tin Báo chí và Xuất bản — Báo cáo 6 tháng thực hiện dân chủ ở cơ sở"
            f" năm 2024, kỳ một lần, phiên bản 1, mã biên nhận {season[0]}:"
            " không tìm thấy tệp trên máy chủ",
            "Phòng Công nghệ thông tin, Bưu chính và Viễn thông — Báo cáo 6 tháng thực hiện dân"
            f" chủ ở cơ sở năm 2024, kỳ một lần, phiên bản 1, mã biên nhận {season[1]}:"
            " nội dung đã khác lúc nộp (mã SHA-256 không khớp)",
        ]
    )
    second.write_bytes(bytes(data) + b"more")
    code, out, _ = run(capsys, "verify")
    assert code == 1
    (changed,) = [line for line in out.splitlines() if "Viễn thông" in line]
    size, before = (f"{n:,}".replace(",", ".") for n in (len(data) + 4, len(data)))
    assert changed.endswith(f"tệp có {size} byte, lúc nộp là {before} byte")


def test_verify_with_nothing_submitted_says_so(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    code, out, _ = run(capsys, "verify")
    assert (code, out.strip()) == (0, "Chưa có tệp nào được nộp.")


def test_the_commands_need_data(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    for args in (["backup", "b.tar"], ["verify"]):
        code, _, err = run(capsys, *args)
        assert code == 2
        assert err.startswith("Chưa có dữ liệu baocao trong thư mục")
    code, _, err = run(capsys, "restore", "khong-co.tar")
    assert (code, err.strip()) == (2, "Không có tệp sao lưu «khong-co.tar».")


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("BAOCAO_BACKUP_KEEP", "-1", "BAOCAO_BACKUP_KEEP phải là một số nguyên từ 0 đến 1000"),
        ("BAOCAO_BACKUP_KEEP", "bảy", "BAOCAO_BACKUP_KEEP phải là một số nguyên từ 0 đến 1000"),
        ("BAOCAO_BACKUP_KEEP", "5000", "BAOCAO_BACKUP_KEEP phải là một số nguyên từ 0 đến 1000"),
        ("BAOCAO_BACKUP_DIR", "ke-hoach.yaml", "BAOCAO_BACKUP_DIR «ke-hoach.yaml» không phải"),
    ],
)
def test_backup_settings_are_checked_in_words(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    name: str,
    value: str,
    said: str,
) -> None:
    seed_copy(office)
    monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "status")
    assert (code, out) == (2, "")
    assert err.startswith(said)
    assert "Traceback" not in err


def test_a_progress_bar_is_drawn_on_a_terminal_only(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    office: Path,
    season: list[str],
) -> None:
    from bot import cli

    # What rich decides for a console on a terminal (these tests' stderr is a pipe).
    monkeypatch.setattr(cli.err, "_force_terminal", True)
    monkeypatch.setattr(cli.err, "is_interactive", True)
    code, _, err = run(capsys, "verify")
    assert code == 0
    assert "Kiểm tra tệp đã nộp" in err
    monkeypatch.setattr(cli.err, "_force_terminal", None)
    monkeypatch.setattr(cli.err, "is_interactive", False)
    code, _, err = run(capsys, "verify")
    assert (code, err) == (0, "")


def test_the_archive_is_private_whatever_the_umask(
    capsys: pytest.CaptureFixture[str], office: Path, season: list[str]
) -> None:
    old = os.umask(0)
    try:
        code, _, _ = run(capsys, "backup", "b.tar")
    finally:
        os.umask(old)
    assert code == 0
    assert stat.S_IMODE((office / "b.tar").stat().st_mode) == 0o600
