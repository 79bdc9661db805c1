"""Notices for contacts who use only the web, over SQL (implements bot.core.ports.WebNotices)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.web_access import Notice
from storage.db import read_session, write_session
from storage.models import web_notice_t


class SqlWebNotices:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_notice(self, *, chat_id: str, text: str, now: datetime) -> int:
        async with write_session(self.engine) as session:
            notice_id = await session.scalar(
                sa.insert(web_notice_t)
                .values(chat_id=chat_id, text=text, created_at=now)
                .returning(web_notice_t.c.id)
            )
        return int(notice_id)

    async def replace_notice(self, *, notice_id: int, text: str) -> bool:
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(web_notice_t).where(web_notice_t.c.id == notice_id).values(text=text)
            )
        return bool(getattr(result, "rowcount", 0))

    async def notices(self, *, chat_id: str, limit: int) -> list[Notice]:
        async with read_session(self.engine) as session:
            rows = (
                await session.execute(
                    sa.select(web_notice_t)
                    .where(web_notice_t.c.chat_id == chat_id)
                    .order_by(web_notice_t.c.created_at.desc(), web_notice_t.c.id.desc())
                    .limit(limit)
                )
            ).mappings()
            return [
                Notice(
                    id=row["id"],
                    text=row["text"],
                    created_at=row["created_at"],
                    read_at=row["read_at"],
                )
                for row in rows
            ]

    async def mark_read(self, *, chat_id: str, now: datetime) -> int:
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(web_notice_t)
                .where(web_notice_t.c.chat_id == chat_id, web_notice_t.c.read_at.is_(None))
                .values(read_at=now)
            )
        return int(getattr(result, "rowcount", 0) or 0)
