"""Build `Plan` objects directly from the domain dataclasses (no YAML loader involved)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.plan.model import (
    CalendarSpec,
    Deadline,
    DueKind,
    Every,
    InstanceSpec,
    Organisation,
    Period,
    Plan,
    PlanSettings,
    ReminderKind,
    ReminderRule,
    ReportKind,
    ReportSpec,
    UnitSpec,
    UnitType,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ORGANISATION = Organisation(name="Sở Thử nghiệm", short_name="STN", timezone="Asia/Ho_Chi_Minh")
RULES = (
    ReminderRule(kind=ReminderKind.DAYS_BEFORE, key="7d", amount=7),
    ReminderRule(kind=ReminderKind.LAST_DAY, key="last_day"),
    ReminderRule(kind=ReminderKind.OVERDUE, key="overdue"),
)


def unit(key: str, name: str | None = None, type: UnitType = UnitType.UNIT) -> UnitSpec:
    name = name or f"Phòng {key}"
    return UnitSpec(key=key, name=name, short_name=name.split()[-1], type=type)


OFFICE = unit("vp", "Văn phòng Sở", UnitType.OFFICE)
LEADERSHIP = unit("bgd", "Ban Giám đốc", UnitType.LEADERSHIP)


def instance(
    key: str,
    day: date,
    *,
    kind: DueKind = DueKind.BEFORE,
    at: time | None = None,
    period: Period | None = None,
) -> InstanceSpec:
    """An instance whose due_end/last_day follow the model's reading of `before` and `on`."""
    if kind is DueKind.BEFORE:
        due_end = datetime.combine(day, at or time(0), TZ)
        last_day = day if at is not None and at > time(0) else day - timedelta(days=1)
    else:
        end = datetime.combine(day, at, TZ) + timedelta(seconds=1) if at else None
        due_end = end or datetime.combine(day + timedelta(days=1), time(0), TZ)
        last_day = day
    return InstanceSpec(
        key=key,
        deadline=Deadline(kind=kind, day=day, at=at),
        due_end=due_end,
        last_day=last_day,
        period=period,
        reminders=(),
        overdue_from=last_day + timedelta(days=1),
    )


def half_years(year: int) -> tuple[InstanceSpec, ...]:
    """The seed plan's two deadlines: before 05/6 and before 15/11."""
    return (
        instance(
            f"{year}-H1",
            date(year, 6, 5),
            period=Period(f"{year}-H1", date(year - 1, 12, 15), date(year, 6, 14), Every.HALF_YEAR),
        ),
        instance(
            f"{year}-H2",
            date(year, 11, 15),
            period=Period(f"{year}-H2", date(year, 6, 15), date(year, 12, 14), Every.HALF_YEAR),
        ),
    )


def report(
    key: str,
    submitters: Sequence[str],
    *,
    name: str | None = None,
    receiver: str = "vp",
    instances: Sequence[InstanceSpec] | None = None,
    depends_on: Sequence[str] = (),
    every: Every | None = Every.HALF_YEAR,
) -> ReportSpec:
    return ReportSpec(
        key=key,
        name=name or f"Báo cáo {key}",
        kind=ReportKind.PERIODIC if every else ReportKind.THEMATIC,
        submitters=tuple(submitters),
        receiver=receiver,
        forward_files=True,
        depends_on=tuple(depends_on),
        reminder_rules=RULES,
        instances=tuple(instances if instances is not None else half_years(2024)),
        every=every,
    )


def plan(units: Sequence[UnitSpec], reports: Sequence[ReportSpec], source: str = "") -> Plan:
    """A plan; its source text defaults to a deterministic rendering of its content."""
    units = tuple(units)
    reports = tuple(reports)
    source = source or f"# test plan\n{units!r}\n{reports!r}\n"
    return Plan(
        organisation=ORGANISATION,
        calendar=CalendarSpec(),
        settings=PlanSettings(),
        units=units,
        reports=reports,
        source=source,
        digest=hashlib.sha256(source.encode()).hexdigest(),
    )


def small_plan(units: Sequence[str] = ("kh", "tc", "ns")) -> Plan:
    """The seed's cascade: units report to the Office, the Office compiles for leadership."""
    return plan(
        [OFFICE, LEADERSHIP, *(unit(key) for key in units)],
        [
            report("dan-chu", units),
            report(
                "dan-chu-tong-hop",
                ["vp"],
                receiver="bgd",
                depends_on=["dan-chu"],
                instances=(
                    instance("2024-H1", date(2024, 6, 10)),
                    instance("2024-H2", date(2024, 11, 20)),
                ),
            ),
        ],
    )


def big_plan(units: int = 2000, reports: int = 24) -> Plan:
    """`reports` reports, each submitted by all `units` units, two instances each."""
    keys = [f"u{n:04d}" for n in range(units)]
    return plan(
        [OFFICE, LEADERSHIP, *(unit(key) for key in keys)],
        [report(f"r{n:02d}", keys) for n in range(reports)],
    )
