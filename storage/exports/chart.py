"""The progress chart as a PNG, drawn with matplotlib (bot.core.chart says what it shows).

Made to be read on a phone: 1080 pixels wide and 1280 high (Telegram scales a photo down to 1280
on its longer side: this one it keeps as drawn), large type, one bar of counts over one curve of
arrivals against the deadline, the legends below rather than on the drawing, so that nothing
overlaps whatever the numbers. The font is set explicitly to the DejaVu Sans that matplotlib
ships, whose glyphs cover Vietnamese (every vowel with its circumflex, horn or breve, the
crossed d, and the five tone marks); text is put in composed form (NFC), which those glyphs
need, since matplotlib does not place combining marks itself. Only the object API with the Agg
canvas is used, never pyplot: no display is needed, and no global state is touched, so charts
can be drawn in worker threads at once. Time on the curve is counted in days from its left edge,
in the plan's zone.
"""

from __future__ import annotations

import math
import os
import tempfile
import textwrap
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.core.chart import ProgressChart
from bot.core.model import SubmissionState

WIDTH = 1080  # pixels
HEIGHT = 1280
DPI = 120
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

COLOURS = {
    SubmissionState.ON_TIME: "#2e7d32",
    SubmissionState.LATE: "#f9a825",
    SubmissionState.MISSING: "#c62828",
    SubmissionState.PENDING: "#b0bec5",
}
# The count inside a segment, in a colour that reads on it.
INK_ON = {
    SubmissionState.ON_TIME: "white",
    SubmissionState.LATE: "#212121",
    SubmissionState.MISSING: "white",
    SubmissionState.PENDING: "#212121",
}
CURVE = "#1565c0"
DEADLINE = "#c62828"
TODAY = "#424242"
LATE_ZONE = "#fdecea"
TEXT = "#212121"
MUTED = "#616161"

TITLE_CHARACTERS = 38  # a line of the title at its size, about 1000 pixels
TITLE_LINES = 3


@cache
def font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(fname=str(BOLD if bold else REGULAR), size=size)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _title_lines(title: str) -> list[str]:
    lines = textwrap.wrap(_nfc(title), TITLE_CHARACTERS) or [""]
    if len(lines) > TITLE_LINES:
        lines = [*lines[: TITLE_LINES - 1], lines[TITLE_LINES - 1].rstrip(" .,") + "…"]
    return lines


class MatplotlibCharts:
    """Draws progress charts (implements bot.core.ports.ChartRenderer)."""

    def render(self, chart: ProgressChart, path: Path) -> None:
        """Write the PNG to `path`; the file appears whole or not at all."""
        figure = draw(chart)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                figure.savefig(stream, format="png", dpi=DPI)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def draw(chart: ProgressChart) -> Figure:
    """The chart as a figure of WIDTH x HEIGHT pixels."""
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    top = _heading(figure, chart)
    top = _bar(figure, chart, top)
    _curve(figure, chart, top)
    return figure


def _y(pixels: float) -> float:
    """A height from the top of the picture, as matplotlib's fraction from the bottom."""
    return 1 - pixels / HEIGHT


def _heading(figure: Figure, chart: ProgressChart) -> float:
    """The title and subtitle; returns where they end, in pixels from the top."""
    at = 36.0
    for line in _title_lines(chart.title):
        figure.text(
            0.5, _y(at), line, ha="center", va="top", color=TEXT, fontproperties=font(25, bold=True)
        )
        at += 52
    figure.text(
        0.5, _y(at + 14), _nfc(chart.subtitle), ha="center", va="top", color=MUTED,
        fontproperties=font(19),
    )  # fmt: skip
    return at + 68


def _bar(figure: Figure, chart: ProgressChart, top: float) -> float:
    """One bar of every unit, by state, and its legend; returns where they end."""
    left, width = 48 / WIDTH, 1 - 96 / WIDTH
    height = 96
    axes = figure.add_axes((left, _y(top + 20 + height), width, height / HEIGHT))
    axes.set_axis_off()
    total = max(chart.total, 1)
    axes.set_xlim(0, total)
    axes.set_ylim(-0.5, 0.5)
    start = 0
    if chart.total == 0:
        axes.barh(0, total, height=1, color="white", edgecolor=COLOURS[SubmissionState.PENDING])
    for segment in chart.segments:
        if not segment.count:
            continue
        axes.barh(0, segment.count, left=start, height=1, color=COLOURS[segment.state])
        # The count only where it fits inside its segment: the legend always has it.
        if segment.count / total * (WIDTH - 96) >= 30 + 19 * len(segment.number):
            axes.text(
                start + segment.count / 2, 0, segment.number, ha="center", va="center",
                color=INK_ON[segment.state], fontproperties=font(22, bold=True),
            )  # fmt: skip
        start += segment.count
    handles = [
        Patch(facecolor=COLOURS[segment.state], label=_nfc(segment.label))
        for segment in chart.segments
    ]
    legend_top = top + 20 + height + 14
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(left - 0.01, _y(legend_top)),
        ncols=2,
        frameon=False,
        prop=font(17),
        handlelength=1.2,
        handleheight=1.2,
        columnspacing=1.5,
        borderaxespad=0,
    )
    return legend_top + 2 * 44 + 24


