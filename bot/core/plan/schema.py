"""The plan file's shape, validated with pydantic. Errors carry catalog keys, never English text.

Every custom check raises `PydanticCustomError(<catalog key>, ..., <args>)`, so the loader can
turn each error into a Vietnamese sentence. Words the Office may type in Vietnamese (report kinds,
recurrences, reminder units) are compared after `fold()`, which drops diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core.plan.model import (
    Every,
    ReminderKind,
    ReminderRule,
    ReportKind,
    SummaryMoment,
    UnitType,
)


def fold(text: str) -> str:
    """Lower-case ASCII form of a word: 'Dinh ky' -> 'dinh-ky' (diacritics dropped too)."""
    text = text.replace("\u0111", "d").replace("\u0110", "D")  # d with stroke
    decomposed = unicodedata.normalize("NFD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", "-", ascii_text.strip().lower())


# ---- scalar parsers ---------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})(?::|h|g)(\d{2})$")


def parse_date(value: Any) -> date:
    """A date as YAML gives it (2024-06-05) or as the Office writes it (05/06/2024)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DMY.match(text)
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match[3]), int(match[2]), int(match[1]))
    else:
        match = _ISO.match(text)
        if match:
            parts = (int(match[1]), int(match[2]), int(match[3]))
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            pass
    raise PydanticCustomError("plan-error-not-a-date", "not a date", {"value": text})


