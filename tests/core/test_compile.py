"""The Office's compiled draft: real Word files submitted through the bot, compiled, read back."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from core.test_usecases import NOW, PLAN, SECOND, TZ, World, make_world
from docx import Document
from docx.document import Document as WordDocument

from bot.core.drafts import DraftDesk, Unread, choose_instance
from bot.core.errors import UserError
from bot.core.model import AttachmentKind, InstanceStatus
from bot.core.plan.model import DueKind, Role
from bot.core.usecases import ReportBot
from storage.drafts import SqlDraftSources
from storage.exports.compiled import DocxDraftWriter

WORD_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_file(title: str, *lines: str, table: list[list[str]] | None = None) -> bytes:
    """A real .docx with a heading, paragraphs, a numbered list and a table."""
    document = Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    document.add_paragraph("Mục thứ nhất", style="List Number")
    document.add_paragraph("Mục thứ hai", style="List Number")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = document.styles["Table Grid"]
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_without_word() -> bytes:
    """A valid ZIP named .docx that is no Word document (a renamed archive)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải Word")
    return buffer.getvalue()


async def with_drafts(world: World) -> World:
    ctx = world.bot.context
    desk = DraftDesk(
        instances=world.repo,
        sources=SqlDraftSources(world.engine, world.repo.files),  # type: ignore[arg-type]
        writer=DocxDraftWriter(),
    )
    world.bot = ReportBot(
        repository=world.repo,
        files=ctx.files,
        settings=ctx.settings,
        clock=lambda: world.clock[0],
        drafts=desk,
    )
    return world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield await with_drafts(w)


@pytest.fixture
async def two_reports(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path, PLAN + SECOND):
        yield await with_drafts(w)


async def submit_text(world: World, user: str, text: str) -> None:
    await world.say(user, text)
    ((submit, _),) = world.out.sent[-1][2]
    await world.press(user, submit.data)


def received(world: World, chat: str = "5") -> tuple[str, str, WordDocument]:
    """The last file the office was sent: its name, caption and the document read back."""
    to, name, caption, photo, content = world.out.uploads[-1]
    assert (to, photo) == (chat, False)
    return name, caption, Document(io.BytesIO(content))


def headings(document: WordDocument) -> list[str]:
    return [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name in ("Title", "Heading 1", "Heading 2")
    ]


def all_text(document: WordDocument) -> str:
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def rows(document: WordDocument, index: int) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[index].rows]


