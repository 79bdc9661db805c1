"""The plan loader: a good plan becomes concrete deadlines; every bad plan gets an exact message."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.plan.errors import PlanInvalidError
from bot.plan.loader import MAX_PLAN_BYTES, load_plan, parse_plan
from bot.plan.model import DueKind, Every, ReportKind, UnitType

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = Path(__file__).parents[2] / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"

# Line numbers in the expected messages below count from this text (line 1: "organisation:").
BASE = """\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: [phong-a, phong-b]
    receiver: van-phong
    due_before: 05/06/2024
"""

CASCADE = """\
  - id: bc-tong-hop
    name: Tổng hợp
    submitters: [van-phong]
    receiver: phong-a
    due_before: 10/06/2024
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlanInvalidError) as caught:
        parse_plan(text, "ke-hoach.yaml")
    return caught.value.render()


F = "ke-hoach.yaml"

MALFORMED = [
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[phong-a, phong-b"),
        [
            f"{F}, dòng 15: sai cú pháp YAML ở cột 13: kiểm tra thụt lề, dấu hai chấm "
            "và các dấu ngoặc."
        ],
        id="broken-yaml",
    ),
    pytest.param(
        BASE.replace("    type: office\n", "    type: office\n    type: office\n"),
        [f"{F}, dòng 7: một mục được khai báo hai lần trong cùng một khối; hãy xóa một trong hai."],
        id="duplicate-yaml-key",
    ),
    pytest.param(
        BASE.replace("id: phong-b", "id: phong-a").replace("[phong-a, phong-b]", "[phong-a]"),
        [
            f"{F}, dòng 9, mục «units[phong-a].id»: mã đơn vị «phong-a» đã được dùng cho một "
            "đơn vị khác ở trên."
        ],
        id="duplicate-unit-id",
    ),
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[phong-a, phong-c]"),
        [
            f"{F}, dòng 14, mục «reports[bc-6-thang].submitters[2]»: không có đơn vị nào mã "
            "«phong-c» trong danh sách units."
        ],
        id="unknown-submitter",
    ),
    pytest.param(
        BASE.replace("receiver: van-phong", "receiver: van-phong-so"),
        [
            f"{F}, dòng 15, mục «reports[bc-6-thang].receiver»: không có đơn vị nào mã "
            "«van-phong-so» trong danh sách units."
        ],
        id="unknown-receiver",
    ),
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[]"),
        [
            f"{F}, dòng 14, mục «reports[bc-6-thang].submitters»: báo cáo không có đơn vị nào "
            "phải nộp. Ghi danh sách mã đơn vị, hoặc «all» để mọi đơn vị cùng nộp."
        ],
        id="no-submitters",
    ),
    pytest.param(
        BASE.replace("    submitters: [phong-a, phong-b]\n", ""),
        [f"{F}, dòng 12, mục «reports[bc-6-thang].submitters»: thiếu mục bắt buộc «submitters»."],
        id="submitters-missing",
    ),
    pytest.param(
        BASE.replace("due_before: 05/06/2024", "due_before: 31/06/2024"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].due_before»: «31/06/2024» không phải là ngày "
            "hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd (2024-06-05)."
        ],
        id="deadline-not-a-date",
    ),
    pytest.param(
        BASE.replace("due_before: 05/06/2024", "due_before: đầu tháng sáu"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].due_before»: «đầu tháng sáu» không phải là "
            "ngày hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd "
            "(2024-06-05)."
        ],
        id="deadline-words",
    ),
    pytest.param(
        BASE + "    due_on: 2024-06-04\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].due_on»: chỉ ghi một trong hai: due_before "
            "(trước ngày) hoặc due_on (hạn trong ngày), không ghi cả hai."
        ],
        id="due-before-and-due-on",
    ),
    pytest.param(
        BASE.replace("    due_before: 05/06/2024\n", ""),
        [
            f"{F}, dòng 12, mục «reports[bc-6-thang]»: báo cáo chưa có hạn nộp: ghi due_before "
            "(trước ngày, ví dụ 05/06/2024) hoặc due_on (hạn trong ngày)."
        ],
        id="no-deadline",
    ),
    pytest.param(
        BASE + "    reminders: [7d, 7x]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[2]»: «7x» không phải là lịch nhắc "
            "hợp lệ. Dùng ví dụ: 7d (7 ngày trước hạn), 3wd (3 ngày làm việc trước hạn), 2h, 30m, "
            "90s, last_day (ngày cuối), overdue (mỗi ngày làm việc khi đã trễ hạn), hoặc một ngày "
            "như 01/06/2024."
        ],
        id="offset-7x",
    ),
    pytest.param(
        BASE + "    reminders: [3wd, 10/06/2024]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[2]»: lịch nhắc «10/06/2024» rơi "
            "vào lúc đã hết hạn (hạn chót là hết ngày 04/06/2024). Để nhắc sau hạn, dùng overdue."
        ],
        id="reminder-after-deadline",
    ),
    pytest.param(
        BASE + "    reminders: [3wd, 1d, 3wd]\n",
        [f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[3]»: lịch nhắc này bị ghi hai lần."],
        id="reminder-twice",
    ),
    pytest.param(
        BASE + "    depends_on: bc-tong-hop\n" + CASCADE + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 23, mục «reports[bc-tong-hop].depends_on»: báo cáo tổng hợp phụ thuộc "
            "vòng tròn: bc-6-thang → bc-tong-hop → bc-6-thang. Một báo cáo không thể (gián tiếp) "
            "chờ chính nó."
        ],
        id="cascade-cycle",
    ),
    pytest.param(
        BASE + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].depends_on[1]»: báo cáo tổng hợp phụ thuộc "
            "vòng tròn: bc-6-thang → bc-6-thang. Một báo cáo không thể (gián tiếp) chờ chính nó."
        ],
        id="cascade-on-itself",
    ),
    pytest.param(
        BASE + CASCADE.replace("10/06/2024", "01/06/2024") + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 22, mục «reports[bc-tong-hop].depends_on[1]»: báo cáo tổng hợp "
            "«bc-tong-hop» (hạn chót hết ngày 31/05/2024) phải có hạn sau báo cáo «bc-6-thang» "
            "mà nó tổng hợp (hạn chót hết ngày 04/06/2024)."
        ],
        id="cascade-due-earlier",
    ),
    pytest.param(
        BASE + CASCADE + "    depends_on: [bc-nam]\n",
        [
            f"{F}, dòng 22, mục «reports[bc-tong-hop].depends_on[1]»: không có báo cáo nào mã "
            "«bc-nam» trong danh sách reports."
        ],
        id="cascade-unknown-report",
    ),
    pytest.param(
        BASE.replace("  name: Sở Thử nghiệm\n", "  name: Sở Thử nghiệm\n  timezone: Asia/Hanoi\n"),
        [
            f"{F}, dòng 3, mục «organisation.timezone»: không có múi giờ «Asia/Hanoi». "
            "Ở Việt Nam dùng Asia/Ho_Chi_Minh."
        ],
        id="unknown-timezone",
    ),
    pytest.param(
        "",
        [
            f"{F}, dòng 1: tệp kế hoạch trống. Hãy chép tệp mẫu "
            "plans/ke-hoach-dan-chu-co-so-2024.yaml rồi sửa lại."
        ],
        id="empty-file",
    ),
    pytest.param(
        "# chỉ có ghi chú\n\n",
        [
            f"{F}, dòng 1: tệp kế hoạch trống. Hãy chép tệp mẫu "
            "plans/ke-hoach-dan-chu-co-so-2024.yaml rồi sửa lại."
        ],
        id="comments-only",
    ),
    pytest.param(
        "- một\n- hai\n",
        [
            f"{F}, dòng 1: tệp kế hoạch phải gồm các mục dạng «tên: giá trị» "
            "(organisation, units, reports...)."
        ],
        id="not-a-mapping",
    ),
    pytest.param(
        BASE.replace("due_before:", "deu_before:"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].deu_before»: không có mục nào tên "
            "«deu_before» (có thể gõ sai tên mục)."
        ],
        id="misspelt-field",
    ),
    pytest.param(
        BASE.replace("id: phong-a", "id: Phòng A").replace("[phong-a, phong-b]", "[phong-b]"),
        [
            f"{F}, dòng 7, mục «units[Phòng A].id»: mã «Phòng A» không hợp lệ: chỉ dùng chữ "
            "thường không dấu, chữ số và dấu gạch ngang (ví dụ phong-ttbcxb), tối đa 64 ký tự."
        ],
        id="bad-unit-id",
    ),
    pytest.param(
        BASE.replace("    type: office\n", ""),
        [
            f"{F}, dòng 3, mục «units»: kế hoạch cần đúng một đơn vị có «type: office» "
            "(Văn phòng Sở, nơi nhận và tổng hợp báo cáo)."
        ],
        id="no-office",
    ),
    pytest.param(
        BASE.replace("    name: Phòng B\n", "    name: Phòng B\n    type: office\n"),
        [
            f"{F}, dòng 11, mục «units[phong-b].type»: chỉ được có một đơn vị loại office "
            "(Văn phòng); ở đây là đơn vị thứ hai."
        ],
        id="two-offices",
    ),
    pytest.param(
        BASE + "    kind: thường xuyên\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].kind»: loại báo cáo «thường xuyên» không hợp "
            "lệ. Chọn một trong: định kỳ, chuyên đề, đột xuất."
        ],
        id="unknown-kind",
    ),
    pytest.param(
        BASE + "    due_time: 25:00\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].due_time»: «25:00» không phải là giờ hợp lệ. "
            "Viết giờ dạng HH:MM, ví dụ 08:00 hoặc 17:30."
        ],
        id="bad-time",
    ),
    pytest.param(
        BASE + "    repeat: {every: month}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].repeat»: cần ghi đúng một trong hai mục: "
            "count (số kỳ) hoặc until (lặp đến ngày)."
        ],
        id="repeat-without-end",
    ),
    pytest.param(
        BASE + "    repeat: {every: week, count: 4}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].repeat.every»: chu kỳ «week» không hợp lệ. "
            "Chọn một trong: month (tháng), quarter (quý), half_year (6 tháng), year (năm)."
        ],
        id="unknown-recurrence",
    ),
    pytest.param(
        BASE + "    repeat: {every: month, count: 3}\n    period: year\n",
        [
            f"{F}, dòng 18, mục «reports[bc-6-thang].period»: hai kỳ báo cáo rơi vào cùng kỳ chốt "
            "số liệu «2024»; chu kỳ của period phải khớp với repeat."
        ],
        id="two-instances-in-one-period",
    ),
    pytest.param(
        BASE + "    period: {from: 15/06/2024, to: 14/12/2023}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].period»: ngày bắt đầu kỳ chốt số liệu "
            "(15/06/2024) sau ngày kết thúc (14/12/2023)."
        ],
        id="period-backwards",
    ),
    pytest.param(
        BASE + "    forward_files: có\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].forward_files»: phải là true (có) hoặc "
            "false (không)."
        ],
        id="not-a-bool",
    ),
    pytest.param(
        BASE.replace("settings", "x") + "settings:\n  cutoff_day: 31\n",
        [f"{F}, dòng 18, mục «settings.cutoff_day»: phải nhỏ hơn hoặc bằng 28."],
        id="cutoff-day-out-of-range",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED)
