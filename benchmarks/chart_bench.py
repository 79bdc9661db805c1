"""Benchmark: the progress chart of a report of 2,000 units with 3 versions each.

Prints wall-clock seconds and peak resident memory next to a baseline measured in the same
run (an empty PNG of the same size); nothing is asserted. Goal: a chart under
1 s. Steps: the status read from SQLite (what every summary reads anyway), the chart's
contents (bot.core.chart), the PNG drawn the first time in a process (matplotlib imported, its
fonts loaded) and then again (what each later summary costs), and `baocao chart` as a whole
process. Run:  .venv/bin/python benchmarks/chart_bench.py
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from bot.core.chart import progress_chart
from bot.core.plan.loader import parse_plan
from storage.db import make_engine, write_session
from storage.migrate import upgrade
from storage.models import report_instance_t, submission_t, unit_t
from storage.plans import apply_plan
from storage.status import report_status

UNITS = 2000
VERSIONS = 3
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APPLIED = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
NOW = datetime(2024, 6, 6, 2, 0, tzinfo=UTC)  # a day after the deadline


def plan_text() -> str:
    lines = ["organisation:", "  name: Sở Thử nghiệm Hiệu năng", "units:"]
    lines += ["  - id: van-phong", "    name: Văn phòng Sở", "    type: office"]
    for number in range(1, UNITS + 1):
        lines += [f"  - id: don-vi-{number:04d}", f"    name: Đơn vị số {number}"]
    lines += [
        "reports:",
        "  - id: bc-6-thang",
        "    name: Báo cáo kết quả thực hiện dân chủ ở cơ sở 6 tháng đầu năm 2024",
        "    submitters: all",
        "    receiver: van-phong",
        "    due_before: 05/06/2024",
    ]
    return "\n".join(lines) + "\n"


async def department(folder: Path) -> str:
    """A database with the plan applied and 3 versions from nine units in ten."""
    url = f"sqlite+aiosqlite:///{folder / 'baocao.db'}"
    engine = make_engine(url)
    try:
        await upgrade(engine)
        await apply_plan(engine, parse_plan(plan_text(), "p.yaml"), path="p.yaml", now=APPLIED)
        random.seed(10)
        async with write_session(engine) as session:
            (instance,) = (await session.execute(sa.select(report_instance_t.c.id))).scalars()
            units = (
                await session.execute(sa.select(unit_t.c.id).where(unit_t.c.key != "van-phong"))
            ).scalars()
            rows = []
            for unit in units:
                if random.random() < 0.1:
                    continue  # missing
                first = datetime(2024, 5, 20, 1, tzinfo=UTC) + timedelta(
                    hours=random.uniform(0, 24 * 17)
                )
                for version in range(1, VERSIONS + 1):
                    rows.append(
                        {
                            "instance_id": instance,
                            "unit_id": unit,
                            "version": version,
                            "kind": "text",
                            "text": "xong",
                            "receipt_code": f"R{unit:05d}{version}",
                            "submitted_at": first + timedelta(hours=version),
                        }
                    )
            await session.execute(sa.insert(submission_t), rows)
    finally:
        await engine.dispose()
    return url


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = asyncio.run(department(folder))
        print(f"{UNITS} units, {VERSIONS} versions each (nine units in ten reported)")

        async def read() -> list:  # type: ignore[type-arg]
            engine = make_engine(url)
            try:
                return await report_status(engine, report_key="bc-6-thang", now=NOW)
            finally:
                await engine.dispose()

        started = time.perf_counter()
        (status,) = asyncio.run(read())
        print(f"status read            {time.perf_counter() - started:6.3f} s")
        started = time.perf_counter()
        chart = progress_chart(status, now=NOW, tz=TZ)
        print(f"chart contents         {time.perf_counter() - started:6.3f} s")

        started = time.perf_counter()
        from storage.exports.chart import MatplotlibCharts

        renderer = MatplotlibCharts()
        renderer.render(chart, folder / "first.png")
        print(f"PNG, first in process  {time.perf_counter() - started:6.3f} s  (import included)")
        times = []
        for number in range(5):
            started = time.perf_counter()
            renderer.render(chart, folder / f"again-{number}.png")
            times.append(time.perf_counter() - started)
        print(f"PNG, again (median/5)  {sorted(times)[2]:6.3f} s")
        # Baseline, same run: matplotlib saving an empty figure of the same size, the floor
        # any PNG of this size costs; the chart's drawing is what lies above it.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        floor = []
        for number in range(5):
            started = time.perf_counter()
            figure = Figure(figsize=(10.8, 12.8), dpi=100)
            FigureCanvasAgg(figure)
            figure.savefig(folder / f"empty-{number}.png")
            floor.append(time.perf_counter() - started)
        print(f"baseline: empty PNG    {sorted(floor)[2]:6.3f} s  (same size, median/5)")
        size = (folder / "first.png").stat().st_size
        print(f"PNG size               {size / 1024:6.0f} KB")
        print(f"peak memory            {peak_mb():6.0f} MB (this process)")

        environment = {
            **os.environ,
            "BAOCAO_DATABASE_URL": url,
            "BAOCAO_DATA_DIR": str(folder),
            "COLUMNS": "200",
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "chart", "bc-6-thang", "--png", str(folder / "c.png")],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.perf_counter() - started
        print(f"baocao chart (process) {took:6.3f} s  rc={done.returncode}")


if __name__ == "__main__":
    main()
