"""The status workbook from the database to a file, read back cell by cell and by a second
reader: the register of versions on both backends, the .xlsx's formats, marks and safety."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import submit_as_unit, unit_head
from xlsx_support import LATE_FILL, MISSING_FILL, fill, sheets, table, to_pdf

from bot.core.export_desk import StatusExport
from bot.core.model import SubmissionKind
from bot.core.plan.loader import parse_plan
from bot.core.statusbook import Column, Row, Sheet, Workbook
from storage.exports import xlsx
from storage.exports.xlsx import XlsxWriter, write_workbook
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.plans import apply_plan
from storage.repository import SqlRepository
from storage.submission_register import SqlSubmissionRegister

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APPLIED = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
ON_TIME = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)  # 03/06 10:00 in Hanoi
CORRECTED = datetime(2024, 6, 5, 4, 0, tzinfo=UTC)  # 05/06 11:00
LATE = datetime(2024, 6, 5, 4, 30, tzinfo=UTC)  # 05/06 11:30, 11 h 30 late
NOW = datetime(2024, 6, 6, 3, 0, tzinfo=UTC)
PLAN = """\
organisation: {name: Sở Thử nghiệm}
units:
  - {id: van-phong, name: Văn phòng Sở, type: office}
  - {id: phong-a, name: Phòng Tổ chức cán bộ}
  - {id: phong-b, name: Phòng Bưu chính}
  - {id: phong-c, name: Phòng C}
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: all
    receiver: van-phong
    due_before: 05/06/2024
  - id: bc-thang
    name: Báo cáo tháng
    submitters: [phong-a]
    receiver: van-phong
    due_before: 20/06/2024
    repeat: {every: month, count: 3}
