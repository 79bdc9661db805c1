"""What reminders, chases and summaries say, from the catalog."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.plan.model import Deadline
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.deadlines import is_late
from bot.core.rules.reminders import InstanceFacts, UnitProgress


def when(fact: InstanceFacts, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar) -> str:
    """Days left, the last day, or working days late."""
    return _when(
        fact.due_end,
        fact.last_day,
        now.astimezone(tz).date(),
        is_late(now, fact.due_end),
        tz,
        calendar,
    )


# The parts of a reminder shared by every unit of a fan-out are worded once (per day).
@lru_cache(maxsize=256)
def _when(
    due_end: datetime,
    last_day: date,
    today: date,
    past: bool,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
) -> str:
    if past:
        late = calendar.working_days_between(last_day, today)
        return t("reminder-late-days", days=late) if late else t("reminder-late-today")
    left = (last_day - today).days
    if left <= 0:
        return t("reminder-last-day", deadline=fmt.moment(due_end, tz))
    return t("reminder-days-left", days=left)


@lru_cache(maxsize=256)
def _deadline(deadline: Deadline) -> str:
    return fmt.deadline(deadline)


@lru_cache(maxsize=256)
def _received(versions: int, latest_at: datetime | None, tz: ZoneInfo) -> str:
    if latest_at is None:
        return t("reminder-nothing-received")
    return t("reminder-received", versions=versions, at=fmt.moment(latest_at, tz))


def received(unit: UnitProgress, tz: ZoneInfo) -> str:
    return _received(unit.versions, unit.latest_at, tz)


def unit_reminder(
    fact: InstanceFacts, unit: UnitProgress, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar
) -> str:
    template = _reminder(fact.report_name, _deadline(fact.deadline), when(fact, now, tz, calendar))
    return template.replace(_UNIT, unit.unit_name).replace(_RECEIVED, received(unit, tz))


# A fan-out words the same reminder for hundreds of units: the catalog formats it once, with
# markers where each unit's name and progress go (plain text, chosen by nothing in the message).
_UNIT, _RECEIVED = "\x00unit\x00", "\x00received\x00"


@lru_cache(maxsize=256)
def _reminder(report: str, deadline: str, when: str) -> str:
    return t(
        "reminder", report=report, unit=_UNIT, deadline=deadline, when=when, received=_RECEIVED
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