def _curve(figure: Figure, chart: ProgressChart, top: float) -> None:
    """How many units had reported at each moment, the deadline and today marked."""
    left_margin, right_margin = 96, 48
    legend_height = 3 * 44 + 20
    ticks_height = 56
    bottom = HEIGHT - legend_height - ticks_height
    figure.text(
        left_margin / WIDTH, _y(top), _nfc(chart.axis_label), ha="left", va="top", color=TEXT,
        fontproperties=font(19, bold=True),
    )  # fmt: skip
    top += 48
    axes = figure.add_axes(
        (
            left_margin / WIDTH,
            _y(bottom),
            1 - (left_margin + right_margin) / WIDTH,
            (bottom - top) / HEIGHT,
        )
    )
    deadline, today = _naive(chart.deadline), _naive(chart.today)
    arrivals = [_naive(moment) for moment in chart.arrivals]
    start, end = _span([deadline, today, *arrivals])

    def x(moment: datetime) -> float:
        return (moment - start) / timedelta(days=1)

    axes.set_xlim(0, x(end))
    ceiling = max(chart.total, 1)
    axes.set_ylim(0, ceiling * 1.08)
    axes.axvspan(x(deadline), x(end), color=LATE_ZONE, zorder=0)
    if chart.total:
        axes.axhline(chart.total, color=MUTED, linestyle=":", linewidth=2, zorder=1)
    axes.axvline(x(deadline), color=DEADLINE, linestyle="--", linewidth=3, zorder=3)
    axes.axvline(x(today), color=TODAY, linestyle="-", linewidth=2.5, zorder=3)
    if chart.total:  # flat at zero while nobody has reported: that is the news
        xs = [0.0, *map(x, arrivals), x(max([today, *arrivals]))]
        ys = [0, *range(1, len(arrivals) + 1), len(arrivals)]
        axes.fill_between(xs, ys, step="post", color=CURVE, alpha=0.15, zorder=2)
        # Not clipped: flat at zero, half the line would hide under the axis.
        axes.step(xs, ys, where="post", color=CURVE, linewidth=3.5, zorder=4, clip_on=False)
    if chart.note is not None:
        axes.text(
            0.5, 0.55, _nfc(chart.note), transform=axes.transAxes, ha="center", va="center",
            color=TEXT, fontproperties=font(19),
            bbox={"facecolor": "white", "edgecolor": MUTED, "boxstyle": "round,pad=0.6"},
            zorder=5,
        )  # fmt: skip
    # A mark at either edge would have its label cut in half.
    width = x(end)
    marks = [(x(moment), label) for moment, label in _ticks(start, end)]
    marks = [(at, label) for at, label in marks if 0.03 * width <= at <= 0.96 * width]
    positions, labels = [at for at, _ in marks], [label for _, label in marks]
    axes.set_xticks(positions, labels, fontproperties=font(16), color=TEXT)
    steps = MaxNLocator(nbins=5, integer=True).tick_values(0, chart.total)
    shown = [value for value in steps if 0 <= value <= chart.total]
    axes.set_yticks(shown, [f"{int(value)}" for value in shown], fontproperties=font(16))
    axes.tick_params(length=6, width=1.5, colors=TEXT)
    axes.grid(axis="y", color="#e0e0e0", linewidth=1)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    handles = [
        Line2D([], [], color=MUTED, linestyle=":", linewidth=2, label=_nfc(chart.total_label)),
        Line2D(
            [], [], color=DEADLINE, linestyle="--", linewidth=3, label=_nfc(chart.deadline_label)
        ),
        Line2D([], [], color=TODAY, linewidth=2.5, label=_nfc(chart.today_label)),
    ]
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(left_margin / WIDTH - 0.06, _y(bottom + ticks_height)),
        ncols=1,
        frameon=False,
        prop=font(17),
        handlelength=2.2,
        borderaxespad=0,
    )


def _naive(moment: datetime) -> datetime:
    """The wall-clock time in the plan's zone: days on the axis begin at its midnights."""
    return moment.replace(tzinfo=None)


def _span(moments: list[datetime]) -> tuple[datetime, datetime]:
    """The stretch of time the curve shows: every moment, with a margin on each side."""
    first, last = min(moments), max(moments)
    length = max(last - first, timedelta(days=2))
    middle = first + (last - first) / 2
    first, last = min(first, middle - length / 2), max(last, middle + length / 2)
    margin = length * 0.06
    return first - margin, last + margin


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Where time is marked, at most seven marks: midnights every day or every few days
    (dd/mm) over fourteen weeks at most, else the first of every month or few (mm/yyyy)."""
    days = (end - start).days + 1
    if days <= 98:
        every = next(step for step in (1, 2, 3, 7, 14) if days / step <= 7)
        day = datetime.combine(start.date() + timedelta(days=1), datetime.min.time())
        marks: list[tuple[datetime, str]] = []
        while day <= end:
            marks.append((day, day.strftime("%d/%m")))
            day += timedelta(days=every)
        return marks
    months = days / 30.4
    # Months that fall on quarters, halves or years; beyond six years, every few years.
    every = next(
        (step for step in (1, 2, 3, 6, 12) if months / step <= 6), 12 * math.ceil(months / 72)
    )
    index = start.year * 12 + start.month  # the month after start's, counted from year 0
    marks = []
    while True:
        year, month = divmod(index, 12)
        first = datetime(year, month + 1, 1)  # noqa: DTZ001 (wall-clock time, as _naive)
        if first > end:
            return marks
        if index % every == 0:
            marks.append((first, first.strftime("%m/%Y")))
        index += 1
