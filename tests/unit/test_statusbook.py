"""The status workbook's content: sheets, rows, marks and local times, with no file written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import InstanceStatus, SubmissionKind, SubmissionState, UnitStatus
from bot.core.plan.model import DueKind
from bot.core.rules.deadlines import unit_lateness
from bot.core.statusbook import (
    SHEET_NAME,
    CellFormat,
    Mark,
    RegisterEntry,
    file_name,
    sheet_name,
    status_workbook,
)
from bot.core.usecases.exporting import most_relevant

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_END = datetime(2024, 6, 5, tzinfo=TZ)  # before 05/06/2024
NOW = datetime(2024, 6, 6, 3, 0, tzinfo=UTC)  # 06/06 10:00 in Hanoi
A1 = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)  # 03/06 10:00, on time
A2 = datetime(2024, 6, 5, 4, 0, tzinfo=UTC)  # 05/06 11:00, a correction after the deadline
B1 = datetime(2024, 6, 5, 4, 30, tzinfo=UTC)  # 05/06 11:30, late by 11 h 30


def unit(
    key: str, name: str, first: datetime | None, latest: datetime | None, n: int
) -> UnitStatus:
    late = unit_lateness(first, DUE_END, NOW)
    if first is None:
        state = SubmissionState.PENDING if late is None else SubmissionState.MISSING
    else:
        state = SubmissionState.ON_TIME if late is None else SubmissionState.LATE
    return UnitStatus(key, name, state, n, n or None, latest, first, late)


def instance(
    key: str = "once", instance_id: int = 1, due_end: datetime = DUE_END
) -> InstanceStatus:
    return InstanceStatus(
        instance_id=instance_id,
        report_key="bc-6-thang",
        report_name="Báo cáo 6 tháng",
        instance_key=key,
        period_key=None,
        period_start=date(2023, 12, 15),
        period_end=date(2024, 6, 14),
        due_kind=DueKind.BEFORE,
        due_day=date(2024, 6, 5),
        due_time=None,
        due_end=due_end,
        units=(
            unit("phong-a", "Phòng A", A1, A2, 2),
            unit("phong-b", "Phòng Bưu chính", B1, B1, 1),
            unit("phong-c", "Phòng C", None, None, 0),
        ),
    )


ENTRIES = [
    RegisterEntry(1, "phong-b", "Phòng Bưu chính", 1, SubmissionKind.TEXT, B1, "BBBB2222",
                  "Trần Thị Bích", text="Đơn vị đã hoàn thành."),
    RegisterEntry(1, "phong-a", "Phòng A", 2, SubmissionKind.FILE, A2, "AAAA3333", "Nguyễn An",
                  original_name="bao-cao-v2.docx", note="Bản sửa", size=2048),
    RegisterEntry(1, "phong-a", "Phòng A", 1, SubmissionKind.FILE, A1, "AAAA2222", "Nguyễn An",
                  original_name="bao-cao.docx", note="=1+2", size=1024),
]  # fmt: skip
CONTACTS = {"phong-a": ["Nguyễn An (@an)", "Lê Ba"], "phong-b": ["Trần Thị Bích"]}


def test_one_instance_makes_a_status_sheet_and_a_register() -> None:
    book = status_workbook([instance()], ENTRIES, CONTACTS, tz=TZ, now=NOW)
    status, register = book.sheets
    assert (status.name, register.name) == ("Tình hình", "Các lần nộp")
    assert book.title == "Tình hình nộp Báo cáo 6 tháng"
    assert status.heading[:3] == (
        "Báo cáo 6 tháng",
        "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)",
        "Kỳ số liệu: từ 15/12/2023 đến 14/06/2024",
    )
    assert status.heading[3] == (
        "Đã nộp 2/3 đơn vị; nộp trễ hạn: 1; chưa nộp, đã quá hạn: 1. Số liệu lúc 06/06/2024 10:00."
    )
    assert [c.title for c in status.columns] == [
        "STT", "Đơn vị", "Đầu mối", "Tình trạng", "Số ngày trễ", "Nộp lần đầu", "Nộp gần nhất",
        "Phiên bản", "Mã biên nhận", "Ghi chú",
    ]  # fmt: skip
    a, b, c = status.rows
    # Local times without a zone: Excel has none, and the reader lives in Hanoi.
    assert a.values == (
        1, "Phòng A", "Nguyễn An (@an), Lê Ba", "đúng hạn", None,
        datetime(2024, 6, 3, 10, 0), datetime(2024, 6, 5, 11, 0), 2, "AAAA3333", "Bản sửa",
    )  # fmt: skip
    assert a.mark is Mark.PLAIN
    assert b.values[3:5] == ("trễ 11 giờ 30 phút", 0.5)
    assert b.mark is Mark.LATE
    assert c.values == (3, "Phòng C", None, "chưa nộp, đã trễ 1 ngày 10 giờ", 1.4, None, None,
                        None, None, None)  # fmt: skip
    assert c.mark is Mark.MISSING
    assert status.columns[5].format is CellFormat.MOMENT

    # The register in the order things came, each version judged against the deadline.
    assert [row.values[2:6] for row in register.rows] == [
        ("Phòng A", 1, datetime(2024, 6, 3, 10, 0), "trước hạn"),
        ("Phòng A", 2, datetime(2024, 6, 5, 11, 0), "sau hạn 11 giờ"),
        ("Phòng Bưu chính", 1, datetime(2024, 6, 5, 11, 30), "sau hạn 11 giờ 30 phút"),
    ]
    first = register.rows[0].values
    assert first[6:] == ("Nguyễn An", "tệp", "bao-cao.docx", "AAAA2222", "=1+2")
    assert register.rows[2].values[7:9] == ("văn bản", "Đơn vị đã hoàn thành.")
    assert [row.mark for row in register.rows] == [Mark.PLAIN, Mark.LATE, Mark.LATE]


def test_nothing_sent_still_makes_every_sheet_and_says_so() -> None:
    empty = replace(instance(), units=(unit("phong-c", "Phòng C", None, None, 0),))
    book = status_workbook([empty], [], {}, tz=TZ, now=NOW)
    status, register = book.sheets
    assert "Chưa có đơn vị nào nộp." in status.heading
    assert register.rows == () and "Chưa có đơn vị nào nộp." in register.heading


def test_several_instances_get_one_sheet_each_by_deadline() -> None:
    later = instance("2024-07", 2, DUE_END + timedelta(days=30))
    book = status_workbook([later, instance("2024-06")], ENTRIES, CONTACTS, tz=TZ, now=NOW)
    assert [s.name for s in book.sheets] == [
        "Tình hình 2024-06",
        "Tình hình 2024-07",
        "Các lần nộp",
    ]
    assert "Kỳ báo cáo: 2024-07" in book.sheets[1].heading


def test_sheet_names_are_short_unique_and_legal() -> None:
    taken: set[str] = set()
    assert sheet_name("Tình hình [2024/06]: *?", taken) == "Tình hình 2024 06"
    assert sheet_name("tình hình 2024 06", taken) == "tình hình 2024 06 (2)"
    long = sheet_name("Tình hình " + "x" * 40, taken)
    assert len(long) == SHEET_NAME
    again = sheet_name("Tình hình " + "x" * 40, taken)
    assert len(again) == SHEET_NAME and again.endswith(" (2)")
    assert sheet_name("'History'", taken) == "History (1)"
    assert sheet_name("///", taken) == "-"


def test_the_file_name_is_safe_everywhere() -> None:
    assert file_name("Báo cáo 6 tháng", None) == "Tình hình nộp - Báo cáo 6 tháng.xlsx"
    assert file_name('Báo cáo: "quý"/2024?', instance("2024-Q1")) == (
        "Tình hình nộp - Báo cáo quý 2024 - kỳ 2024-Q1.xlsx"
    )
    assert len(file_name("x" * 500, None)) <= 125


def test_the_instance_that_matters_now() -> None:
    closed = instance("2024-05", 1, NOW - timedelta(days=30))
    closed_last = instance("2024-06", 2, NOW - timedelta(days=1))
    soon = instance("2024-07", 3, NOW + timedelta(days=3))
    later = instance("2024-08", 4, NOW + timedelta(days=33))
    assert most_relevant([], NOW, limit=5) == (None, [])
    assert most_relevant([closed, closed_last], NOW, limit=5) == (closed_last, [])
    assert most_relevant([closed, soon], NOW, limit=5) == (soon, [])
    assert most_relevant([later, closed, soon, closed_last], NOW, limit=5) == (
        None,
        [soon, later, closed_last],
    )
    assert most_relevant([later, soon], NOW, limit=1) == (None, [soon])
