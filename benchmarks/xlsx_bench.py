"""Benchmark: the status workbook of a report of 2,000 units with 3 versions each.

Prints the time of `baocao export REPORT --xlsx FILE`'s work (reading the status and the
register, building the sheets, writing the file) and its peak memory: Python's own peak
(tracemalloc, a second run, as tracing slows it) and the process's peak resident size.
Goal: under 2 s and 200 MB.  Run:  .venv/bin/python benchmarks/xlsx_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from department import plan_text, register_heads  # noqa: E402

from bot.core.plan.loader import parse_plan  # noqa: E402
from bot.services import status_export  # noqa: E402
from storage.db import make_engine, write_session  # noqa: E402
from storage.instances import SqlReportInstances  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import contact_t, report_instance_t, submission_t, unit_t  # noqa: E402
from storage.plans import apply_plan  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def prepare(url: str, data: Path, units: int, versions: int) -> datetime:
    """The plan, a head per unit, and `versions` text versions per unit, some after the
    deadline; returns the deadline's moment."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        applied = datetime(2025, 1, 2, tzinfo=UTC)
        plan = parse_plan(plan_text(units, due_before=date(2025, 2, 5)), "bench.yaml")
        await apply_plan(engine, plan, path="bench.yaml", now=applied)
        await register_heads(engine, data, units, now=applied)
        async with write_session(engine) as session:
            instance_id, due_end = (
                await session.execute(
                    sa.select(report_instance_t.c.id, report_instance_t.c.due_end)
                )
            ).one()
            heads = dict(
                (await session.execute(sa.select(contact_t.c.unit_id, contact_t.c.id))).all()
            )
            unit_ids = (
                (await session.execute(sa.select(unit_t.c.id).where(unit_t.c.key.like("dv-%"))))
                .scalars()
                .all()
            )
            rows = [
                {
                    "instance_id": instance_id,
                    "unit_id": unit_id,
                    "contact_id": heads.get(unit_id),
                    "version": version,
                    "kind": "text",
                    "text": f"Báo cáo của đơn vị, phiên bản {version}.",
                    "note": "Bản sửa" if version > 1 else None,
                    "receipt_code": f"R{n:06d}V{version}",
                    "submitted_at": due_end + timedelta(hours=(n % 7) - 5 + 24 * (version - 1)),
                }
                for n, unit_id in enumerate(unit_ids)
                for version in range(1, versions + 1)
            ]
            await session.execute(sa.insert(submission_t), rows)
        return due_end
    finally:
        await engine.dispose()


async def export_once(url: str, path: Path, now: datetime) -> tuple[float, float, int]:
    """Wall time, this process's CPU time (every thread: the writer runs in one), versions."""
    engine = make_engine(url)
    try:
        export = status_export(engine, SqlReportInstances(engine))
        started, cpu = time.perf_counter(), time.process_time()
        done = await export.write(report_key="bc", instance_key=None, path=path, now=now, tz=TZ)
        return time.perf_counter() - started, time.process_time() - cpu, done.versions
    finally:
        await engine.dispose()


async def main(units: int, versions: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="baocao-xlsx-bench-") as folder:
        data = Path(folder)
        url = url or f"sqlite+aiosqlite:///{data / 'baocao.db'}"
        print(f"preparing {units} units x {versions} versions on {url.split(':')[0]} ...")
        due_end = await prepare(url, data, units, versions)
        now = due_end + timedelta(days=10)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seconds, cpu, listed = await export_once(url, data / "a.xlsx", now)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        await export_once(url, data / "b.xlsx", now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = (data / "a.xlsx").stat().st_size
        print(f"versions listed      {listed}")
        print(f"export time          {seconds:.2f} s   (goal: under 2 s)")
        print(f"export CPU time      {cpu:.2f} s   (the same work on an idle machine)")
        print(f"python peak (traced) {peak / 1e6:.0f} MB")
        print(
            f"process peak RSS     {after:.0f} MB (before the export: {before:.0f} MB;"
            " goal: 200 MB)"
        )
        print(f"file size            {size / 1e6:.2f} MB")
        # Baseline, same run: openpyxl writing the same number of rows and cells, plain, as
        # the library the export was measured against.
        print(
            f"baseline: openpyxl   {openpyxl_baseline(listed, data / 'c.xlsx'):.2f} s"
            f"   ({listed} rows x 8 cells, no formats)"
        )


def openpyxl_baseline(rows: int, path: Path) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Các lần nộp")
    stamp = datetime(2024, 6, 5, 8, 0, tzinfo=UTC).replace(tzinfo=None)  # Excel keeps no zone
    for n in range(rows):
        sheet.append(
            [n + 1, f"Đơn vị số {n}", "Nguyễn Văn A", stamp, 1, "đúng hạn", "R1", "ghi chú"]
        )
    book.save(path)
    return time.perf_counter() - started


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--database-url", help="e.g. a PostgreSQL URL; default a SQLite file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.units, arguments.versions, arguments.database_url))
