"""How much waits to be sent, for monitoring: each count one indexed COUNT query."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import read_connection
from storage.models import OutboxStatus, ReminderStatus, outbox_t, reminder_t


async def queue_depths(engine: AsyncEngine, *, now: datetime) -> dict[str, int]:
    """Messages in the outbox not yet sent (waiting or claimed), and reminders due by `now`
    not yet sent (waiting or claimed): both stay near zero while every process keeps up."""
    outbox = sa.select(sa.func.count()).where(
        outbox_t.c.status.in_([OutboxStatus.QUEUED.value, OutboxStatus.CLAIMED.value])
    )
    reminders = sa.select(sa.func.count()).where(
        reminder_t.c.status.in_([ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value]),
        reminder_t.c.due_at <= now,
    )
    async with read_connection(engine) as connection:
        waiting = (await connection.execute(outbox)).scalar_one()
        due = (await connection.execute(reminders)).scalar_one()
    return {"outbox": int(waiting), "reminders_due": int(due)}
