"""Incoming messages already taken in, over SQL: which delivery of a message is its first.

A platform that gives no update id to resume from may deliver a message twice, to one
process or to two. `first_time` decides in one statement, an INSERT that does nothing when the
row is there: the database's primary key makes one delivery the first, whichever process and
whatever the interleaving. `forget` prunes the rows no platform would redeliver any more.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite, write_connection
from storage.models import seen_message_t
from storage.queries import rowcount

__all__ = ["SqlSeenMessages"]


class SqlSeenMessages:
    """Implements bot.core.ports.SeenMessages."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._insert = (sqlite.insert if is_sqlite(engine) else postgresql.insert)(seen_message_t)

    async def first_time(self, *, platform: str, message_id: str, now: datetime) -> bool:
        """True for the first delivery of `message_id` on `platform`, False for any later one."""
        statement = (
            self._insert.values(platform=platform, message_id=message_id, seen_at=now)
            .on_conflict_do_nothing(
                index_elements=[seen_message_t.c.platform, seen_message_t.c.message_id]
            )
            .returning(seen_message_t.c.message_id)
        )
        async with write_connection(self.engine) as connection:
            inserted = (await connection.execute(statement)).first()
        return inserted is not None

    async def forget(self, *, before: datetime) -> int:
        """Drop what was recorded before `before`; the number dropped."""
        async with write_connection(self.engine) as connection:
            result = await connection.execute(
                sa.delete(seen_message_t).where(seen_message_t.c.seen_at < before)
            )
        return rowcount(result)
