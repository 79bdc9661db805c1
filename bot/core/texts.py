"""Building blocks of the bot's replies: deadlines, lists, receipts, and splitting long text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core import signatures
from bot.core.cleaning import shorten_name
from bot.core.i18n import catalog, t
from bot.core.model import (
    InstanceStatus,
    OpenInstance,
    Receipt,
    SubmissionKind,
    SubmissionState,
    UnitStatus,
)
from bot.core.plan.model import InstanceSpec
from bot.core.rules.deadlines import lateness


def text_length(text: str) -> int:
    """The length of `text` as chat platforms count it against their limits: in UTF-16 code
    units (Telegram's 4,096 and Zalo's 2,000 both), where an emoji beyond the Basic
    Multilingual Plane takes two. Vietnamese letters take one, composed or not."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` units (see `text_length`), never halving a character."""
    return _hard_cut(text, limit)[0]


def _hard_cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` units, never halving a character, and the
    rest."""
    if text_length(line) <= limit:
        return line, ""
    size = 0
    for index, char in enumerate(line):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return line[:index], line[index:]
    return line, ""


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` units (see `text_length`), at line breaks
    where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while text_length(line) > limit:  # a single line longer than a message: cut it hard
            if current:
                pieces.append(current)
                current = ""
            head, line = _hard_cut(line, limit)
            pieces.append(head)
        candidate = f"{current}\n{line}" if current else line
        if text_length(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def time_left(instance: OpenInstance, now: datetime) -> str:
    """How long until the deadline, or how late it is now."""
    late = lateness(now, instance.due_end)
    if late is None:
        return t("time-left", left=fmt.duration(instance.due_end - now))
    return t("time-late", late=fmt.duration(late))


def instance_line(instance: OpenInstance, now: datetime, tz: ZoneInfo) -> str:
    """One open report as a unit sees it: name, deadline, time left, what was sent."""
    return t(
        "instance-line",
        name=instance.report_name,
        deadline=fmt.deadline(instance.deadline),
        left=time_left(instance, now),
        sent=_what_was_sent(instance, tz),
    )


def correction_line(instance: OpenInstance, tz: ZoneInfo) -> str:
    """A past report the unit sent, which it may still correct: its deadline and what was sent."""
    return t(
        "correction-line",
        name=instance.report_name,
        deadline=fmt.deadline(instance.deadline),
        sent=_what_was_sent(instance, tz),
    )


def _what_was_sent(instance: OpenInstance, tz: ZoneInfo) -> str:
    if instance.latest_at is None:
        return t("instance-not-sent")
    return t("instance-sent", versions=instance.versions, at=fmt.moment(instance.latest_at, tz))


def instance_lines(instances: Iterable[OpenInstance], now: datetime, tz: ZoneInfo) -> str:
    return "\n".join(instance_line(instance, now, tz) for instance in instances)


def deadline_line(instance: OpenInstance, now: datetime) -> str:
    return t(
        "deadline-line",
        name=instance.report_name,
        deadline=fmt.deadline(instance.deadline),
        left=time_left(instance, now),
    )


RECEIPT_NAME = 120  # characters of the file's name a receipt repeats


def receipt_text(receipt: Receipt, tz: ZoneInfo) -> str:
    """The receipt; lateness follows the first version, and a correction says so."""
    if receipt.kind is SubmissionKind.TEXT:
        what = t("receipt-what-text")
    elif receipt.kind is SubmissionKind.PHOTO:
        what = t("receipt-what-photo")
    else:
        what = t("receipt-what-file", name=shorten_name(receipt.original_name or "", RECEIPT_NAME))
    late = None if receipt.late_by is None else fmt.duration(receipt.late_by)
    if receipt.correction and receipt.first_at is not None:
        first = fmt.moment(receipt.first_at, tz)
        timeliness = (
            t("receipt-correction-on-time", first=first)
            if late is None
            else t("receipt-correction-late", first=first, late=late)
        )
    else:
        timeliness = t("receipt-on-time") if late is None else t("receipt-late", late=late)
    return t(
        "receipt",
        what=what,
        report=receipt.report_name,
        unit=receipt.unit_name,
        at=fmt.moment(receipt.submitted_at, tz),
        version=receipt.version,
        timeliness=timeliness,
        code=receipt.receipt_code,
    )


def forward_caption(receipt: Receipt) -> str:
    """The line under a unit's file passed on to the office group: whose, for what, which."""
    return t(
        "forward-caption",
        unit=receipt.unit_name,
        report=receipt.report_name,
        version=receipt.version,
        code=receipt.receipt_code,
    )


def _unit_status_line(row: UnitStatus, tz: ZoneInfo) -> str:
    late = fmt.duration(row.late_by) if row.late_by is not None else ""
    if row.latest_at is None:
        return t(f"status-line-{row.state.value}", unit=row.unit_name, late=late)
    return t(
        f"status-line-{row.state.value}",
        unit=row.unit_name,
        late=late,
        at=fmt.moment(row.latest_at, tz),
        version=row.latest_version or 0,
    )


def status_text(instance: InstanceStatus, tz: ZoneInfo) -> str:
    """A report instance's summary: how many have reported, then one line per unit."""
    done = sum(1 for row in instance.units if row.submitted)
    lines = [
        t(
            "status-title",
            name=instance.report_name,
            deadline=fmt.deadline(instance.deadline),
            done=done,
            total=len(instance.units),
            late=instance.count(SubmissionState.LATE) + instance.count(SubmissionState.MISSING),
        )
    ]
    order = {
        SubmissionState.MISSING: 0,
        SubmissionState.PENDING: 1,
        SubmissionState.LATE: 2,
        SubmissionState.ON_TIME: 3,
    }
    for row in sorted(instance.units, key=lambda r: (order[r.state], r.unit_name)):
        lines.append(_unit_status_line(row, tz))
        lines.extend(signatures.status_line(check, tz) for check in row.signatures)
    return "\n".join(lines)


def planned_reminders(instance: InstanceSpec) -> list[str]:
    """When a round of the plan reminds, as `plan show` and the dashboard's plan list it:
    each reminder's day and time, then the daily chase of the late, if the plan has one."""
    lines = [
        fmt.day_with_weekday(r.at.date()) + " " + r.at.strftime("%H:%M") for r in instance.reminders
    ]
    if instance.overdue_from is not None:
        lines.append(t("cli-show-overdue", first=fmt.day_with_weekday(instance.overdue_from)))
    return lines


def platform_name(platform: str) -> str:
    """A platform's name in words (for the web, "trang web"), or its own name when the catalog
    has none for it."""
    key = f"platform-{platform}"
    return t(key) if catalog().has(key) else platform