async def test_the_office_gets_one_word_file_with_every_unit_in_plan_order(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("2", "phong-b")
    await world.register("5", "van-phong", Role.OFFICE)
    first = word_file("Báo cáo Phòng A (bản đầu)", "Nội dung cũ, đã được sửa.")
    await world.send_file("1", "Báo cáo phòng A.docx", first)
    world.clock[0] = NOW + timedelta(hours=2)
    second = word_file(
        "Báo cáo 6 tháng của Phòng A",
        "Đã tổ chức hội nghị cán bộ, công chức, viên chức năm 2024.",
        table=[["Chỉ tiêu", "Kết quả"], ["Số cuộc họp", "12"]],
    )
    await world.send_file("1", "Báo cáo phòng A (sửa).docx", second, caption="Bản đã ký")
    await world.send_file("1", "Số liệu kèm theo.pdf", b"%PDF-1.7 so lieu")
    await world.send_file("1", None, b"\xff\xd8\xff anh", kind=AttachmentKind.PHOTO)
    world.clock[0] = datetime(2024, 6, 5, 2, 0, tzinfo=UTC)  # 09:00 on the 5th: late by 9 hours
    await submit_text(world, "2", "Phòng B đã thực hiện đầy đủ.\nKhông có kiến nghị.")
    codes = {receipt.split("Mã biên nhận: ")[1].split()[0] for receipt in world.out.texts("1")[-2:]}

    world.clock[0] = datetime(2024, 6, 5, 3, 30, tzinfo=UTC)
    await world.say("5", "/tonghop")
    name, caption, document = received(world)

    assert name == "Tổng hợp bc-6-thang.docx"
    assert caption == (
        "Bản tổng hợp (nháp) «Báo cáo 6 tháng», kỳ một lần: 2/2 đơn vị đã nộp, ghép 1 tệp Word, "
        "Phụ lục 2 tệp."
    )
    assert headings(document) == [
        "Báo cáo 6 tháng",
        "I. Tình hình nộp báo cáo",
        "II. Báo cáo của các đơn vị",
        "Phòng A",
        "Báo cáo 6 tháng của Phòng A",  # the unit's own heading, kept
        "Phòng B",
        "Phụ lục",
    ]
    text = all_text(document)
    assert "Hạn nộp: trước ngày 05/06/2024 (thứ Tư)" in text
    assert "Tổng hợp lúc: 05/06/2024 10:30" in text
    assert "2/2 đơn vị đã nộp (1 đúng hạn, 1 trễ hạn); 0 đơn vị chưa nộp." in text
    assert rows(document, 0) == [
        ["STT", "Đơn vị", "Tình trạng", "Nộp lần đầu", "Bản mới nhất"],
        ["1", "Phòng A", "Đúng hạn", "03/06/2024 10:00", "Phiên bản 4, 03/06/2024 12:00"],
        ["2", "Phòng B", "Trễ 9 giờ", "05/06/2024 09:00", "Phiên bản 1, 05/06/2024 09:00"],
    ]
    # Phòng A's latest Word document, whole: its paragraphs, its table, its numbered list.
    assert "Đã tổ chức hội nghị cán bộ, công chức, viên chức năm 2024." in text
    assert rows(document, 1) == [["Chỉ tiêu", "Kết quả"], ["Số cuộc họp", "12"]]
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered == ["Mục thứ nhất", "Mục thứ hai"]
    assert "Nội dung cũ" not in text  # version 1 was corrected by version 2
    assert "Lời nhắn kèm tệp: Bản đã ký" in text
    assert "Phiên bản 1 đã được đơn vị thay bằng bản mới hơn" in text
    assert "Tệp gửi kèm, xem Phụ lục: «Số liệu kèm theo.pdf» (phiên bản 3)" in text
    # Phòng B's typed report, one paragraph per line.
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs.index("Phòng B đã thực hiện đầy đủ.") + 1 == paragraphs.index(
        "Không có kiến nghị."
    )
    annex = rows(document, 2)
    assert annex[0] == ["STT", "Đơn vị", "Tệp", "Phiên bản", "Nộp lúc", "Mã biên nhận", "Ghi chú"]
    assert [row[:5] for row in annex[1:]] == [
        ["1", "Phòng A", "Số liệu kèm theo.pdf", "3", "03/06/2024 12:00"],
        ["2", "Phòng A", "photo.jpg", "4", "03/06/2024 12:00"],
    ]
    assert {row[5] for row in annex[1:]} == codes
    assert document.core_properties.language == "vi-VN"
    assert document.sections[0].page_width is not None
    assert round(document.sections[0].page_width.cm) == 21  # A4
    assert list((world.data / ".staging").glob("*")) == []  # the draft is not kept


async def test_a_corrupt_word_file_is_annexed_and_the_rest_compiled(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("2", "phong-b")
    await world.register("5", "van-phong", Role.OFFICE)
    await world.send_file("1", "hong.docx", b"PK\x03\x04 khong phai zip")
    await world.send_file("2", "bao-cao-b.docx", word_file("Phòng B", "Nội dung Phòng B."))

    await world.say("5", "/tonghop bc-6-thang")
    _, caption, document = received(world)

    assert caption.endswith("\nKhông ghép được 1 tệp Word hỏng hoặc quá lớn: xem Phụ lục.")
    text = all_text(document)
    assert "Nội dung Phòng B." in text
    assert "Không đọc được tệp Word «hong.docx» (phiên bản 1)" in text
    (_, line) = rows(document, 1)
    assert line[1:4] == ["Phòng A", "hong.docx", "1"]
    assert line[6] == "Tệp Word hỏng hoặc không đúng định dạng: mở tệp gốc để xem."


async def test_a_renamed_archive_a_missing_file_and_no_submission(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("2", "phong-b")
    await world.register("5", "van-phong", Role.OFFICE)
    await world.send_file("1", "luu-tru.docx", zip_without_word())
    await world.send_file("2", "mat.docx", word_file("Phòng B", "Sẽ bị xóa khỏi đĩa."))
    (gone,) = [p for p in (world.data / "files").rglob("*.docx") if b"word/" in p.read_bytes()]
    gone.unlink()

    await world.say("5", "/tonghop")
    _, _, document = received(world)

    text = all_text(document)
    assert "Không đọc được tệp Word «luu-tru.docx» (phiên bản 1)" in text
    assert "Không tìm thấy tệp «mat.docx» (phiên bản 1) trên máy chủ. Xem Phụ lục." in text
    notes = {row[2]: row[6] for row in rows(document, 1)[1:]}
    assert notes == {
        "luu-tru.docx": "Tệp Word hỏng hoặc không đúng định dạng: mở tệp gốc để xem.",
        "mat.docx": "Không tìm thấy tệp trên máy chủ.",
    }


async def test_a_draft_with_nothing_submitted_still_comes(world: World) -> None:
    await world.register("5", "van-phong", Role.OFFICE)
    world.clock[0] = NOW + timedelta(days=3)
    await world.say("5", "/tonghop")
    _, caption, document = received(world)
    assert "0/2 đơn vị đã nộp" in caption
    assert "Chưa đơn vị nào gửi báo cáo cho kỳ này." in all_text(document)
    assert headings(document)[-1] == "II. Báo cáo của các đơn vị"  # no annex without files
    assert [row[2] for row in rows(document, 0)[1:]] == ["Chưa nộp (đã trễ 1 ngày 10 giờ)"] * 2
    assert len(document.tables) == 1


async def test_only_the_office_compiles_and_mistakes_are_named(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    await world.register("5", "van-phong", Role.OFFICE)
    await world.say("1", "/tonghop")
    assert world.out.texts("1")[-1] == "Chỉ cán bộ Văn phòng mới lấy được bản tổng hợp."
    await world.say("5", "/tonghop")
    assert world.out.texts("5")[-1] == (
        "Gõ /tonghop kèm mã báo cáo (và mã kỳ nếu cần), ví dụ /tonghop bc-6-thang. "
        "Các mã báo cáo: bc-6-thang, bc-chuyen-de."
    )
    await world.say("5", "/tonghop khong-co")
    assert world.out.texts("5")[-1] == (
        "Không có báo cáo nào mã «khong-co». Các mã báo cáo: bc-6-thang, bc-chuyen-de."
    )
    await world.say("5", "/tonghop bc-chuyen-de 2024-q9")
    assert world.out.texts("5")[-1] == (
        "Báo cáo «bc-chuyen-de» không có kỳ «2024-q9». Các kỳ: một lần."
    )
    assert world.out.uploads == []
    await world.say("5", "/compile BC-CHUYEN-DE")  # the English name, in capitals
    name, caption, _ = received(world)
    assert name == "Tổng hợp bc-chuyen-de.docx"
    assert "0/1 đơn vị đã nộp" in caption


async def test_a_draft_too_large_to_send_is_said_so(world: World) -> None:
    await world.register("5", "van-phong", Role.OFFICE)
    world.out.max_upload = 1000
    await world.say("5", "/tonghop")
    assert world.out.uploads == []
    assert world.out.texts("5")[-1].startswith("Bản tổng hợp nặng ")
    assert "baocao compile bc-6-thang --docx tong-hop.docx" in world.out.texts("5")[-1]


def status(key: str, due_end: datetime) -> InstanceStatus:
    return InstanceStatus(
        instance_id=hash(key) % 1000,
        report_key="bc",
        report_name="Báo cáo",
        instance_key=key,
        period_key=None,
        period_start=None,
        period_end=None,
        due_kind=DueKind.BEFORE,
        due_day=due_end.date(),
        due_time=None,
        due_end=due_end,
    )


def test_the_default_instance_is_the_one_due_nearest_to_now() -> None:
    june = status("2024-h1", datetime(2024, 6, 4, 17, tzinfo=UTC))
    december = status("2024-h2", datetime(2024, 12, 4, 17, tzinfo=UTC))
    both = [june, december]
    assert choose_instance(both, "bc", None, datetime(2024, 6, 6, tzinfo=UTC)) is june
    assert choose_instance(both, "bc", None, datetime(2024, 5, 1, tzinfo=UTC)) is june
    assert choose_instance(both, "bc", None, datetime(2024, 10, 1, tzinfo=UTC)) is december
    assert choose_instance(both, "bc", "2024-h2", datetime(2024, 6, 6, tzinfo=UTC)) is december
    with pytest.raises(UserError) as error:
        choose_instance(both, "bc", "2025-h1", datetime(2024, 6, 6, tzinfo=UTC))
    assert error.value.message() == "Báo cáo «bc» không có kỳ «2025-h1». Các kỳ: 2024-h1, 2024-h2."
    with pytest.raises(UserError):
        choose_instance([], "bc", None, datetime(2024, 6, 6, tzinfo=UTC))


async def test_a_word_file_past_the_size_limits_is_annexed(world: World, tmp_path: Path) -> None:
    await world.register("1", "phong-a")
    await world.register("2", "phong-b")
    await world.send_file("1", "a.docx", word_file("Phòng A", "Nội dung A."))
    await world.send_file("2", "b.docx", word_file("Phòng B", "Nội dung B."))
    sources = SqlDraftSources(world.engine, world.repo.files)  # type: ignore[arg-type]
    one = max(unpacked(path) for path in (world.data / "files").rglob("*.docx"))
    desk = DraftDesk(
        instances=world.repo,
        sources=sources,
        writer=DocxDraftWriter(max_document=10 * one, max_total=one + one // 2),
    )
    target = tmp_path / "tong-hop.docx"
    compiled = await desk.compile(
        report_key="bc-6-thang", instance_key=None, target=target, now=NOW, tz=TZ
    )
    assert compiled.documents == 1
    assert compiled.unread == (("Phòng B", "b.docx", Unread.TOO_LARGE),)
    assert compiled.size == target.stat().st_size
    text = all_text(Document(str(target)))
    assert "Nội dung A." in text and "Nội dung B." not in text
    assert "Không ghép tệp Word «b.docx» (phiên bản 1) vì tệp quá lớn. Xem Phụ lục." in text
    assert list(tmp_path.glob(".*.tmp")) == []  # noqa: ASYNC240 (a test, one folder)


def unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())
