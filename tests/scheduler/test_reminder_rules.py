"""Which reminder rows a plan implies, and what happens to a claimed row. Pure rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.plan.loader import load_plan, parse_plan
from bot.core.plan.model import Deadline, DueKind, PlanSettings, UnitType
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.reminders import (
    STALE_SUMMARY,
    DueReminder,
    InstanceFacts,
    Kind,
    MissReason,
    PlannedRow,
    UnitProgress,
    Verdict,
    calendar_of,
    daily_rows,
    decide,
    in_working_hours,
    miss_reason,
    missed_chase,
    next_working_moment,
    planted_rows,
    ready_rows,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = Path(__file__).parents[2] / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"
CAL = WorkingCalendar()
SETTINGS = PlanSettings()
DUE = datetime(2024, 6, 5, 0, 0, tzinfo=TZ)  # "trước ngày 05/06/2024"


def local(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def facts(
    *units: tuple[str, int],
    due: datetime = DUE,
    last: date = date(2024, 6, 4),
    receiver: UnitType = UnitType.OFFICE,
    escalate: int = 3,
    report: str = "dcs-6-thang-2024",
) -> InstanceFacts:
    return InstanceFacts(
        instance_id=1,
        report_key=report,
        report_name="Báo cáo 6 tháng",
        instance_key="once",
        deadline=Deadline(DueKind.BEFORE, date(2024, 6, 5)),
        due_end=due,
        last_day=last,
        receiver_key="van-phong",
        receiver_type=receiver,
        escalate_after_days=escalate,
        units=tuple(
            UnitProgress(key, key.upper(), versions, local(2024, 6, 1) if versions else None)
            for key, versions in units
        ),
    )


def row(
    kind: Kind, rule: str, unit: str | None = "phong-a", due: datetime | None = None
) -> DueReminder:
    return DueReminder(1, 1, unit, kind, rule, due or local(2024, 6, 3))


def verdict(
    reminder: DueReminder, fact: InstanceFacts, now: datetime
) -> tuple[Verdict, datetime | None]:
    return decide(reminder, fact, now=now, tz=TZ, calendar=CAL, settings=SETTINGS)


def test_the_seed_plan_plants_unit_reminders_and_summaries() -> None:
    plan = load_plan(SEED)
    ids = {(r.key, "once"): n for n, r in enumerate(plan.reports, start=1)}
    rows = planted_rows(plan, ids, {1: frozenset({"phong-ttbcxb"})}, calendar_of(plan))
    first = [r for r in rows if r.instance_id == 1]
    units = sorted({r.unit_key for r in first if r.kind is Kind.UNIT})
    assert units == ["phong-cntt-bcvt", "trung-tam-gsdh"]  # phong-ttbcxb already reported
    times = sorted({r.due_at for r in first if r.kind is Kind.UNIT})
    assert [t.strftime("%d/%m %H:%M") for t in times] == [
        "28/05 08:00",
        "30/05 08:00",
        "03/06 08:00",
        "04/06 08:00",
    ]
    summaries = sorted(r.due_at for r in first if r.kind is Kind.SUMMARY)
    # each reminder day at 08:00, before the close of the last day (Tue 04/06 16:30), the next
    # working day (Wed 05/06 08:00)
    assert [t.astimezone(TZ).strftime("%d/%m %H:%M") for t in summaries] == [
        "28/05 08:00",
        "30/05 08:00",
        "03/06 08:00",
        "04/06 08:00",
        "04/06 16:30",
        "05/06 08:00",
    ]
    assert all(r.unit_key is None for r in first if r.kind is Kind.SUMMARY)


@pytest.mark.parametrize(
    ("due_before", "expected"),
    [
        # 3wd before a Monday deadline (last day Sunday 09/06/2024): counted from Fri 07/06
        ("10/06/2024", "04/06"),
        # last day Thu 02/05/2024 after the 29/04-01/05 holiday: Fri 26/04, Thu 25/04, Wed 24/04
        ("03/05/2024", "24/04"),
        # last day Tue 04/02/2025; Tết 2025 ran 25/01-02/02: Mon 03/02, Fri 24/01, Thu 23/01
        ("05/02/2025", "23/01"),
    ],
)
def test_a_reminder_on_a_day_off_moves_to_the_previous_working_day(
    due_before: str, expected: str
) -> None:
    plan = parse_plan(
        f"""organisation: {{name: Sở}}
