"""Vietnamese working days 2024-2027: holidays, Tết, swaps, days in lieu, plan changes.

Every expected date here was written by hand and checked against a printed calendar (`cal`) and,
for 2024-2026, against the government's notices named in `bot/core/rules/swaps.py`.
"""

from __future__ import annotations

from datetime import date
from importlib.metadata import version

import holidays
import pytest

from bot.core.i18n import t
from bot.core.plan.model import CalendarSpec
from bot.core.rules.calendar import Origin, WorkingCalendar
from bot.core.rules.swaps import ANNOUNCED, AnnouncedDay, Change

# Weekdays off for officials (công chức, viên chức), as the government decided them: the
# `holidays` package (0.106+) and baocao's table of announced swaps. Weekend days of the same
# breaks are omitted.
NATIONAL_WEEKDAYS_OFF = {
    2024: [
        date(2024, 1, 1),  # Mon, New Year
        # Tết Giáp Thìn: 08/02 (Thu) - 14/02 (Wed), as decided
        date(2024, 2, 8),
        date(2024, 2, 9),
        date(2024, 2, 12),
        date(2024, 2, 13),
        date(2024, 2, 14),
        date(2024, 4, 18),  # Thu, Hùng Kings (10/3 lunar)
        date(2024, 4, 29),  # Mon, swapped with Saturday 04/05/2024 (Dispatch 2450/VPCP-KGVX)
        date(2024, 4, 30),  # Tue
        date(2024, 5, 1),  # Wed
        date(2024, 9, 2),  # Mon, National Day
        date(2024, 9, 3),  # Tue, the second National Day holiday
    ],
    2025: [
        date(2025, 1, 1),  # Wed
        # Tết Ất Tỵ: 25/01 (Sat) - 02/02 (Sun); its weekdays are 27/01 - 31/01
        date(2025, 1, 27),
        date(2025, 1, 28),
        date(2025, 1, 29),
        date(2025, 1, 30),
        date(2025, 1, 31),
        date(2025, 4, 7),  # Mon, Hùng Kings
        date(2025, 4, 30),  # Wed
        date(2025, 5, 1),  # Thu
        date(2025, 5, 2),  # Fri, swapped with Saturday 26/04/2025
        date(2025, 9, 1),  # Mon, the second National Day holiday
        date(2025, 9, 2),  # Tue
    ],
    2026: [
        date(2026, 1, 1),  # Thu
        date(2026, 1, 2),  # Fri, swapped with Saturday 10/01/2026 (Dispatch 12729/VPCP-KGVX)
        # Tết Bính Ngọ: 16/02 (Mon) - 20/02 (Fri)
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2026, 4, 27),  # Mon, in lieu of Hùng Kings on Sunday 26/04
        date(2026, 4, 30),  # Thu
        date(2026, 5, 1),  # Fri
        date(2026, 8, 31),  # Mon, swapped with Saturday 22/08/2026
        date(2026, 9, 1),  # Tue, the second National Day holiday
        date(2026, 9, 2),  # Wed
        # Tue 24/11/2026, Vietnam Culture Day, is not a day off: no enacted law makes it one.
    ],
    2027: [
        date(2027, 1, 1),  # Fri
        # Tết Đinh Mùi (lunar new year Sat 06/02): 04/02 (Thu) - 10/02 (Wed)
        date(2027, 2, 4),
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2027, 4, 16),  # Fri, Hùng Kings
        date(2027, 4, 30),  # Fri
        date(2027, 5, 3),  # Mon, in lieu of Labour Day on Saturday 01/05
        date(2027, 9, 2),  # Thu
        date(2027, 9, 3),  # Fri, the second National Day holiday
    ],
}


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize("year", sorted(NATIONAL_WEEKDAYS_OFF))
def test_weekdays_off_are_exactly_the_national_holidays(cal: WorkingCalendar, year: int) -> None:
    start = date(year, 1, 1)
    weekdays = [date.fromordinal(start.toordinal() + i) for i in range(366)]
    weekdays = [d for d in weekdays if d.year == year and d.weekday() < 5]
    off = [d for d in weekdays if not cal.is_working_day(d)]
    assert off == NATIONAL_WEEKDAYS_OFF[year]


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 2, 7),  # Wed before Tết 2024
        date(2024, 2, 15),  # Thu after Tết 2024
        date(2024, 9, 4),  # Wed after National Day
        date(2025, 1, 24),  # Fri before Tết 2025
        date(2025, 2, 3),  # Mon after Tết 2025
        date(2025, 9, 3),  # Wed after National Day 2025
        date(2026, 2, 13),  # Fri before Tết 2026
        date(2026, 2, 23),  # Mon after Tết 2026
        date(2027, 2, 3),  # Wed before Tết 2027
        date(2027, 2, 11),  # Thu after Tết 2027
    ],
)
def test_days_around_tet_and_national_day_are_working_days(cal: WorkingCalendar, day: date) -> None:
    assert cal.is_working_day(day)


