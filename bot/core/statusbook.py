"""The Office's status workbook: which sheets, rows and marks an Excel export holds.

What goes in the document is the domain's: which units, in which order, on time or how late
(judged by `bot.core.rules.deadlines`, through the status), every version in a register, the
words from the catalog. How it looks in a file (fonts, fills, widths, number formats) is the
renderer's, an adapter behind `bot.core.ports.WorkbookWriter`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.model import InstanceStatus, SubmissionKind, SubmissionState, UnitStatus
from bot.core.rules.deadlines import lateness

# ---- what the records give ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One version a unit sent for a report instance, as the register lists it."""

    instance_id: int
    unit_key: str
    unit_name: str
    version: int
    kind: SubmissionKind
    submitted_at: datetime
    receipt_code: str
    sender: str | None = None  # the contact who sent it, by the name they go by
    original_name: str | None = None
    text: str | None = None
    note: str | None = None
    size: int | None = None  # bytes, for a file or photo


# ---- what the renderer writes ---------------------------------------------------------------


class CellFormat(StrEnum):
    """How a column's values are shown; dates are real dates, in the plan's local time."""

    TEXT = "text"
    INTEGER = "integer"
    DAYS = "days"  # a number of days, one decimal
    DATE = "date"  # dd/mm/yyyy
    MOMENT = "moment"  # dd/mm/yyyy hh:mm


class Mark(StrEnum):
    """What a row's fill says at a glance."""

    PLAIN = "plain"
    LATE = "late"  # sent after the deadline
    MISSING = "missing"  # nothing sent, and the deadline has passed


Value = str | int | float | date | datetime | None


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    format: CellFormat = CellFormat.TEXT
    long: bool = False  # free text (notes, a text report): a capped width, wrapped


@dataclass(frozen=True, slots=True)
class Row:
    values: tuple[Value, ...]
    mark: Mark = Mark.PLAIN


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table under a few lines of heading; the first heading line is its title."""

    name: str
    heading: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Workbook:
    title: str
    sheets: tuple[Sheet, ...]


# ---- sheet names ----------------------------------------------------------------------------

SHEET_NAME = 31  # Excel's limit, in characters
# Excel refuses these in a sheet name, and a name that starts or ends with an apostrophe.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
# A name Excel keeps for itself, whatever its case.
_RESERVED = "history"


def sheet_name(wanted: str, taken: set[str]) -> str:
    """`wanted` as Excel accepts it, and unlike every name in `taken` (compared as Excel does,
    without regard to case); the result is added to `taken`."""
    name = _NOT_IN_SHEET_NAME.sub(" ", wanted).strip().strip("'").strip()
    name = re.sub(r"\s+", " ", name)[:SHEET_NAME].rstrip().rstrip("'") or "-"
    if name.casefold() == _RESERVED:
        name = f"{name} (1)"
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME - len(suffix)].rstrip() + suffix
    taken.add(candidate.casefold())
    return candidate


# ---- the workbook ---------------------------------------------------------------------------

# The status table's order: the plan's order of units, which is the Office's official list.
STATUS_COLUMNS = (
    Column("xlsx-col-number", CellFormat.INTEGER),
    Column("xlsx-col-unit"),
    Column("xlsx-col-contacts"),
    Column("xlsx-col-state"),
    Column("xlsx-col-days-late", CellFormat.DAYS),
    Column("xlsx-col-first-at", CellFormat.MOMENT),
    Column("xlsx-col-latest-at", CellFormat.MOMENT),
    Column("xlsx-col-version", CellFormat.INTEGER),
    Column("xlsx-col-receipt"),
    Column("xlsx-col-note", long=True),
)
REGISTER_COLUMNS = (
    Column("xlsx-col-number", CellFormat.INTEGER),
    Column("xlsx-col-instance"),
    Column("xlsx-col-unit"),
    Column("xlsx-col-version", CellFormat.INTEGER),
    Column("xlsx-col-submitted-at", CellFormat.MOMENT),
    Column("xlsx-col-timing"),
    Column("xlsx-col-sender"),
    Column("xlsx-col-kind"),
    Column("xlsx-col-content", long=True),
    Column("xlsx-col-receipt"),
    Column("xlsx-col-note", long=True),
)
_MARKS = {SubmissionState.LATE: Mark.LATE, SubmissionState.MISSING: Mark.MISSING}
_KINDS = {
    SubmissionKind.TEXT: "xlsx-kind-text",
    SubmissionKind.FILE: "xlsx-kind-file",
    SubmissionKind.PHOTO: "xlsx-kind-photo",
}


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` as the plan's clock shows it, without a zone: Excel has none, and a reader
    in the province expects the time they lived."""
    return moment.astimezone(tz).replace(tzinfo=None)