units:
  - {{id: vp, name: Văn phòng, type: office}}
  - {{id: pa, name: Phòng A}}
reports:
  - {{id: bc, name: Báo cáo, submitters: all, receiver: vp, due_before: {due_before},
      reminders: [3wd]}}
""",
        "p.yaml",
    )
    rows = planted_rows(plan, {("bc", "once"): 1}, {}, calendar_of(plan))
    (unit_row,) = [r for r in rows if r.kind is Kind.UNIT]
    assert unit_row.due_at.strftime("%d/%m %H:%M") == f"{expected} 08:00"


def test_exact_offsets_are_counted_from_the_deadline_moment() -> None:
    plan = parse_plan(
        """organisation: {name: Sở}
units:
  - {id: vp, name: Văn phòng, type: office}
  - {id: pa, name: Phòng A}
reports:
  - {id: bc, name: Báo cáo, submitters: all, receiver: vp, due_on: 2024-06-08, due_time: "10:00",
     reminders: [90s, 2h]}
""",
        "p.yaml",
    )
    rows = planted_rows(plan, {("bc", "once"): 1}, {}, calendar_of(plan))
    exact = sorted((r.rule_key, r.due_at) for r in rows if r.kind is Kind.UNIT)
    # due_on 10:00 is on time to 10:00:59, so the deadline moment is 10:00:01
    assert exact == [
        ("7200s", local(2024, 6, 8, 8, 0) + timedelta(seconds=1)),
        ("90s", local(2024, 6, 8, 9, 58) + timedelta(seconds=31)),
    ]


def test_working_hours_and_days() -> None:
    fact = facts(("phong-a", 0))
    assert verdict(row(Kind.UNIT, "3wd"), fact, local(2024, 6, 3, 9)) == (Verdict.SEND, None)
    # 02:00 on Monday: wait for 07:30
    assert verdict(row(Kind.UNIT, "3wd"), fact, local(2024, 6, 3, 2)) == (
        Verdict.LATER,
        local(2024, 6, 3, 7, 30),
    )
    # Saturday evening: the next working morning
    assert verdict(row(Kind.UNIT, "7d"), fact, local(2024, 6, 1, 20)) == (
        Verdict.LATER,
        local(2024, 6, 3, 7, 30),
    )
    # 18:00 on the last day: tomorrow morning would be after the deadline, so it is missed
    assert verdict(row(Kind.UNIT, "last_day"), fact, local(2024, 6, 4, 18)) == (Verdict.MISS, None)
    # an exact offset ignores working hours
    assert verdict(row(Kind.UNIT, "90s"), fact, local(2024, 6, 4, 23, 58)) == (Verdict.SEND, None)


def test_usefulness() -> None:
    late = local(2024, 6, 5, 9)
    assert (
        verdict(row(Kind.UNIT, "1d"), facts(("phong-a", 1)), local(2024, 6, 3, 9))[0]
        is Verdict.CANCEL
    )
    # a "before" reminder that comes due after the deadline (the bot was down) is missed
    assert verdict(row(Kind.UNIT, "7d"), facts(("phong-a", 0)), late)[0] is Verdict.MISS
    today = row(Kind.OVERDUE, "overdue:2024-06-05")
    assert verdict(today, facts(("phong-a", 0)), late)[0] is Verdict.SEND
    assert verdict(today, facts(("phong-a", 2)), late)[0] is Verdict.CANCEL
    yesterday = row(Kind.OVERDUE, "overdue:2024-06-04")
    assert verdict(yesterday, facts(("phong-a", 0)), late)[0] is Verdict.SKIP
    late_list = row(Kind.LATE_LIST, "late:2024-06-05", unit=None)
    assert verdict(late_list, facts(("phong-a", 1)), late)[0] is Verdict.SKIP  # nobody missing
    old_summary = row(Kind.SUMMARY, "summary:2024-06-03T08:00", unit=None, due=local(2024, 6, 3))
    assert verdict(old_summary, facts(("phong-a", 0)), late)[0] is Verdict.SKIP
    assert (
        decide(row(Kind.UNIT, "1d"), None, now=late, tz=TZ, calendar=CAL, settings=SETTINGS)[0]
        is Verdict.SKIP
    )


def test_a_missed_reminder_says_why_and_is_replaced_by_one_chase() -> None:
    fact = facts(("phong-a", 0))
    last_day = row(Kind.UNIT, "last_day", due=local(2024, 6, 4))
    # The bot came back at 18:00 on the last day: the chase goes the next working morning.
    evening = local(2024, 6, 4, 18)
    assert miss_reason(fact, now=evening) is MissReason.AFTER_HOURS
    chase = missed_chase(last_day, now=evening, tz=TZ, calendar=CAL, settings=SETTINGS)
    assert chase == PlannedRow(
        1, "phong-a", Kind.OVERDUE, "overdue:2024-06-05", local(2024, 6, 5, 7, 30)
    )
    # Back in working hours after the deadline: the chase goes now, under today's daily key
    # (the plan's own chase for the day, where it has one: the same row).
    late = local(2024, 6, 5, 9, 15)
    assert miss_reason(fact, now=late) is MissReason.DEADLINE_PASSED
    chase = missed_chase(last_day, now=late, tz=TZ, calendar=CAL, settings=SETTINGS)
    assert chase == PlannedRow(1, "phong-a", Kind.OVERDUE, "overdue:2024-06-05", late)
    assert (
        verdict(DueReminder(2, 1, "phong-a", Kind.OVERDUE, chase.rule_key, late), fact, late)[0]
        is Verdict.SEND
    )
    # Back on a Saturday: Monday morning.
    saturday = local(2024, 6, 8, 10)
    chase = missed_chase(last_day, now=saturday, tz=TZ, calendar=CAL, settings=SETTINGS)
    assert (chase.rule_key, chase.due_at) == ("overdue:2024-06-10", local(2024, 6, 10, 7, 30))


def test_reminders_planted_past_their_use_are_marked_to_be_left_out() -> None:
    plan = load_plan(SEED)
    rows = planted_rows(plan, {("dcs-6-thang-2024", "once"): 1}, {}, calendar_of(plan))
    unit_rows = [r for r in rows if r.kind is Kind.UNIT]
    assert unit_rows and {r.expires_at for r in unit_rows} == {DUE}
    # A summary is of no use once stale (the dispatcher would skip it): a plan applied after
    # that plants none, so the Office's list of reminders coming shows no year-old summaries.
    summaries = [r for r in rows if r.kind is Kind.SUMMARY]
    assert summaries and all(r.expires_at == r.due_at + STALE_SUMMARY for r in summaries)


def test_daily_rows_chase_late_units_and_escalate() -> None:
    plan = load_plan(SEED)
    fact = facts(("phong-a", 0), ("phong-b", 1), escalate=3)
    # Thu 06/06/2024: two working days late
    rows = daily_rows(plan, [fact], now=local(2024, 6, 6, 6), calendar=CAL)
    assert sorted((r.kind, r.unit_key, r.rule_key) for r in rows) == [
        (Kind.LATE_LIST, None, "late:2024-06-06"),
        (Kind.OVERDUE, "phong-a", "overdue:2024-06-06"),
    ]
    assert all(r.due_at == local(2024, 6, 6, 8) for r in rows)
    # Fri 07/06: three working days late: leadership is told too
    kinds = {r.kind for r in daily_rows(plan, [fact], now=local(2024, 6, 7, 9), calendar=CAL)}
    assert kinds == {Kind.OVERDUE, Kind.LATE_LIST, Kind.ESCALATION}
    # Saturday: nothing
    assert daily_rows(plan, [fact], now=local(2024, 6, 8, 9), calendar=CAL) == []


def test_a_report_may_keep_its_late_list_from_the_office_and_leadership_out_of_it() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "    due_before: 05/06/2024",
        "    late_list: false\n    escalate_after_days: 0\n    due_before: 05/06/2024",
        1,
    )
    plan = parse_plan(text, "quiet.yaml")
    (report,) = [r for r in plan.reports if r.key == "dcs-6-thang-2024"]
    assert (report.late_list, report.escalate_after_days) == (False, 0)
    fact = facts(("phong-a", 0), ("phong-b", 1), escalate=0)
    rows = daily_rows(plan, [fact], now=local(2024, 6, 14, 9), calendar=CAL)  # 8 days late
    assert [(r.kind, r.unit_key) for r in rows] == [(Kind.OVERDUE, "phong-a")]  # still chased


def test_leadership_digest_while_their_report_is_open() -> None:
    plan = load_plan(SEED)
    fact = facts(
        ("van-phong", 0),
        report="tong-hop-6-thang-2024",
        receiver=UnitType.LEADERSHIP,
        due=local(2024, 6, 10, 0),
        last=date(2024, 6, 9),
    )
    rows = daily_rows(plan, [fact], now=local(2024, 6, 4, 9), calendar=CAL)
    assert [(r.kind, r.rule_key) for r in rows] == [(Kind.DIGEST, "digest:2024-06-04")]


def test_leadership_digest_begins_with_the_reports_first_reminder_day() -> None:
    plan = load_plan(SEED)
    fact = facts(
        ("van-phong", 0),
        report="tong-hop-nam-2024",
        receiver=UnitType.LEADERSHIP,
        due=local(2024, 11, 20, 0),
        last=date(2024, 11, 19),
    )
    # The annual compiled report's first reminder is Tue 12/11: nothing about it in June.
    assert daily_rows(plan, [fact], now=local(2024, 6, 4, 9), calendar=CAL) == []
    assert daily_rows(plan, [fact], now=local(2024, 11, 11, 9), calendar=CAL) == []
    rows = daily_rows(plan, [fact], now=local(2024, 11, 12, 9), calendar=CAL)
    assert [(r.kind, r.rule_key) for r in rows] == [(Kind.DIGEST, "digest:2024-11-12")]


def test_ready_when_every_unit_of_a_cascade_reported() -> None:
    plan = load_plan(SEED)
    done = facts(("phong-a", 1), ("phong-b", 2))
    waiting = facts(("phong-a", 1), ("phong-b", 0))
    now = local(2024, 6, 4, 9)
    assert [r.kind for r in ready_rows(plan, {"dcs-6-thang-2024": [done]}, now=now)] == [Kind.READY]
    assert ready_rows(plan, {"dcs-6-thang-2024": [waiting]}, now=now) == []


def test_next_working_moment() -> None:
    assert next_working_moment(local(2024, 4, 26, 18), TZ, CAL, SETTINGS) == local(
        2024, 5, 2, 7, 30
    )
    assert next_working_moment(local(2024, 6, 3, 10), TZ, CAL, SETTINGS) == local(2024, 6, 3, 10)
    assert SETTINGS.work_start == time(7, 30)


def test_the_plan_chooses_when_summaries_go_out() -> None:
    text = """organisation: {name: Sở}
settings: {summaries: [deadline, day_after], summary_time: "16:00"}
units:
  - {id: vp, name: Văn phòng, type: office}
  - {id: pa, name: Phòng A}
reports:
  - {id: bc, name: Báo cáo, submitters: all, receiver: vp, due_before: 05/06/2024,
     reminders: [3wd, 1d]}
"""
    plan = parse_plan(text, "p.yaml")
    rows = planted_rows(plan, {("bc", "once"): 1}, {}, calendar_of(plan))
    summaries = sorted(r.due_at for r in rows if r.kind is Kind.SUMMARY)
    # no reminder-day summaries; half an hour before the close of Tue 04/06, Wed 05/06 at 16:00
    assert summaries == [local(2024, 6, 4, 16, 30), local(2024, 6, 5, 16)]
    # Sent when due, not held until the next morning beside the day-after summary.
    closing = summaries[0]
    assert in_working_hours(closing, TZ, calendar_of(plan), plan.settings)
