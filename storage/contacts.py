"""Contacts over SQL: who a chat account is, registering one by redeeming an invite, and the
accounts of one person on several platforms (linked by an invite made "same as" a contact)."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.cleaning import clean_name, clean_optional, storable
from bot.core.model import Contact, RedeemStatus, Redemption
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.errors import UnknownContactError
from storage.models import contact_t, invite_t, unit_t
from storage.queries import contact_by_id, contact_from_row, contact_select, settle_reach


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

    async def linked(self, *, contact_id: int) -> list[Contact]:
        """The person's active accounts, this one included, oldest first (just this one for a
        person with one account; none when it is not active)."""
        async with read_session(self.engine) as session:
            person = await session.scalar(
                sa.select(sa.func.coalesce(contact_t.c.person_id, contact_t.c.id)).where(
                    contact_t.c.id == contact_id
                )
            )
            if person is None:
                return []
            rows = await session.execute(
                contact_select()
                .where(
                    sa.or_(contact_t.c.person_id == person, contact_t.c.id == contact_id),
                    contact_t.c.active.is_(True),
                    unit_t.c.archived_at.is_(None),
                )
                .order_by(contact_t.c.id)
            )
            return [contact_from_row(row) for row in rows.mappings()]

    async def set_reach(self, *, contact_id: int, now: datetime, actor: str) -> Contact:
        """Make this account the one that reaches its person (reminders, summaries); their
        other accounts no longer get them. Raises UnknownContactError for an unknown or
        inactive contact."""
        async with write_session(self.engine) as session:
            row = await contact_by_id(session, contact_id)
            if row is None or not row["active"]:
                raise UnknownContactError(contact_id)
            if row["person_id"] is not None and not row["reaches"]:
                await session.execute(
                    sa.update(contact_t)
                    .where(contact_t.c.person_id == row["person_id"])
                    .values(reaches=contact_t.c.id == contact_id)
                )
                await record_audit(
                    session,
                    at=now,
                    actor=actor,
                    action="contact.reach",
                    detail={"contact_id": contact_id, "platform": row["platform"]},
                )
                row = await contact_by_id(session, contact_id)
                assert row is not None
            return contact_from_row(row)

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
            linked_to = await _link(session, contact_id, invite["same_as_contact_id"])
            await record_audit(
                session,
                at=now,
                # The contact's number, not their chat account: the trail outlives erasure.
                actor=f"contact:{contact_id}",
                action="invite.redeem",
                detail={
                    "code": code,
                    "unit": invite["unit_key"],
                    "role": invite["role"],
                    "contact_id": contact_id,
                    **({} if linked_to is None else {"same_as": linked_to}),
                },
            )
            row = await contact_by_id(session, contact_id)
            assert row is not None
            return Redemption(RedeemStatus.REGISTERED, contact_from_row(row))


async def _link(session: AsyncSession, contact_id: int, same_as: int | None) -> int | None:
    """Link the account just registered to `same_as`'s person; the id linked to, if any.

    Their other account keeps reaching them until they choose (the question follows the
    greeting); the new one reaches them only when none of their other accounts is active.
    """
    if same_as is None or same_as == contact_id:
        return None
    other = await contact_by_id(session, same_as)
    if other is None:
        return None
    person = other["person_id"] if other["person_id"] is not None else other["id"]
    await session.execute(
        sa.update(contact_t)
        .where(contact_t.c.id == same_as, contact_t.c.person_id.is_(None))
        .values(person_id=person, reaches=True)
    )
    await session.execute(
        sa.update(contact_t)
        .where(contact_t.c.id == contact_id)
        .values(person_id=person, reaches=False)
    )
    await settle_reach(session, person)
    return int(same_as)
