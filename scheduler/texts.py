"""What reminders, chases and summaries say, from the catalog."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import formatting as fmt
from bot.i18n import t
from scheduler.calendar import WorkingCalendar
from scheduler.reminders import InstanceFacts, UnitProgress


def when(fact: InstanceFacts, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar) -> str:
    """Days left, the last day, or working days late."""
    today = now.astimezone(tz).date()
    if now >= fact.due_end:
        late = calendar.working_days_between(fact.last_day, today)
        return t("reminder-late-days", days=late) if late else t("reminder-late-today")
    left = (fact.last_day - today).days
    if left <= 0:
        return t("reminder-last-day", deadline=fmt.moment(fact.due_end, tz))
    return t("reminder-days-left", days=left)


def received(unit: UnitProgress, tz: ZoneInfo) -> str:
    if unit.latest_at is None:
        return t("reminder-nothing-received")
    return t("reminder-received", versions=unit.versions, at=fmt.moment(unit.latest_at, tz))


def unit_reminder(
    fact: InstanceFacts, unit: UnitProgress, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar
) -> str:
    return t(
        "reminder",
        report=fact.report_name,
        unit=unit.unit_name,
        deadline=fmt.deadline(fact.deadline),
        when=when(fact, now, tz, calendar),
        received=received(unit, tz),
    )


def late_units(fact: InstanceFacts, today: date, calendar: WorkingCalendar) -> str:
    days = calendar.working_days_between(fact.last_day, today)
    lines = [
        t(
            "late-list-title",
            report=fact.report_name,
            deadline=fmt.deadline(fact.deadline),
            count=len(fact.missing()),
            total=len(fact.units),
            days=days,
        )
    ]
    lines += [t("late-list-unit", unit=unit.unit_name) for unit in fact.missing()]
    return "\n".join(lines)


def escalation(fact: InstanceFacts, today: date, calendar: WorkingCalendar) -> str:
    return t("escalation-title") + "\n" + late_units(fact, today, calendar)


def ready(fact: InstanceFacts, compiled: list[str]) -> str:
    return t(
        "ready",
        report=fact.report_name,
        count=len(fact.units),
        compiled=", ".join(compiled),
    )
