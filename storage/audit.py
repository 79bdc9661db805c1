"""The audit trail: one row per change an operator or the bot made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import audit_t


async def record_audit(
    session: AsyncSession, *, at: datetime, actor: str, action: str, detail: dict[str, Any]
) -> None:
    """Add an audit row inside the caller's transaction."""
    await session.execute(
        sa.insert(audit_t).values(at=at, actor=actor, action=action, detail=detail)
    )
