"""Vietnamese working days: weekends, public holidays (lunar New Year too) and a plan's changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from importlib.metadata import version

import holidays

from bot.core.i18n import t
from bot.core.plan.model import CalendarSpec
from bot.core.rules.swaps import ANNOUNCED, UNENACTED, AnnouncedDay, Change, Unenacted

# Ten years: no real calendar goes that long without a working day, so a longer search is a bug.
MAX_SEARCH_DAYS = 3660
_ONE_DAY = timedelta(days=1)


def package_version() -> str:
    """The installed `holidays` version, so that a listing can say which data it used."""
    return version("holidays")


class Origin(StrEnum):
    """Where a day off or a make-up day comes from."""

    LAW = "law"  # the `holidays` package: the Labour Code's holidays, Tet, days in lieu
    SWAP = "swap"  # baocao's table of announced swaps (bot/core/rules/swaps.py)
    UNENACTED = "unenacted"  # a package holiday baocao keeps as a working day, with the reason
    PLAN = "plan"  # the plan's own days off and make-up days


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day that is not an ordinary weekday or weekend, and why."""

    day: date
    working: bool
    name: str  # what the day is, in Vietnamese
    origin: Origin  # what decided it
    source: str  # the document or rule, in Vietnamese
    package_agrees: bool = False  # for a swap: the `holidays` package has it too


@dataclass(frozen=True, slots=True)
class _Year:
    holidays: dict[date, str]  # the package's days off, minus unenacted ones
    makeup: frozenset[date]  # the package's make-up weekend days
    unenacted: dict[date, tuple[str, Unenacted]]  # dropped package days: name and reason


class WorkingCalendar:
    """Working days of the national calendar, adjusted by announced swaps and a plan's changes.

    A day is decided by the first of these that knows it: the plan (make-up days, then days off),
    baocao's table of announced swaps, the `holidays` package (its make-up Saturdays, then its
    holidays), then the week (Monday to Friday work). Package holidays that no enacted law makes
    a day off (`bot.core.rules.swaps.UNENACTED`) are dropped first.
    """

    def __init__(
        self,
        *,
        days_off: Iterable[date] = (),
        makeup_days: Iterable[date] = (),
        announced: Iterable[AnnouncedDay] = ANNOUNCED,
        unenacted: Iterable[Unenacted] = UNENACTED,
    ) -> None:
        self.days_off = frozenset(days_off)
        self.makeup_days = frozenset(makeup_days)
        self.announced = {entry.day: entry for entry in announced}
        self.unenacted = tuple(unenacted)
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_spec(cls, spec: CalendarSpec) -> WorkingCalendar:
        return cls(days_off=spec.days_off, makeup_days=spec.makeup_days)

    def _national(self, year: int) -> _Year:
        # Lunar holidays cost a calendar conversion, so each year is built once, when first asked.
        if year not in self._years:
            package = holidays.country_holidays("VN", years=year, language="vi")
            days: dict[date, str] = dict(package.items())
            dropped: dict[date, tuple[str, Unenacted]] = {}
            for rule in self.unenacted:
                name = days.get(date(year, rule.month, rule.day))
                if year < rule.since or name is None:
                    continue
                # The package's day in lieu of it (for a weekend 24/11) carries its name too.
                for day in [d for d, text in days.items() if name in text]:
                    dropped[day] = (days.pop(day), rule)
            self._years[year] = _Year(days, frozenset(package.weekend_workdays), dropped)
        return self._years[year]

    def is_working_day(self, d: date) -> bool:
        if d in self.makeup_days:
            return True
        if d in self.days_off:
            return False
        entry = self.announced.get(d)
        if entry is not None:
            return entry.change is Change.MAKEUP
        national = self._national(d.year)
        if d in national.makeup:
            return True
        return d.weekday() < 5 and d not in national.holidays

    def national_holiday_name(self, d: date) -> str | None:
        """The package's name for `d` when it is a day off there (unenacted ones excepted)."""
        return self._national(d.year).holidays.get(d)

    def holiday_name(self, d: date) -> str | None:
        """Why `d` is a day off, in Vietnamese; None for a working day or a plain weekend."""
        if self.is_working_day(d):
            return None
        name = self.national_holiday_name(d)
        if name is not None:
            return name
        if d in self.days_off:
            return t("scheduler-day-off")
        entry = self.announced.get(d)
        return None if entry is None else t("calendar-swap-day-off", makeup=entry.pair)

    def special_days(self, year: int) -> list[CalendarDay]:
        """Every day of `year` that is not an ordinary weekday or weekend, with where it comes from.

        Package holidays on a weekend are listed too, so that the list can be held line by line
        against the government's notice for the year.
        """
        national = self._national(year)
        candidates = {
            *national.holidays,
            *national.makeup,
            *national.unenacted,
            *self.announced,
            *self.days_off,
            *self.makeup_days,
        }
        return [self._explain(d, national) for d in sorted(candidates) if d.year == year]

    def _explain(self, d: date, national: _Year) -> CalendarDay:
        working = self.is_working_day(d)
        if d in self.makeup_days or d in self.days_off:
            key = "calendar-plan-makeup" if working else "calendar-plan-day-off"
            return CalendarDay(d, working, t(key), Origin.PLAN, t("calendar-source-plan"))
        entry = self.announced.get(d)
        if entry is not None:
            if entry.change is Change.MAKEUP:
                name = t("calendar-swap-makeup", off=entry.pair)
                agrees = d in national.makeup
            else:
                name = national.holidays.get(d) or t("calendar-swap-day-off", makeup=entry.pair)
                agrees = d in national.holidays
            return CalendarDay(d, working, name, Origin.SWAP, t(entry.source), agrees)
        law = t("calendar-source-law", version=package_version())
        if d in national.makeup:
            return CalendarDay(d, True, t("calendar-package-makeup"), Origin.LAW, law)
        if d in national.unenacted:
            name, rule = national.unenacted[d]
            return CalendarDay(d, working, name, Origin.UNENACTED, t(rule.reason))
        return CalendarDay(d, working, national.holidays[d], Origin.LAW, law)

    def _step_to_working_day(self, d: date, step: timedelta) -> date:
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(d):
                return d
            d += step
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {d.isoformat()}")

    def previous_working_day(self, d: date, *, inclusive: bool = True) -> date:
        return self._step_to_working_day(d if inclusive else d - _ONE_DAY, -_ONE_DAY)

    def next_working_day(self, d: date, *, inclusive: bool = True) -> date:
        return self._step_to_working_day(d if inclusive else d + _ONE_DAY, _ONE_DAY)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (before it when n < 0); `d` itself need not work."""
        for _ in range(abs(n)):
            if n > 0:
                d = self.next_working_day(d, inclusive=False)
            else:
                d = self.previous_working_day(d, inclusive=False)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie in (a, b]; 0 when b <= a."""
        return sum(
            1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=i))
        )

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from `start` to `end`, both inclusive."""
        days = (start + timedelta(days=i) for i in range((end - start).days + 1))
        return [d for d in days if self.is_working_day(d)]
