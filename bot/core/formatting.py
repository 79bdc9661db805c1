"""Dates, deadlines and durations as Vietnamese readers expect them: dd/mm/yyyy, weekday names."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.core.plan.model import Deadline, DueKind, Every, Period


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def weekday(value: date) -> str:
    return t(f"weekday-{value.weekday()}")


def day_with_weekday(value: date) -> str:
    """05/06/2024 followed by the weekday in brackets."""
    return t("date-with-weekday", date=day(value), weekday=weekday(value))


def moment(value: datetime, tz: ZoneInfo) -> str:
    """05/06/2024 14:30 in `tz`."""
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def deadline(value: Deadline) -> str:
    """The deadline as the plan states it ("before" or "on" a day, with a time if set)."""
    args = {"date": day(value.day), "weekday": weekday(value.day)}
    if value.at is not None:
        args["time"] = value.at.strftime("%H:%M")
        key = "deadline-before-time" if value.kind is DueKind.BEFORE else "deadline-on-time"
    else:
        key = "deadline-before" if value.kind is DueKind.BEFORE else "deadline-on"
    return t(key, **args)


def period(value: Period | None) -> str:
    if value is None:
        return t("period-none")
    dates = t("period-dates", start=day(value.start), end=day(value.end))
    if value.every is None:
        return dates
    year, _, part = value.key.partition("-")
    label = {
        Every.MONTH: lambda: t("period-month", month=part, year=year),
        Every.QUARTER: lambda: t("period-quarter", quarter=_roman(part[1:]), year=year),
        Every.HALF_YEAR: lambda: t(f"period-half-{part[1:]}", year=year),
        Every.YEAR: lambda: t("period-year", year=year),
    }[value.every]()
    return t("period-labelled", label=label, dates=dates)


def _roman(digit: str) -> str:
    return {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(digit, digit)


def duration(value: timedelta) -> str:
    """Days and hours, hours and minutes, or minutes: the two largest units that matter."""
    minutes = max(0, int(value.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return (
            t("duration-days-hours", days=days, hours=hours)
            if hours
            else t("duration-days", days=days)
        )
    if hours:
        return (
            t("duration-hours-minutes", hours=hours, minutes=minutes)
            if minutes
            else t("duration-hours", hours=hours)
        )
    return t("duration-minutes", minutes=max(minutes, 1) if value.total_seconds() > 0 else 0)


def megabytes(size: int) -> str:
    """A size in MB with a decimal comma, as the bot says file sizes."""
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")
