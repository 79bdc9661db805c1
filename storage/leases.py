"""Claims under a lease, for any table whose rows one worker at a time holds: reminder rows and
outbox messages. A worker renews its claims while alive; a dead worker's are taken back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import read_connection, write_connection
from storage.queries import rowcount


@dataclass(frozen=True, slots=True)
class Leases:
    """The claims on `table`: a held row has status `claimed`, with `claimed_by` (the worker)
    and `lease_until`; a row given back returns to status `waiting`, due as it was."""

    engine: AsyncEngine
    table: sa.Table
    claimed: str
    waiting: str

    def claiming(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int, among: Any = None
    ) -> sa.Update:
        """The statement that takes up to `limit` rows for `worker` until `now + lease`: rows
        due and waiting, and rows whose claim ran out (their worker died), oldest due first,
        among those `among` selects (all when None). One statement, with FOR UPDATE SKIP LOCKED
        on PostgreSQL, so that two workers never take the same row; add `.returning(...)`."""
        c = self.table.c
        conditions = [
            sa.or_(
                sa.and_(c.status == self.waiting, c.due_at <= now),
                sa.and_(c.status == self.claimed, c.lease_until < now),
            )
        ]
        if among is not None:
            conditions.insert(0, among)
        due = (
            sa.select(c.id)
            .where(*conditions)
            .order_by(c.due_at, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (
            sa.update(self.table)
            .where(c.id.in_(due.scalar_subquery()))
            .values(
                status=self.claimed,
                claimed_by=worker,
                lease_until=now + lease,
                attempts=c.attempts + 1,
            )
        )

    async def renew(self, *, worker: str, now: datetime, lease: timedelta) -> int:
        """Extend every claim `worker` holds to `now + lease` (its heartbeat); returns how many."""
        c = self.table.c
        async with write_connection(self.engine) as connection:
            result = await connection.execute(
                sa.update(self.table)
                .where(c.claimed_by == worker, c.status == self.claimed)
                .values(lease_until=now + lease)
            )
        return rowcount(result)

    async def holders(self) -> list[str]:
        """The workers holding claims now."""
        c = self.table.c
        async with read_connection(self.engine) as connection:
            rows = await connection.execute(
                sa.select(c.claimed_by).where(c.status == self.claimed).distinct()
            )
            return sorted(str(worker) for (worker,) in rows if worker is not None)

    async def take_back(self, workers: Sequence[str]) -> int:
        """Make the rows claimed by `workers` (processes known dead) due again as they were."""
        if not workers:
            return 0
        return await self.release(self.table.c.claimed_by.in_(list(workers)))

    async def release(self, *conditions: Any) -> int:
        """Make the claimed rows matching `conditions` wait again, due as they were."""
        async with write_connection(self.engine) as connection:
            result = await connection.execute(
                sa.update(self.table)
                .where(*conditions, self.table.c.status == self.claimed)
                .values(status=self.waiting, claimed_by=None, lease_until=None)
            )
        return rowcount(result)


class LeasedRows:
    """The claims a table's store answers for, by its `Leases`: a worker's heartbeat, who holds
    claims, and taking back the claims of dead workers. Shared by the reminder rows and the
    outbox, whose dispatcher treats both alike."""

    _leases: Leases

    async def renew(self, *, worker: str, now: datetime, lease: timedelta) -> int:
        """Extend every claim `worker` holds to `now + lease` (its heartbeat); returns how many."""
        return await self._leases.renew(worker=worker, now=now, lease=lease)

    async def holders(self) -> list[str]:
        """The workers holding claims now."""
        return await self._leases.holders()

    async def take_back(self, workers: Sequence[str]) -> int:
        """Make the rows claimed by `workers` (processes known dead) due again as they were."""
        return await self._leases.take_back(workers)