def test_weekends_are_days_off(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2024, 6, 8))  # Sat
    assert not cal.is_working_day(date(2024, 6, 9))  # Sun
    assert cal.is_working_day(date(2024, 6, 10))  # Mon


def test_package_make_up_saturdays_are_working_days(cal: WorkingCalendar) -> None:
    # The package swaps these Saturdays with a weekday off; keeping both halves of each swap
    # leaves the number of working days unchanged.
    assert cal.is_working_day(date(2024, 5, 4))  # for Mon 29/04/2024
    assert cal.is_working_day(date(2025, 4, 26))  # for Fri 02/05/2025
    assert cal.is_working_day(date(2026, 8, 22))  # for Mon 31/08/2026
    assert cal.holiday_name(date(2024, 5, 4)) is None


def test_plan_make_up_day_turns_a_saturday_into_a_working_day() -> None:
    made_up = date(2025, 3, 15)  # Sat, an invented ngày làm bù
    assert not WorkingCalendar().is_working_day(made_up)
    assert WorkingCalendar(makeup_days=[made_up]).is_working_day(made_up)


def test_plan_days_off_fill_what_the_package_lacks() -> None:
    # The package follows the Labour Code and decisions up to its release; a later decision
    # (here an invented extra Tết day 2027, Thu 11/02) comes from the plan.
    extra = date(2027, 2, 11)
    spec = CalendarSpec(days_off=frozenset({extra}), makeup_days=frozenset({date(2027, 2, 20)}))
    cal = WorkingCalendar.from_spec(spec)
    assert not cal.is_working_day(extra)
    assert cal.holiday_name(extra) == t("scheduler-day-off")
    assert cal.is_working_day(date(2027, 2, 20))  # Sat made up
    assert cal.next_working_day(date(2027, 2, 4)) == date(2027, 2, 12)  # Fri after the break


def test_holiday_names_are_the_packages_vietnamese_names(cal: WorkingCalendar) -> None:
    vi = holidays.country_holidays("VN", years=2024, language="vi")
    en = holidays.country_holidays("VN", years=2024, language="en_US")
    for day in (date(2024, 2, 10), date(2024, 4, 18), date(2024, 4, 30), date(2024, 9, 2)):
        assert cal.holiday_name(day) == vi[day]
        assert cal.holiday_name(day) != en[day]
    assert cal.holiday_name(date(2024, 2, 10)) is not None  # Tết on a Saturday is still named
    assert cal.holiday_name(date(2024, 6, 4)) is None
    assert cal.holiday_name(date(2024, 6, 8)) is None  # a plain Saturday has no name


def test_in_lieu_day_for_a_weekend_holiday(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2026, 4, 27))  # Hùng Kings fell on Sun 26/04/2026
    assert not cal.is_working_day(date(2027, 5, 3))  # Labour Day fell on Sat 01/05/2027
    assert cal.holiday_name(date(2026, 4, 27)) != cal.holiday_name(date(2026, 4, 26))


def test_previous_and_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.previous_working_day(date(2024, 6, 9)) == date(2024, 6, 7)  # Sun -> Fri
    assert cal.previous_working_day(date(2024, 6, 7)) == date(2024, 6, 7)
    assert cal.previous_working_day(date(2024, 6, 7), inclusive=False) == date(2024, 6, 6)
    assert cal.next_working_day(date(2024, 6, 8)) == date(2024, 6, 10)  # Sat -> Mon
    assert cal.next_working_day(date(2024, 6, 10), inclusive=False) == date(2024, 6, 11)
    assert cal.previous_working_day(date(2025, 1, 29)) == date(2025, 1, 24)  # Tết -> Fri before
    assert cal.previous_working_day(date(2025, 5, 4)) == date(2025, 4, 29)  # 30/04-04/05 -> Tue
    assert cal.next_working_day(date(2024, 4, 27)) == date(2024, 5, 2)


