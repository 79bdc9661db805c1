"""`baocao export REPORT --xlsx FILE`: the status workbook written where the Office says, or
a Vietnamese message and nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import run
from test_cli import seed_copy, submit
from xlsx_support import LATE_FILL, MISSING_FILL, fill, sheets, table

REPORT = "dcs-6-thang-2024"


@pytest.fixture
def applied(capsys: pytest.CaptureFixture[str], office: Path) -> Path:
    code, _, _ = run(capsys, "plan", "apply", str(seed_copy(office)))
    assert code == 0
    return office


def test_export_writes_the_workbook(capsys: pytest.CaptureFixture[str], applied: Path) -> None:
    submit(applied, "phong-ttbcxb", REPORT)
    code, out, err = run(capsys, "export", REPORT, "--xlsx", "tình hình.xlsx")
    assert (code, err) == (0, "")
    assert out == "Đã ghi tình hình.xlsx: 1 kỳ báo cáo, 3 đơn vị, 1 lần nộp.\n"
    found = sheets(applied / "tình hình.xlsx")
    ws = found["Tình hình"]
    assert ws["A1"].value == "Báo cáo 6 tháng thực hiện dân chủ ở cơ sở năm 2024"
    assert ws["A2"].value == "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)"
    header, _, rows = table(ws)
    assert [row[1] for row in rows] == [
        "Phòng Thông tin Báo chí và Xuất bản",
        "Phòng Công nghệ thông tin, Bưu chính và Viễn thông",
        "Trung tâm GSDH TT",
    ]
    assert rows[0][2:4] == ("Nguyễn Văn B", "đúng hạn")
    assert ws.cell(header + 1, 6).number_format == "dd/mm/yyyy hh:mm"
    assert ws.freeze_panes == f"A{header + 1}" and ws.auto_filter.ref == f"A{header}:J{header + 3}"
    assert [fill(ws, header + n) for n in (1, 2, 3)] == ["00000000", MISSING_FILL, MISSING_FILL]
    assert LATE_FILL not in [fill(ws, header + n) for n in (1, 2, 3)]
    _, _, register = table(found["Các lần nộp"])
    assert [row[2:4] for row in register] == [("Phòng Thông tin Báo chí và Xuất bản", 1)]
    assert register[0][7:9] == ("văn bản", "Báo cáo đã xong.")


def test_a_report_with_nothing_sent_is_still_exported(
    capsys: pytest.CaptureFixture[str], applied: Path
) -> None:
    code, out, _ = run(
        capsys, "export", "DCS-NAM-2024 ", "--xlsx", "nam.xlsx", "--instance", "once"
    )
    assert (code, out) == (0, "Đã ghi nam.xlsx: 1 kỳ báo cáo, 3 đơn vị, 0 lần nộp.\n")
    found = sheets(applied / "nam.xlsx")
    assert table(found["Các lần nộp"])[2] == []


def test_an_unknown_report_names_the_ids_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], applied: Path
) -> None:
    (applied / "cu.xlsx").write_bytes(b"an earlier export")
    assert run(capsys, "export", "khong-co", "--xlsx", "cu.xlsx") == (
        2,
        "",
        "Không có báo cáo nào mã «khong-co». Các mã báo cáo: dcs-6-thang-2024, "
        "tong-hop-6-thang-2024, dcs-nam-2024, tong-hop-nam-2024.\n",
    )
    assert (applied / "cu.xlsx").read_bytes() == b"an earlier export"
    code, _, err = run(capsys, "export", REPORT, "--xlsx", "a.xlsx", "--instance", "2024-01")
    assert (code, err) == (2, f"Báo cáo {REPORT} không có kỳ «2024-01». Các kỳ: once.\n")
    assert sorted(p.name for p in applied.iterdir()) == ["cu.xlsx", "data", "ke-hoach.yaml"]


def test_a_wrong_place_is_explained_before_anything_is_read(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    # No plan, no data: the path's mistakes come first.
    assert run(capsys, "export", REPORT, "--xlsx", "khong-co/a.xlsx") == (
        2,
        "",
        "Không có thư mục «khong-co». Hãy tạo thư mục trước, hoặc chọn nơi khác để ghi tệp.\n",
    )
    (office / "ra").mkdir()
    code, _, err = run(capsys, "export", REPORT, "--xlsx", "ra")
    assert (code, err) == (
        2,
        "«ra» là một thư mục; hãy ghi cả tên tệp, ví dụ ra/tinh-hinh.xlsx.\n",
    )
    code, _, err = run(capsys, "export", REPORT)
    assert (code, err) == (
        2,
        f"Hãy cho biết tệp cần ghi, ví dụ: baocao export {REPORT} --xlsx tinh-hinh.xlsx "
        "(bảng tình hình, Excel) hoặc --zip bao-cao.zip (tệp các đơn vị, một tệp nén)\n",
    )
    assert not (office / "data").exists()


def test_a_folder_without_write_permission(
    capsys: pytest.CaptureFixture[str], applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = applied / "khoa"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root writes there anyway: the refusal is made as the system would

        def refused(*args: object, **kwargs: object) -> tuple[int, str]:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr("bot.services.tempfile.mkstemp", refused)
    try:
        code, _, err = run(capsys, "export", REPORT, "--xlsx", str(locked / "a.xlsx"))
    finally:
        locked.chmod(0o700)
    assert (code, err) == (
        2,
        f"Không ghi được vào thư mục «{locked}» (không có quyền ghi). "
        "Hãy chọn nơi khác để ghi tệp.\n",
    )
    assert list(locked.iterdir()) == []


def test_a_disk_that_fills_up_leaves_no_half_file(
    capsys: pytest.CaptureFixture[str], applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.exports import xlsx

    def full(book: object, filename: Path) -> None:
        filename.write_bytes(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx, "_render", full)
    assert run(capsys, "export", REPORT, "--xlsx", "a.xlsx") == (
        2,
        "",
        "Không ghi được tệp a.xlsx (ổ đĩa đầy, hoặc thư mục vừa bị đổi). "
        "Không có tệp nào được ghi dở.\n",
    )
    assert sorted(p.name for p in applied.iterdir()) == ["data", "ke-hoach.yaml"]
