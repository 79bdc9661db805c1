"""Benchmark: a plan of 2,000 units and 24 reports through `plan check`, `plan apply`, `plan show`.

Prints wall-clock seconds for each step and the peak resident memory; nothing is asserted.
Goals: apply under 5 s, show under 1 s. Run:  .venv/bin/python benchmarks/plan_bench.py
Add `--postgres URL` to time apply on PostgreSQL as well (the database is emptied first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console

from bot import cli
from bot.core.plan.loader import load_plan
from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from storage.plans import apply_plan

UNITS = 2000
SCHEDULE = [("month", 12)] * 8 + [("quarter", 4)] * 8 + [("half_year", 2)] * 4 + [("year", 1)] * 4


def plan_text() -> str:
    lines = ["organisation:", "  name: Sở Thử nghiệm Hiệu năng", "units:"]
    lines += ["  - id: van-phong", "    name: Văn phòng Sở", "    type: office"]
    for number in range(1, UNITS + 1):
        lines += [f"  - id: don-vi-{number:04d}", f"    name: Đơn vị số {number}"]
    lines.append("reports:")
    for number, (every, count) in enumerate(SCHEDULE, start=1):
        lines += [
            f"  - id: bao-cao-{number:02d}",
            f"    name: Báo cáo số {number}",
            "    submitters: all",
            "    receiver: van-phong",
            "    due_before: 20/01/2025",
            f"    repeat: {{every: {every}, count: {count}}}",
            "    reminders: [7d, 3wd, 1d, last_day, overdue]",
        ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def timed(label: str, results: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def quietly(function: Callable[[], Any]) -> Any:
    """Run a CLI function with its rich output rendered into memory (it is still rendered)."""
    saved = cli.out
    cli.out = Console(file=io.StringIO(), width=120, highlight=False, soft_wrap=True)
    try:
        return function()
    finally:
        cli.out = saved


async def apply_twice(url: str, path: Path, results: dict[str, float], label: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        plan = load_plan(path)
        now = datetime.now(UTC)
        with timed(f"plan apply ({label}, first)", results):
            first = await apply_plan(engine, plan, path=str(path), now=now)
        with timed(f"plan apply ({label}, again: no change)", results):
            again = await apply_plan(engine, plan, path=str(path), now=now)
        assert first.changed and not again.changed
    finally:
        await engine.dispose()


async def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        await downgrade(engine, "base")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also apply on this PostgreSQL URL (emptied first)")
    options = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ke-hoach-lon.yaml"
        path.write_text(plan_text(), encoding="utf-8")
        with timed("plan check", results):
            quietly(lambda: cli.plan_check(path))
        plan = load_plan(path)
        instances = sum(len(report.instances) for report in plan.reports)
        url = f"sqlite+aiosqlite:///{Path(folder) / 'baocao.db'}"
        asyncio.run(apply_twice(url, path, results, "SQLite"))
        if options.postgres:
            asyncio.run(reset_postgres(options.postgres))
            asyncio.run(apply_twice(options.postgres, path, results, "PostgreSQL"))
        os.environ["BAOCAO_DATABASE_URL"] = url
        with timed("plan show (the applied plan)", results):
            quietly(lambda: cli.plan_show(None))
        command = [str(Path(sys.executable).parent / "baocao"), "plan", "show"]
        with timed("plan show, whole command (with start-up)", results):
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    links = sum(len(report.submitters) for report in plan.reports)
    print(
        f"plan: {len(plan.units)} units, {len(plan.reports)} reports, {instances} instances, "
        f"{links} submitter links, {len(plan_text()) // 1024} KiB"
    )
    for label, seconds in results.items():
        print(f"{label:<40} {seconds:7.3f} s")
    print(f"{'peak resident memory':<40} {peak_mib:7.1f} MiB")


if __name__ == "__main__":
    main()
