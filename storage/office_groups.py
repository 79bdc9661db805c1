"""Chat bindings over SQL: the office group of each platform."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.cleaning import clean_optional
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.models import ChatPurpose, chat_binding_t
from storage.queries import upsert


class SqlOfficeGroups:
    """Implements bot.core.ports.OfficeGroups: one bound chat per platform and purpose."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def office_group(self, *, platform: str) -> str | None:
        """The chat id of the platform's office group, if one was bound."""
        async with read_session(self.engine) as session:
            result: str | None = await session.scalar(
                sa.select(chat_binding_t.c.chat_id).where(
                    chat_binding_t.c.platform == platform,
                    chat_binding_t.c.purpose == ChatPurpose.OFFICE_GROUP.value,
                )
            )
        return result

    async def bind_office_group(
        self,
        *,
        platform: str,
        chat_id: str,
        title: str | None,
        contact_id: int | None,
        now: datetime,
    ) -> None:
        """Make `chat_id` the platform's office group, replacing the previous one."""
        title = clean_optional(title)
        purpose = ChatPurpose.OFFICE_GROUP.value
        async with write_session(self.engine) as session:
            previous = await session.scalar(
                sa.select(chat_binding_t.c.chat_id).where(
                    chat_binding_t.c.platform == platform, chat_binding_t.c.purpose == purpose
                )
            )
            values = {
                "platform": platform,
                "purpose": purpose,
                "chat_id": chat_id,
                "title": title,
                "bound_by_contact_id": contact_id,
                "bound_at": now,
            }
            await session.execute(
                upsert(
                    self.engine,
                    chat_binding_t,
                    values,
                    conflict=("platform", "purpose"),
                    update=("chat_id", "title", "bound_by_contact_id", "bound_at"),
                )
            )
            await record_audit(
                session,
                at=now,
                actor="cli" if contact_id is None else f"contact:{contact_id}",
                action="office_group.bind",
                detail={
                    "platform": platform,
                    "chat_id": chat_id,
                    "title": title,
                    "previous": previous,
                },
            )
