"""A person's data: which contact rows are theirs, everything stored about them (export), and
erasing it (forget), under Vietnam's Law 91/2025/QH15 on personal data protection."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.db import read_connection
from storage.models import contact_t


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
