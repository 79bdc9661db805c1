"""`baocao plan check` warnings and `baocao calendar`: what the Office reads before applying."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import run

import bot.cli

ROOT = Path(__file__).parents[2]
SEED = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"


COLUMNS = 300  # its tables are wide


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Set the command's clock."""
    monkeypatch.setattr(bot.cli, "now", lambda: moment)


def test_an_old_plan_gets_one_warning_about_its_past_deadlines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    code, out, err = run(capsys, "plan", "check", str(SEED))
    assert code == 0
    assert out.endswith("4 kỳ báo cáo, 1 lưu ý.\n")
    assert err == (
        f"Lưu ý: {SEED}, dòng 116: 4 trên 4 kỳ báo cáo đã hết hạn (báo cáo: dcs-6-thang-2024, "
        "dcs-nam-2024, tong-hop-6-thang-2024, tong-hop-nam-2024; hạn gần nhất đã qua là hết "
        "ngày 19/11/2024). Sau khi nạp, baocao coi các đơn vị chưa nộp là đã trễ hạn và nhắc họ "
        "mỗi ngày làm việc (lịch nhắc overdue). Nếu đây là kế hoạch của năm đã qua, hãy chép "
        "tệp, đổi năm ở mọi ngày trong tệp rồi nạp tệp mới (xem README, mục «Chuyển kế hoạch "
        "sang năm mới»).\n"
    )


def test_the_same_plan_before_its_deadlines_has_no_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, datetime(2024, 5, 2, 2, 0, tzinfo=UTC))
    assert run(capsys, "plan", "check", str(SEED)) == (
        0,
        f"Kế hoạch {SEED} hợp lệ: 5 đơn vị, 4 báo cáo, 4 kỳ báo cáo, 0 lưu ý.\n",
        "",
    )


def rolled(folder: Path, year: int) -> Path:
    """The seed plan rolled to `year` as the README says: 2024 becomes `year` everywhere, and the
    dates under `calendar` (2024's swap) are deleted."""
    path = folder / f"ke-hoach-{year}.yaml"
    lines = SEED.read_text(encoding="utf-8").replace("2024", str(year)).splitlines(keepends=True)
    kept = [line for line in lines if not re.match(rf"    - \d\d/\d\d/{year}", line)]
    assert len(kept) == len(lines) - 2
    path.write_text("".join(kept), encoding="utf-8")
    return path


def test_the_seed_rolled_as_the_readme_says_is_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    at(monkeypatch, datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    plan = rolled(office, 2027)
    code, out, err = run(capsys, "plan", "check", str(plan))
    assert (code, err) == (0, "")
    assert out.endswith("4 kỳ báo cáo, 0 lưu ý.\n")
    code, out, _ = run(capsys, "plan", "apply", str(plan))
    assert code == 0
    assert "Thêm 4 báo cáo: dcs-6-thang-2027, dcs-nam-2027" in out


def test_due_on_a_saturday_is_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    at(monkeypatch, datetime(2024, 5, 2, 2, 0, tzinfo=UTC))
    path = office / "ke-hoach.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text.replace("due_before: 05/06/2024", "due_on: 08/06/2024"), "utf-8")
    code, _, err = run(capsys, "plan", "check", str(path))
    assert code == 0
    assert err == (
        f"Lưu ý: {path}, dòng 116: báo cáo «dcs-6-thang-2024»: hạn due_on rơi vào ngày nghỉ: "
        "08/06/2024 (thứ Bảy). Đơn vị vẫn được nộp đến hết ngày đó, còn tin nhắc ngày cuối đến "
        "vào ngày làm việc trước đó (07/06/2024). Nếu hạn thật là ngày làm việc trước đó, hãy "
        "sửa lại ngày.\n"
    )


def test_a_make_up_day_on_a_holiday_is_named_as_the_holiday(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    at(monkeypatch, datetime(2024, 5, 2, 2, 0, tzinfo=UTC))
    path = office / "ke-hoach.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text.replace("- 04/05/2024", "- 02/09/2024"), "utf-8")
    code, _, err = run(capsys, "plan", "check", str(path))
    assert code == 0
    assert "ngày làm bù 02/09/2024 là ngày nghỉ «Quốc khánh»" in err
    assert "vốn đã là ngày làm việc" not in err


def calendar_rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.splitlines()[3:-1]:
        cells = [cell.strip() for cell in line.split("  ") if cell.strip()]
        rows[cells[0].split()[0]] = cells[1:]
    return rows


def test_calendar_lists_the_years_days_off_and_make_up_days_with_their_basis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "calendar", "2026")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("Lịch nghỉ năm 2026 (thư viện holidays 0.")
    rows = calendar_rows(out)
    law = "Bộ luật Lao động 2019, Điều 112 (theo thư viện holidays 0."
    assert rows["01/01/2026"][:2] == ["nghỉ", "Tết Dương lịch"]
    assert rows["01/01/2026"][2].startswith(law)
    assert rows["02/01/2026"] == [
        "nghỉ",
        "Ngày nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)",
        "Công văn số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ",
    ]
    assert rows["10/01/2026"][:2] == ["làm bù", "Ngày làm bù (cho ngày nghỉ 02/01/2026)"]
    assert rows["22/08/2026"][2] == (
        "Thông báo số 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ (thư viện holidays cũng có)"
    )
    assert rows["24/11/2026"][:2] == ["làm việc", "Ngày Văn hóa Việt Nam"]
    assert rows["24/11/2026"][2].startswith("vẫn là ngày làm việc: Bộ luật Lao động 2019")
    assert out.splitlines()[-1].startswith(
        "Năm 2026: 13 ngày nghỉ rơi vào thứ Hai đến thứ Sáu, 2 ngày làm bù vào thứ Bảy, Chủ nhật."
    )


def test_calendar_shows_a_plans_own_days(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    path = office / "ke-hoach.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text.replace("- 29/04/2024", "- 29/04/2024\n    - 31/12/2024"), "utf-8")
    code, out, _ = run(capsys, "calendar", "2024", "--plan", str(path))
    assert code == 0
    assert f"kế hoạch: {path})" in out.splitlines()[0]
    rows = calendar_rows(out)
    assert rows["31/12/2024"] == ["nghỉ", "Ngày nghỉ theo kế hoạch", "kế hoạch báo cáo"]
    assert rows["29/04/2024"][0] == "nghỉ"  # the plan repeats the announced swap


def test_calendar_uses_the_applied_plan(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    path = office / "ke-hoach.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text.replace("- 04/05/2024", "- 04/05/2024\n    - 28/12/2024"), "utf-8")
    assert run(capsys, "plan", "apply", str(path))[0] == 0
    code, out, _ = run(capsys, "calendar", "2024")
    assert code == 0
    assert calendar_rows(out)["28/12/2024"][:2] == ["làm bù", "Ngày làm bù theo kế hoạch"]


def test_calendar_year_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "calendar", "1990")
    assert (code, err.splitlines()[0]) == (2, "Giá trị của NĂM không hợp lệ.")
