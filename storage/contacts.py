"""Contacts over SQL: who a chat account is, and registering one by redeeming an invite."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.cleaning import clean_name, clean_optional, storable
from bot.core.model import Contact, RedeemStatus, Redemption
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.models import contact_t, invite_t, unit_t
from storage.queries import contact_by_id, contact_from_row, contact_select


class SqlContactBook:
    """Implements bot.core.ports.ContactBook. An invite is used and its contact written in one
    write transaction, the invite's row locked, so one invite registers one account."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def contact(self, *, platform: str, user_id: str) -> Contact | None:
        """The active contact of this account, or None (unknown, removed, or unit archived)."""
        async with read_session(self.engine) as session:
            row = (
                (
                    await session.execute(
                        contact_select().where(
                            contact_t.c.platform == platform,
                            contact_t.c.user_id == user_id,
                            contact_t.c.active.is_(True),
                            unit_t.c.archived_at.is_(None),
                        )
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else contact_from_row(row)

    async def redeem_invite(
        self,
        *,
        code: str,
        platform: str,
        user_id: str,
        chat_id: str,
        display_name: str,
        now: datetime,
        username: str | None = None,
    ) -> Redemption:
        """Bind this account to the invite's unit and role, if the invite is open.

        An account that is already a contact is moved to the invite's unit and role and made
        active again. An invite whose unit was archived counts as revoked.
        """
        attempt = functools.partial(
            self._redeem,
            code=storable(code),
            platform=platform,
            user_id=user_id,
            chat_id=chat_id,
            display_name=clean_name(display_name),
            username=clean_optional(username),
            now=now,
        )
        try:
            return await attempt()
        except IntegrityError:
            # The same account redeemed two invites at once and both inserted its contact row:
            # once the other transaction committed, this one finds the row and updates it.
            return await attempt()

    async def _redeem(
        self,
        *,
        code: str,
        platform: str,
        user_id: str,
        chat_id: str,
        display_name: str,
        username: str | None,
        now: datetime,
    ) -> Redemption:
        async with write_session(self.engine) as session:
            invite = (
                (
                    await session.execute(
                        sa.select(
                            invite_t,
                            unit_t.c.key.label("unit_key"),
                            unit_t.c.archived_at.label("unit_archived_at"),
                        )
                        .join(unit_t, unit_t.c.id == invite_t.c.unit_id)
                        .where(invite_t.c.code == code)
                        .with_for_update(of=invite_t)
                    )
                )
                .mappings()
                .first()
            )
            if invite is None:
                return Redemption(RedeemStatus.UNKNOWN)
            if invite["revoked_at"] is not None:
                return Redemption(RedeemStatus.REVOKED)
            if invite["used_at"] is not None:
                user = await contact_by_id(session, invite["used_by_contact_id"])
                if user is not None and (user["platform"], user["user_id"]) == (platform, user_id):
                    return Redemption(RedeemStatus.ALREADY, contact_from_row(user))
                return Redemption(RedeemStatus.USED)
            if now >= invite["expires_at"]:
                return Redemption(RedeemStatus.EXPIRED)
            if invite["unit_archived_at"] is not None:
                return Redemption(RedeemStatus.REVOKED)

            values = {
                "chat_id": chat_id,
                "display_name": display_name,
                "username": username,
                "unit_id": invite["unit_id"],
                "role": invite["role"],
                "active": True,
                "removed_at": None,
                "unreachable_at": None,
            }
            contact_id = await session.scalar(
                sa.select(contact_t.c.id)
                .where(contact_t.c.platform == platform, contact_t.c.user_id == user_id)
                .with_for_update()
            )
            if contact_id is None:
                contact_id = await session.scalar(
                    sa.insert(contact_t)
                    .values(platform=platform, user_id=user_id, created_at=now, **values)
                    .returning(contact_t.c.id)
                )
            else:
                await session.execute(
                    sa.update(contact_t).where(contact_t.c.id == contact_id).values(**values)
                )
            await session.execute(
                sa.update(invite_t)
                .where(invite_t.c.id == invite["id"])
                .values(used_at=now, used_by_contact_id=contact_id)
            )
            await record_audit(
                session,
                at=now,
                actor=f"{platform}:{user_id}",
                action="invite.redeem",
                detail={
                    "code": code,
                    "unit": invite["unit_key"],
                    "role": invite["role"],
                    "contact_id": contact_id,
                },
            )
            row = await contact_by_id(session, contact_id)
            assert row is not None
            return Redemption(RedeemStatus.REGISTERED, contact_from_row(row))
