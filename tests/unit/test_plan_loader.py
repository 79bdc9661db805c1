"""The plan loader: a good plan becomes concrete deadlines; every bad plan gets an exact message."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from malformed_plans import BASE, MALFORMED, F

from bot.core.i18n import t
from bot.core.plan.errors import PlanInvalidError
from bot.core.plan.loader import MAX_PLAN_BYTES, load_plan, parse_plan, plan_from_data
from bot.core.plan.model import DueKind, Every, ReportKind, UnitType

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = Path(__file__).parents[2] / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"


def problems(text: str) -> list[str]:
    with pytest.raises(PlanInvalidError) as caught:
        parse_plan(text, "ke-hoach.yaml")
    return caught.value.render()


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


def test_a_stored_plan_rebuilds_from_its_json_content() -> None:
    plan = load_plan(SEED)
    assert plan_from_data(plan.data, plan.source, str(SEED)) == plan
    # content stored by an older version that did not keep it: read the source again
    assert plan_from_data("", plan.source, str(SEED)) == plan


def test_problems_in_stored_content_still_name_the_line() -> None:
    text = BASE.replace("due_before: 05/06/2024", "due_before: 31/06/2024")
    data = '{"organisation": {"name": "x"}, "units": 3}'
    with pytest.raises(PlanInvalidError) as caught:
        plan_from_data(data, text, F)
    assert caught.value.render() == [
        f"{F}, dòng 3, mục «units»: phải là một danh sách (mỗi phần tử một dòng bắt đầu bằng «- »)."
    ]


# ---- warnings: make-up days, due_on on a day off, deadlines already past ------------------------

CALENDAR = "calendar:\n  makeup_days: [{days}]\n"


def test_a_make_up_day_on_a_holiday_is_not_called_a_working_day() -> None:
    text = BASE + CALENDAR.format(days="01/09/2026, 24/11/2026, 10/01/2026, 04/06/2024")
    warnings = {(w.key, w.args["date"]): w for w in parse_plan(text, F).warnings}
    assert set(warnings) == {
        ("plan-warning-makeup-holiday", "01/09/2026"),  # National Day: really a day off
        ("plan-warning-makeup-weekday", "24/11/2026"),  # not a day off by law: already worked
        ("plan-warning-makeup-weekday", "04/06/2024"),
    }
    assert warnings["plan-warning-makeup-holiday", "01/09/2026"].args["name"] == "Quốc khánh"
    assert warnings["plan-warning-makeup-holiday", "01/09/2026"].line == 18


def test_due_on_a_saturday_or_holiday_is_a_warning() -> None:
    text = BASE.replace("due_before: 05/06/2024", "due_on: 08/06/2024")
    (warning,) = parse_plan(text, F).warnings
    assert warning.key == "plan-warning-due-on-day-off"
    assert warning.line == 16
    assert warning.args == {
        "report": "bc-6-thang",
        "days": "08/06/2024 (thứ Bảy)",
        "more": 0,
        "working": "07/06/2024",
    }
    text = BASE.replace("due_before: 05/06/2024", "due_on: 02/09/2024")
    (warning,) = parse_plan(text, F).warnings
    assert warning.args["days"] == "02/09/2024 (Quốc khánh)"
    assert warning.args["working"] == "30/08/2024"


def test_a_recurring_due_on_gets_one_warning_for_all_its_days_off() -> None:
    text = BASE.replace("due_before: 05/06/2024", "due_on: 05/10/2024")
    text += "    repeat: {every: month, count: 12}\n"
    warnings = parse_plan(text, F).warnings
    (warning,) = [w for w in warnings if w.key == "plan-warning-due-on-day-off"]
    # 05/10/2024 Sat, 05/01/2025 Sun, 05/04/2025 Sat, 05/07/2025 Sat, 05/09/2025 Fri is worked
    assert warning.args["days"] == (
        "05/10/2024 (thứ Bảy), 05/01/2025 (Chủ nhật), 05/04/2025 (thứ Bảy)"
    )
    assert warning.args["more"] == 1


def test_due_before_a_day_off_or_due_on_a_working_day_is_no_warning() -> None:
    assert parse_plan(BASE.replace("05/06/2024", "08/06/2024"), F).warnings == ()
    on_friday = BASE.replace("due_before: 05/06/2024", "due_on: 07/06/2024")
    assert parse_plan(on_friday, F).warnings == ()


def test_deadlines_already_past_get_one_warning_for_the_plan() -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    plan = load_plan(SEED, now=now)
    (warning,) = plan.warnings
    assert warning.key == "plan-warning-past"
    assert warning.args == {
        "count": 4,
        "total": 4,
        "reports": "dcs-6-thang-2024, dcs-nam-2024, tong-hop-6-thang-2024, tong-hop-nam-2024",
        "more": 0,
        "latest": "19/11/2024",
    }
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert lines[warning.line - 1].startswith("    due_before: 05/06/2024")
    assert "README" in t(warning.key, **warning.args)


def test_only_the_past_deadlines_are_counted() -> None:
    # 10/06/2024 is the first late moment of the Office's 6-month report; the annual ones remain.
    now = datetime(2024, 6, 10, 0, 0, tzinfo=TZ)
    (warning,) = load_plan(SEED, now=now).warnings
    assert (warning.args["count"], warning.args["total"]) == (2, 4)
    assert warning.args["reports"] == "dcs-6-thang-2024, tong-hop-6-thang-2024"
    assert warning.args["latest"] == "09/06/2024"
    just_before = datetime(2024, 6, 4, 23, 59, 59, tzinfo=TZ)
    assert load_plan(SEED, now=just_before).warnings == ()


def test_aliases_that_expand_far_beyond_the_file_are_refused_at_once() -> None:
    # A kilobyte of YAML whose aliases nest ten deep stands for 10^9 values: reading it used to
    # run for minutes (and fill the memory) before anything was said.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    lines += ["organisation: *a8", "units: *a8"]
    assert problems("\n".join(lines) + "\n") == [
        "ke-hoach.yaml, dòng 1: " + t("plan-error-aliases")
    ]


def test_an_anchor_used_a_few_times_is_still_fine() -> None:
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("    submitters: all", "    submitters: &everyone all", 1)
    text = text.replace("    submitters: all", "    submitters: *everyone", 1)
    assert "*everyone" in text
    assert len(parse_plan(text, "ke-hoach.yaml").reports) == 4


@pytest.mark.parametrize("depth", [1_200, 60])
def test_nesting_deeper_than_any_plan_is_named_not_a_crash(depth: int) -> None:
    text = "units: " + "[" * depth + "]" * depth + "\n"
    assert problems(text) == ["ke-hoach.yaml, dòng 1: " + t("plan-error-too-deep")]
