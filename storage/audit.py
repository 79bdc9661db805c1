"""The audit trail: one row per change an operator or the bot made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.ports import AuditEntry
from storage.db import read_connection, write_session
from storage.models import audit_t


async def record_audit(
    session: AsyncSession, *, at: datetime, actor: str, action: str, detail: dict[str, Any]
) -> None:
    """Add an audit row inside the caller's transaction."""
    await session.execute(
        sa.insert(audit_t).values(at=at, actor=actor, action=action, detail=detail)
    )


class SqlAuditLog:
    """Implements bot.core.ports.AuditLog for changes that are not part of another write."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def audit(
        self, *, actor: str, action: str, detail: dict[str, object], now: datetime
    ) -> None:
        """Add one audit row in its own transaction."""
        async with write_session(self.engine) as session:
            await record_audit(session, at=now, actor=actor, action=action, detail=detail)


class SqlAuditTrail:
    """Implements bot.core.ports.AuditTrail: the trail, newest first, a page at a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def entries(self, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        async with read_connection(self.engine) as connection:
            # One snapshot for the page and the count.
            total = await connection.scalar(sa.select(sa.func.count()).select_from(audit_t))
            rows = await connection.execute(
                sa.select(audit_t)
                .order_by(audit_t.c.at.desc(), audit_t.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            found = [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    actor=row.actor,
                    action=row.action,
                    detail=row.detail or {},
                )
                for row in rows
            ]
        return found, int(total or 0)