def instance_label(instance: InstanceStatus) -> str:
    return t("instance-once") if instance.instance_key == "once" else instance.instance_key


def status_workbook(
    instances: Sequence[InstanceStatus],
    entries: Sequence[RegisterEntry],
    contacts: Mapping[str, Sequence[str]],
    *,
    tz: ZoneInfo,
    now: datetime,
) -> Workbook:
    """One status sheet per instance (by deadline), then the register of every version.

    `instances` are one report's, as `ReportInstances.status` gives them; `entries` every
    version sent to them; `contacts` the people who speak for each unit, by unit key.
    """
    if not instances:
        raise ValueError("a workbook needs at least one report instance")
    instances = sorted(instances, key=lambda i: (i.due_end, i.instance_key))
    by_unit: dict[tuple[int, str], list[RegisterEntry]] = defaultdict(list)
    for entry in entries:
        by_unit[(entry.instance_id, entry.unit_key)].append(entry)
    taken: set[str] = set()
    several = len(instances) > 1
    sheets = [
        _status_sheet(
            instance,
            by_unit,
            contacts,
            name=sheet_name(
                t("xlsx-sheet-status-instance", instance=instance_label(instance))
                if several
                else t("xlsx-sheet-status"),
                taken,
            ),
            tz=tz,
            now=now,
        )
        for instance in instances
    ]
    sheets.append(
        _register_sheet(instances, entries, name=sheet_name(t("xlsx-sheet-register"), taken), tz=tz)
    )
    report = instances[0].report_name
    return Workbook(title=t("xlsx-title", report=report), sheets=tuple(sheets))


def _heading(instance: InstanceStatus) -> list[str]:
    lines = [
        instance.report_name,
        t("xlsx-heading-deadline", deadline=fmt.deadline(instance.deadline)),
    ]
    if instance.instance_key != "once":
        lines.append(t("xlsx-heading-instance", instance=instance.instance_key))
    if instance.period_start is not None and instance.period_end is not None:
        period = t(
            "period-dates", start=fmt.day(instance.period_start), end=fmt.day(instance.period_end)
        )
    else:
        period = t("period-none")
    lines.append(t("xlsx-heading-period", period=period))
    return lines


def _status_sheet(
    instance: InstanceStatus,
    by_unit: Mapping[tuple[int, str], Sequence[RegisterEntry]],
    contacts: Mapping[str, Sequence[str]],
    *,
    name: str,
    tz: ZoneInfo,
    now: datetime,
) -> Sheet:
    rows = []
    for number, unit in enumerate(instance.units, start=1):
        sent = by_unit.get((instance.instance_id, unit.unit_key), ())
        latest = max(sent, key=lambda e: e.version) if sent else None
        rows.append(
            Row(
                (
                    number,
                    unit.unit_name,
                    ", ".join(contacts.get(unit.unit_key, ())) or None,
                    _state(unit),
                    None
                    if unit.late_by is None
                    else round(unit.late_by.total_seconds() / 86400, 1),
                    None if unit.first_at is None else local(unit.first_at, tz),
                    None if unit.latest_at is None else local(unit.latest_at, tz),
                    unit.latest_version,
                    None if latest is None else latest.receipt_code,
                    None if latest is None else latest.note,
                ),
                _MARKS.get(unit.state, Mark.PLAIN),
            )
        )
    done = sum(1 for unit in instance.units if unit.submitted)
    heading = _heading(instance)
    heading.append(
        t(
            "xlsx-heading-summary",
            done=done,
            total=len(instance.units),
            late=instance.count(SubmissionState.LATE),
            missing=instance.count(SubmissionState.MISSING),
            at=fmt.moment(now, tz),
        )
    )
    if not instance.units:
        heading.append(t("xlsx-no-units"))
    elif done == 0:
        heading.append(t("xlsx-nothing-sent"))
    heading.append(t("xlsx-legend"))
    return Sheet(name, tuple(heading), _titled(STATUS_COLUMNS), tuple(rows))


