"""Which reminders a plan implies, and what to do with one when its time comes. Pure rules.

Reminders are rows (see docs in storage.reminders): this module says which rows should exist
and, for a claimed row, whether to send it now, later, or not at all. It knows no database,
no chat platform and no scheduler library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.plan.model import (
    Deadline,
    Plan,
    PlannedReminder,
    PlanSettings,
    ReminderKind,
    SummaryMoment,
    UnitType,
)
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.deadlines import is_late


class Kind(StrEnum):
    """Who a reminder row speaks to, and why."""

    UNIT = "unit"  # a unit's heads, before or on the deadline day (rule key from the plan)
    OVERDUE = "overdue"  # a unit's heads, every working day while it is late
    SUMMARY = "summary"  # the office: where a report stands, on reminder days and after
    LATE_LIST = "late_list"  # the office: who is late, every working day after the deadline
    ESCALATION = "escalation"  # leadership: who is late, from N working days late
    DIGEST = "digest"  # leadership: daily, while a report they receive is open
    READY = "ready"  # the office: every unit has reported, the compiled report can start


UNIT_KINDS = frozenset({Kind.UNIT, Kind.OVERDUE})  # spoken to a unit's heads about the unit
DAILY_KINDS = frozenset({Kind.OVERDUE, Kind.LATE_LIST, Kind.ESCALATION, Kind.DIGEST})
PLANTED_KINDS = frozenset({Kind.UNIT, Kind.SUMMARY})
EXACT_RULE = re.compile(r"^\d+s$")
STALE_SUMMARY = timedelta(hours=12)
# The closing summary goes this long before the end of the last working day: inside working
# hours (a summary at the very end would wait for the next morning and arrive beside the
# day-after one), with time left to phone the units still missing.
CLOSING_LEAD = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class UnitProgress:
    unit_key: str
    unit_name: str
    versions: int = 0
    latest_at: datetime | None = None
    first_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.versions > 0


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    """What the rules need to know about one report instance, as stored now."""

    instance_id: int
    report_key: str
    report_name: str
    instance_key: str
    deadline: Deadline
    due_end: datetime
    last_day: date
    receiver_key: str
    receiver_type: UnitType
    escalate_after_days: int
    units: tuple[UnitProgress, ...]
    _by_key: dict[str, UnitProgress] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {unit.unit_key: unit for unit in self.units})

    def missing(self) -> list[UnitProgress]:
        return [unit for unit in self.units if not unit.submitted]

    def unit(self, key: str) -> UnitProgress | None:
        return self._by_key.get(key)


@dataclass(frozen=True, slots=True)
class PlannedRow:
    instance_id: int
    unit_key: str | None
    kind: Kind
    rule_key: str
    due_at: datetime
    expires_at: datetime | None = None  # no use planting it from then on (a unit's deadline)


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A row claimed by this process: send it, then mark it sent while the claim holds."""

    id: int
    instance_id: int
    unit_key: str | None
    kind: Kind
    rule_key: str
    due_at: datetime
    attempts: int = 0

    @property
    def exact(self) -> bool:
        """Exact short offsets (`90s`) ignore working hours, for demos and tests."""
        return self.kind is Kind.UNIT and bool(EXACT_RULE.match(self.rule_key))

    @property
    def day(self) -> date | None:
        """The local day a daily row is for ("overdue:2024-06-05")."""
        _, _, text = self.rule_key.partition(":")
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


def calendar_of(plan: Plan) -> WorkingCalendar:
    return WorkingCalendar(days_off=plan.calendar.days_off, makeup_days=plan.calendar.makeup_days)


def planted_rows(
    plan: Plan,
    ids: Mapping[tuple[str, str], int],
    submitted: Mapping[int, frozenset[str]],
    calendar: WorkingCalendar,
) -> list[PlannedRow]:
    """The rows a plan implies ahead of time: unit reminders and the office's summaries.

    Units that already sent something get no reminder rows for that instance.
    """
    tz = ZoneInfo(plan.organisation.timezone)
    settings = plan.settings
    rows: list[PlannedRow] = []
    for report in plan.reports:
        for instance in report.instances:
            instance_id = ids.get((report.key, instance.key))
            if instance_id is None:
                continue
            done = submitted.get(instance_id, frozenset())
            for reminder in instance.reminders:
                for unit in report.submitters:
                    if unit not in done:
                        rows.append(
                            PlannedRow(
                                instance_id,
                                unit,
                                Kind.UNIT,
                                reminder.rule_key,
                                reminder.at,
                                expires_at=instance.due_end,
                            )
                        )
            for moment in summary_moments(
                instance.reminders, instance.last_day, instance.due_end, tz, calendar, settings
            ):
                key = f"summary:{moment.astimezone(tz).strftime('%Y-%m-%dT%H:%M')}"
                # Past its use once stale: a plan applied after it plants no such row.
                rows.append(
                    PlannedRow(
                        instance_id,
                        None,
                        Kind.SUMMARY,
                        key,
                        moment,
                        expires_at=moment + STALE_SUMMARY,
                    )
                )
    return rows


