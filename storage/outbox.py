"""The outbox over SQL: messages queued for the process that can reach their chat.

A dispatcher sends a reminder itself to the people its process reaches and queues a row here
for everyone else (`put`, before the reminder is marked done). Rows are claimed as reminder
rows are (storage.reminders): in one statement, `FOR UPDATE SKIP LOCKED` on PostgreSQL and
under BEGIN IMMEDIATE on SQLite, with a lease; a row whose lease ran out is taken over, and a
row is marked only while its claim holds. A claim asks only for the platforms, and chats, the
claiming process reaches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.model import Button, Contact, Keyboard
from bot.core.ports import Outgoing, Queued
from bot.core.rules.reminders import UNIT_KINDS, Kind
from storage.db import is_sqlite, read_connection, write_connection, write_session
from storage.leases import LeasedRows, Leases
from storage.models import OutboxStatus, contact_t, outbox_t, reminder_t, submission_t
from storage.queries import contact_from_row, contact_select, rowcount

# Why a queued message was dropped unsent (its `note`).
CONTACT_GONE = "contact_gone"  # removed, or the bot cannot reach them any more
REPORTED = "reported"  # a unit's reminder, and the unit has reported since it was queued

ENDED = (OutboxStatus.SENT.value, OutboxStatus.UNREACHABLE.value, OutboxStatus.DROPPED.value)
WAITING = (OutboxStatus.QUEUED.value, OutboxStatus.CLAIMED.value)


def keyboard_to_json(keyboard: Keyboard) -> list[list[dict[str, str]]]:
    return [[{"text": button.text, "data": button.data} for button in row] for row in keyboard]


def keyboard_from_json(rows: Any) -> Keyboard:
    return tuple(
        tuple(Button(str(button["text"]), str(button["data"])) for button in row)
        for row in rows or ()
    )


class SqlOutbox(LeasedRows):
    """The outbox port (bot.core.ports.Outbox) on this database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._leases = Leases(
            engine, outbox_t, OutboxStatus.CLAIMED.value, OutboxStatus.QUEUED.value
        )

    async def put(self, messages: Sequence[Outgoing], *, now: datetime) -> int:
        """Queue `messages`, due at once. A reminder's message to a chat that is queued already
        (the reminder sent again after a failure) is not queued twice."""
        if not messages:
            return 0
        values = [
            {
                "platform": message.platform,
                "chat_id": message.chat_id,
                "contact_id": message.contact_id,
                "text": message.text,
                "keyboard": keyboard_to_json(message.keyboard),
                "reminder_id": message.reminder_id,
                "created_at": now,
                "due_at": now,
                "attempts": 0,
                "status": OutboxStatus.QUEUED.value,
            }
            for message in messages
        ]
        insert = (sqlite.insert if is_sqlite(self.engine) else postgresql.insert)(outbox_t)
        statement = insert.on_conflict_do_nothing().returning(outbox_t.c.id)
        async with write_session(self.engine) as session:
            result = await session.execute(statement, values)
            return len(result.all())

    async def claim(
        self,
        *,
        reach: Mapping[str, frozenset[str] | None],
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int,
    ) -> list[Queued]:
        """Take up to `limit` due messages (and messages whose claim expired) for `worker`,
        only to the chats `reach` names (platform -> its chats, None for every chat)."""
        reachable = _reachable(reach)
        if reachable is None:
            return []
        statement = self._leases.claiming(
            worker=worker, now=now, lease=lease, limit=limit, among=reachable
        ).returning(
            outbox_t.c.id,
            outbox_t.c.platform,
            outbox_t.c.chat_id,
            outbox_t.c.contact_id,
            outbox_t.c.text,
            outbox_t.c.keyboard,
            outbox_t.c.due_at,
            outbox_t.c.attempts,
            outbox_t.c.reminder_id,
        )
        async with write_session(self.engine) as session:
            await _drop_stale(session, reachable, now=now)
            claimed = sorted((await session.execute(statement)).all(), key=lambda r: (r[6], r[0]))
            contacts = await _contacts(session, {row.contact_id for row in claimed})
            origins = await _origins(session, {row.reminder_id for row in claimed})
        return [
            Queued(
                id=row.id,
                platform=row.platform,
                chat_id=row.chat_id,
                text=row.text,
                keyboard=keyboard_from_json(row.keyboard),
                contact=contacts.get(row.contact_id) if row.contact_id is not None else None,
                attempts=row.attempts,
                reminder_id=row.reminder_id,
                kind=origins.get(row.reminder_id, (None, None))[0],
                instance_id=origins.get(row.reminder_id, (None, None))[1],
            )
            for row in claimed
        ]

    async def sent(self, *, message_id: int, worker: str, now: datetime) -> bool:
        return await self._release(
            message_id,
            worker,
            status=OutboxStatus.SENT.value,
            sent_at=now,
            lease_until=None,
        )

    async def unreachable(self, *, message_id: int, worker: str, now: datetime) -> bool:
        return await self._release(
            message_id,
            worker,
            status=OutboxStatus.UNREACHABLE.value,
            sent_at=now,
            lease_until=None,
        )

    async def postpone(self, *, message_id: int, worker: str, due_at: datetime) -> bool:
        """Give a claimed message back, due again at `due_at` (its platform failing)."""
        return await self._release(
            message_id,
            worker,
            status=OutboxStatus.QUEUED.value,
            claimed_by=None,
            lease_until=None,
            due_at=due_at,
        )

    async def give_back(self, message_ids: Sequence[int], *, worker: str) -> int:
        """Give claimed messages back untouched (a pass that ends early): due as they were."""
        if not message_ids:
            return 0
        return await self._leases.release(
            outbox_t.c.id.in_(list(message_ids)), outbox_t.c.claimed_by == worker
        )

    async def prune(self, *, before: datetime) -> int:
        """Delete the messages that ended (sent, unreachable, dropped) before `before`."""
        async with write_connection(self.engine) as connection:
            result = await connection.execute(
                sa.delete(outbox_t).where(outbox_t.c.status.in_(ENDED), outbox_t.c.sent_at < before)
            )
        return rowcount(result)

    async def waiting(self) -> dict[str, int]:
        """Platform -> how many messages wait there to be sent (for `baocao reminders`)."""
        async with read_connection(self.engine) as connection:
            rows = await connection.execute(
                sa.select(outbox_t.c.platform, sa.func.count())
                .where(outbox_t.c.status.in_(WAITING))
                .group_by(outbox_t.c.platform)
                .order_by(outbox_t.c.platform)
            )
            return {str(platform): int(count) for platform, count in rows}

    async def waiting_since(self) -> dict[str, datetime]:
        """Platform -> when its oldest message still waiting was queued."""
        async with read_connection(self.engine) as connection:
            rows = await connection.execute(
                sa.select(outbox_t.c.platform, sa.func.min(outbox_t.c.created_at))
                .where(outbox_t.c.status.in_(WAITING))
                .group_by(outbox_t.c.platform)
            )
            return {str(platform): since for platform, since in rows}

    async def counts(self) -> dict[str, int]:
        """Messages by status (for tests and the Office's curiosity)."""
        async with read_connection(self.engine) as connection:
            rows = await connection.execute(
                sa.select(outbox_t.c.status, sa.func.count()).group_by(outbox_t.c.status)
            )
            return {str(status): int(count) for status, count in rows}

    async def _release(self, message_id: int, worker: str, **values: Any) -> bool:
        """Update a claimed message only while `worker` still holds its claim."""
        async with write_connection(self.engine) as connection:
            result = await connection.execute(
                sa.update(outbox_t)
                .where(
                    outbox_t.c.id == message_id,
                    outbox_t.c.claimed_by == worker,
                    outbox_t.c.status == OutboxStatus.CLAIMED.value,
                )
                .values(**values)
            )
        return rowcount(result) == 1


