"""The archive of a report round, written for real and read back with zipfile."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from plans_factory import OFFICE, instance, plan, report, small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, submit_as_unit

from bot.core.archive import Archives, ArchiveTooBigError
from bot.core.errors import UserError
from bot.core.model import InstanceStatus, StagedFile, SubmissionKind
from bot.core.plan.model import UnitSpec, UnitType
from storage.exports.archive import ZipArchiveWriter
from storage.files import LocalFileStore
from storage.history import SqlSubmissionHistory
from storage.instances import SqlReportInstances
from storage.plans import apply_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTF8_FLAG = 0x800
# Two units whose short names are the same, one whose short name is nothing but dots.
UNITS = [
    UnitSpec(key="kh", name="Phòng Kế hoạch", short_name="Kế hoạch", type=UnitType.UNIT),
    UnitSpec(key="tc", name="Phòng Tài chính", short_name="Kế hoạch", type=UnitType.UNIT),
    UnitSpec(key="ns", name="Phòng Nhân sự", short_name="Nhân sự", type=UnitType.UNIT),
    UnitSpec(key="cd", name="Phòng Công đoàn", short_name="..", type=UnitType.UNIT),
]


@pytest.fixture
async def planned(engine: AsyncEngine) -> AsyncEngine:
    keys = [u.key for u in UNITS]
    round_ = instance("2024-H1", date(2024, 6, 5))
    reports = [report("dan-chu", keys, name="Báo cáo dân chủ", instances=[round_])]
    await apply_plan(engine, plan([OFFICE, *UNITS], reports), path="p.yaml", now=NOW)
    return engine


async def the_round(engine: AsyncEngine) -> InstanceStatus:
    (found,) = await SqlReportInstances(engine).status(report_key="dan-chu", now=NOW)
    return found


async def send_file(
    engine: AsyncEngine, root: Path, unit_key: str, name: str, data: bytes, *, days: int = 0
) -> str:
    store = LocalFileStore(root)
    staged = store.staging_path(Path(name).suffix)
    staged.write_bytes(data)
    receipt = await submit_as_unit(
        engine,
        root,
        instance_id=(await the_round(engine)).instance_id,
        unit_key=unit_key,
        kind=SubmissionKind.FILE,
        file=StagedFile(staged, name, len(data), hashlib.sha256(data).hexdigest()),
        now=NOW + timedelta(days=days),
    )
    return receipt.receipt_code


def desk(engine: AsyncEngine, root: Path) -> Archives:
    return Archives(
        instances=SqlReportInstances(engine),
        history=SqlSubmissionHistory(engine),
        writer=ZipArchiveWriter(LocalFileStore(root)),
        timezone=TZ,
    )


def sheet(archive: zipfile.ZipFile) -> list[list[str]]:
    raw = archive.read("Tình hình.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


async def test_latest_versions_named_by_unit_unique_and_safe(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    docx = b"PK\x03\x04 ke hoach v1" * 1000
    await send_file(planned, root, "kh", "Báo cáo 6 tháng.docx", docx)
    newer = os.urandom(300_000)
    code = await send_file(planned, root, "kh", "Báo cáo 6 tháng (sửa).pdf", newer, days=20)
    # Same short name once made safe, same file name: the second gets " (2)".
    await send_file(planned, root, "tc", "Báo cáo 6 tháng (sửa).pdf", b"%PDF tai chinh")
    await send_file(planned, root, "cd", "../../etc/passwd\x07:*?.docx", b"hostile")
    await submit_as_unit(
        planned,
        root,
        instance_id=(await the_round(planned)).instance_id,
        unit_key="ns",
        text="Nhân sự: đã hoàn thành.\nKhông có kiến nghị.",
        now=NOW,
    )
    target = tmp_path / "out" / "gói.zip"
    target.parent.mkdir()
    chosen = await the_round(planned)
    result = await desk(planned, root).export(chosen, target, all_versions=False, now=NOW)

    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [
            "Kế hoạch - Báo cáo 6 tháng (sửa).pdf",
            "Kế hoạch - Báo cáo 6 tháng (sửa) (2).pdf",
            "Nhân sự - báo cáo dạng văn bản.txt",
            "cd - .._.._etc_passwd___.docx",
            "Tình hình.csv",
        ]
        for info in archive.infolist():
            assert not info.filename.startswith((".", "/")) and "\\" not in info.filename
            assert ".." not in Path(info.filename).parts
            if not info.filename.isascii():
                assert info.flag_bits & UTF8_FLAG, info.filename
        assert archive.read(names[0]) == newer
        assert archive.read(names[1]) == b"%PDF tai chinh"
        assert archive.read(names[2]).decode("utf-8-sig") == (
            "Nhân sự: đã hoàn thành.\nKhông có kiến nghị."
        )
        assert archive.read(names[3]) == b"hostile"
        # Compressed already: stored; the status sheet is deflated.
        assert archive.getinfo(names[0]).compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("Tình hình.csv").compress_type == zipfile.ZIP_DEFLATED
        assert archive.getinfo(names[0]).date_time == (2024, 6, 9, 10, 0, 0)  # local time
        rows = sheet(archive)
    assert rows[0] == ["Báo cáo", "Báo cáo dân chủ"]
    assert rows[2] == ["Hạn nộp", "trước ngày 05/06/2024 (thứ Tư)"]
    header = rows.index([]) + 1
    assert rows[header] == [
        "Đơn vị",
        "Người nộp",
        "Nộp lúc",
        "Phiên bản",
        "Đúng hạn / trễ hạn",
        "Mã biên nhận",
        "Tệp trong gói",
        "Ghi chú",
    ]
    table = rows[header + 1 :]
    assert [r[0] for r in table] == [
        "Phòng Kế hoạch",
        "Phòng Tài chính",
        "Phòng Nhân sự",
        "Phòng Công đoàn",
    ]
    assert table[0][1:7] == [
        "Đầu mối kh",
        "09/06/2024 10:00",
        "2",
        "đúng hạn",
        code,
        "Kế hoạch - Báo cáo 6 tháng (sửa).pdf",
    ]
    assert result.entries == 4 and result.missing == ()
    assert result.size == target.stat().st_size
    assert result.file_name == "Báo cáo dân chủ - 2024-H1.zip"
    assert [p.name for p in target.parent.iterdir()] == ["gói.zip"]  # no temporary left


async def test_every_version_in_a_folder_per_unit(planned: AsyncEngine, tmp_path: Path) -> None:
    root = tmp_path / "data"
    await send_file(planned, root, "kh", "Báo cáo.docx", b"v1")
    await send_file(planned, root, "kh", "Báo cáo.docx", b"v2", days=1)
    await send_file(planned, root, "kh", "báo cáo.DOCX", b"v3", days=2)
    await send_file(planned, root, "tc", "Số liệu.xlsx", b"tc")
    target = tmp_path / "all.zip"
    await desk(planned, root).export(await the_round(planned), target, all_versions=True, now=NOW)
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == [
            "Kế hoạch/v1 - Báo cáo.docx",
            "Kế hoạch/v2 - Báo cáo.docx",
            "Kế hoạch/v3 - báo cáo.DOCX",
            "Kế hoạch (2)/v1 - Số liệu.xlsx",
            "Tình hình.csv",
        ]
        assert [archive.read(n) for n in archive.namelist()[:4]] == [b"v1", b"v2", b"v3", b"tc"]
        assert all(i.flag_bits & UTF8_FLAG for i in archive.infolist())


async def test_a_file_gone_from_the_disk_is_named_and_the_rest_exported(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    await send_file(planned, root, "kh", "Kế hoạch.docx", b"kh")
    await send_file(planned, root, "tc", "Tài chính.pdf", b"tc")
    for stored in (root / "files").rglob("*.docx"):
        stored.unlink()
    target = tmp_path / "x.zip"
    result = await desk(planned, root).export(
        await the_round(planned), target, all_versions=False, now=NOW
    )
    assert result.missing == ("Kế hoạch - Kế hoạch.docx",)
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["Kế hoạch - Tài chính.pdf", "Tình hình.csv"]
        rows = sheet(archive)
    (kh,) = [r for r in rows if r and r[0] == "Phòng Kế hoạch"]
    assert kh[-1].startswith("Không tìm thấy tệp trên máy chủ")


async def test_nothing_submitted_still_gives_the_sheet(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    target = tmp_path / "empty.zip"
    result = await desk(planned, tmp_path / "data").export(
        await the_round(planned), target, all_versions=False, now=NOW
    )
    assert result.entries == 0
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["Tình hình.csv"]
        rows = sheet(archive)
    assert [r[4] for r in rows[-4:]] == ["còn trong hạn"] * 4


async def test_a_crash_while_writing_leaves_no_archive(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    await send_file(planned, root, "kh", "Kế hoạch.docx", b"kh")
    target = tmp_path / "out" / "x.zip"
    target.parent.mkdir()
    target.write_bytes(b"the archive of yesterday")

    def broken(_missing: frozenset[str]) -> list[object]:
        raise RuntimeError("crash while writing the sheet")

    archives = desk(planned, root)
    archives.sheet = broken  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        await archives.export(await the_round(planned), target, all_versions=False, now=NOW)
    assert [p.name for p in target.parent.iterdir()] == ["x.zip"]
    assert target.read_bytes() == b"the archive of yesterday"


async def test_too_big_for_a_chat_is_refused_before_writing(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    await send_file(planned, root, "kh", "Lớn.pdf", os.urandom(50_000))
    target = tmp_path / "big.zip"
    with pytest.raises(ArchiveTooBigError) as raised:
        await desk(planned, root).export(
            await the_round(planned), target, all_versions=False, now=NOW, max_size=20_000
        )
    assert raised.value.size == 50_000
    assert not target.exists()


def unzip(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["unzip", *args], capture_output=True, check=False)


@pytest.mark.skipif(shutil.which("unzip") is None, reason="Info-ZIP's unzip is not installed")
async def test_info_zip_unpacks_it_with_the_names_intact(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    await send_file(planned, root, "kh", "Báo cáo 6 tháng.docx", b"kh" * 5000)
    await send_file(planned, root, "tc", "Số liệu: quý 2?.xlsx", b"tc")
    target = tmp_path / "x.zip"
    await desk(planned, root).export(await the_round(planned), target, all_versions=True, now=NOW)
    unpacked = tmp_path / "unpacked"
    tested = unzip("-t", str(target))
    assert tested.returncode == 0, tested.stdout
    assert unzip("-q", str(target), "-d", str(unpacked)).returncode == 0
    found = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert found == [
        "Kế hoạch (2)/v1 - Số liệu_ quý 2_.xlsx",
        "Kế hoạch/v1 - Báo cáo 6 tháng.docx",
        "Tình hình.csv",
    ]
    assert (unpacked / "Kế hoạch" / "v1 - Báo cáo 6 tháng.docx").read_bytes() == b"kh" * 5000


async def test_the_round_named_or_the_relevant_one(engine: AsyncEngine, tmp_path: Path) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    archives = desk(engine, tmp_path)
    chosen = await archives.choose(report_key="dan-chu", instance_key="2024-h2", now=NOW)
    assert chosen.instance_key == "2024-H2"
    # Nobody has sent anything: the nearest deadline (H1, due 05/06, from 20/05).
    chosen = await archives.choose(report_key="dan-chu", instance_key=None, now=NOW)
    assert chosen.instance_key == "2024-H1"
    with pytest.raises(UserError) as raised:
        await archives.choose(report_key="dan-chu", instance_key="2030", now=NOW)
    assert raised.value.message() == (
        "Báo cáo dan-chu không có kỳ «2030». Các kỳ: 2024-H1, 2024-H2."
    )
    with pytest.raises(UserError) as raised:
        await archives.choose(report_key="khong-co", instance_key=None, now=NOW)
    assert raised.value.message() == (
        "Không có báo cáo nào mã «khong-co». Các mã báo cáo: dan-chu, dan-chu-tong-hop."
    )
