"""Domain model of a checked plan: units, reports, deadlines, periods and reminder rules.

Pure data: no I/O, no chat library, no ORM. The loader (`bot.core.plan.loader`) builds these from a
plan file; `scheduler` turns them into dates; `storage` persists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class UnitType(StrEnum):
    """What a unit is to the reporting flow."""

    UNIT = "unit"  # a sub-department or unit that submits reports
    OFFICE = "office"  # the Office that collects and compiles
    LEADERSHIP = "leadership"  # the department's leadership, receives summaries


class ReportKind(StrEnum):
    """Decree 09/2019 kinds of report."""

    PERIODIC = "dinh-ky"
    THEMATIC = "chuyen-de"
    AD_HOC = "dot-xuat"


class Role(StrEnum):
    """What a contact does for their unit."""

    HEAD = "head"  # a unit's contact person: receives reminders, submits
    OFFICE = "office"  # office staff: watches status, runs office commands
    LEADER = "leader"  # leadership: receives summaries


class DueKind(StrEnum):
    """How a deadline date is read."""

    BEFORE = "before"  # "before D": the last moment is the day before D, 23:59:59
    ON = "on"  # "on D": the whole of D is still on time


class Every(StrEnum):
    """Recurrence of a periodic report, and the kind of its data cut-off period."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as the plan states it: a date read as `before` or `on`, with an optional time.

    `before` + time T: on time while strictly earlier than D at T.
    `on` + time T: on time up to and including D at T (to the second).
    """

    kind: DueKind
    day: date
    at: time | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A data cut-off period (Decree 09/2019), both ends inclusive.

    `key` identifies the period within its report and never changes when the deadline moves:
    "2025-01" (month), "2025-Q1", "2025-H1", "2025" (year), or "custom" for dates the plan gives.
    """

    key: str
    start: date
    end: date
    every: Every | None = None  # None for a period the plan gives as explicit dates


class ReminderKind(StrEnum):
    """The kinds of reminder rule a plan can list."""

    DAYS_BEFORE = "days"  # `7d`: calendar days before the last day, at the reminder time
    WORKING_DAYS_BEFORE = "working_days"  # `3wd`: working days before the last day
    EXACT_BEFORE = "exact"  # `2h`, `90s`, `30m`: that long before the deadline moment
    LAST_DAY = "last_day"  # on the last day, at the reminder time
    OVERDUE = "overdue"  # every working day after the deadline while the unit is late
    AT = "at"  # a fixed local date (at the reminder time) or date and time


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """One entry of a report's reminder schedule.

    `key` is stable and unique within a report ("7d", "3wd", "90s", "last_day", "overdue",
    "at-2024-06-01T08:00"); it is part of a reminder row's identity.
    """

    kind: ReminderKind
    key: str
    amount: int = 0  # days for DAYS/WORKING_DAYS, seconds for EXACT
    at_date: date | None = None  # for AT
    at_time: time | None = None  # for AT with a time


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder resolved to a moment (timezone-aware, in the plan's timezone)."""

    rule_key: str
    at: datetime
    exact: bool = False  # exact offsets ignore working hours (for demos and tests)


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """One occurrence of a report: its period, its deadline and its reminders before the deadline.

    `key` is stable across plan edits: "once" for a one-off report, else the period key.
    `due_end` is the first moment that is late (timezone-aware, plan timezone).
    `overdue_from` is the first working day after the last day, when overdue reminders start.
    """

    key: str
    deadline: Deadline
    due_end: datetime
    last_day: date
    period: Period | None
    reminders: tuple[PlannedReminder, ...]
    overdue_from: date | None


@dataclass(frozen=True, slots=True)
class UnitSpec:
    key: str
    name: str
    short_name: str
    type: UnitType = UnitType.UNIT


@dataclass(frozen=True, slots=True)
class ReportSpec:
    key: str
    name: str
    kind: ReportKind
    submitters: tuple[str, ...]  # unit keys
    receiver: str  # unit key
    forward_files: bool
    depends_on: tuple[str, ...]  # report keys this one compiles (a cascade)
    reminder_rules: tuple[ReminderRule, ...]
    instances: tuple[InstanceSpec, ...]
    every: Every | None = None  # recurrence, None for a one-off report
    escalate_after_days: int = 3  # working days late before leadership is told
    late_list: bool = True  # the office group gets the late units each working day


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    short_name: str
    timezone: str  # IANA name, e.g. Asia/Ho_Chi_Minh


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """The plan's changes to the national calendar for the years it covers."""

    days_off: frozenset[date] = frozenset()  # extra days off, days off in lieu
    makeup_days: frozenset[date] = frozenset()  # weekend days worked (make-up days)


class SummaryMoment(StrEnum):
    """When the office gets a report's status summary."""

    REMINDER_DAYS = "reminder_days"  # each day a unit reminder goes out, at the summary time
    DEADLINE = "deadline"  # at the close of the last working day (or the deadline's own time)
    DAY_AFTER = "day_after"  # the first working day after the deadline, at the summary time


ALL_SUMMARIES = frozenset(SummaryMoment)


@dataclass(frozen=True, slots=True)
class PlanSettings:
    reminder_time: time = time(8, 0)
    work_start: time = time(7, 30)
    work_end: time = time(17, 0)
    cutoff_day: int = 15  # Decree 09/2019: periods run from the 15th to the 14th
    summaries: frozenset[SummaryMoment] = ALL_SUMMARIES
    summary_time: time | None = None  # None: the reminder time


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """Something legal but probably unintended; shown by `plan check`, never blocks."""

    key: str  # message catalog key
    args: dict[str, str | int] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    organisation: Organisation
    calendar: CalendarSpec
    settings: PlanSettings
    units: tuple[UnitSpec, ...]
    reports: tuple[ReportSpec, ...]
    warnings: tuple[PlanWarning, ...] = ()
    source: str = ""  # the plan file's text, stored so that the applied plan can be shown
    digest: str = ""  # SHA-256 of the source
    data: str = ""  # the file's content as JSON: rebuilding the plan from it skips YAML parsing

    def unit(self, key: str) -> UnitSpec:
        for unit in self.units:
            if unit.key == key:
                return unit
        raise KeyError(key)
