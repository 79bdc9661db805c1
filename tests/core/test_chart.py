"""What the progress chart shows: counts by state, arrivals against the deadline, the words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from chart_support import DUE_END, TZ, local, status

from bot.core.chart import progress_chart
from bot.core.model import SubmissionState, nearest_instance


def test_the_chart_counts_each_state_as_the_status_does() -> None:
    now = local(6)
    firsts = [local(3), local(4, 23), local(5, 8), None, local(1)]
    chart = progress_chart(status(firsts, now), now=now, tz=TZ)

    counts = {segment.state: segment.count for segment in chart.segments}
    assert counts == {
        SubmissionState.ON_TIME: 3,
        SubmissionState.LATE: 1,
        SubmissionState.MISSING: 1,
        SubmissionState.PENDING: 0,
    }
    assert [segment.label for segment in chart.segments] == [
        "Đúng hạn: 3",
        "Nộp trễ: 1",
        "Quá hạn, chưa nộp: 1",
        "Chưa nộp, còn hạn: 0",
    ]
    assert chart.total == 5
    assert chart.title == "Báo cáo 6 tháng"
    assert chart.subtitle == "Đã nộp 4/5 đơn vị"
    assert chart.note is None


def test_arrivals_are_first_versions_in_order_in_the_plans_zone() -> None:
    now = local(6)
    utc = datetime(2024, 6, 2, 1, tzinfo=UTC)  # 08:00 in Hà Nội
    chart = progress_chart(status([local(4), utc, None], now), now=now, tz=TZ)

    assert chart.arrivals == (utc, local(4))
    assert all(moment.utcoffset() == timedelta(hours=7) for moment in chart.arrivals)
    assert chart.deadline == DUE_END
    assert chart.today == now


def test_the_deadline_and_today_are_named_in_words() -> None:
    now = datetime(2024, 6, 4, 9, 30, tzinfo=UTC)
    chart = progress_chart(status([None], now), now=now, tz=TZ)

    assert chart.deadline_label == "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)"
    assert chart.today_label == "Hôm nay: 04/06/2024 16:30"
    assert chart.total_label == "Tổng số 1 đơn vị"
    assert chart.file_name == "Tiến độ bc-6-thang 04-06-2024.png"


def test_before_anyone_reports_the_chart_says_so() -> None:
    now = local(3)
    chart = progress_chart(status([None, None], now), now=now, tz=TZ)

    assert chart.arrivals == ()
    assert chart.note == "Chưa đơn vị nào nộp báo cáo."
    assert {s.state: s.count for s in chart.segments}[SubmissionState.PENDING] == 2


def test_a_report_without_units_still_has_a_chart() -> None:
    chart = progress_chart(status([], local(3)), now=local(3), tz=TZ)

    assert chart.total == 0
    assert chart.note == "Báo cáo này không có đơn vị nào phải nộp."
    assert all(segment.count == 0 for segment in chart.segments)


def test_large_counts_are_written_the_vietnamese_way() -> None:
    now = local(6)
    chart = progress_chart(status([local(1)] * 1234, now), now=now, tz=TZ)

    assert chart.segments[0].number == "1.234"
    assert chart.segments[0].label == "Đúng hạn: 1.234"


def test_the_nearest_deadline_is_the_instance_charted() -> None:
    now = local(20)
    may, june, july = (
        status([], now, due_end=datetime(2024, month, 15, tzinfo=TZ), key=f"2024-0{month}")
        for month in (5, 6, 7)
    )
    assert nearest_instance([may, june, july], now=now) is june
    assert nearest_instance([may, july], now=local(10)) is may  # passed 26 days ago
    assert nearest_instance([may, july], now=now) is july  # due in 25 days
    # Equally far: the earlier, the one being chased.
    assert nearest_instance([july, june], now=local(30, 0)) is june
    with pytest.raises(ValueError):
        nearest_instance([], now=now)
