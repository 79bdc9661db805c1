"""Every version units sent for a report instance, with who sent it: what exports are made of."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.archive import SubmittedVersion
from bot.core.model import SubmissionKind
from storage.db import read_session
from storage.models import contact_t, submission_t, unit_t


class SqlSubmissionHistory:
    """Implements bot.core.ports.SubmissionHistory."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def versions(self, *, instance_id: int) -> list[SubmittedVersion]:
        """Every version sent for the instance, by unit in the plan's order, then version."""
        async with read_session(self.engine) as session:
            rows = await session.execute(
                sa.select(
                    submission_t,
                    unit_t.c.key.label("unit_key"),
                    unit_t.c.name.label("unit_name"),
                    unit_t.c.short_name.label("unit_short_name"),
                    contact_t.c.display_name.label("contact_name"),
                )
                .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
                .outerjoin(contact_t, contact_t.c.id == submission_t.c.contact_id)
                .where(submission_t.c.instance_id == instance_id)
                .order_by(unit_t.c.id, submission_t.c.version)
            )
            return [
                SubmittedVersion(
                    unit_key=row["unit_key"],
                    unit_name=row["unit_name"],
                    unit_short_name=row["unit_short_name"],
                    version=row["version"],
                    kind=SubmissionKind(row["kind"]),
                    submitted_at=row["submitted_at"],
                    receipt_code=row["receipt_code"],
                    original_name=row["original_name"],
                    stored_path=row["stored_path"],
                    size=row["size"],
                    text=row["text"],
                    note=row["note"],
                    contact_name=row["contact_name"] or None,
                )
                for row in rows.mappings()
            ]