def parse_time(value: Any) -> time:
    """A time of day: 08:00, 8:00, 8h00 or 17g30."""
    text = str(value).strip()
    match = _TIME.match(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise PydanticCustomError("plan-error-not-a-time", "not a time", {"value": text})


def _date_field(value: Any) -> date:
    return parse_date(value)


def _time_field(value: Any) -> time:
    return parse_time(value)


def _text_field(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        raise PydanticCustomError("plan-error-not-text", "not text", {})
    text = str(value).strip()
    if not text:
        raise PydanticCustomError("plan-error-empty-text", "empty", {})
    return text


_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _id_field(value: Any) -> str:
    text = _text_field(value)
    if not _ID.match(text):
        raise PydanticCustomError("plan-error-bad-id", "bad id", {"value": text})
    return text


def _timezone_field(value: Any) -> str:
    text = _text_field(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("plan-error-timezone", "unknown tz", {"value": text}) from None
    return text


_UNIT_TYPES = {
    "unit": UnitType.UNIT,
    "don-vi": UnitType.UNIT,
    "phong": UnitType.UNIT,
    "office": UnitType.OFFICE,
    "van-phong": UnitType.OFFICE,
    "leadership": UnitType.LEADERSHIP,
    "lanh-dao": UnitType.LEADERSHIP,
    "ban-giam-doc": UnitType.LEADERSHIP,
}
_KINDS = {
    "dinh-ky": ReportKind.PERIODIC,
    "periodic": ReportKind.PERIODIC,
    "chuyen-de": ReportKind.THEMATIC,
    "thematic": ReportKind.THEMATIC,
    "dot-xuat": ReportKind.AD_HOC,
    "ad-hoc": ReportKind.AD_HOC,
}
_EVERY = {
    "month": Every.MONTH,
    "monthly": Every.MONTH,
    "thang": Every.MONTH,
    "hang-thang": Every.MONTH,
    "quarter": Every.QUARTER,
    "quarterly": Every.QUARTER,
    "quy": Every.QUARTER,
    "hang-quy": Every.QUARTER,
    "half-year": Every.HALF_YEAR,
    "half-yearly": Every.HALF_YEAR,
    "6-thang": Every.HALF_YEAR,
    "sau-thang": Every.HALF_YEAR,
    "nua-nam": Every.HALF_YEAR,
    "year": Every.YEAR,
    "yearly": Every.YEAR,
    "annual": Every.YEAR,
    "nam": Every.YEAR,
    "hang-nam": Every.YEAR,
}


def _choice(table: dict[str, Any], error: str) -> Any:
    def check(value: Any) -> Any:
        text = _text_field(value)
        try:
            return table[fold(text)]
        except KeyError:
            raise PydanticCustomError(error, "unknown choice", {"value": text}) from None

    return check


_SUMMARIES = {
    **{fold(moment.value): moment for moment in SummaryMoment},
    "ngay-nhac": SummaryMoment.REMINDER_DAYS,
    "han": SummaryMoment.DEADLINE,
    "sau-han": SummaryMoment.DAY_AFTER,
}
_OFFSET = re.compile(r"^(\d{1,4})-?([a-z-]+)$")
_UNITS: dict[str, ReminderKind | int] = {
    "d": ReminderKind.DAYS_BEFORE,
    "ngay": ReminderKind.DAYS_BEFORE,
    "wd": ReminderKind.WORKING_DAYS_BEFORE,
    "ngay-lam-viec": ReminderKind.WORKING_DAYS_BEFORE,
    "h": 3600,
    "gio": 3600,
    "m": 60,
    "phut": 60,
    "s": 1,
    "giay": 1,
}
_NAMED = {
    "last-day": ReminderKind.LAST_DAY,
    "ngay-cuoi": ReminderKind.LAST_DAY,
    "han": ReminderKind.LAST_DAY,
    "overdue": ReminderKind.OVERDUE,
    "qua-han": ReminderKind.OVERDUE,
    "tre-han": ReminderKind.OVERDUE,
}
_AT = re.compile(r"^(\S+)\s+(\S+)$")


def parse_reminder(value: Any) -> ReminderRule:
    """One reminder entry: 7d, 3wd, 2h, 30m, 90s, last_day, overdue, a date, or 'date HH:MM'."""
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        return ReminderRule(ReminderKind.AT, f"at-{day.isoformat()}", at_date=day)
    text = _text_field(value)
    word = fold(text)
    if word in _NAMED:
        kind = _NAMED[word]
        return ReminderRule(kind, kind.value)
    match = _OFFSET.match(word)
    if match and match[2] in _UNITS:
        amount, unit = int(match[1]), _UNITS[match[2]]
        if not isinstance(unit, int):
            if amount == 0:
                raise PydanticCustomError("plan-error-reminder-zero", "zero", {"value": text})
            suffix = "d" if unit is ReminderKind.DAYS_BEFORE else "wd"
            return ReminderRule(unit, f"{amount}{suffix}", amount=amount)
        if amount == 0:
            raise PydanticCustomError("plan-error-reminder-zero", "zero", {"value": text})
        return ReminderRule(ReminderKind.EXACT_BEFORE, f"{amount * unit}s", amount=amount * unit)
    at = _AT.match(text)
    try:
        if at:
            day, clock = parse_date(at[1]), parse_time(at[2])
            key = f"at-{day.isoformat()}T{clock.strftime('%H:%M')}"
            return ReminderRule(ReminderKind.AT, key, at_date=day, at_time=clock)
        day = parse_date(text)
        return ReminderRule(ReminderKind.AT, f"at-{day.isoformat()}", at_date=day)
    except PydanticCustomError:
        pass
    raise PydanticCustomError("plan-error-reminder", "bad reminder", {"value": text})


def _working_hours(value: Any) -> tuple[time, time]:
    text = _text_field(value)
    parts = [p.strip() for p in text.split("-")]
    if len(parts) == 2:
        start, end = parse_time(parts[0]), parse_time(parts[1])
        if start < end:
            return start, end
    raise PydanticCustomError("plan-error-working-hours", "bad hours", {"value": text})


Text = Annotated[str, BeforeValidator(_text_field)]
Id = Annotated[str, BeforeValidator(_id_field)]
Day = Annotated[date, BeforeValidator(_date_field)]
Clock = Annotated[time, BeforeValidator(_time_field)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- the file's sections ------------------------------------------------------------------------


class OrganisationIn(_Strict):
    name: Text
    short_name: Text | None = None
    timezone: Annotated[str, BeforeValidator(_timezone_field)] = "Asia/Ho_Chi_Minh"


def _none_as_empty(value: Any) -> Any:
    """`days_off:` with every date deleted (as when a plan is rolled to a new year) is no date."""
    return [] if value is None else value


class CalendarIn(_Strict):
    days_off: Annotated[list[Day], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    makeup_days: Annotated[list[Day], BeforeValidator(_none_as_empty)] = Field(default_factory=list)


class SettingsIn(_Strict):
    reminder_time: Clock = time(8, 0)
    working_hours: Annotated[tuple[time, time], BeforeValidator(_working_hours)] = (
        time(7, 30),
        time(17, 0),
    )
    cutoff_day: int = Field(default=15, ge=1, le=28)
    reminders: list[Annotated[ReminderRule, BeforeValidator(parse_reminder)]] | None = None
    summaries: Annotated[
        list[Annotated[SummaryMoment, BeforeValidator(_choice(_SUMMARIES, "plan-error-summary"))]],
        BeforeValidator(_as_list),
    ] = Field(default_factory=lambda: list(SummaryMoment))
    summary_time: Clock | None = None


class UnitIn(_Strict):
    id: Id
    name: Text
    short_name: Text | None = None
    type: Annotated[UnitType, BeforeValidator(_choice(_UNIT_TYPES, "plan-error-unit-type"))] = (
        UnitType.UNIT
    )


class RepeatIn(_Strict):
    every: Annotated[Every, BeforeValidator(_choice(_EVERY, "plan-error-every"))]
    count: int | None = Field(default=None, ge=1, le=120)
    until: Day | None = None

    @model_validator(mode="after")
    def _one_end(self) -> RepeatIn:
        if (self.count is None) == (self.until is None):
            raise PydanticCustomError("plan-error-repeat-end", "count or until", {})
        return self


def _as_list(value: Any) -> Any:
    """Let a single id stand where a list is expected: `submitters: all`, `depends_on: x`."""
    return [value] if isinstance(value, str) else value


def _period_shorthand(value: Any) -> Any:
    """`period: half_year` is short for `period: {every: half_year}`."""
    return {"every": value} if isinstance(value, str) else value


class PeriodIn(_Strict):
    every: Annotated[Every, BeforeValidator(_choice(_EVERY, "plan-error-every"))] | None = None
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PeriodIn:
        if self.every is None and (self.from_ is None or self.to is None):
            raise PydanticCustomError("plan-error-period-form", "form", {})
        if self.every is not None and (self.from_ is not None or self.to is not None):
            raise PydanticCustomError("plan-error-period-form", "form", {})
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise PydanticCustomError(
                "plan-error-period-order",
                "from after to",
                {"start": self.from_.strftime("%d/%m/%Y"), "end": self.to.strftime("%d/%m/%Y")},
            )
        return self


class ReportIn(_Strict):
    id: Id
    name: Text
    kind: Annotated[ReportKind, BeforeValidator(_choice(_KINDS, "plan-error-kind"))] = (
        ReportKind.PERIODIC
    )
    submitters: Annotated[list[Id], BeforeValidator(_as_list)]
    receiver: Id
    due_before: Day | None = None
    due_on: Day | None = None
    due_time: Clock | None = None
    repeat: RepeatIn | None = None
    period: Annotated[PeriodIn | None, BeforeValidator(_period_shorthand)] = None
    reminders: list[Annotated[ReminderRule, BeforeValidator(parse_reminder)]] | None = None
    forward_files: bool = False
    depends_on: Annotated[list[Id], BeforeValidator(_as_list)] = Field(default_factory=list)
    escalate_after_days: int = Field(default=3, ge=0, le=60)
    late_list: bool = True


class PlanIn(_Strict):
    organisation: OrganisationIn
    calendar: CalendarIn = Field(default_factory=CalendarIn)
    settings: SettingsIn = Field(default_factory=SettingsIn)
    units: list[UnitIn] = Field(min_length=1)
    reports: list[ReportIn] = Field(default_factory=list)
