"""`baocao export REPORT --zip FILE`: the round's files in one archive, and the mistakes said."""

from __future__ import annotations

import asyncio
import hashlib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import run
from test_cli import seed_copy
from xlsx_support import sheets, table

from bot.core.model import StagedFile, SubmissionKind
from storage.db import make_engine

REPORT = "dcs-6-thang-2024"
DOCX = b"PK\x03\x04 bao cao 6 thang" * 100


def submit(office: Path, unit: str, *, name: str | None = None, data: bytes = b"") -> None:
    """The unit's head, registered through an invite, sends a file (or a text) for REPORT."""
    from bot.core.plan.model import Role
    from storage.files import LocalFileStore
    from storage.invites import create_invite
    from storage.repository import SqlRepository

    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        try:
            now = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)
            store = LocalFileStore(office / "data")
            repository = SqlRepository(engine, store)
            invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=now)
            redemption = await repository.redeem_invite(
                code=invite.code,
                platform="telegram",
                user_id=f"u-{unit}",
                chat_id=f"u-{unit}",
                display_name=f"Đầu mối {unit}",
                now=now,
            )
            assert redemption.contact is not None
            (instance,) = await repository.status(report_key=REPORT, now=now)
            staged = None
            if name is not None:
                staged = store.staging_path(Path(name).suffix)
                staged.write_bytes(data)
            await repository.submit(
                instance_id=instance.instance_id,
                unit_key=unit,
                contact_id=redemption.contact.id,
                kind=SubmissionKind.TEXT if name is None else SubmissionKind.FILE,
                source_ref=f"cli-test:{unit}",
                text="Đã tổ chức hội nghị cán bộ." if name is None else None,
                file=None
                if staged is None or name is None
                else StagedFile(staged, name, len(data), hashlib.sha256(data).hexdigest()),
                now=now,
            )
        finally:
            await engine.dispose()

    asyncio.run(go())


@pytest.fixture
def season(capsys: pytest.CaptureFixture[str], office: Path) -> Path:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    submit(office, "phong-ttbcxb", name="Báo cáo 6 tháng — TTBCXB.docx", data=DOCX)
    submit(office, "phong-cntt-bcvt")
    return office


def test_export_writes_the_archive_and_says_what_is_in_it(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    code, out, err = run(capsys, "export", REPORT, "--zip", "gói báo cáo.zip")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Báo cáo 6 tháng thực hiện dân chủ ở cơ sở năm 2024 — kỳ một lần,")
    assert lines[1].startswith(
        "Đã ghi gói báo cáo.zip: 2 tệp của 2/3 đơn vị đã nộp, kèm bảng tình hình ("
    )
    with zipfile.ZipFile(season / "gói báo cáo.zip") as archive:
        assert archive.namelist() == [
            "Phòng TTBCXB - Báo cáo 6 tháng — TTBCXB.docx",
            "Phòng CNTT-BCVT - báo cáo dạng văn bản.txt",
            "Tình hình.xlsx",
        ]
        assert all(info.flag_bits & 0x800 for info in archive.infolist())
        assert archive.read(archive.namelist()[0]) == DOCX
        # The status workbook the Office exports on its own, for the same round.
        book = sheets(archive.read("Tình hình.xlsx"))
    status = next(ws for name, ws in book.items() if name.startswith("Tình hình"))
    _, _, rows = table(status)
    units = [row[1] for row in rows if row[1]]
    assert units[:3] == [
        "Phòng Thông tin Báo chí và Xuất bản",
        "Phòng Công nghệ thông tin, Bưu chính và Viễn thông",
        "Trung tâm GSDH TT",
    ]


def test_every_version_goes_in_folders(capsys: pytest.CaptureFixture[str], season: Path) -> None:
    code, _, _ = run(capsys, "export", REPORT, "--zip", "all.zip", "--all-versions")
    assert code == 0
    with zipfile.ZipFile(season / "all.zip") as archive:
        assert archive.namelist() == [
            "Phòng TTBCXB/v1 - Báo cáo 6 tháng — TTBCXB.docx",
            "Phòng CNTT-BCVT/v1 - báo cáo dạng văn bản.txt",
            "Tình hình.xlsx",
        ]


def test_one_export_writes_the_workbook_and_the_archive_together(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    code, out, err = run(capsys, "export", REPORT, "--xlsx", "tinh-hinh.xlsx", "--zip", "goi.zip")
    assert (code, err) == (0, "")
    assert "tinh-hinh.xlsx" in out and "goi.zip" in out
    assert zipfile.is_zipfile(season / "tinh-hinh.xlsx")  # an .xlsx is a zip of XML parts
    with zipfile.ZipFile(season / "goi.zip") as archive:
        assert "Phòng TTBCXB - Báo cáo 6 tháng — TTBCXB.docx" in archive.namelist()


def test_export_mistakes_are_said_in_vietnamese_and_write_nothing(
    capsys: pytest.CaptureFixture[str], season: Path
) -> None:
    assert run(capsys, "export", REPORT) == (
        2,
        "",
        "Hãy cho biết tệp cần ghi, ví dụ: baocao export dcs-6-thang-2024 --xlsx tinh-hinh.xlsx "
        "(bảng tình hình, Excel) hoặc --zip bao-cao.zip (tệp các đơn vị, một tệp nén)\n",
    )
    code, out, err = run(capsys, "export", "khong-co", "--zip", "x.zip")
    assert (code, out) == (2, "")
    assert err.startswith("Không có báo cáo nào mã «khong-co». Các mã báo cáo: dcs-6-thang-2024,")
    code, _, err = run(capsys, "export", REPORT, "--zip", "khong/co/thu-muc.zip")
    assert (code, err) == (
        2,
        "Không có thư mục «khong/co». Hãy tạo thư mục trước, hoặc chọn nơi khác để ghi tệp.\n",
    )
    (season / "mot-thu-muc").mkdir()
    code, _, err = run(capsys, "export", REPORT, "--zip", "mot-thu-muc")
    assert (code, err) == (
        2,
        "«mot-thu-muc» là một thư mục; hãy ghi cả tên tệp, ví dụ mot-thu-muc/bao-cao.zip.\n",
    )
    code, _, err = run(capsys, "export", REPORT, "--zip", "x.zip", "--instance", "2030-H1")
    assert (code, err) == (
        2,
        "Báo cáo dcs-6-thang-2024 không có kỳ «2030-H1». Các kỳ: once.\n",
    )
    assert not (season / "x.zip").exists()
    assert sorted(p.name for p in season.iterdir() if p.suffix in {".zip", ".tmp"}) == []


def test_export_without_data_says_where_it_looked(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, out, err = run(capsys, "export", REPORT, "--zip", "x.zip")
    assert (code, out) == (2, "")
    assert "data" in err and not (office / "x.zip").exists()
