"""Deadline rules: on-time ends, recurrence, cut-off periods and the seed plan's reminders.

Every expected date here was written by hand and checked against a printed calendar (`cal`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.plan.model import (
    Deadline,
    DueKind,
    Every,
    Period,
    PlannedReminder,
    ReminderKind,
    ReminderRule,
)
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.deadlines import (
    cutoff_too_late,
    due_end,
    is_late,
    last_day,
    lateness,
    overdue_days,
    period_near,
    plan_reminders,
    recurring_deadlines,
    reminder_after_deadline,
    standard_period,
    unit_lateness,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EIGHT = time(8, 0)
SEED_RULES = (
    ReminderRule(ReminderKind.DAYS_BEFORE, "7d", amount=7),
    ReminderRule(ReminderKind.WORKING_DAYS_BEFORE, "3wd", amount=3),
    ReminderRule(ReminderKind.DAYS_BEFORE, "1d", amount=1),
    ReminderRule(ReminderKind.LAST_DAY, "last_day"),
    ReminderRule(ReminderKind.OVERDUE, "overdue"),
)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


def before(y: int, m: int, d: int, at: time | None = None) -> Deadline:
    return Deadline(DueKind.BEFORE, date(y, m, d), at)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- Last day and the first late moment ------------------------------------------------------


def test_due_before_ends_at_midnight_starting_the_day() -> None:
    deadline = before(2024, 6, 5)
    end = due_end(deadline, TZ)
    assert last_day(deadline) == date(2024, 6, 4)
    assert end == local(2024, 6, 5, 0, 0, 0)
    assert not is_late(local(2024, 6, 4, 23, 59, 59), end)
    assert is_late(local(2024, 6, 5, 0, 0, 0), end)


def test_due_on_keeps_the_whole_day() -> None:
    deadline = Deadline(DueKind.ON, date(2024, 6, 4))
    end = due_end(deadline, TZ)
    assert last_day(deadline) == date(2024, 6, 4)
    assert end == local(2024, 6, 5, 0, 0, 0)
    assert not is_late(local(2024, 6, 4, 23, 59, 59), end)
    assert is_late(local(2024, 6, 5, 0, 0, 0), end)


def test_due_before_with_a_time() -> None:
    deadline = before(2024, 6, 5, time(17, 0))
    end = due_end(deadline, TZ)
    assert last_day(deadline) == date(2024, 6, 5)
    assert end == local(2024, 6, 5, 17, 0, 0)
    assert not is_late(local(2024, 6, 5, 16, 59, 59), end)
    assert is_late(local(2024, 6, 5, 17, 0, 0), end)


def test_due_on_with_a_time_keeps_that_second() -> None:
    deadline = Deadline(DueKind.ON, date(2024, 6, 5), time(17, 0))
    end = due_end(deadline, TZ)
    assert last_day(deadline) == date(2024, 6, 5)
    assert end == local(2024, 6, 5, 17, 0, 1)
    assert not is_late(local(2024, 6, 5, 17, 0, 0), end)
    assert is_late(local(2024, 6, 5, 17, 0, 1), end)


def test_due_end_is_aware_in_the_plan_timezone() -> None:
    end = due_end(before(2024, 6, 5), TZ)
    assert end.tzinfo == TZ
    assert end.utcoffset() == timedelta(hours=7)
    # The same moment seen from UTC: a UTC submission at 17:00 on 04/06 is already late.
    assert is_late(datetime(2024, 6, 4, 17, 0, tzinfo=ZoneInfo("UTC")), end)


def test_lateness() -> None:
    end = local(2024, 6, 5)
    assert lateness(local(2024, 6, 4, 23, 59, 59), end) is None
    assert lateness(local(2024, 6, 5), end) == timedelta(0)
    assert lateness(local(2024, 6, 6, 1, 30), end) == timedelta(days=1, hours=1, minutes=30)


def test_unit_lateness_at_the_edges_of_the_deadline() -> None:
    end = local(2024, 6, 5)
    now = local(2024, 6, 10)
    assert unit_lateness(end - timedelta(seconds=1), end, now) is None
    assert unit_lateness(end, end, now) == timedelta(0)
    assert unit_lateness(end + timedelta(seconds=1), end, now) == timedelta(seconds=1)


def test_unit_lateness_follows_the_first_version_not_the_correction() -> None:
    end = local(2024, 6, 5)
    first_on_time = local(2024, 6, 4, 9)
    # A correction sent days after the deadline: the first version still decides.
    assert unit_lateness(first_on_time, end, local(2024, 6, 9)) is None
    first_late = local(2024, 6, 6, 1, 30)
    assert unit_lateness(first_late, end, local(2024, 6, 20)) == timedelta(
        days=1, hours=1, minutes=30
    )


def test_unit_lateness_of_a_unit_that_sent_nothing() -> None:
    end = local(2024, 6, 5)
    # Still within the deadline, up to its last second.
    assert unit_lateness(None, end, end - timedelta(seconds=1)) is None
    # Missing from the first late moment on, late by how long the deadline has passed.
    assert unit_lateness(None, end, end) == timedelta(0)
    assert unit_lateness(None, end, end + timedelta(days=2)) == timedelta(days=2)


# --- Recurrence ------------------------------------------------------------------------------


def test_monthly_recurrence_keeps_the_original_day_and_clamps() -> None:
    first = Deadline(DueKind.ON, date(2025, 1, 31), time(17, 0))
    days = [d.day for d in recurring_deadlines(first, Every.MONTH, count=5)]
    assert days == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
    ]
    for deadline in recurring_deadlines(first, Every.MONTH, count=2):
        assert (deadline.kind, deadline.at) == (DueKind.ON, time(17, 0))


def test_leap_year_february() -> None:
    first = before(2024, 1, 30)
    days = [d.day for d in recurring_deadlines(first, Every.MONTH, count=3)]
    assert days == [date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30)]


def test_quarter_half_and_year_steps() -> None:
    first = before(2024, 8, 31)
    assert [d.day for d in recurring_deadlines(first, Every.QUARTER, count=3)] == [
        date(2024, 8, 31),
        date(2024, 11, 30),
        date(2025, 2, 28),
    ]
    assert [d.day for d in recurring_deadlines(first, Every.HALF_YEAR, count=3)] == [
        date(2024, 8, 31),
        date(2025, 2, 28),
        date(2025, 8, 31),
    ]
    leap = before(2024, 2, 29)
    assert [d.day for d in recurring_deadlines(leap, Every.YEAR, count=2)] == [
        date(2024, 2, 29),
        date(2025, 2, 28),
    ]


def test_recurrence_until_is_inclusive() -> None:
    first = before(2024, 6, 5)
    got = recurring_deadlines(first, Every.HALF_YEAR, until=date(2025, 6, 5))
    assert [d.day for d in got] == [date(2024, 6, 5), date(2024, 12, 5), date(2025, 6, 5)]
    got = recurring_deadlines(first, Every.HALF_YEAR, until=date(2025, 6, 4))
    assert [d.day for d in got] == [date(2024, 6, 5), date(2024, 12, 5)]
    assert recurring_deadlines(first, Every.MONTH, until=date(2024, 6, 4)) == []


def test_recurrence_needs_exactly_one_bound_and_is_capped() -> None:
    first = before(2024, 6, 5)
    with pytest.raises(ValueError):
        recurring_deadlines(first, Every.MONTH)
    with pytest.raises(ValueError):
        recurring_deadlines(first, Every.MONTH, count=2, until=date(2025, 1, 1))
    with pytest.raises(ValueError):
        recurring_deadlines(first, Every.MONTH, count=1001)
    with pytest.raises(ValueError):
        recurring_deadlines(first, Every.MONTH, until=date(2200, 1, 1))
    assert len(recurring_deadlines(first, Every.MONTH, count=1000)) == 1000


# --- Cut-off periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("every", "year", "index", "expected"),
    [
        (Every.MONTH, 2025, 1, Period("2025-01", date(2024, 12, 15), date(2025, 1, 14))),
        (Every.MONTH, 2024, 3, Period("2024-03", date(2024, 2, 15), date(2024, 3, 14))),
        (Every.MONTH, 2024, 12, Period("2024-12", date(2024, 11, 15), date(2024, 12, 14))),
        (Every.QUARTER, 2025, 1, Period("2025-Q1", date(2024, 12, 15), date(2025, 3, 14))),
        (Every.QUARTER, 2025, 4, Period("2025-Q4", date(2025, 9, 15), date(2025, 12, 14))),
        (Every.HALF_YEAR, 2024, 1, Period("2024-H1", date(2023, 12, 15), date(2024, 6, 14))),
        (Every.HALF_YEAR, 2024, 2, Period("2024-H2", date(2024, 6, 15), date(2024, 12, 14))),
        (Every.YEAR, 2024, 1, Period("2024", date(2023, 12, 15), date(2024, 12, 14))),
    ],
)
def test_periods_with_cutoff_15(every: Every, year: int, index: int, expected: Period) -> None:
    got = standard_period(every, year, index, 15)
    assert (got.key, got.start, got.end, got.every) == (
        expected.key,
        expected.start,
        expected.end,
        every,
    )


@pytest.mark.parametrize(
    ("every", "year", "index", "start", "end"),
    [
        (Every.MONTH, 2024, 2, date(2024, 2, 1), date(2024, 2, 29)),
        (Every.MONTH, 2025, 12, date(2025, 12, 1), date(2025, 12, 31)),
        (Every.QUARTER, 2025, 2, date(2025, 4, 1), date(2025, 6, 30)),
        (Every.HALF_YEAR, 2025, 2, date(2025, 7, 1), date(2025, 12, 31)),
        (Every.YEAR, 2025, 1, date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_periods_with_cutoff_1_are_calendar_periods(
    every: Every, year: int, index: int, start: date, end: date
) -> None:
    got = standard_period(every, year, index, 1)
    assert (got.start, got.end) == (start, end)


def test_period_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        standard_period(Every.MONTH, 2025, 1, 29)
    with pytest.raises(ValueError):
        standard_period(Every.MONTH, 2025, 1, 0)
    with pytest.raises(ValueError):
        standard_period(Every.QUARTER, 2025, 5, 15)
    with pytest.raises(ValueError):
        standard_period(Every.YEAR, 2025, 2, 15)


@pytest.mark.parametrize(
    ("every", "day", "key"),
    [
        (Every.HALF_YEAR, date(2024, 6, 4), "2024-H1"),
        (Every.MONTH, date(2025, 1, 19), "2025-01"),
        (Every.QUARTER, date(2025, 4, 19), "2025-Q1"),
        (Every.YEAR, date(2024, 11, 14), "2024"),
        (Every.HALF_YEAR, date(2024, 12, 31), "2024-H2"),
        # 30/07/2024 lies 46 days after 14/06 and 46 days before 14/09: the earlier end wins.
        (Every.QUARTER, date(2024, 7, 30), "2024-Q2"),
    ],
)
def test_period_near(every: Every, day: date, key: str) -> None:
    assert period_near(every, day, 15).key == key


def test_period_near_with_calendar_periods() -> None:
    assert period_near(Every.MONTH, date(2025, 2, 3), 1).key == "2025-01"
    assert period_near(Every.QUARTER, date(2025, 4, 20), 1).key == "2025-Q1"


def test_cutoff_too_late(cal: WorkingCalendar) -> None:
    january = standard_period(Every.MONTH, 2025, 1, 15)  # ends Tue 14/01/2025
    assert cutoff_too_late(january, date(2025, 1, 14), cal)
    assert not cutoff_too_late(january, date(2025, 1, 15), cal)
    june = standard_period(Every.MONTH, 2024, 6, 15)  # ends Fri 14/06/2024
    assert cutoff_too_late(june, date(2024, 6, 16), cal)  # only a weekend in between
    assert not cutoff_too_late(june, date(2024, 6, 17), cal)
    # The seed plan's half-year report (last day 04/06/2024) precedes the 14/06 cut-off.
    assert cutoff_too_late(standard_period(Every.HALF_YEAR, 2024, 1, 15), date(2024, 6, 4), cal)


# --- Reminders for the seed plan -------------------------------------------------------------


def planned(deadline: Deadline, cal: WorkingCalendar) -> tuple[dict[str, date], date | None]:
    reminders, overdue_from = plan_reminders(
        SEED_RULES, deadline, tz=TZ, calendar=cal, reminder_time=EIGHT
    )
    for reminder in reminders:
        assert reminder.at.tzinfo == TZ
        assert reminder.at.time() == EIGHT
        assert not reminder.exact
    assert [r.at for r in reminders] == sorted(r.at for r in reminders)
    return {r.rule_key: r.at.date() for r in reminders}, overdue_from


@pytest.mark.parametrize(
    ("deadline", "expected", "overdue_from"),
    [
        pytest.param(
            before(2024, 6, 5),  # last day Tue 04/06/2024
            {
                "7d": date(2024, 5, 28),
                "3wd": date(2024, 5, 30),
                "1d": date(2024, 6, 3),
                "last_day": date(2024, 6, 4),
            },
            date(2024, 6, 5),
            id="units-half-year",
        ),
        pytest.param(
            before(2024, 11, 15),  # last day Thu 14/11/2024
            {
                "7d": date(2024, 11, 7),
                "3wd": date(2024, 11, 11),
                "1d": date(2024, 11, 13),
                "last_day": date(2024, 11, 14),
            },
            date(2024, 11, 15),
            id="units-annual",
        ),
        pytest.param(
            before(2024, 6, 10),  # last day Sun 09/06/2024
            {
                "7d": date(2024, 5, 31),  # Sun 02/06 -> Fri 31/05
                "3wd": date(2024, 6, 4),  # counted back from Fri 07/06
                "1d": date(2024, 6, 7),  # Sat 08/06 -> Fri 07/06
                # last_day: Sun 09/06 -> Fri 07/06 08:00, the same moment as 1d: merged into it
            },
            date(2024, 6, 10),
            id="office-half-year",
        ),
        pytest.param(
            before(2024, 11, 20),  # last day Tue 19/11/2024
            {
                "7d": date(2024, 11, 12),
                "3wd": date(2024, 11, 14),
                "1d": date(2024, 11, 18),
                "last_day": date(2024, 11, 19),
            },
            date(2024, 11, 20),
            id="office-annual",
        ),
    ],
)
def test_seed_plan_reminders(
    cal: WorkingCalendar, deadline: Deadline, expected: dict[str, date], overdue_from: date
) -> None:
    assert planned(deadline, cal) == (expected, overdue_from)


def test_reminders_at_the_same_moment_are_merged_into_the_first_rule(
    cal: WorkingCalendar,
) -> None:
    # Office half-year: 1d and last_day both land on Fri 07/06 at 08:00: one reminder, not two.
    reminders, _ = plan_reminders(
        SEED_RULES, before(2024, 6, 10), tz=TZ, calendar=cal, reminder_time=EIGHT
    )
    assert [r.rule_key for r in reminders] == ["7d", "3wd", "1d"]
    assert reminders[-1].at == datetime(2024, 6, 7, 8, 0, tzinfo=TZ)


def test_no_overdue_rule_means_no_overdue_from(cal: WorkingCalendar) -> None:
    _, overdue_from = plan_reminders(
        SEED_RULES[:4], before(2024, 6, 5), tz=TZ, calendar=cal, reminder_time=EIGHT
    )
    assert overdue_from is None


def test_overdue_from_skips_a_holiday(cal: WorkingCalendar) -> None:
    # Due on Fri 26/04/2024: a weekend, then 29/04-01/05 off, so overdue starts Thu 02/05.
    deadline = Deadline(DueKind.ON, date(2024, 4, 26))
    _, overdue_from = plan_reminders(SEED_RULES, deadline, tz=TZ, calendar=cal, reminder_time=EIGHT)
    assert overdue_from == date(2024, 5, 2)


def test_overdue_days(cal: WorkingCalendar) -> None:
    assert overdue_days(date(2024, 6, 5), date(2024, 6, 11), cal) == [
        date(2024, 6, 5),
        date(2024, 6, 6),
        date(2024, 6, 7),
        date(2024, 6, 10),
        date(2024, 6, 11),
    ]
    assert overdue_days(date(2024, 6, 5), date(2024, 6, 4), cal) == []


# --- Reminders that move to the previous working day -----------------------------------------


def one(rule: ReminderRule, deadline: Deadline, cal: WorkingCalendar) -> PlannedReminder:
    reminders, _ = plan_reminders([rule], deadline, tz=TZ, calendar=cal, reminder_time=EIGHT)
    assert len(reminders) == 1
    return reminders[0]


def test_a_saturday_reminder_goes_out_on_friday(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.DAYS_BEFORE, "2d", amount=2)
    # Due before Tue 11/06/2024: last day Mon 10/06, minus 2 days is Sat 08/06.
    assert one(rule, before(2024, 6, 11), cal).at == local(2024, 6, 7, 8, 0)


def test_a_reminder_on_30_april_goes_out_on_29_april(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.AT, "at-2025-04-30", at_date=date(2025, 4, 30))
    assert one(rule, before(2025, 5, 10), cal).at == local(2025, 4, 29, 8, 0)


def test_a_reminder_in_tet_goes_out_before_tet(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.DAYS_BEFORE, "7d", amount=7)
    # Due before Thu 06/02/2025: last day Wed 05/02, minus 7 days is Wed 29/01 (mùng 1 Tết).
    assert one(rule, before(2025, 2, 6), cal).at == local(2025, 1, 24, 8, 0)


def test_working_days_before_skips_tet(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.WORKING_DAYS_BEFORE, "3wd", amount=3)
    # Last day Wed 05/02/2025; back 3 working days: Tue 04/02, Mon 03/02, Fri 24/01.
    assert one(rule, before(2025, 2, 6), cal).at == local(2025, 1, 24, 8, 0)


def test_at_with_a_time_is_not_moved(cal: WorkingCalendar) -> None:
    rule = ReminderRule(
        ReminderKind.AT, "at-2024-06-08T09:30", at_date=date(2024, 6, 8), at_time=time(9, 30)
    )
    assert one(rule, before(2024, 6, 10), cal).at == local(2024, 6, 8, 9, 30)


def test_exact_reminder_is_exact_and_never_moved(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.EXACT_BEFORE, "90s", amount=90)
    reminder = one(rule, before(2024, 6, 9), cal)  # due_end Sun 09/06/2024 00:00
    assert reminder == PlannedReminder("90s", local(2024, 6, 8, 23, 58, 30), exact=True)


def test_last_day_reminder_before_an_early_deadline_time(cal: WorkingCalendar) -> None:
    rule = ReminderRule(ReminderKind.LAST_DAY, "last_day")
    early = before(2024, 6, 5, time(7, 30))
    assert one(rule, early, cal).at == local(2024, 6, 5, 6, 30)
    late = before(2024, 6, 5, time(17, 0))
    assert one(rule, late, cal).at == local(2024, 6, 5, 8, 0)


def test_reminder_after_deadline_is_reported_and_left_out(cal: WorkingCalendar) -> None:
    deadline = before(2024, 6, 5)
    after = ReminderRule(ReminderKind.AT, "at-2024-06-06", at_date=date(2024, 6, 6))
    ok = ReminderRule(ReminderKind.DAYS_BEFORE, "1d", amount=1)
    overdue = ReminderRule(ReminderKind.OVERDUE, "overdue")
    assert reminder_after_deadline(after, deadline, tz=TZ, calendar=cal, reminder_time=EIGHT)
    assert not reminder_after_deadline(ok, deadline, tz=TZ, calendar=cal, reminder_time=EIGHT)
    assert not reminder_after_deadline(overdue, deadline, tz=TZ, calendar=cal, reminder_time=EIGHT)
    reminders, _ = plan_reminders(
        [after, ok, overdue], deadline, tz=TZ, calendar=cal, reminder_time=EIGHT
    )
    assert [r.rule_key for r in reminders] == ["1d"]
