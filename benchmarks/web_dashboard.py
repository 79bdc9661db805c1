"""Benchmark: the Office's dashboard for a report of 2,000 units, through the ASGI app.

A temporary SQLite database gets a plan of 2,000 units (tests/department.py) with two reports
open at once, as the seed plan has in spring (the monthly one and a yearly one), a head for
each unit, and submissions from 60 % of them to the first (some late). Then 100 requests of
/van-phong and 100 of the first round's page go through the app (httpx's ASGI transport, signed
in as the Office), next to a same-run baseline: every open round's status (what the page read
before it read only its own round), one round's status, and one round's status with the
register and the contacts the round's page also reads. Prints p50 and p99 in ms; asserts
nothing.
Goal: p99 under 150 ms for the round's page.  Run:  .venv/bin/python benchmarks/web_dashboard.py
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "web")]

import httpx  # noqa: E402
from dashboard_support import OFFICE, SignedIn, Told, web_deps  # noqa: E402
from department import plan_text, register_heads, unit_key  # noqa: E402

from bot.app import settle_memory  # noqa: E402
from bot.core.model import SubmissionKind  # noqa: E402
from bot.core.plan.loader import parse_plan  # noqa: E402
from handlers.web.app import build_app  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[98]


async def timed(label: str, runs: int, call: Callable[[], Awaitable[object]]) -> None:
    await call()  # warm: templates compiled, caches filled
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p99 = percentiles(samples)
    print(f"  {label:<44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")


async def main(units: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="baocao-dash-") as folder:
        data = Path(folder)
        engine = make_engine(f"sqlite+aiosqlite:///{data / 'baocao.db'}")
        now = datetime.now(UTC)
        try:
            await upgrade(engine)
            deps, repository = web_deps(engine, data, Told(), lambda: now)
            due = (now + timedelta(days=3)).date()
            yearly = (
                "  - {id: bc-nam, name: Báo cáo năm, submitters: all, receiver: van-phong, "
                f"due_before: {(due + timedelta(days=30)).strftime('%d/%m/%Y')}}}\n"
            )
            text = plan_text(units, due_before=due) + yearly
            plan = parse_plan(text, "bench.yaml", now=now)
            started = time.perf_counter()
            await deps.plans.apply(plan, path="bench.yaml", archive=False, now=now)
            await register_heads(engine, data, units, now=now)
            status, _yearly = await deps.office.status(report_key=None, now=now)
            for n in range(units * 6 // 10):
                await repository.submit(
                    instance_id=status.instance_id,
                    unit_key=unit_key(n),
                    contact_id=None,
                    kind=SubmissionKind.TEXT,
                    source_ref=f"bench:{n}",
                    now=now - timedelta(hours=n % 48),
                    text=f"Báo cáo số {n}",
                )
            print(
                f"{units} units, {units * 6 // 10} reported; set up in "
                f"{time.perf_counter() - started:.1f} s; {runs} requests each"
            )
            instance = status.instance_id
            app = SignedIn(build_app(deps), lambda: OFFICE)
            settle_memory()  # as `baocao run` does once it has started
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

                async def overview() -> None:
                    answer = await client.get("/van-phong")
                    assert answer.status_code == 200

                async def round_page() -> None:
                    answer = await client.get(f"/van-phong/bao-cao/{instance}")
                    assert answer.status_code == 200

                async def every_round() -> None:
                    await deps.office.status(report_key=None, now=now)

                async def one_round() -> None:
                    await deps.office.round_status(instance_id=instance, now=now)

                async def status_and_register() -> None:
                    await deps.office.round_status(instance_id=instance, now=now)
                    await deps.exports.register.register(instance_ids=[instance])
                    await deps.exports.register.unit_contacts()

                print("baseline")
                await timed("every open round's status", runs, every_round)
                await timed("one round's status", runs, one_round)
                await timed("one round + register + contacts", runs, status_and_register)
                print("through the app")
                await timed("GET /van-phong", runs, overview)
                await timed(f"GET /van-phong/bao-cao/{instance}", runs, round_page)
        finally:
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=100)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.units, arguments.runs))
