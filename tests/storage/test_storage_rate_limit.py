"""Shared sending slots: two engines (two instances) reserving at once never get more than N
slots in any second, and together use the whole budget."""

from __future__ import annotations

import asyncio
import itertools
import random

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite, make_engine
from storage.rate_limit import SqlRateBudget

RATE = 29.4
INTERVAL = 1 / RATE


def second_engine(engine: AsyncEngine, schema: str | None) -> AsyncEngine:
    url = engine.url.render_as_string(hide_password=False)
    if schema is None:
        return make_engine(url)
    return make_engine(url, connect_args={"server_settings": {"search_path": schema}})


def most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def take(budget: SqlRateBudget, wanted: int, seed: int) -> list[float]:
    pick = random.Random(seed)
    slots: list[float] = []
    while len(slots) < wanted:
        count = min(pick.randint(1, 8), wanted - len(slots))
        reserved = await budget.reserve("telegram", count, INTERVAL)
        assert reserved.first is not None
        assert reserved.first >= reserved.now - 1e-6
        slots += [reserved.first + i * INTERVAL for i in range(count)]
    return slots


async def test_two_engines_never_get_more_than_30_slots_in_any_second(
    engine: AsyncEngine,
) -> None:
    schema = None
    if not is_sqlite(engine):
        async with engine.connect() as connection:
            schema = await connection.scalar(sa.text("select current_schema()"))
    other = second_engine(engine, schema)
    try:
        first, second = await asyncio.gather(
            take(SqlRateBudget(engine), 300, 1), take(SqlRateBudget(other), 300, 2)
        )
    finally:
        await other.dispose()
    slots = sorted(first + second)
    assert len(set(slots)) == 600
    assert most_in_any_second(slots) <= 30
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= INTERVAL - 1e-6
    # Used fully: no gap in the schedule while both kept asking.
    assert (slots[-1] - slots[0]) <= 600 * INTERVAL + 0.5


async def test_a_group_window_and_a_pause(engine: AsyncEngine) -> None:
    budget = SqlRateBudget(engine)
    now = 1_000_000.0
    taken = []
    for _ in range(20):
        reserved = await budget.reserve_in_window(
            "telegram:chat:-5", limit=20, period=60, overall="telegram", interval=INTERVAL, now=now
        )
        assert reserved.first is not None
        taken.append(reserved.first)
    full = await budget.reserve_in_window(
        "telegram:chat:-5", limit=20, period=60, overall="telegram", interval=INTERVAL, now=now
    )
    assert full.first is None and full.wait > 59
    later = await budget.reserve_in_window(
        "telegram:chat:-5",
        limit=20,
        period=60,
        overall="telegram",
        interval=INTERVAL,
        now=taken[0] + 60.001,
    )
    assert later.first is not None
    await budget.pause("telegram", 5.0, now=later.first)
    after = await budget.reserve("telegram", 1, INTERVAL, now=later.first)
    assert after.first is not None and after.first >= later.first + 5.0