def test_malformed_plan_gets_its_message(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_there_are_at_least_twenty_malformed_plans() -> None:
    assert len(MALFORMED) >= 20


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = BASE.replace("[phong-a, phong-b]", "[phong-x, phong-y]")
    assert problems(text) == [
        f"{F}, dòng 14, mục «reports[bc-6-thang].submitters[1]»: không có đơn vị nào mã «phong-x» "
        "trong danh sách units.",
        f"{F}, dòng 14, mục «reports[bc-6-thang].submitters[2]»: không có đơn vị nào mã «phong-y» "
        "trong danh sách units.",
    ]


# ---- file-level problems -------------------------------------------------------------------------


def load_problems(path: Path) -> list[str]:
    with pytest.raises(PlanInvalidError) as caught:
        load_plan(path)
    return caught.value.render()


def test_a_50_mb_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "lon.yaml"
    with path.open("wb") as handle:
        handle.write(BASE.encode())
        handle.truncate(50 * 1024 * 1024)
    assert load_problems(path) == [
        f"{path}, dòng 1: tệp quá lớn (50.0 MB). Tệp kế hoạch chỉ được tối đa 2 MB; "
        "có thể đã chọn nhầm tệp."
    ]
    assert MAX_PLAN_BYTES == 2 * 1024 * 1024


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "khong-co.yaml"
    assert load_problems(path) == [
        f"{path}: không tìm thấy tệp kế hoạch. Hãy kiểm tra lại đường dẫn."
    ]


def test_a_directory(tmp_path: Path) -> None:
    assert load_problems(tmp_path) == [f"{tmp_path}: đây là một thư mục, không phải tệp kế hoạch."]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cp1258.yaml"
    path.write_bytes("organisation:\n  name: Sở\n".encode("utf-16"))
    assert load_problems(path) == [
        f"{path}, dòng 1: tệp không phải văn bản UTF-8. Hãy lưu lại tệp với bảng mã UTF-8 "
        "(Unicode)."
    ]


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "anh.yaml"
    path.write_bytes(b"organisation:\x00\x01\x02")
    assert load_problems(path) == [
        f"{path}, dòng 1: tệp không phải văn bản (có ký tự nhị phân); có thể đã chọn nhầm tệp."
    ]


# ---- good plans ----------------------------------------------------------------------------------


def test_the_seed_plan_loads() -> None:
    plan = load_plan(SEED)
    assert plan.organisation.name == "Sở Thông tin và Truyền thông tỉnh Tây Ninh"
    assert plan.organisation.timezone == "Asia/Ho_Chi_Minh"
    assert [u.key for u in plan.units] == [
        "van-phong",
        "ban-giam-doc",
        "phong-ttbcxb",
        "phong-cntt-bcvt",
        "trung-tam-gsdh",
    ]
    assert plan.unit("van-phong").type is UnitType.OFFICE
    assert plan.unit("ban-giam-doc").type is UnitType.LEADERSHIP
    reports = {r.key: r for r in plan.reports}
    assert list(reports) == [
        "dcs-6-thang-2024",
        "dcs-nam-2024",
        "tong-hop-6-thang-2024",
        "tong-hop-nam-2024",
    ]
    half = reports["dcs-6-thang-2024"]
    assert half.kind is ReportKind.PERIODIC
    assert half.submitters == ("phong-ttbcxb", "phong-cntt-bcvt", "trung-tam-gsdh")
    assert half.receiver == "van-phong"
    assert half.forward_files is True
    (instance,) = half.instances
    assert instance.key == "once"
    assert instance.deadline.kind is DueKind.BEFORE
    assert instance.deadline.day == date(2024, 6, 5)
    assert instance.last_day == date(2024, 6, 4)
    assert instance.due_end == datetime(2024, 6, 5, 0, 0, tzinfo=TZ)
    compiled = reports["tong-hop-6-thang-2024"]
    assert compiled.depends_on == ("dcs-6-thang-2024",)
    assert compiled.receiver == "ban-giam-doc"
    assert compiled.instances[0].due_end == datetime(2024, 6, 10, 0, 0, tzinfo=TZ)
    assert reports["tong-hop-nam-2024"].instances[0].last_day == date(2024, 11, 19)
    assert plan.calendar.days_off == {date(2024, 4, 29)}
    assert plan.calendar.makeup_days == {date(2024, 5, 4)}
    assert plan.warnings == ()
    assert len(plan.digest) == 64


def test_seed_plan_reminder_dates() -> None:
    """Checked by hand against the 2024 calendar (weekends, and 29/04 to 01/05 off)."""
    plan = load_plan(SEED)
    got = {
        r.key: [(x.rule_key, x.at.strftime("%d/%m/%Y %H:%M")) for x in r.instances[0].reminders]
        for r in plan.reports
    }
    assert got == {
        # last day Tue 04/06/2024
        "dcs-6-thang-2024": [
            ("7d", "28/05/2024 08:00"),
            ("3wd", "30/05/2024 08:00"),
            ("1d", "03/06/2024 08:00"),
            ("last_day", "04/06/2024 08:00"),
        ],
        # last day Thu 14/11/2024
        "dcs-nam-2024": [
            ("7d", "07/11/2024 08:00"),
            ("3wd", "11/11/2024 08:00"),
            ("1d", "13/11/2024 08:00"),
            ("last_day", "14/11/2024 08:00"),
        ],
        # last day Sun 09/06/2024: 7d is Sun 02/06 -> Fri 31/05; 1d Sat 08/06 -> Fri 07/06,
        # where last_day (Sun 09/06 -> Fri 07/06) is merged into it
        "tong-hop-6-thang-2024": [
            ("7d", "31/05/2024 08:00"),
            ("3wd", "04/06/2024 08:00"),
            ("1d", "07/06/2024 08:00"),
        ],
        # last day Tue 19/11/2024
        "tong-hop-nam-2024": [
            ("7d", "12/11/2024 08:00"),
            ("3wd", "14/11/2024 08:00"),
            ("1d", "18/11/2024 08:00"),
            ("last_day", "19/11/2024 08:00"),
        ],
    }
    overdue = {r.key: r.instances[0].overdue_from for r in plan.reports}
    assert overdue == {
        "dcs-6-thang-2024": date(2024, 6, 5),
        "dcs-nam-2024": date(2024, 11, 15),
        "tong-hop-6-thang-2024": date(2024, 6, 10),
        "tong-hop-nam-2024": date(2024, 11, 20),
    }


def test_monthly_report_recurs_with_decree_09_periods() -> None:
    text = BASE + "    repeat: {every: tháng, count: 3}\n    reminders: [2wd]\n"
    text = text.replace("due_before: 05/06/2024", "due_before: 20/01/2025")
    (report,) = parse_plan(text, F).reports
    assert report.every is Every.MONTH
    assert [i.key for i in report.instances] == ["2025-01", "2025-02", "2025-03"]
    assert [i.deadline.day for i in report.instances] == [
        date(2025, 1, 20),
        date(2025, 2, 20),
        date(2025, 3, 20),
    ]
    first = report.instances[0]
    assert first.period is not None
    assert (first.period.start, first.period.end) == (date(2024, 12, 15), date(2025, 1, 14))
    # last day Sun 19/01/2025, last working day Fri 17/01, two working days before: Wed 15/01
    assert [r.at.date() for r in first.reminders] == [date(2025, 1, 15)]


def test_cutoff_after_deadline_is_a_warning_not_an_error() -> None:
    plan = parse_plan(BASE + "    period: half_year\n", F)
    (warning,) = plan.warnings
    assert warning.key == "plan-warning-cutoff"
    assert warning.line == 17
    assert warning.args == {"report": "bc-6-thang", "end": "14/06/2024", "deadline": "04/06/2024"}


def test_submitters_all_means_every_ordinary_unit() -> None:
    plan = parse_plan(BASE.replace("[phong-a, phong-b]", "all"), F)
    assert plan.reports[0].submitters == ("phong-a", "phong-b")


def test_due_on_keeps_the_whole_day() -> None:
    plan = parse_plan(BASE.replace("due_before: 05/06/2024", "due_on: 2024-06-04"), F)
    instance = plan.reports[0].instances[0]
    assert instance.last_day == date(2024, 6, 4)
    assert instance.due_end == datetime(2024, 6, 5, 0, 0, tzinfo=TZ)