def test_add_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 6, 7), 0) == date(2024, 6, 7)
    assert cal.add_working_days(date(2024, 6, 8), 0) == date(2024, 6, 8)
    assert cal.add_working_days(date(2024, 6, 7), 1) == date(2024, 6, 10)  # Fri + 1 -> Mon
    assert cal.add_working_days(date(2024, 6, 10), -1) == date(2024, 6, 7)
    assert cal.add_working_days(date(2024, 6, 8), 1) == date(2024, 6, 10)  # from a Saturday
    # Across Tết 2024 (08/02-14/02): Wed 07/02 + 1 is Thu 15/02.
    assert cal.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)
    assert cal.add_working_days(date(2024, 2, 15), -1) == date(2024, 2, 7)
    # Across Tết 2025 (weekdays 27/01-31/01): Thu 23/01 + 3 is Tue 04/02.
    assert cal.add_working_days(date(2025, 1, 23), 3) == date(2025, 2, 4)
    assert cal.add_working_days(date(2025, 2, 4), -3) == date(2025, 1, 23)


def test_working_days_between(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2024, 6, 7), date(2024, 6, 7)) == 0
    assert cal.working_days_between(date(2024, 6, 10), date(2024, 6, 7)) == 0
    assert cal.working_days_between(date(2024, 6, 7), date(2024, 6, 10)) == 1  # (Fri, Mon]
    assert cal.working_days_between(date(2024, 6, 3), date(2024, 6, 7)) == 4  # (Mon, Fri]
    # (Fri 02/02/2024, Fri 16/02/2024]: 05-07/02 and 15-16/02 work, Tết takes 08-14/02.
    assert cal.working_days_between(date(2024, 2, 2), date(2024, 2, 16)) == 5
    # April 2024 has 22 weekdays; Hùng Kings 18/04, 29/04 and 30/04 are off.
    assert cal.working_days_between(date(2024, 3, 31), date(2024, 4, 30)) == 19


def test_working_days_lists_a_range(cal: WorkingCalendar) -> None:
    assert cal.working_days(date(2024, 4, 26), date(2024, 5, 6)) == [
        date(2024, 4, 26),
        date(2024, 5, 2),
        date(2024, 5, 3),
        date(2024, 5, 4),  # the make-up Saturday
        date(2024, 5, 6),
    ]


def test_a_calendar_without_working_days_raises_instead_of_spinning() -> None:
    # Years without make-up Saturdays in the package, so every day is really off.
    every_day = [date.fromordinal(date(2030, 1, 1).toordinal() + i) for i in range(4000)]
    cal = WorkingCalendar(days_off=every_day)
    with pytest.raises(ValueError):
        cal.next_working_day(every_day[0])
    with pytest.raises(ValueError):
        cal.add_working_days(every_day[-1], -1)


def test_new_year_2026_is_swapped_as_announced(cal: WorkingCalendar) -> None:
    # Dispatch 12729/VPCP-KGVX of 25/12/2025: Fri 02/01/2026 off, Sat 10/01/2026 worked.
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.holiday_name(date(2026, 1, 2)) == t("calendar-swap-day-off", makeup="10/01/2026")
    assert cal.holiday_name(date(2026, 1, 10)) is None
    assert cal.next_working_day(date(2026, 1, 1)) == date(2026, 1, 5)
    assert cal.working_days(date(2026, 1, 9), date(2026, 1, 12)) == [
        date(2026, 1, 9),
        date(2026, 1, 10),
        date(2026, 1, 12),
    ]


