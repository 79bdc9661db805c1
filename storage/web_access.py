"""The web app's key, sign-in links and sessions over SQL (implements bot.core.ports.WebAccess)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.plan.model import Role
from bot.core.web_access import LinkView, SessionView
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.models import contact_t, unit_t, web_link_t, web_secret_t, web_session_t

SIGNING_KEY = "signing"


class SqlWebAccess:
    """Links are taken by one UPDATE ... WHERE used_at IS NULL AND expires_at > now, so two
    browsers racing on one link (two processes, or two requests of one) sign in once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def signing_key(self, *, now: datetime) -> bytes:
        async with read_session(self.engine) as session:
            value = await session.scalar(
                sa.select(web_secret_t.c.value).where(web_secret_t.c.name == SIGNING_KEY)
            )
        if value is not None:
            return bytes.fromhex(value)
        try:
            async with write_session(self.engine) as session:
                await session.execute(
                    sa.insert(web_secret_t).values(
                        name=SIGNING_KEY, value=secrets.token_hex(32), created_at=now
                    )
                )
        except IntegrityError:
            pass  # another process made it first: theirs is the key
        async with read_session(self.engine) as session:
            value = await session.scalar(
                sa.select(web_secret_t.c.value).where(web_secret_t.c.name == SIGNING_KEY)
            )
        assert value is not None
        return bytes.fromhex(value)

    async def add_link(
        self,
        *,
        token_hash: str,
        role: Role,
        contact_id: int | None,
        display_name: str,
        created_by: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        async with write_session(self.engine) as session:
            await session.execute(
                sa.insert(web_link_t).values(
                    token_hash=token_hash,
                    role=role.value,
                    contact_id=contact_id,
                    display_name=display_name,
                    created_by=created_by,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
            await record_audit(
                session,
                at=now,
                actor=created_by,
                action="web.link",
                detail={"role": role.value, "contact_id": contact_id},
            )

    async def find_link(self, *, token_hash: str) -> LinkView | None:
        async with read_session(self.engine) as session:
            row = (
                (
                    await session.execute(
                        sa.select(
                            web_link_t,
                            contact_t.c.display_name.label("contact_name"),
                            unit_t.c.name.label("unit_name"),
                        )
                        .select_from(web_link_t)
                        .outerjoin(contact_t, contact_t.c.id == web_link_t.c.contact_id)
                        .outerjoin(unit_t, unit_t.c.id == contact_t.c.unit_id)
                        .where(web_link_t.c.token_hash == token_hash)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return LinkView(
            id=row["id"],
            role=Role(row["role"]),
            display_name=row["contact_name"] or row["display_name"],
            contact_id=row["contact_id"],
            unit_name=row["unit_name"],
            expires_at=row["expires_at"],
            used_at=row["used_at"],
        )

    async def sign_in(
        self, *, link_hash: str, session_hash: str, csrf: str, now: datetime, expires_at: datetime
    ) -> SessionView | None:
        try:
            session_id = await self._sign_in(
                link_hash=link_hash,
                session_hash=session_hash,
                csrf=csrf,
                now=now,
                expires_at=expires_at,
            )
        except _ContactGone:
            return None
        return None if session_id is None else await self._session_by_id(session_id)

    async def _sign_in(
        self, *, link_hash: str, session_hash: str, csrf: str, now: datetime, expires_at: datetime
    ) -> int | None:
        async with write_session(self.engine) as session:
            taken = await session.execute(
                sa.update(web_link_t)
                .where(
                    web_link_t.c.token_hash == link_hash,
                    web_link_t.c.used_at.is_(None),
                    web_link_t.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(
                    web_link_t.c.id,
                    web_link_t.c.role,
                    web_link_t.c.contact_id,
                    web_link_t.c.display_name,
                )
            )
            link = taken.mappings().first()
            if link is None:
                return None
            name = link["display_name"]
            if link["contact_id"] is not None:
                contact = await _active_contact(session, link["contact_id"])
                if contact is None:  # removed since the link was made: it signs nobody in,
                    raise _ContactGone  # and stays as it was (the transaction rolls back)
                name = contact["display_name"]
            session_id = await session.scalar(
                sa.insert(web_session_t)
                .values(
                    token_hash=session_hash,
                    link_id=link["id"],
                    role=link["role"],
                    contact_id=link["contact_id"],
                    display_name=name,
                    csrf=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
                .returning(web_session_t.c.id)
            )
            await record_audit(
                session,
                at=now,
                actor="web:office"
                if link["contact_id"] is None
                else f"web:contact:{link['contact_id']}",
                action="web.sign_in",
                detail={"role": link["role"], "contact_id": link["contact_id"]},
            )
        return int(session_id)

    async def find_session(
        self, *, token_hash: str, now: datetime, idle: timedelta, touch: timedelta
    ) -> SessionView | None:
        async with read_session(self.engine) as session:
            row = (
                (
                    await session.execute(
                        _session_select().where(
                            web_session_t.c.token_hash == token_hash,
                            web_session_t.c.revoked_at.is_(None),
                            web_session_t.c.expires_at > now,
                            web_session_t.c.last_seen_at > now - idle,
                        )
                    )
                )
                .mappings()
                .first()
            )
        if row is None or not _contact_live(row):
            return None
        if now - row["last_seen_at"] >= touch:
            async with write_session(self.engine) as session:
                await session.execute(
                    sa.update(web_session_t)
                    .where(web_session_t.c.id == row["id"])
                    .values(last_seen_at=now)
                )
        return _session_view(row)

    async def end_session(self, *, token_hash: str, now: datetime) -> bool:
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(web_session_t)
                .where(
                    web_session_t.c.token_hash == token_hash, web_session_t.c.revoked_at.is_(None)
                )
                .values(revoked_at=now)
            )
        return bool(_rowcount(result))

    async def end_contact_sessions(self, *, contact_id: int, now: datetime) -> int:
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(web_session_t)
                .where(
                    web_session_t.c.contact_id == contact_id,
                    web_session_t.c.revoked_at.is_(None),
                    web_session_t.c.expires_at > now,
                )
                .values(revoked_at=now)
            )
        return _rowcount(result)

    async def end_all_sessions(self, *, now: datetime) -> int:
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(web_session_t)
                .where(web_session_t.c.revoked_at.is_(None), web_session_t.c.expires_at > now)
                .values(revoked_at=now)
            )
            count = _rowcount(result)
            await record_audit(
                session, at=now, actor="cli", action="web.logout_all", detail={"sessions": count}
            )
        return count

    async def _session_by_id(self, session_id: int) -> SessionView | None:
        async with read_session(self.engine) as session:
            row = (
                (await session.execute(_session_select().where(web_session_t.c.id == session_id)))
                .mappings()
                .first()
            )
        return None if row is None else _session_view(row)


class _ContactGone(Exception):
    """The link's contact was removed: the sign-in is rolled back."""


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def _active_contact(session: Any, contact_id: int) -> Mapping[str, Any] | None:
    row = (
        (
            await session.execute(
                sa.select(contact_t.c.display_name)
                .join(unit_t, unit_t.c.id == contact_t.c.unit_id)
                .where(
                    contact_t.c.id == contact_id,
                    contact_t.c.active.is_(True),
                    unit_t.c.archived_at.is_(None),
                )
            )
        )
        .mappings()
        .first()
    )
    result: Mapping[str, Any] | None = row
    return result


def _session_select() -> sa.Select[Any]:
    return (
        sa.select(
            web_session_t,
            contact_t.c.active.label("contact_active"),
            contact_t.c.display_name.label("contact_name"),
            unit_t.c.key.label("unit_key"),
            unit_t.c.name.label("unit_name"),
            unit_t.c.archived_at.label("unit_archived_at"),
        )
        .select_from(web_session_t)
        .outerjoin(contact_t, contact_t.c.id == web_session_t.c.contact_id)
        .outerjoin(unit_t, unit_t.c.id == contact_t.c.unit_id)
    )


def _contact_live(row: Mapping[str, Any]) -> bool:
    """A contact's session lives only while the contact is active in a unit still in the plan."""
    if row["contact_id"] is None:
        return True
    return bool(row["contact_active"]) and row["unit_archived_at"] is None


def _session_view(row: Mapping[str, Any]) -> SessionView:
    return SessionView(
        id=row["id"],
        role=Role(row["role"]),
        display_name=row["contact_name"] or row["display_name"],
        csrf=row["csrf"],
        contact_id=row["contact_id"],
        unit_key=row["unit_key"],
        unit_name=row["unit_name"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
    )


def _web_actor(contact_id: int | None) -> str:
    """Who signed in, as the audit trail names them: a contact by number, never by name."""
    return "web:office" if contact_id is None else f"web:contact:{contact_id}"
