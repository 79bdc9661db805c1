"""Report instances in a given state, for the progress chart's tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.model import InstanceStatus, SubmissionState, UnitStatus
from bot.core.plan.model import DueKind
from bot.core.rules.deadlines import unit_lateness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_END = datetime(2024, 6, 5, tzinfo=TZ)  # "before 05/06/2024"


def status(
    firsts: list[datetime | None], now: datetime, *, due_end: datetime = DUE_END, key: str = "once"
) -> InstanceStatus:
    """An instance whose units sent their first version at `firsts` (None: nothing yet)."""
    units = []
    for number, first in enumerate(firsts, 1):
        late = unit_lateness(first, due_end, now)
        if first is None:
            state = SubmissionState.PENDING if late is None else SubmissionState.MISSING
        else:
            state = SubmissionState.ON_TIME if late is None else SubmissionState.LATE
        units.append(
            UnitStatus(
                unit_key=f"phong-{number}",
                unit_name=f"Phòng {number}",
                state=state,
                versions=0 if first is None else 1,
                latest_version=None if first is None else 1,
                latest_at=first,
                first_at=first,
                late_by=late,
            )
        )
    return InstanceStatus(
        instance_id=7,
        report_key="bc-6-thang",
        report_name="Báo cáo 6 tháng",
        instance_key=key,
        period_key=None,
        period_start=None,
        period_end=None,
        due_kind=DueKind.BEFORE,
        due_day=due_end.date(),
        due_time=None,
        due_end=due_end,
        units=tuple(units),
    )


def local(day: int, hour: int = 9, month: int = 6) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=TZ)
