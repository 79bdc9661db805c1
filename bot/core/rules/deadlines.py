"""Deadline rules: last moments, recurrence, data cut-off periods and reminder planning."""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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

MAX_INSTANCES = 1000
MONTHS_PER: dict[Every, int] = {
    Every.MONTH: 1,
    Every.QUARTER: 3,
    Every.HALF_YEAR: 6,
    Every.YEAR: 12,
}
PERIODS_PER_YEAR: dict[Every, int] = {every: 12 // months for every, months in MONTHS_PER.items()}
# When a deadline has an early time, the last-day reminder must still come before it.
LAST_DAY_MARGIN = timedelta(hours=1)


# --- Deadlines -------------------------------------------------------------------------------


def _has_time(deadline: Deadline) -> bool:
    # "before D at 00:00" is the same moment as "before D", so it reads as a plain date.
    return deadline.at is not None and deadline.at != time(0)


def last_day(deadline: Deadline) -> date:
    """The last day on which a report is still on time."""
    if deadline.kind is DueKind.BEFORE and not _has_time(deadline):
        return deadline.day - timedelta(days=1)
    return deadline.day


def due_end(deadline: Deadline, tz: ZoneInfo) -> datetime:
    """The first late moment, aware in `tz`."""
    if deadline.kind is DueKind.BEFORE:
        return datetime.combine(deadline.day, deadline.at or time(0), tzinfo=tz)
    if deadline.at is None:
        return datetime.combine(deadline.day + timedelta(days=1), time(0), tzinfo=tz)
    # "on D at T" keeps the whole second T on time.
    return datetime.combine(deadline.day, deadline.at, tzinfo=tz) + timedelta(seconds=1)


def is_late(submitted_at: datetime, end: datetime) -> bool:
    return submitted_at >= end


def lateness(submitted_at: datetime, end: datetime) -> timedelta | None:
    """How late a submission is (zero at the first late moment), or None when on time."""
    return submitted_at - end if is_late(submitted_at, end) else None


def unit_lateness(first_at: datetime | None, end: datetime, now: datetime) -> timedelta | None:
    """How late a unit stands on one deadline, or None while it is on time.

    A unit that sent something is judged by its first version (`first_at`), so a correction
    never makes an on-time report late nor a late one on time. A unit that sent nothing is
    still within the deadline before `end` and missing from then on, late by `now - end`.
    """
    return lateness(now if first_at is None else first_at, end)


# --- Recurrence ------------------------------------------------------------------------------


def _add_months(d: date, months: int, day_of_month: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day_of_month, stdlib_calendar.monthrange(year, month)[1]))


def recurring_deadlines(
    first: Deadline, every: Every, *, count: int | None = None, until: date | None = None
) -> list[Deadline]:
    """`first`, then the same deadline every month, quarter, half year or year.

    The day of month is the original one, clamped to short months (31/01, 28/02, 31/03).
    Give exactly one of `count` (at least 1) or `until` (inclusive); empty when `until` is
    before the first deadline. More than MAX_INSTANCES instances is a ValueError.
    """
    if (count is None) == (until is None):
        raise ValueError("give exactly one of count and until")
    if count is not None and not 1 <= count <= MAX_INSTANCES:
        raise ValueError(f"count must be between 1 and {MAX_INSTANCES}, not {count}")
    step = MONTHS_PER[every]
    result: list[Deadline] = []
    for i in range(MAX_INSTANCES + 1):
        if count is not None and i == count:
            return result
        day = _add_months(first.day, i * step, first.day.day)
        if until is not None and day > until:
            return result
        if i == MAX_INSTANCES:
            break
        result.append(Deadline(kind=first.kind, day=day, at=first.at))
    raise ValueError(f"more than {MAX_INSTANCES} deadlines until {until}")


# --- Data cut-off periods (Decree 09/2019) ---------------------------------------------------


def _check_cutoff(cutoff_day: int) -> None:
    # Day 29-31 does not exist in every month, so a cut-off there has no fixed meaning.
    if not 1 <= cutoff_day <= 28:
        raise ValueError(f"cutoff day must be between 1 and 28, not {cutoff_day}")


def _period_key(every: Every, year: int, index: int) -> str:
    if every is Every.MONTH:
        return f"{year}-{index:02d}"
    if every is Every.QUARTER:
        return f"{year}-Q{index}"
    if every is Every.HALF_YEAR:
        return f"{year}-H{index}"
    return str(year)


def standard_period(every: Every, key_year: int, index: int, cutoff_day: int = 15) -> Period:
    """The cut-off period `index` (month 1-12, quarter 1-4, half 1-2, year 1) of `key_year`.

    With cutoff day c > 1 the period runs from day c of the month before its first month to
    day c-1 of its last month (Q1 2025 = 15/12/2024-14/03/2025); with c = 1 it is the plain
    calendar month, quarter, half year or year.
    """
    _check_cutoff(cutoff_day)
    if not 1 <= index <= PERIODS_PER_YEAR[every]:
        raise ValueError(f"no {every.value} number {index} in a year")
    months = MONTHS_PER[every]
    first_month = (index - 1) * months + 1
    last_month = first_month + months - 1
    if cutoff_day == 1:
        start = date(key_year, first_month, 1)
        end = _add_months(start, months - 1, 31)
    else:
        start = _add_months(date(key_year, first_month, 1), -1, cutoff_day)
        end = date(key_year, last_month, cutoff_day - 1)
    return Period(_period_key(every, key_year, index), start, end, every)


