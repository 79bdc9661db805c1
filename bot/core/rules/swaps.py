"""Swapped days off and make-up days the government announced, each with the document it comes from.

The Government decides swaps year by year (for the next New Year as late as 25/12), often after a
`holidays` release, so baocao keeps its own table: a release of baocao fixes a year without
waiting for the package. Sources are catalog keys (`bot/core/locale/vi/calendar.ftl`) naming the
document; the comments give the public copies where the document or its content was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Change(StrEnum):
    """What an announcement does to one day."""

    DAY_OFF = "day_off"  # a working day given off, in exchange for a make-up day
    MAKEUP = "makeup"  # a weekend day worked instead (ngay lam bu)


@dataclass(frozen=True, slots=True)
class AnnouncedDay:
    """One day of an announced swap; `pair` is the other half of the swap."""

    day: date
    change: Change
    pair: date
    source: str  # catalog key of the document


def _swap(off: date, makeup: date, source: str) -> tuple[AnnouncedDay, AnnouncedDay]:
    return (
        AnnouncedDay(off, Change.DAY_OFF, makeup, source),
        AnnouncedDay(makeup, Change.MAKEUP, off, source),
    )


ANNOUNCED: tuple[AnnouncedDay, ...] = (
    # Mon 29/04/2024 off, worked on Sat 04/05/2024. Government Office dispatch 2450/VPCP-KGVX of
    # 12/04/2024 (baophapluat.vn, baotintuc.vn); `holidays` >= 0.60 has the same swap and cites it.
    *_swap(date(2024, 4, 29), date(2024, 5, 4), "calendar-source-2024-04"),
    # Fri 02/05/2025 off, worked on Sat 26/04/2025. Government Office dispatch 8726/VPCP-KGVX of
    # 26/11/2024 agreeing to the labour ministry's proposal, announced as 6150/TB-BLDTBXH
    # (vietnam.vn; the provinces' notices on lawnet.vn); `holidays` >= 0.106 has it too.
    *_swap(date(2025, 5, 2), date(2025, 4, 26), "calendar-source-2025-05"),
    # Fri 02/01/2026 off, worked on Sat 10/01/2026. Government Office dispatch 12729/VPCP-KGVX
    # of 25/12/2025 agreeing to the Ministry of Home Affairs' proposal (press reports of it).
    # `holidays` 0.109 does not have it.
    *_swap(date(2026, 1, 2), date(2026, 1, 10), "calendar-source-2026-01"),
    # Mon 31/08/2026 off, worked on Sat 22/08/2026. Ministry of Home Affairs notice
    # 9441/TB-BNV of 16/10/2025 on Tet and National Day 2026 (vietbao.vn, baohaiphong.vn via
    # vietnam.vn); `holidays` >= 0.106 has it too.
    *_swap(date(2026, 8, 31), date(2026, 8, 22), "calendar-source-2026-08"),
)


@dataclass(frozen=True, slots=True)
class Unenacted:
    """A day the `holidays` package lists as a day off that no enacted law makes one (yet)."""

    month: int
    day: int
    since: int  # the first year the package lists it
    reason: str  # catalog key: why baocao keeps it a working day


UNENACTED: tuple[Unenacted, ...] = (
    # Vietnam Culture Day, 24/11: `holidays` 0.106+ makes it a day off from 2026 on the strength
    # of Politburo Resolution 80-NQ/TW. Article 112 of the Labour Code 2019 still lists 11 days;
    # Government Resolution 30/NQ-CP (02/2026) only asks for the Code to be amended (vneconomy.vn,
    # vnexpress.net, 01-02/2026). Remove this entry once the amendment is enacted.
    Unenacted(11, 24, 2026, "calendar-reason-culture-day"),
)
