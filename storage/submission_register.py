"""Every version units sent and who speaks for each unit, as the status workbook lists them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.model import SubmissionKind
from bot.core.statusbook import RegisterEntry
from storage.db import read_connection
from storage.models import contact_t, submission_t, unit_t


class SqlSubmissionRegister:
    """Implements bot.core.ports.SubmissionRegister."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def register(self, *, instance_ids: Sequence[int]) -> list[RegisterEntry]:
        if not instance_ids:
            return []
        statement = (
            sa.select(
                submission_t.c.instance_id,
                unit_t.c.key.label("unit_key"),
                unit_t.c.name.label("unit_name"),
                submission_t.c.version,
                submission_t.c.kind,
                submission_t.c.submitted_at,
                submission_t.c.receipt_code,
                contact_t.c.display_name.label("sender"),
                submission_t.c.original_name,
                submission_t.c.text,
                submission_t.c.note,
                submission_t.c.size,
            )
            .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
            .outerjoin(contact_t, contact_t.c.id == submission_t.c.contact_id)
            .where(submission_t.c.instance_id.in_(sorted(set(instance_ids))))
            .order_by(submission_t.c.submitted_at, submission_t.c.id)
        )
        async with read_connection(self.engine) as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [
            RegisterEntry(
                instance_id=row["instance_id"],
                unit_key=row["unit_key"],
                unit_name=row["unit_name"],
                version=row["version"],
                kind=SubmissionKind(row["kind"]),
                submitted_at=row["submitted_at"],
                receipt_code=row["receipt_code"],
                sender=row["sender"] or None,
                original_name=row["original_name"],
                text=row["text"],
                note=row["note"],
                size=row["size"],
            )
            for row in rows
        ]

    async def unit_contacts(self) -> dict[str, list[str]]:
        statement = (
            sa.select(unit_t.c.key, contact_t.c.display_name, contact_t.c.username)
            .join(unit_t, unit_t.c.id == contact_t.c.unit_id)
            .where(contact_t.c.active.is_(True))
            .order_by(contact_t.c.created_at, contact_t.c.id)
        )
        by_unit: dict[str, list[str]] = defaultdict(list)
        async with read_connection(self.engine) as connection:
            for key, name, username in await connection.execute(statement):
                by_unit[key].append(f"{name} (@{username})" if username else name)
        return dict(by_unit)