def _days(late_by: timedelta) -> float:
    return round(late_by.total_seconds() / 86400, 1)


def _state(unit: UnitStatus) -> str:
    return _state_words(unit.state, None if unit.late_by is None else _minutes(unit.late_by))


# A workbook of thousands of rows says the same few things over and over: each is worded once
# (to the minute, as durations are shown), which takes its build from 1.3 s to a tenth of that.
@cache
def _word(key: str) -> str:
    return t(key)


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


@lru_cache(maxsize=8192)
def _state_words(state: SubmissionState, late: int | None) -> str:
    words = "" if late is None else fmt.duration(timedelta(minutes=late))
    return t(f"status-{state.value}", late=words)


def _timing(late: timedelta | None) -> str:
    return _timing_words(None if late is None else _minutes(late))


@lru_cache(maxsize=8192)
def _timing_words(late: int | None) -> str:
    if late is None:
        return t("xlsx-timing-on-time")
    return t("xlsx-timing-late", late=fmt.duration(timedelta(minutes=late)))


def _register_sheet(
    instances: Sequence[InstanceStatus],
    entries: Sequence[RegisterEntry],
    *,
    name: str,
    tz: ZoneInfo,
) -> Sheet:
    by_id = {instance.instance_id: instance for instance in instances}
    labels = {instance.instance_id: instance_label(instance) for instance in instances}
    # A register is kept in the order things came in; ties (one batch) by unit and version.
    ordered = sorted(
        (e for e in entries if e.instance_id in by_id),
        key=lambda e: (e.submitted_at, e.unit_name, e.version),
    )
    rows = []
    for number, entry in enumerate(ordered, start=1):
        instance = by_id[entry.instance_id]
        late = lateness(entry.submitted_at, instance.due_end)
        rows.append(
            Row(
                (
                    number,
                    labels[entry.instance_id],
                    entry.unit_name,
                    entry.version,
                    local(entry.submitted_at, tz),
                    _timing(late),
                    entry.sender,
                    _word(_KINDS[entry.kind]),
                    entry.text if entry.kind is SubmissionKind.TEXT else entry.original_name,
                    entry.receipt_code,
                    entry.note,
                ),
                Mark.PLAIN if late is None else Mark.LATE,
            )
        )
    report = instances[0].report_name
    heading = [t("xlsx-register-title", report=report)]
    heading.append(t("xlsx-register-count", count=len(rows)))
    if not rows:
        heading.append(t("xlsx-nothing-sent"))
    return Sheet(name, tuple(heading), _titled(REGISTER_COLUMNS), tuple(rows))


def _titled(columns: Sequence[Column]) -> tuple[Column, ...]:
    """The columns with their titles in words (the tables name catalog keys)."""
    return tuple(Column(t(c.title), c.format, c.long) for c in columns)


def file_name(report_name: str, instance: InstanceStatus | None) -> str:
    """The workbook's name as the person receives it, safe on every system."""
    stem = (
        t("xlsx-file-name", report=report_name)
        if instance is None or instance.instance_key == "once"
        else t("xlsx-file-name-instance", report=report_name, instance=instance.instance_key)
    )
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', " ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:FILE_STEM] or "bao-cao"
    return stem.rstrip(" .") + ".xlsx"


FILE_STEM = 120  # characters of a file name before ".xlsx"
