"""Rate budgets shared by every instance on one database: sending slots handed out in order.

See handlers/telegram/limiter.py for why the budget is a schedule of slots rather than a token
bucket. Here is only its storage: one row per budget holding the next free slot (`next_at`,
seconds since the epoch on the database's clock), moved forward by one atomic
`UPDATE ... RETURNING` per batch of slots; and, for a limit per chat, the latest slots (JSON)
in a row locked for the short read-modify-write (`SELECT ... FOR UPDATE` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite).

Times come from the database's clock (`statement_timestamp()`, SQLite's `julianday('now')`,
each fixed within one statement) so that instances on machines whose clocks differ still share
one schedule; every answer carries the database's `now`, and callers wait `slot - now` on
their own clock. Tests may pass `now` to drive the schedule themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import is_sqlite, write_connection
from storage.models import rate_limit_t

__all__ = ["Reservation", "SqlRateBudget"]


@dataclass(frozen=True, slots=True)
class Reservation:
    """`count` slots `interval` apart from `first`, or, when `first` is None, a wait of
    `wait` seconds before asking again; `now` is the database's clock when it was decided."""

    first: float | None
    now: float
    wait: float = 0.0


class SqlRateBudget:
    """Implements handlers.telegram.limiter.RateBudget over this database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite = is_sqlite(engine)
        self._insert = (sqlite.insert if self._sqlite else postgresql.insert)(rate_limit_t)
        self._known: set[str] = set()

    def _now(self, now: float | None) -> sa.ColumnElement[float]:
        if now is not None:
            return sa.literal(now, sa.Float())
        if self._sqlite:
            return (sa.func.julianday("now") - 2440587.5) * 86400.0
        return sa.cast(sa.extract("epoch", sa.func.statement_timestamp()), sa.Float())

    def _greatest(
        self, a: sa.ColumnElement[float], b: sa.ColumnElement[float]
    ) -> sa.ColumnElement[float]:
        return sa.func.max(a, b) if self._sqlite else sa.func.greatest(a, b)

    async def _ensure(self, connection: AsyncConnection, name: str) -> None:
        if name not in self._known:
            await connection.execute(
                self._insert.values(name=name, next_at=0.0).on_conflict_do_nothing(
                    index_elements=[rate_limit_t.c.name]
                )
            )
            self._known.add(name)

    async def reserve(
        self, name: str, count: int, interval: float, *, now: float | None = None
    ) -> Reservation:
        """The next `count` slots of budget `name`, `interval` seconds apart, in one statement."""
        clock = self._now(now)
        async with write_connection(self.engine) as connection:
            await self._ensure(connection, name)
            row = await self._take(connection, name, count, interval, clock)
        return row

    async def _take(
        self,
        connection: AsyncConnection,
        name: str,
        count: int,
        interval: float,
        clock: sa.ColumnElement[float],
    ) -> Reservation:
        moved = self._greatest(rate_limit_t.c.next_at, clock) + count * interval
        statement = (
            sa.update(rate_limit_t)
            .where(rate_limit_t.c.name == name)
            .values(next_at=moved)
            .returning(rate_limit_t.c.next_at, clock.label("now"))
        )
        next_at, db_now = (await connection.execute(statement)).one()
        return Reservation(first=float(next_at) - count * interval, now=float(db_now))

    async def reserve_in_window(
        self,
        name: str,
        *,
        limit: int,
        period: float,
        overall: str,
        interval: float,
        now: float | None = None,
    ) -> Reservation:
        """One slot of `overall` that also keeps `name` to `limit` sends in any `period`
        seconds; or, when `name`'s window is full until later, how long to wait first."""
        clock = self._now(now)
        async with write_connection(self.engine) as connection:
            await self._ensure(connection, name)
            await self._ensure(connection, overall)
            query = sa.select(rate_limit_t.c.recent, clock.label("now")).where(
                rate_limit_t.c.name == name
            )
            if not self._sqlite:
                query = query.with_for_update()
            recent_text, db_now = (await connection.execute(query)).one()
            db_now = float(db_now)
            recent = [float(x) for x in json.loads(recent_text or "[]")]
            recent = [x for x in recent if x > db_now - period]
            if len(recent) >= limit:
                opens = recent[-limit] + period
                return Reservation(first=None, now=db_now, wait=max(0.0, opens - db_now))
            taken = await self._take(connection, overall, 1, interval, clock)
            assert taken.first is not None
            recent.append(taken.first)
            await connection.execute(
                sa.update(rate_limit_t)
                .where(rate_limit_t.c.name == name)
                .values(recent=json.dumps(recent[-limit:]))
            )
        return taken

    async def pause(self, name: str, seconds: float, *, now: float | None = None) -> None:
        """No slot of `name` before `seconds` from now: Telegram answered 429 to one instance,
        and every instance waits it out."""
        clock = self._now(now)
        async with write_connection(self.engine) as connection:
            await self._ensure(connection, name)
            await connection.execute(
                sa.update(rate_limit_t)
                .where(rate_limit_t.c.name == name)
                .values(next_at=self._greatest(rate_limit_t.c.next_at, clock + seconds))
            )
