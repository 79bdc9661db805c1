"""A person's data: which contact rows are theirs, everything stored about them (export), and
erasing it (forget), under Vietnam's Law 91/2025/QH15 on personal data protection."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.model import PersonalSummary
from storage.db import read_connection
from storage.models import contact_t, submission_t, web_session_t
from storage.queries import contact_from_row, contact_select


async def person_accounts(connection: AsyncConnection | AsyncSession, contact_id: int) -> list[int]:
    """The ids of every account of the person `contact_id` is one account of (linked by
    person_id), in id order; [] when there is no such contact."""
    row = (
        await connection.execute(
            sa.select(contact_t.c.id, contact_t.c.person_id).where(contact_t.c.id == contact_id)
        )
    ).first()
    if row is None:
        return []
    person = row.person_id if row.person_id is not None else row.id
    ids = await connection.scalars(
        sa.select(contact_t.c.id)
        .where(sa.or_(contact_t.c.id == person, contact_t.c.person_id == person))
        .order_by(contact_t.c.id)
    )
    return list(ids)


async def linked_contact_ids(engine: AsyncEngine, contact_id: int) -> frozenset[int]:
    """`contact_id` and the person's other accounts: the contacts an audit filter on them
    matches (just `contact_id` when it is not, or no longer, a contact)."""
    async with read_connection(engine) as connection:
        return frozenset(await person_accounts(connection, contact_id)) | {contact_id}


class SqlPersonalRecords:
    """Implements bot.core.ports.PersonalRecords."""

    engine: AsyncEngine

    async def personal_summary(self, *, contact_id: int, now: datetime) -> PersonalSummary:
        async with read_connection(self.engine) as connection:
            ids = await person_accounts(connection, contact_id) or [contact_id]
            rows = (
                await connection.execute(
                    contact_select().where(contact_t.c.id.in_(ids)).order_by(contact_t.c.id)
                )
            ).mappings()
            found = list(rows)
            sent = (
                await connection.execute(
                    sa.select(sa.func.count(), sa.func.max(submission_t.c.submitted_at)).where(
                        submission_t.c.contact_id.in_(ids)
                    )
                )
            ).one()
            sessions = await connection.scalar(
                sa.select(sa.func.count()).where(
                    web_session_t.c.contact_id.in_(ids),
                    web_session_t.c.revoked_at.is_(None),
                    web_session_t.c.expires_at > now,
                )
            )
        registered = [row["created_at"] for row in found if row["id"] == contact_id]
        return PersonalSummary(
            accounts=tuple(contact_from_row(row) for row in found),
            registered_at=registered[0] if registered else now,
            submissions=int(sent[0] or 0),
            last_submission_at=sent[1],
            web_sessions=int(sessions or 0),
        )