def _reachable(reach: Mapping[str, frozenset[str] | None]) -> sa.ColumnElement[bool] | None:
    """The rows `reach` covers, or None when it covers none."""
    clauses: list[sa.ColumnElement[bool]] = []
    for platform, chats in sorted(reach.items()):
        if chats is None:
            clauses.append(outbox_t.c.platform == platform)
        elif chats:
            clauses.append(
                sa.and_(outbox_t.c.platform == platform, outbox_t.c.chat_id.in_(sorted(chats)))
            )
    return sa.or_(*clauses) if clauses else None


async def _drop_stale(
    session: AsyncSession, reachable: sa.ColumnElement[bool], *, now: datetime
) -> None:
    """Drop, unsent, the queued messages no longer worth sending: to a person removed or
    unreachable meanwhile, or a unit's reminder when the unit has reported since."""
    queued = (outbox_t.c.status == OutboxStatus.QUEUED.value, reachable)
    gone = sa.select(contact_t.c.id).where(
        sa.or_(contact_t.c.active.is_(False), contact_t.c.unreachable_at.is_not(None))
    )
    await session.execute(
        sa.update(outbox_t)
        .where(*queued, outbox_t.c.contact_id.in_(gone))
        .values(status=OutboxStatus.DROPPED.value, note=CONTACT_GONE, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    reported = (
        sa.select(sa.literal(1))
        .select_from(reminder_t)
        .join(
            submission_t,
            sa.and_(
                submission_t.c.instance_id == reminder_t.c.instance_id,
                submission_t.c.unit_id == reminder_t.c.unit_id,
            ),
        )
        .where(
            reminder_t.c.id == outbox_t.c.reminder_id,
            reminder_t.c.kind.in_([kind.value for kind in UNIT_KINDS]),
            submission_t.c.submitted_at >= outbox_t.c.created_at,
        )
        .exists()
    )
    await session.execute(
        sa.update(outbox_t)
        .where(*queued, outbox_t.c.reminder_id.is_not(None), reported)
        .values(status=OutboxStatus.DROPPED.value, note=REPORTED, sent_at=now)
        .execution_options(synchronize_session=False)
    )


async def _contacts(session: AsyncSession, ids: set[int | None]) -> dict[int, Contact]:
    wanted = sorted(ident for ident in ids if ident is not None)
    if not wanted:
        return {}
    rows = await session.execute(contact_select(everything=False).where(contact_t.c.id.in_(wanted)))
    return {row["id"]: contact_from_row(row) for row in rows.mappings()}


async def _origins(session: AsyncSession, ids: set[int | None]) -> dict[int, tuple[Kind, int]]:
    """Reminder id -> its kind and instance, for the reminders the messages come from (what
    the sending process needs to add the instance's chart to a summary)."""
    wanted = sorted(ident for ident in ids if ident is not None)
    if not wanted:
        return {}
    rows = await session.execute(
        sa.select(reminder_t.c.id, reminder_t.c.kind, reminder_t.c.instance_id).where(
            reminder_t.c.id.in_(wanted)
        )
    )
    return {ident: (Kind(kind), instance) for ident, kind, instance in rows}
