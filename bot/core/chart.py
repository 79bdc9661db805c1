"""What a report instance's progress chart shows; an adapter (storage.exports.chart) draws it.

The chart says, at a glance and on a phone, what the summary's text says line by line: how
many units reported on time, late, or not at all, and when the reports came in against the
deadline. Which units count as late is the status's (judged by each unit's first version,
bot.core.rules.deadlines), so the chart and the text never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.model import InstanceStatus, SubmissionState

# The order the bar is read in, left to right: what is done, then what is not.
ORDER = (
    SubmissionState.ON_TIME,
    SubmissionState.LATE,
    SubmissionState.MISSING,
    SubmissionState.PENDING,
)
LABELS = {
    SubmissionState.ON_TIME: "chart-on-time",
    SubmissionState.LATE: "chart-late",
    SubmissionState.MISSING: "chart-missing",
    SubmissionState.PENDING: "chart-pending",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of the bar: the units in one state."""

    state: SubmissionState
    label: str  # the state in words, with its count
    count: int
    number: str  # the count as written in the bar (1.234)


@dataclass(frozen=True, slots=True)
class ProgressChart:
    """Everything the picture shows, in words and numbers; times in the plan's zone."""

    title: str  # the report's name
    subtitle: str  # how many reported
    segments: tuple[Segment, ...]  # every state, in ORDER, empty ones too (the legend shows 0)
    total: int
    arrivals: tuple[datetime, ...]  # when each unit that reported sent its first version, sorted
    deadline: datetime  # the first late moment
    today: datetime  # when the chart was made
    deadline_label: str
    today_label: str
    axis_label: str  # what the curve counts
    total_label: str
    note: str | None  # said in the curve's place when there is no curve to draw
    file_name: str


def progress_chart(status: InstanceStatus, *, now: datetime, tz: ZoneInfo) -> ProgressChart:
    """The chart of one instance's status at `now`."""
    total = len(status.units)
    counts = {state: status.count(state) for state in ORDER}
    done = counts[SubmissionState.ON_TIME] + counts[SubmissionState.LATE]
    arrivals = sorted(
        unit.first_at.astimezone(tz) for unit in status.units if unit.first_at is not None
    )
    note = None
    if total == 0:
        note = t("chart-no-units")
    elif not arrivals:
        note = t("chart-none-yet")
    deadline = status.due_end.astimezone(tz)
    today = now.astimezone(tz)
    return ProgressChart(
        title=status.report_name,
        subtitle=t("chart-subtitle", done=done, total=total),
        segments=tuple(
            Segment(
                state,
                t(LABELS[state], count=counts[state]),
                counts[state],
                t("chart-count", count=counts[state]),
            )
            for state in ORDER
        ),
        total=total,
        arrivals=tuple(arrivals),
        deadline=deadline,
        today=today,
        deadline_label=t("chart-deadline", deadline=fmt.deadline(status.deadline)),
        today_label=t("chart-today", moment=fmt.moment(today, tz)),
        axis_label=t("chart-axis"),
        total_label=t("chart-total", total=total),
        note=note,
        file_name=t("chart-file-name", report=status.report_key, date=today.strftime("%d-%m-%Y")),
    )