"""


async def seeded(engine: AsyncEngine, files: Path) -> int:
    """Phòng A on time with a correction, Phòng B late with a text, Phòng C missing."""
    await apply_plan(engine, parse_plan(PLAN, "p.yaml"), path="p.yaml", now=APPLIED)
    repo = SqlRepository(engine, LocalFileStore(files))
    (instance,) = await repo.status(report_key="bc-6-thang", now=NOW)
    head = await unit_head(repo, "phong-a", ON_TIME)
    for version, at, note in ((1, ON_TIME, "=SUM(1,2)"), (2, CORRECTED, "Bản sửa")):
        await repo.submit(
            instance_id=instance.instance_id,
            unit_key="phong-a",
            contact_id=head.id,
            kind=SubmissionKind.TEXT,
            source_ref=f"test:a:{version}",
            now=at,
            text=f"Phiên bản {version}",
            note=note,
        )
    await submit_as_unit(
        engine,
        files,
        instance_id=instance.instance_id,
        unit_key="phong-b",
        now=LATE,
        text="Đơn vị đã hoàn thành.\nChi tiết gửi sau.",
    )
    return instance.instance_id


def export(engine: AsyncEngine) -> StatusExport:
    return StatusExport(
        instances=SqlReportInstances(engine),
        register=SqlSubmissionRegister(engine),
        writer=XlsxWriter(),
    )


async def test_the_register_lists_every_version_and_the_contacts(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    instance_id = await seeded(engine, tmp_path)
    register = SqlSubmissionRegister(engine)
    entries = await register.register(instance_ids=[instance_id])
    assert [(e.unit_key, e.version, e.submitted_at, e.note) for e in entries] == [
        ("phong-a", 1, ON_TIME, "=SUM(1,2)"),
        ("phong-a", 2, CORRECTED, "Bản sửa"),
        ("phong-b", 1, LATE, None),
    ]
    assert entries[0].sender == "Đầu mối phong-a" and entries[0].text == "Phiên bản 1"
    assert await register.register(instance_ids=[]) == []
    assert await register.unit_contacts() == {
        "phong-a": ["Đầu mối phong-a"],
        "phong-b": ["Đầu mối phong-b"],
    }


async def test_the_workbook_reads_back_cell_by_cell(engine: AsyncEngine, tmp_path: Path) -> None:
    await seeded(engine, tmp_path)
    out = tmp_path / "ra"
    out.mkdir()
    path = out / "Tình hình.xlsx"
    done = await export(engine).write(
        report_key="bc-6-thang", instance_key=None, path=path, now=NOW, tz=TZ
    )
    assert (done.file_name, done.versions, done.size) == (
        "Tình hình nộp - Báo cáo 6 tháng.xlsx",
        3,
        path.stat().st_size,
    )
    assert [p.name for p in out.iterdir()] == ["Tình hình.xlsx"]
    found = sheets(path)
    assert list(found) == ["Tình hình", "Các lần nộp"]
    ws = found["Tình hình"]
    assert ws["A1"].value == "Báo cáo 6 tháng" and ws["A1"].font.bold
    assert ws["A2"].value == "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)"
    header, titles, rows = table(ws)
    assert titles[:6] == ["STT", "Đơn vị", "Đầu mối", "Tình trạng", "Số ngày trễ", "Nộp lần đầu"]
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:J{header + 3}"
    a, b, c = rows
    assert a == (
        1, "Phòng Tổ chức cán bộ", "Đầu mối phong-a", "đúng hạn", None,
        datetime(2024, 6, 3, 10, 0), datetime(2024, 6, 5, 11, 0), 2, a[8], "Bản sửa",
    )  # fmt: skip
    assert b[3:5] == ("trễ 11 giờ 30 phút", 0.5)
    assert c[:5] == (3, "Phòng C", None, "chưa nộp, đã trễ 1 ngày 10 giờ", 1.4)
    first_at = ws.cell(header + 1, 6)
    assert first_at.is_date and first_at.number_format == "dd/mm/yyyy hh:mm"
    assert ws.cell(header + 1, 5).number_format == "0.0"
    assert fill(ws, header + 1) == "00000000"
    assert fill(ws, header + 2) == LATE_FILL
    assert fill(ws, header + 3) == MISSING_FILL
    # Widths fit the longest value (a unit's name), counted in letters.
    assert ws.column_dimensions["B"].width == pytest.approx(len("Phòng Tổ chức cán bộ") + 2, abs=1)

    ws = found["Các lần nộp"]
    header, titles, rows = table(ws)
    assert [row[2:6] for row in rows] == [
        ("Phòng Tổ chức cán bộ", 1, datetime(2024, 6, 3, 10, 0), "trước hạn"),
        ("Phòng Tổ chức cán bộ", 2, datetime(2024, 6, 5, 11, 0), "sau hạn 11 giờ"),
        ("Phòng Bưu chính", 1, datetime(2024, 6, 5, 11, 30), "sau hạn 11 giờ 30 phút"),
    ]
    # What a person typed stays text: a note that looks like a formula is not one.
    note = ws.cell(header + 1, 11)
    assert (note.value, note.data_type) == ("=SUM(1,2)", "s")
    assert rows[2][8] == "Đơn vị đã hoàn thành.\nChi tiết gửi sau."
    assert ws.cell(header + 3, 9).alignment.wrap_text
    assert ws.freeze_panes == f"A{header + 1}" and ws.auto_filter.ref == f"A{header}:K{header + 3}"


async def test_a_monthly_report_gets_a_sheet_per_instance_or_one_when_asked(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await seeded(engine, tmp_path)
    every = await export(engine).write(
        report_key="bc-thang", instance_key=None, path=tmp_path / "thang.xlsx", now=NOW, tz=TZ
    )
    names = list(sheets(tmp_path / "thang.xlsx"))
    keys = [i.instance_key for i in every.instances]
    assert names == [*(f"Tình hình {key}" for key in keys), "Các lần nộp"]
    assert every.file_name == "Tình hình nộp - Báo cáo tháng.xlsx"
    one = await export(engine).write(
        report_key="bc-thang",
        instance_key=keys[1].lower(),
        path=tmp_path / "1.xlsx",
        now=NOW,
        tz=TZ,
    )
    assert list(sheets(tmp_path / "1.xlsx")) == ["Tình hình", "Các lần nộp"]
    assert one.file_name == f"Tình hình nộp - Báo cáo tháng - kỳ {keys[1]}.xlsx"


def _book(*rows: Row) -> Workbook:
    column = Column("Đơn vị")
    return Workbook("t", (Sheet("Tình hình", ("Tiêu đề",), (column,), rows),))


def test_widths_count_vietnamese_letters_once_however_they_were_typed(tmp_path: Path) -> None:
    name = "Phòng Tài nguyên và Môi trường"
    decomposed = unicodedata.normalize("NFD", name)
    assert len(decomposed) > len(name)
    write_workbook(_book(Row((decomposed,))), tmp_path / "a.xlsx")
    ws = sheets(tmp_path / "a.xlsx")["Tình hình"]
    assert ws.column_dimensions["A"].width == pytest.approx(len(name) + 2, abs=1)


def test_a_failed_write_leaves_nothing_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "tinh-hinh.xlsx"
    target.write_bytes(b"the previous export")

    def broken(book: Workbook, filename: Path) -> None:
        filename.write_bytes(b"PK half")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx, "_render", broken)
    with pytest.raises(OSError):
        write_workbook(_book(Row(("Phòng A",))), target)
    assert [p.name for p in tmp_path.iterdir()] == ["tinh-hinh.xlsx"]
    assert target.read_bytes() == b"the previous export"


async def test_libreoffice_converts_it_when_installed(tmp_path: Path) -> None:
    book = _book(Row(("Phòng A",)), Row(("Phòng Bưu chính",)))
    write_workbook(book, tmp_path / "a.xlsx")
    pdf = to_pdf(tmp_path / "a.xlsx", tmp_path)
    if pdf is None:
        pytest.skip("LibreOffice Calc is not installed; python-calamine read the file instead")
    assert pdf.read_bytes().startswith(b"%PDF")
