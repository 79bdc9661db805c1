"""SQL several storage modules share: a contact with its unit, and an atomic upsert."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.model import Contact
from bot.core.plan.model import Role, UnitType
from storage.db import is_sqlite
from storage.models import contact_t, unit_t

CONTACT_FIELDS = (
    "id",
    "platform",
    "user_id",
    "chat_id",
    "display_name",
    "role",
    "active",
    "person_id",
    "reaches",
)


def contact_select(*, everything: bool = True) -> sa.Select[Any]:
    """Contacts with their unit; `everything=False` selects only what `contact_from_row` reads."""
    columns = [contact_t] if everything else [contact_t.c[name] for name in CONTACT_FIELDS]
    return sa.select(
        *columns,
        unit_t.c.key.label("unit_key"),
        unit_t.c.name.label("unit_name"),
        unit_t.c.short_name.label("unit_short_name"),
        unit_t.c.type.label("unit_type"),
        unit_t.c.archived_at.label("unit_archived_at"),
    ).join(unit_t, unit_t.c.id == contact_t.c.unit_id)


def contact_from_row(row: Mapping[str, Any]) -> Contact:
    """The contact a `contact_select` row describes."""
    return Contact(
        id=row["id"],
        platform=row["platform"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        display_name=row["display_name"],
        unit_key=row["unit_key"],
        unit_name=row["unit_name"],
        unit_short_name=row["unit_short_name"],
        unit_type=UnitType(row["unit_type"]),
        role=Role(row["role"]),
        active=row["active"],
        person_id=row["person_id"],
        reaches=bool(row["reaches"]),
    )


async def contact_by_id(session: AsyncSession, contact_id: int | None) -> Mapping[str, Any] | None:
    """The `contact_select` row of one contact (any state), or None."""
    if contact_id is None:
        return None
    result = await session.execute(contact_select().where(contact_t.c.id == contact_id))
    row: Mapping[str, Any] | None = result.mappings().first()
    return row


def upsert(
    engine: AsyncEngine,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    conflict: tuple[str, ...],
    update: tuple[str, ...],
) -> sa.Executable:
    """INSERT ... ON CONFLICT (conflict) DO UPDATE SET update: one atomic statement."""
    if is_sqlite(engine):
        lite = sqlite.insert(table).values(**values)
        return lite.on_conflict_do_update(
            index_elements=list(conflict),
            set_={name: lite.excluded[name] for name in update},
        )
    pg = postgresql.insert(table).values(**values)
    return pg.on_conflict_do_update(
        index_elements=list(conflict), set_={name: pg.excluded[name] for name in update}
    )


def rowcount(result: Any) -> int:
    """Rows an UPDATE, INSERT or DELETE touched (a CursorResult's count; typed loosely by
    SQLAlchemy, and -1 where a driver cannot tell)."""
    count: int = result.rowcount
    return max(count, 0)


async def settle_reach(session: AsyncSession, person_id: int | None) -> None:
    """Keep one active account of the person reaching them: when none of their active accounts
    does (the one that did was removed), the oldest active one does from now on."""
    if person_id is None:
        return
    rows = (
        await session.execute(
            sa.select(contact_t.c.id, contact_t.c.reaches)
            .where(contact_t.c.person_id == person_id, contact_t.c.active.is_(True))
            .order_by(contact_t.c.id)
        )
    ).all()
    if not rows or any(reaches for _, reaches in rows):
        return
    await session.execute(
        sa.update(contact_t)
        .where(contact_t.c.person_id == person_id)
        .values(reaches=contact_t.c.id == rows[0][0])
    )
