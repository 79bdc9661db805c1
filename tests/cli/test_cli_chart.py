"""`baocao chart REPORT --png FILE`: the picture the summaries carry, written to a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from cli_support import run
from PIL import Image
from test_cli import seed_copy, submit

REPORT = "dcs-6-thang-2024"
# A report due every month of 2020: the instance charted is the one due nearest today.
MONTHLY = """\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-a
    name: Phòng A
reports:
  - id: bc-thang
    name: Báo cáo tháng
    submitters: [phong-a]
    receiver: van-phong
    due_before: 05/01/2020
    repeat: {every: month, count: 3}
"""


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


def test_the_chart_is_written_to_the_file(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    submit(office, "phong-ttbcxb", REPORT)
    (office / "tien-do.png").write_bytes(b"last week's chart")

    code, out, err = run(capsys, "chart", REPORT, "--png", "tien-do.png")

    assert (code, err) == (0, "")
    assert out == (
        "Đã ghi biểu đồ «Báo cáo 6 tháng thực hiện dân chủ ở cơ sở năm 2024» — kỳ một lần, "
        "trước ngày 05/06/2024 (thứ Tư) — vào tien-do.png.\n"
    )
    assert png_size(office / "tien-do.png") == (1080, 1280)  # replaced whole
    assert (office / "tien-do.png").stat().st_size > 20_000
    assert sorted(os.listdir(office)) == ["data", "ke-hoach.yaml", "tien-do.png"]  # no leftovers


def test_a_report_with_several_instances_charts_the_nearest_or_the_one_named(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    (office / "thang.yaml").write_text(MONTHLY, encoding="utf-8")
    run(capsys, "plan", "apply", "thang.yaml")

    code, out, _ = run(capsys, "chart", "bc-thang", "--png", "a.png")
    assert code == 0
    first, others = out.splitlines()
    assert "kỳ 2020-03, trước ngày 05/03/2020" in first  # the last deadline is the nearest now
    assert others == "Báo cáo này còn 2 kỳ khác: 2020-01, 2020-02. Chọn kỳ bằng --instance."

    code, out, _ = run(capsys, "chart", "bc-thang", "--png", "b.png", "--instance", "2020-01")
    assert code == 0
    assert out.splitlines() == [
        "Đã ghi biểu đồ «Báo cáo tháng» — kỳ 2020-01, trước ngày 05/01/2020 (Chủ nhật) — vào b.png."
    ]
    assert png_size(office / "b.png") == (1080, 1280)

    assert run(capsys, "chart", "bc-thang", "--png", "c.png", "--instance", "2020-13") == (
        2,
        "",
        "Báo cáo «bc-thang» không có kỳ «2020-13». Các kỳ: 2020-01, 2020-02, 2020-03.\n",
    )
    assert not (office / "c.png").exists()


def test_mistakes_are_explained_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, _, err = run(capsys, "chart", REPORT, "--png", "a.png")
    assert code == 2 and err.startswith("Chưa có dữ liệu baocao trong thư mục")

    run(capsys, "plan", "apply", str(seed_copy(office)))
    assert run(capsys, "chart", "khong-co", "--png", "a.png") == (
        2,
        "",
        "Không có báo cáo nào mang mã «khong-co» (hoặc báo cáo này đã được lưu trữ).\n",
    )
    assert run(capsys, "chart", REPORT) == (
        2,
        "",
        "Thiếu --png.\nChạy «baocao chart --help» để xem hướng dẫn.\n",
    )
    assert run(capsys, "chart", REPORT, "--png", ".") == (
        2,
        "",
        "«.» là một thư mục; hãy ghi cả tên tệp, ví dụ ./tien-do.png.\n",
    )
    assert run(capsys, "chart", REPORT, "--png", "khong-co/a.png") == (
        2,
        "",
        "Không có thư mục «khong-co». Hãy tạo thư mục trước, hoặc chọn nơi khác để ghi tệp.\n",
    )
    assert not (office / "a.png").exists()


def test_a_folder_that_cannot_be_written_is_said_before_anything_is_read(
    capsys: pytest.CaptureFixture[str], office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(**options: object) -> tuple[int, str]:
        raise PermissionError("read-only")

    (office / "khoa").mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", refused)  # as a read-only mount answers
    code, _, err = run(capsys, "chart", REPORT, "--png", "khoa/a.png")
    assert code == 2
    assert err.startswith("Không ghi được vào thư mục «khoa» (không có quyền ghi)")
    assert not (office / "data").exists()  # said before the data folder was even looked at


def test_help_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chart", "--help")
    assert code == 0
    assert "Vẽ biểu đồ tiến độ nộp một báo cáo" in out
    assert "--png" in out and "--instance" in out
