"""Row shapes several storage modules read the same way: a contact with its unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from bot.core.model import Contact
from bot.core.plan.model import Role, UnitType
from storage.models import contact_t, unit_t

CONTACT_FIELDS = ("id", "platform", "user_id", "chat_id", "display_name", "role", "active")


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
    )
