"""Benchmark: the archive of a report round (`baocao export REPORT --zip FILE`).

1. 2,000 units, 3 versions each (small Office files, Vietnamese names): the latest versions and
   every version, timed against copying the same bytes into one file (the disk's own pace).
2. Large files: peak resident memory before and after zipping them, to show the files are
   streamed in chunks, never read whole.

Prints figures; asserts nothing. Run:  .venv/bin/python benchmarks/zip_bench.py [--big-mib N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from bot.core.archive import Archives
from bot.core.plan.loader import parse_plan
from storage.db import make_engine, write_session
from storage.exports.archive import ZipArchiveWriter
from storage.files import LocalFileStore
from storage.history import SqlSubmissionHistory
from storage.instances import SqlReportInstances
from storage.migrate import upgrade
from storage.models import report_instance_t, submission_t, unit_t
from storage.plans import apply_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 1, 3, tzinfo=UTC)


def plan_text(units: int) -> str:
    lines = ["organisation:", "  name: Sở Thử nghiệm Hiệu năng", "units:"]
    lines += ["  - id: van-phong", "    name: Văn phòng Sở", "    type: office"]
    for number in range(1, units + 1):
        lines += [
            f"  - id: don-vi-{number:04d}",
            f"    name: Phòng chuyên môn số {number}",
            f"    short_name: Phòng số {number}",
        ]
    lines += [
        "reports:",
        "  - id: bc-6-thang",
        "    name: Báo cáo 6 tháng",
        "    submitters: all",
        "    receiver: van-phong",
        "    due_before: 05/06/2024",
    ]
    return "\n".join(lines) + "\n"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def season(
    folder: Path, *, units: int, versions: int, size: int, suffix: str
) -> tuple[Archives, LocalFileStore]:
    """A database with `units` units that each sent `versions` files of `size` bytes."""
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'baocao.db'}")
    await upgrade(engine)
    await apply_plan(engine, parse_plan(plan_text(units), "p.yaml"), path="p.yaml", now=NOW)
    files = LocalFileStore(folder)
    block = os.urandom(min(size, 1024 * 1024))
    rows = []
    async with write_session(engine) as session:
        instance_id = await session.scalar(sa.select(report_instance_t.c.id))
        unit_ids = (
            await session.scalars(sa.select(unit_t.c.id).where(unit_t.c.key != "van-phong"))
        ).all()
    month = files.files / "2024" / "06"
    month.mkdir(parents=True, exist_ok=True)
    for unit_id in unit_ids:
        for version in range(1, versions + 1):
            stored = month / f"{unit_id:05d}-{version}{suffix}"
            with stored.open("wb") as stream:
                written = 0
                while written < size:
                    stream.write(block[: size - written])
                    written += len(block[: size - written])
            rows.append(
                {
                    "instance_id": instance_id,
                    "unit_id": unit_id,
                    "version": version,
                    "kind": "file",
                    "original_name": f"Báo cáo 6 tháng đầu năm 2024 (bản {version}){suffix}",
                    "stored_path": stored.relative_to(folder).as_posix(),
                    "size": size,
                    "receipt_code": f"R{unit_id:06d}{version}",
                    "submitted_at": NOW + timedelta(hours=version),
                }
            )
    async with write_session(engine) as session:
        await session.execute(sa.insert(submission_t), rows)
    archives = Archives(
        instances=SqlReportInstances(engine),
        history=SqlSubmissionHistory(engine),
        writer=ZipArchiveWriter(files),
        timezone=TZ,
    )
    return archives, files


async def export(archives: Archives, target: Path, *, all_versions: bool) -> tuple[float, int]:
    (instance,) = await archives.instances.status(report_key="bc-6-thang", now=NOW)
    start = time.perf_counter()
    result = await archives.export(instance, target, all_versions=all_versions, now=NOW)
    return time.perf_counter() - start, result.entries


def copy_baseline(files: LocalFileStore, target: Path) -> float:
    """Every stored file appended to one file: what the disk does without zip."""
    start = time.perf_counter()
    with target.open("wb") as out:
        for path in sorted(files.files.rglob("*")):
            if path.is_file():
                with path.open("rb") as source:
                    shutil.copyfileobj(source, out, 1024 * 1024)
        out.flush()
        os.fsync(out.fileno())
    return time.perf_counter() - start


async def many_small(folder: Path, units: int) -> None:
    archives, files = await season(folder, units=units, versions=3, size=20_000, suffix=".docx")
    total = sum(p.stat().st_size for p in files.files.rglob("*") if p.is_file())
    baseline = copy_baseline(files, folder / "baseline.bin")
    latest_s, latest_n = await export(archives, folder / "latest.zip", all_versions=False)
    every_s, every_n = await export(archives, folder / "every.zip", all_versions=True)
    with zipfile.ZipFile(folder / "every.zip") as archive:
        assert len(archive.namelist()) == every_n + 1
    print(f"{units} units x 3 versions of 20 KB (.docx), {total / 2**20:.0f} MiB stored")
    print(f"  {'copy every file into one (disk baseline)':<44} {baseline:7.2f} s")
    print(f"  {f'zip, latest versions ({latest_n} files)':<44} {latest_s:7.2f} s")
    print(f"  {f'zip, every version ({every_n} files)':<44} {every_s:7.2f} s")
    print(f"  {'every version vs the copy':<44} {every_s / baseline:7.2f} x")


async def few_big(folder: Path, mib: int) -> None:
    archives, _ = await season(folder, units=3, versions=1, size=mib * 2**20, suffix=".pdf")
    before = peak_mib()
    seconds, _ = await export(archives, folder / "big.zip", all_versions=False)
    after = peak_mib()
    size = (folder / "big.zip").stat().st_size / 2**20
    print(f"3 units with one {mib} MiB file each (.pdf, stored): archive {size:.0f} MiB")
    print(f"  {'zip time':<44} {seconds:7.2f} s")
    print(f"  {'peak resident memory before the zip':<44} {before:7.1f} MiB")
    print(f"  {'peak resident memory after the zip':<44} {after:7.1f} MiB")
    print(f"  {'grown while zipping':<44} {after - before:7.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--big-mib", type=int, default=300, help="size of each large file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(few_big(Path(folder), options.big_mib))
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(many_small(Path(folder), options.units))


if __name__ == "__main__":
    main()
