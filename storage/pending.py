"""Pending steps over SQL: each person's one unfinished step, taken once by its token."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.cleaning import storable_json
from bot.core.model import Pending
from storage.db import read_session, write_session
from storage.models import pending_step_t
from storage.queries import upsert

PENDING_TOKEN_BYTES = 12  # secrets.token_urlsafe: 16 characters, short enough for button data


class SqlPendingSteps:
    """Implements bot.core.ports.PendingSteps; every change is one atomic statement."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save_pending(
        self, *, platform: str, user_id: str, kind: str, payload: dict[str, object], now: datetime
    ) -> Pending:
        """Replace the person's pending step with this one; its token goes on the buttons."""
        clean_payload = storable_json(payload)
        assert isinstance(clean_payload, dict)
        pending = Pending(
            token=secrets.token_urlsafe(PENDING_TOKEN_BYTES),
            platform=platform,
            user_id=user_id,
            kind=kind,
            payload=clean_payload,
            created_at=now,
        )
        values = {
            "token": pending.token,
            "platform": platform,
            "user_id": user_id,
            "kind": kind,
            "payload": pending.payload,
            "created_at": now,
        }
        async with write_session(self.engine) as session:
            await session.execute(
                upsert(
                    self.engine,
                    pending_step_t,
                    values,
                    conflict=("platform", "user_id"),
                    update=("token", "kind", "payload", "created_at"),
                )
            )
        return pending

    async def take_pending(
        self, *, token: str, platform: str, user_id: str, now: datetime, ttl: timedelta
    ) -> Pending | None:
        """The pending step with `token` if it is this person's and fresh; it is removed.

        One DELETE ... RETURNING, so two presses of the same button take it once. A step of
        another person, or an expired one, is left alone and None is returned.
        """
        async with write_session(self.engine) as session:
            row = (
                (
                    await session.execute(
                        sa.delete(pending_step_t)
                        .where(
                            pending_step_t.c.token == token,
                            pending_step_t.c.platform == platform,
                            pending_step_t.c.user_id == user_id,
                            pending_step_t.c.created_at >= now - ttl,
                        )
                        .returning(*pending_step_t.c)
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else _pending(row)

    async def peek_pending(
        self, *, platform: str, user_id: str, now: datetime, ttl: timedelta
    ) -> Pending | None:
        """The person's pending step if it is fresh, left in place."""
        async with read_session(self.engine) as session:
            row = (
                (
                    await session.execute(
                        sa.select(pending_step_t).where(
                            pending_step_t.c.platform == platform,
                            pending_step_t.c.user_id == user_id,
                            pending_step_t.c.created_at >= now - ttl,
                        )
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else _pending(row)

    async def drop_pending(self, *, platform: str, user_id: str) -> bool:
        """Forget the person's pending step; True if there was one."""
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.delete(pending_step_t)
                .where(pending_step_t.c.platform == platform, pending_step_t.c.user_id == user_id)
                .returning(pending_step_t.c.token)
            )
            return result.first() is not None

    async def purge_pending(self, *, now: datetime, ttl: timedelta) -> int:
        """Delete every pending step older than `ttl`; return how many."""
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.delete(pending_step_t)
                .where(pending_step_t.c.created_at < now - ttl)
                .returning(pending_step_t.c.token)
            )
            return len(result.all())


def _pending(row: Mapping[Any, Any]) -> Pending:
    return Pending(
        token=row["token"],
        platform=row["platform"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=dict(row["payload"]),
        created_at=row["created_at"],
    )