def test_the_table_fixes_a_year_the_package_does_not_know() -> None:
    without = WorkingCalendar(announced=())
    assert without.is_working_day(date(2026, 1, 2))  # the package alone gets it wrong
    assert not without.is_working_day(date(2026, 1, 10))
    # A future swap needs only a new table entry.
    off, makeup = date(2031, 1, 2), date(2031, 1, 11)
    entries = [
        AnnouncedDay(off, Change.DAY_OFF, makeup, "calendar-source-2026-01"),
        AnnouncedDay(makeup, Change.MAKEUP, off, "calendar-source-2026-01"),
    ]
    cal = WorkingCalendar(announced=entries)
    assert not cal.is_working_day(off) and cal.is_working_day(makeup)


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 24), date(2027, 11, 24), date(2030, 11, 25)],
)
def test_vietnam_culture_day_stays_a_working_day(cal: WorkingCalendar, day: date) -> None:
    # The package makes 24/11 a day off from 2026 (and Mon 25/11/2030 in lieu of a Sunday);
    # Article 112 of the Labour Code has not been amended, so officials work.
    assert holidays.country_holidays("VN", years=day.year).get(day) is not None
    assert cal.is_working_day(day)
    assert cal.holiday_name(day) is None


def test_a_plan_can_still_make_culture_day_a_day_off() -> None:
    cal = WorkingCalendar(days_off=[date(2026, 11, 24)])
    assert not cal.is_working_day(date(2026, 11, 24))


def test_a_plan_day_off_wins_over_an_announced_make_up_day() -> None:
    cal = WorkingCalendar(days_off=[date(2026, 1, 10)], makeup_days=[date(2026, 1, 2)])
    assert not cal.is_working_day(date(2026, 1, 10))
    assert cal.is_working_day(date(2026, 1, 2))


def test_announced_swaps_pair_a_weekday_with_a_saturday() -> None:
    by_day = {entry.day: entry for entry in ANNOUNCED}
    for entry in ANNOUNCED:
        other = by_day[entry.pair]
        assert other.pair == entry.day and other.source == entry.source
        assert other.change is not entry.change
        weekday = 5 if entry.change is Change.MAKEUP else entry.day.weekday()
        assert entry.day.weekday() == weekday and weekday in range(6)
        assert t(entry.source).strip()


def test_the_package_agrees_with_the_table_where_it_knows_the_swap() -> None:
    # `holidays` >= 0.106 (pinned) has every announced swap up to 2026 except New Year 2026.
    for entry in ANNOUNCED:
        package = holidays.country_holidays("VN", years=entry.day.year)
        if entry.day.year == 2026 and entry.day.month == 1:
            continue
        if entry.change is Change.DAY_OFF:
            assert entry.day in package
        else:
            assert entry.day in package.weekend_workdays


def test_special_days_of_2026_say_where_each_comes_from(cal: WorkingCalendar) -> None:
    days = {d.day: d for d in cal.special_days(2026)}
    law = t("calendar-source-law", version=version("holidays"))

    new_year = days[date(2026, 1, 1)]
    assert (new_year.working, new_year.origin, new_year.source) == (False, Origin.LAW, law)
    swapped = days[date(2026, 1, 2)]
    assert (swapped.working, swapped.origin) == (False, Origin.SWAP)
    assert swapped.source == t("calendar-source-2026-01") and not swapped.package_agrees
    made_up = days[date(2026, 1, 10)]
    assert (made_up.working, made_up.origin) == (True, Origin.SWAP)
    assert made_up.name == t("calendar-swap-makeup", off="02/01/2026")
    august = days[date(2026, 8, 22)]
    assert (august.working, august.origin, august.package_agrees) == (True, Origin.SWAP, True)
    culture = days[date(2026, 11, 24)]
    assert (culture.working, culture.origin) == (True, Origin.UNENACTED)
    assert culture.source == t("calendar-reason-culture-day")
    assert days[date(2026, 4, 26)].working is False  # Hùng Kings on a Sunday is listed too
    assert days[date(2026, 4, 27)].origin is Origin.LAW  # and its day in lieu
    assert [d for d in days if not days[d].working and d.weekday() < 5] == [
        d for d in NATIONAL_WEEKDAYS_OFF[2026]
    ]


def test_special_days_show_the_plans_changes() -> None:
    cal = WorkingCalendar(days_off=[date(2026, 12, 31)], makeup_days=[date(2026, 12, 26)])
    days = {d.day: d for d in cal.special_days(2026)}
    assert days[date(2026, 12, 31)].origin is Origin.PLAN
    assert days[date(2026, 12, 31)].name == t("calendar-plan-day-off")
    assert days[date(2026, 12, 26)].working is True
    assert days[date(2026, 12, 26)].source == t("calendar-source-plan")
