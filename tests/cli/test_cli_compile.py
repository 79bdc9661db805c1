"""`baocao compile`: the Office's compiled draft written from the command line, read back."""

from __future__ import annotations

import asyncio
import hashlib
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import run
from docx import Document

from bot.core.model import StagedFile, SubmissionKind
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.repository import SqlRepository

ROOT = Path(__file__).parents[2]
SEED = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"
REPORT = "dcs-6-thang-2024"
NAME = "Báo cáo 6 tháng thực hiện dân chủ ở cơ sở năm 2024"


def word_file(*lines: str) -> bytes:
    document = Document()
    document.add_heading("Báo cáo kết quả thực hiện", level=1)
    for line in lines:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nội dung", "Số lượng"
    table.cell(1, 0).text, table.cell(1, 1).text = "Hội nghị", "3"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def submit(
    office: Path, unit: str, *, name: str | None, content: bytes | str, at: datetime
) -> None:
    """The unit's head, registered through an invite, sends a file or a text as the bot does."""

    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        files = LocalFileStore(office / "data")
        try:
            repository = SqlRepository(engine, files)
            invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=at)
            redemption = await repository.redeem_invite(
                code=invite.code,
                platform="telegram",
                user_id=f"head-of-{unit}",
                chat_id=f"head-of-{unit}",
                display_name="Nguyễn Văn B",
                now=at,
            )
            contact = redemption.contact
            assert contact is not None
            (instance,) = await repository.status(report_key=REPORT, now=at)
            staged = None
            if isinstance(content, bytes):
                path = files.staging_path(Path(name or "").suffix)
                path.write_bytes(content)
                digest = hashlib.sha256(content).hexdigest()
                staged = StagedFile(path, name or "?", len(content), digest)
            await repository.submit(
                instance_id=instance.instance_id,
                unit_key=unit,
                contact_id=contact.id,
                kind=SubmissionKind.TEXT if staged is None else SubmissionKind.FILE,
                source_ref=f"cli-test:{unit}:{name}",
                text=content if isinstance(content, str) else None,
                file=staged,
                now=at,
            )
        finally:
            await engine.dispose()

    asyncio.run(go())


@pytest.fixture
def applied(capsys: pytest.CaptureFixture[str], office: Path) -> Path:
    plan = office / "ke-hoach.yaml"
    shutil.copy(SEED, plan)
    assert run(capsys, "plan", "apply", str(plan))[0] == 0
    return office


def test_compile_writes_the_draft_and_says_what_is_in_it(
    capsys: pytest.CaptureFixture[str], applied: Path
) -> None:
    on_time = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)
    late = datetime(2024, 6, 6, 2, 0, tzinfo=UTC)
    submit(
        applied,
        "phong-ttbcxb",
        name="Báo cáo TTBCXB.docx",
        content=word_file("Phòng đã phổ biến kế hoạch đến toàn thể công chức."),
        at=on_time,
    )
    submit(applied, "phong-ttbcxb", name="Phụ lục số liệu.xlsx", content=b"PK\x03\x04", at=on_time)
    submit(applied, "trung-tam-gsdh", name=None, content="Trung tâm đã thực hiện.", at=late)
    submit(applied, "phong-cntt-bcvt", name="hong.docx", content=b"not a word file", at=late)

    code, out, err = run(capsys, "compile", REPORT, "--docx", "tong-hop.docx")

    assert code == 0
    assert out.splitlines() == [
        f"Đã ghi bản tổng hợp tong-hop.docx: «{NAME}», kỳ một lần, 3/3 đơn vị đã nộp.",
        "Đã ghép 1 tệp Word và 1 nội dung gửi qua tin nhắn; Phụ lục có 2 tệp.",
    ]
    assert err == (
        "Không ghép được «hong.docx» của Phòng Công nghệ thông tin, Bưu chính và Viễn thông: "
        "Tệp Word hỏng hoặc không đúng định dạng: mở tệp gốc để xem.\n"
    )
    document = Document(str(applied / "tong-hop.docx"))
    shown = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert shown == [
        "I. Tình hình nộp báo cáo",
        "II. Báo cáo của các đơn vị",
        "Phòng Thông tin Báo chí và Xuất bản",
        "Báo cáo kết quả thực hiện",
        "Phòng Công nghệ thông tin, Bưu chính và Viễn thông",
        "Trung tâm GSDH TT",
        "Phụ lục",
    ]
    status = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert [row[1:3] for row in status[1:]] == [
        ["Phòng Thông tin Báo chí và Xuất bản", "Đúng hạn"],
        ["Phòng Công nghệ thông tin, Bưu chính và Viễn thông", "Trễ 1 ngày 9 giờ"],
        ["Trung tâm GSDH TT", "Trễ 1 ngày 9 giờ"],
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Phòng đã phổ biến kế hoạch đến toàn thể công chức." in text
    assert "Trung tâm đã thực hiện." in text
    assert [[c.text for c in row.cells] for row in document.tables[1].rows] == [
        ["Nội dung", "Số lượng"],
        ["Hội nghị", "3"],
    ]
    annex = [[c.text for c in row.cells][2] for row in document.tables[2].rows[1:]]
    assert annex == ["Phụ lục số liệu.xlsx", "hong.docx"]
    assert sorted(p.name for p in applied.iterdir()) == ["data", "ke-hoach.yaml", "tong-hop.docx"]


def test_compile_mistakes_are_told_in_vietnamese(
    capsys: pytest.CaptureFixture[str], applied: Path
) -> None:
    assert run(capsys, "compile", REPORT, "--docx", "tong-hop.pdf") == (
        2,
        "",
        "Tên tệp tong-hop.pdf phải có đuôi .docx, ví dụ tong-hop.docx.\n",
    )
    assert run(capsys, "compile", REPORT, "--docx", "khong-co/tong-hop.docx") == (
        2,
        "",
        "Không có thư mục «khong-co». Hãy tạo thư mục trước, hoặc chọn nơi khác để ghi tệp.\n",
    )
    (applied / "thu-muc.docx").mkdir()
    assert run(capsys, "compile", REPORT, "--docx", "thu-muc.docx")[2] == (
        "«thu-muc.docx» là một thư mục; hãy ghi cả tên tệp, ví dụ thu-muc.docx/tong-hop.docx.\n"
    )
    assert run(capsys, "compile", "khong-co", "--docx", "a.docx") == (
        2,
        "",
        "Không có báo cáo nào mang mã «khong-co» (hoặc báo cáo này đã được lưu trữ).\n",
    )
    assert run(capsys, "compile", REPORT, "--docx", "a.docx", "--instance", "2024-q3") == (
        2,
        "",
        f"Báo cáo «{REPORT}» không có kỳ «2024-q3». Các kỳ: một lần.\n",
    )
    code, _, err = run(capsys, "compile", REPORT)
    assert (code, err.splitlines()[0]) == (2, "Thiếu --docx.")
    assert not (applied / "a.docx").exists()
    assert [p.name for p in applied.iterdir() if p.name.endswith(".tmp")] == []


def test_compile_before_any_data_names_the_folder(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, _, err = run(capsys, "compile", REPORT, "--docx", "a.docx")
    assert (code, err.split(". ")[0]) == (2, f"Chưa có dữ liệu baocao trong thư mục {office}/data")