def summary_moments(
    reminders: Iterable[PlannedReminder],
    last_day: date,
    due_end: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    settings: PlanSettings,
) -> list[datetime]:
    """The plan's summary moments: by default reminder days at the summary time, the deadline,
    and the first working day after it."""
    at = settings.summary_time or settings.reminder_time
    moments: set[datetime] = set()
    if SummaryMoment.REMINDER_DAYS in settings.summaries:
        for reminder in reminders:
            if not reminder.exact:
                moments.add(datetime.combine(reminder.at.astimezone(tz).date(), at, tz))
    if SummaryMoment.DEADLINE in settings.summaries:
        closing_day = calendar.previous_working_day(last_day)
        closing = datetime.combine(closing_day, settings.work_end, tz) - CLOSING_LEAD
        moments.add(min(closing, due_end))
    if SummaryMoment.DAY_AFTER in settings.summaries:
        after = calendar.next_working_day(last_day, inclusive=False)
        moments.add(datetime.combine(after, at, tz))
    return sorted(moments)


def daily_rows(
    plan: Plan, facts: Iterable[InstanceFacts], *, now: datetime, calendar: WorkingCalendar
) -> list[PlannedRow]:
    """Today's rows for late units, the office's late list, escalation and leadership's digest."""
    tz = ZoneInfo(plan.organisation.timezone)
    today = now.astimezone(tz).date()
    if not calendar.is_working_day(today):
        return []
    at = datetime.combine(today, plan.settings.reminder_time, tz)
    day = today.isoformat()
    chases = {
        report.key
        for report in plan.reports
        if any(rule.kind is ReminderKind.OVERDUE for rule in report.reminder_rules)
    }
    late_lists = {report.key for report in plan.reports if report.late_list}
    rows: list[PlannedRow] = []
    for fact in facts:
        missing = fact.missing()
        late = is_late(now, fact.due_end)
        if late and missing:
            if fact.report_key in chases:
                rows.extend(
                    PlannedRow(fact.instance_id, unit.unit_key, Kind.OVERDUE, f"overdue:{day}", at)
                    for unit in missing
                )
            if fact.report_key in late_lists:
                rows.append(PlannedRow(fact.instance_id, None, Kind.LATE_LIST, f"late:{day}", at))
            days_late = calendar.working_days_between(fact.last_day, today)
            if 0 < fact.escalate_after_days <= days_late:
                rows.append(
                    PlannedRow(fact.instance_id, None, Kind.ESCALATION, f"escalate:{day}", at)
                )
        if (
            fact.receiver_type is UnitType.LEADERSHIP
            and (missing or not late)
            and today >= digest_from(plan, fact, tz)
        ):
            rows.append(PlannedRow(fact.instance_id, None, Kind.DIGEST, f"digest:{day}", at))
    return rows


DIGEST_LEAD = timedelta(days=7)


def digest_from(plan: Plan, fact: InstanceFacts, tz: ZoneInfo) -> date:
    """The first day leadership's daily digest speaks of an instance: its first reminder day,
    when the season of that report begins; a week before its last day if it has none. Not the
    day the plan was applied: a digest every day for months about a report due in November
    teaches leaders to skip it."""
    for report in plan.reports:
        if report.key != fact.report_key:
            continue
        for instance in report.instances:
            if instance.key == fact.instance_key and instance.reminders:
                return min(r.at.astimezone(tz).date() for r in instance.reminders)
    return fact.last_day - DIGEST_LEAD


