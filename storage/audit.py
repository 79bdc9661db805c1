"""The audit trail: one row per change an operator or the bot made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import write_session
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
