"""The compiled draft's records (SQLite and PostgreSQL) and its Word renderer's edge cases."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, submit_as_unit

from bot.core.drafts import Draft, Part, PartKind, Section, Unread, build_draft
from bot.core.model import InstanceStatus, StagedFile, SubmissionKind, SubmissionState, UnitStatus
from bot.core.plan.model import DueKind
from storage.drafts import SqlDraftSources
from storage.exports import compiled
from storage.exports.compiled import DocxDraftWriter
from storage.files import LocalFileStore
from storage.plans import apply_plan
from storage.status import report_status

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def word_file(*lines: str) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def staged(files: Path, name: str, content: bytes) -> StagedFile:
    path = LocalFileStore(files).staging_path(Path(name).suffix)
    path.write_bytes(content)
    return StagedFile(path, name, len(content), hashlib.sha256(content).hexdigest())


async def test_the_versions_of_an_instance_with_where_their_files_are(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    (h1, _) = await report_status(engine, report_key="dan-chu", now=NOW)
    files = tmp_path / "store"
    common = {"instance_id": h1.instance_id, "now": NOW}
    await submit_as_unit(engine, files, unit_key="tc", text="Đã xong.", **common)  # type: ignore[arg-type]
    await submit_as_unit(
        engine,
        files,
        unit_key="kh",
        kind=SubmissionKind.FILE,
        file=staged(files, "Báo cáo.docx", word_file("Nội dung")),
        **common,  # type: ignore[arg-type]
    )
    gone = await submit_as_unit(
        engine,
        files,
        unit_key="kh",
        kind=SubmissionKind.FILE,
        file=staged(files, "so-lieu.pdf", b"%PDF-1.4"),
        **common,  # type: ignore[arg-type]
    )
    store = LocalFileStore(files)
    (pdf,) = (files / "files").rglob("*.pdf")
    pdf.unlink()

    versions = await SqlDraftSources(engine, store).versions(instance_id=h1.instance_id)

    assert [(v.unit_key, v.version, v.kind, v.original_name) for v in versions] == [
        ("kh", 1, SubmissionKind.FILE, "Báo cáo.docx"),
        ("kh", 2, SubmissionKind.FILE, "so-lieu.pdf"),
        ("tc", 1, SubmissionKind.TEXT, None),
    ]
    word, missing, text = versions
    assert word.is_word and word.path is not None and word.path.read_bytes().startswith(b"PK")
    assert (missing.path, missing.missing, missing.receipt_code) == (None, True, gone.receipt_code)
    assert (text.text, text.path, text.missing) == ("Đã xong.", None, False)
    assert word.submitted_at == NOW and word.submitted_at.tzinfo is not None


def instance(*units: UnitStatus) -> InstanceStatus:
    return InstanceStatus(
        instance_id=1,
        report_key="bc",
        report_name="Báo cáo \ufffe thử",
        instance_key="2024-h1",
        period_key="custom",
        period_start=date(2023, 12, 15),
        period_end=date(2024, 6, 14),
        due_kind=DueKind.BEFORE,
        due_day=date(2024, 6, 5),
        due_time=None,
        due_end=datetime(2024, 6, 4, 17, tzinfo=UTC),
        units=units,
    )


def test_text_xml_cannot_hold_is_dropped_and_the_period_shown(tmp_path: Path) -> None:
    unit = UnitStatus("a", "Phòng \x0bA", SubmissionState.PENDING)
    draft = build_draft(instance(unit), [], now=datetime(2024, 6, 1, tzinfo=UTC), tz=TZ)
    target = tmp_path / "tong-hop.docx"
    assert DocxDraftWriter().write(draft, target) == {}
    document = Document(str(target))
    text = [p.text for p in document.paragraphs]
    assert text[:3] == [
        "Báo cáo  thử",
        "Kỳ báo cáo: 2024-h1",
        "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)",
    ]
    assert "Kỳ số liệu: từ 15/12/2023 đến 14/06/2024" in text
    assert document.tables[0].rows[1].cells[1].text == "Phòng A"


def draft_of(*parts: Part) -> Draft:
    base = build_draft(instance(), [], now=datetime(2024, 6, 1, tzinfo=UTC), tz=TZ)
    return Draft(
        **{
            **{name: getattr(base, name) for name in base.__dataclass_fields__},
            "sections": (Section("Phòng A", parts),),
        }
    )


def test_a_document_that_fails_half_way_leaves_nothing_of_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = tmp_path / "good.docx", tmp_path / "bad.docx"
    good.write_bytes(word_file("Đoạn của tệp tốt."))
    bad.write_bytes(word_file("Đoạn thứ nhất của tệp xấu.", "Đoạn thứ hai của tệp xấu."))
    original = compiled._Composer.add_images
    seen: list[object] = []

    def fails_on_the_second_paragraph(self: object, doc: object, element: object) -> None:
        seen.append(element)
        if "xấu" in "".join(element.itertext()) and len(seen) > 2:  # type: ignore[attr-defined]
            raise KeyError("rId9")
        original(self, doc, element)

    monkeypatch.setattr(compiled._Composer, "add_images", fails_on_the_second_paragraph)
    instead = {Unread.BROKEN: "Không đọc được tệp xấu.", Unread.TOO_LARGE: "Quá lớn."}
    draft = draft_of(
        Part(PartKind.DOCUMENT, path=good, receipt_code="GOOD", instead=instead),
        Part(PartKind.DOCUMENT, path=bad, receipt_code="BAD", instead=instead),
    )
    target = tmp_path / "tong-hop.docx"
    assert DocxDraftWriter().write(draft, target) == {"BAD": Unread.BROKEN}
    text = [p.text for p in Document(str(target)).paragraphs]
    assert "Đoạn của tệp tốt." in text and "Không đọc được tệp xấu." in text
    assert not any("xấu." in line and "Đoạn" in line for line in text)


def test_a_zip_bomb_is_not_unpacked(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.docx"
    bomb.write_bytes(word_file("x" * 200_000))  # unpacks to far more than it weighs
    instead = {Unread.BROKEN: "Hỏng.", Unread.TOO_LARGE: "Quá lớn."}
    draft = draft_of(Part(PartKind.DOCUMENT, path=bomb, receipt_code="BOM", instead=instead))
    target = tmp_path / "tong-hop.docx"
    writer = DocxDraftWriter(max_document=bomb.stat().st_size * 2)
    assert writer.write(draft, target) == {"BOM": Unread.TOO_LARGE}
    assert "Quá lớn." in [p.text for p in Document(str(target)).paragraphs]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.docx", "tong-hop.docx"]


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    draft = build_draft(instance(), [], now=datetime(2024, 6, 1, tzinfo=UTC), tz=TZ)
    target = tmp_path / "tong-hop.docx"
    target.write_bytes(b"the draft of yesterday")

    def full_disk(self: object, stream: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docx.document.Document.save", full_disk)
    with pytest.raises(OSError):
        DocxDraftWriter().write(draft, target)
    assert target.read_bytes() == b"the draft of yesterday"  # the old one stands, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tong-hop.docx"]