def ready_rows(
    plan: Plan, facts: Mapping[str, list[InstanceFacts]], *, now: datetime
) -> list[PlannedRow]:
    """A READY row for every dependency instance of a cascade whose units have all reported."""
    dependencies = {key for report in plan.reports for key in report.depends_on}
    rows: list[PlannedRow] = []
    for key in dependencies:
        for fact in facts.get(key, []):
            if fact.units and not fact.missing():
                rows.append(PlannedRow(fact.instance_id, None, Kind.READY, "ready", now))
    return rows


class Outcome(StrEnum):
    """How a claimed row ends (the reminder table's status values)."""

    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    MISSED = "missed"


class Verdict(StrEnum):
    SEND = "send"
    LATER = "later"  # outside working hours: put back until the next working moment
    SKIP = "skip"  # no longer useful (superseded, or too old)
    CANCEL = "cancel"  # the unit has reported
    MISS = "miss"  # a "before" reminder that can no longer reach the unit before its deadline


class MissReason(StrEnum):
    """Why a "before" reminder was missed (the row's note, for the Office)."""

    DEADLINE_PASSED = "deadline_passed"  # not sent before the deadline: bot down, platform down
    AFTER_HOURS = "after_hours"  # sendable only after working hours, the next morning too late


def in_working_hours(
    now: datetime, tz: ZoneInfo, calendar: WorkingCalendar, settings: PlanSettings
) -> bool:
    local = now.astimezone(tz)
    return (
        calendar.is_working_day(local.date())
        and settings.work_start <= local.time() < settings.work_end
    )


def next_working_moment(
    now: datetime, tz: ZoneInfo, calendar: WorkingCalendar, settings: PlanSettings
) -> datetime:
    """The start of the next working window at or after `now`."""
    local = now.astimezone(tz)
    day = local.date()
    if calendar.is_working_day(day) and local.time() < settings.work_start:
        return datetime.combine(day, settings.work_start, tz)
    if in_working_hours(now, tz, calendar, settings):
        return now
    return datetime.combine(
        calendar.next_working_day(day, inclusive=False), settings.work_start, tz
    )


def decide(
    reminder: DueReminder,
    fact: InstanceFacts | None,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    settings: PlanSettings,
) -> tuple[Verdict, datetime | None]:
    """What to do with a claimed row now; for LATER, when to try again."""
    if fact is None:  # the instance was archived
        return Verdict.SKIP, None
    unit = fact.unit(reminder.unit_key) if reminder.unit_key else None
    if reminder.kind in UNIT_KINDS and (unit is None or unit.submitted):
        return Verdict.CANCEL, None
    if reminder.kind is Kind.UNIT and is_late(now, fact.due_end):
        return Verdict.MISS, None  # a "before" reminder after the deadline: a chase says it
    if reminder.kind in DAILY_KINDS:
        if reminder.day is None or now.astimezone(tz).date() > reminder.day:
            return Verdict.SKIP, None  # yesterday's chase; today's row says the same, fresher
        if reminder.kind in (Kind.LATE_LIST, Kind.ESCALATION) and not fact.missing():
            return Verdict.SKIP, None
    if reminder.kind is Kind.SUMMARY and now - reminder.due_at > STALE_SUMMARY:
        return Verdict.SKIP, None
    if reminder.exact or in_working_hours(now, tz, calendar, settings):
        return Verdict.SEND, None
    later = next_working_moment(now, tz, calendar, settings)
    if reminder.kind is Kind.UNIT and is_late(later, fact.due_end):
        return Verdict.MISS, None  # it would only arrive after the deadline
    return Verdict.LATER, later


def miss_reason(fact: InstanceFacts, *, now: datetime) -> MissReason:
    if is_late(now, fact.due_end):
        return MissReason.DEADLINE_PASSED
    return MissReason.AFTER_HOURS


def missed_chase(
    reminder: DueReminder,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar,
    settings: PlanSettings,
) -> PlannedRow:
    """The chase that stands in for a missed "before" reminder: one overdue reminder at the
    next working moment (now, in working hours).

    It bears that day's daily key, so where the plan chases late units every day it is the
    plan's own chase for that day (one row, one message); where the plan does not, the unit is
    still told once that the deadline has passed, since the reminder it was promised never
    came, and no daily chase begins."""
    at = next_working_moment(now, tz, calendar, settings)
    day = at.astimezone(tz).date().isoformat()
    return PlannedRow(reminder.instance_id, reminder.unit_key, Kind.OVERDUE, f"overdue:{day}", at)