def period_near(every: Every, day: date, cutoff_day: int = 15) -> Period:
    """The standard period of kind `every` whose end is nearest `day` (the earlier on a tie)."""
    candidates = [
        standard_period(every, year, index, cutoff_day)
        for year in (day.year - 1, day.year, day.year + 1)
        for index in range(1, PERIODS_PER_YEAR[every] + 1)
    ]
    return min(candidates, key=lambda p: (abs((p.end - day).days), p.end))


def cutoff_too_late(period: Period, last_day: date, calendar: WorkingCalendar) -> bool:
    """True when not even one working day lies after the cut-off, up to the last day.

    Decree 09/2019 Art. 8 wants at least one working day between the two.
    """
    return calendar.working_days_between(period.end, last_day) < 1


# --- Reminders -------------------------------------------------------------------------------


def resolve_reminder(
    rule: ReminderRule,
    deadline: Deadline,
    *,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    reminder_time: time,
) -> PlannedReminder | None:
    """The moment a rule fires for a deadline; None for OVERDUE, which repeats after it.

    Date-based reminders that fall on a day off move back to the previous working day, so
    that a reminder due on a Saturday or in the Tet holiday goes out before it, never after.
    """
    end = due_end(deadline, tz)
    last = last_day(deadline)
    day: date
    if rule.kind is ReminderKind.OVERDUE:
        return None
    if rule.kind is ReminderKind.EXACT_BEFORE:
        return PlannedReminder(rule.key, end - timedelta(seconds=rule.amount), exact=True)
    if rule.kind is ReminderKind.AT:
        if rule.at_date is None:
            raise ValueError(f"reminder rule {rule.key!r} has no date")
        if rule.at_time is not None:
            return PlannedReminder(rule.key, datetime.combine(rule.at_date, rule.at_time, tz))
        day = calendar.previous_working_day(rule.at_date)
    elif rule.kind is ReminderKind.WORKING_DAYS_BEFORE:
        # Counted back from the last working day that is still on time.
        day = calendar.add_working_days(calendar.previous_working_day(last), -rule.amount)
    elif rule.kind is ReminderKind.DAYS_BEFORE:
        day = calendar.previous_working_day(last - timedelta(days=rule.amount))
    else:
        day = calendar.previous_working_day(last)
    at = datetime.combine(day, reminder_time, tzinfo=tz)
    if rule.kind is ReminderKind.LAST_DAY and at >= end:
        at = end - LAST_DAY_MARGIN
    return PlannedReminder(rule.key, at)


def reminder_after_deadline(
    rule: ReminderRule,
    deadline: Deadline,
    *,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    reminder_time: time,
) -> bool:
    """True when a rule would fire at or after the first late moment: a plan error to report."""
    planned = resolve_reminder(
        rule, deadline, tz=tz, calendar=calendar, reminder_time=reminder_time
    )
    return planned is not None and planned.at >= due_end(deadline, tz)


def plan_reminders(
    rules: Sequence[ReminderRule],
    deadline: Deadline,
    *,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    reminder_time: time,
) -> tuple[tuple[PlannedReminder, ...], date | None]:
    """The reminders before a deadline, by time (ties in rule order), and `overdue_from`.

    Rules that land on the same moment as an earlier one are merged into it. Rules that resolve
    at or after the deadline are left out (`reminder_after_deadline` lets
    the plan loader report them). `overdue_from` is the first working day after the last day
    when an OVERDUE rule is present, else None.
    """
    end = due_end(deadline, tz)
    planned: list[PlannedReminder] = []
    overdue_from: date | None = None
    for rule in rules:
        if rule.kind is ReminderKind.OVERDUE:
            overdue_from = calendar.next_working_day(last_day(deadline), inclusive=False)
            continue
        reminder = resolve_reminder(
            rule, deadline, tz=tz, calendar=calendar, reminder_time=reminder_time
        )
        if reminder is not None and reminder.at < end:
            planned.append(reminder)
    # sorted() is stable, so reminders at the same moment keep the plan's rule order; of those,
    # only the first is kept: nobody should get two identical reminders at once (a "1d" and a
    # "last_day" both moved back to the Friday before a weekend deadline, say).
    kept: list[PlannedReminder] = []
    for reminder in sorted(planned, key=lambda r: r.at):
        if not kept or kept[-1].at != reminder.at:
            kept.append(reminder)
    return tuple(kept), overdue_from


def overdue_days(overdue_from: date, until: date, calendar: WorkingCalendar) -> list[date]:
    """The working days from `overdue_from` to `until`, both inclusive: overdue reminder dates."""
    return calendar.working_days(overdue_from, until)
