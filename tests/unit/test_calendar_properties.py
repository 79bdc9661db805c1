"""Properties of the working-day calendar and the deadline rules, over many dates: reminder
days are working days, never after the deadline, and move with the deadline, never against it."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import hypothesis_profiles  # noqa: F401 - loads the shared settings profile
from hypothesis import given
from hypothesis import strategies as st

from bot.core.plan.model import Deadline, DueKind, ReminderKind, ReminderRule
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.deadlines import due_end, last_day, resolve_reminder

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NINE = time(9, 0)
CALENDAR = WorkingCalendar()
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
deadlines = st.builds(
    Deadline, kind=st.sampled_from(list(DueKind)), day=days, at=st.none() | st.just(time(17, 0))
)
rules = st.one_of(
    st.integers(1, 30).map(lambda n: ReminderRule(ReminderKind.DAYS_BEFORE, f"{n}d", amount=n)),
    st.integers(1, 15).map(
        lambda n: ReminderRule(ReminderKind.WORKING_DAYS_BEFORE, f"{n}wd", amount=n)
    ),
    st.just(ReminderRule(ReminderKind.LAST_DAY, "last_day")),
)


@given(days)
def test_previous_and_next_working_days_are_working_days_around_the_day(day: date) -> None:
    before = CALENDAR.previous_working_day(day)
    after = CALENDAR.next_working_day(day)
    assert CALENDAR.is_working_day(before) and CALENDAR.is_working_day(after)
    assert before <= day <= after
    # Nothing between them and the day is a working day (else it would have been chosen).
    assert all(
        not CALENDAR.is_working_day(before + timedelta(n))
        for n in range(1, (day - before).days + 1)
    )
    assert (before == day) == CALENDAR.is_working_day(day) == (after == day)


@given(days, st.integers(-20, 20))
def test_adding_working_days_lands_on_a_working_day_and_counts_back(day: date, n: int) -> None:
    start = CALENDAR.previous_working_day(day)
    landed = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(landed)
    assert (landed > start) == (n > 0) and (landed < start) == (n < 0)
    assert CALENDAR.add_working_days(landed, -n) == start


@given(deadlines, rules)
def test_a_date_based_reminder_falls_on_a_working_day_before_the_deadline(
    deadline: Deadline, rule: ReminderRule
) -> None:
    planned = resolve_reminder(rule, deadline, tz=TZ, calendar=CALENDAR, reminder_time=NINE)
    assert planned is not None
    local = planned.at.astimezone(TZ)
    assert CALENDAR.is_working_day(local.date())
    assert local.date() <= last_day(deadline)
    if rule.kind is ReminderKind.LAST_DAY:
        assert planned.at < due_end(deadline, TZ)


@given(deadlines, rules, st.integers(1, 60))
def test_a_later_deadline_never_moves_its_reminder_earlier(
    deadline: Deadline, rule: ReminderRule, shift: int
) -> None:
    later = Deadline(deadline.kind, deadline.day + timedelta(days=shift), deadline.at)
    first = resolve_reminder(rule, deadline, tz=TZ, calendar=CALENDAR, reminder_time=NINE)
    second = resolve_reminder(rule, later, tz=TZ, calendar=CALENDAR, reminder_time=NINE)
    assert first is not None and second is not None
    assert first.at <= second.at


@given(deadlines)
def test_before_means_the_day_before_and_on_means_the_day_itself(deadline: Deadline) -> None:
    """ "trước ngày 05/6" ends on 04/6; "before 05/6 at 17:00" and "on 05/6" end on 05/6."""
    end = due_end(deadline, TZ).astimezone(TZ)
    if deadline.kind is DueKind.BEFORE and deadline.at is None:
        assert last_day(deadline) == deadline.day - timedelta(days=1)
    else:
        assert last_day(deadline) == deadline.day
    assert end.date() in (last_day(deadline), last_day(deadline) + timedelta(days=1))


@given(days, days)
def test_working_days_between_agrees_with_the_listed_days(a: date, b: date) -> None:
    a, b = min(a, b), max(a, b)
    if (b - a).days > 120:
        b = a + timedelta(days=120)
    listed = CALENDAR.working_days(a, b)
    assert all(CALENDAR.is_working_day(d) and a <= d <= b for d in listed)
    assert listed == sorted(set(listed))
