"""Vietnamese working days: weekends, public holidays (lunar New Year too) and a plan's changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from bot.i18n import t
from bot.plan.model import CalendarSpec

# Ten years: no real calendar goes that long without a working day, so a longer search is a bug.
MAX_SEARCH_DAYS = 3660
_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Working days of the national calendar, adjusted by a plan's days off and make-up days.

    A working day is Monday to Friday, not a public holiday and not a plan day off; a make-up
    day (a make-up day) is a working day even on a weekend. Make-up Saturdays that the `holidays`
    package knows (the other half of its swapped days off, e.g. 04/05/2024 for 29/04/2024) count
    too, so that taking the swapped day off does not lose a working day.
    """

    def __init__(self, *, days_off: Iterable[date] = (), makeup_days: Iterable[date] = ()) -> None:
        self.days_off = frozenset(days_off)
        self.makeup_days = frozenset(makeup_days)
        self._years: dict[int, holidays.HolidayBase] = {}

    @classmethod
    def from_spec(cls, spec: CalendarSpec) -> WorkingCalendar:
        return cls(days_off=spec.days_off, makeup_days=spec.makeup_days)

    def _national(self, year: int) -> holidays.HolidayBase:
        # Lunar holidays cost a calendar conversion, so each year is built once, when first asked.
        if year not in self._years:
            self._years[year] = holidays.country_holidays("VN", years=year, language="vi")
        return self._years[year]

    def _is_makeup(self, d: date) -> bool:
        return d in self.makeup_days or d in self._national(d.year).weekend_workdays

    def is_working_day(self, d: date) -> bool:
        if self._is_makeup(d):
            return True
        return d.weekday() < 5 and d not in self._national(d.year) and d not in self.days_off

    def holiday_name(self, d: date) -> str | None:
        """Why `d` is a day off, in Vietnamese; None for a working day or a plain weekend."""
        if self._is_makeup(d):
            return None
        name: str | None = self._national(d.year).get(d)
        if name is not None:
            return name
        return t("scheduler-day-off") if d in self.days_off else None

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
