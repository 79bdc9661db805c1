"""The Office's roster over SQL: every contact, and taking one off the bot or to another unit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.errors import NoAccountError
from bot.core.model import Contact
from bot.core.office import ContactView, role_fits
from bot.core.plan.model import Role
from bot.core.texts import platform_name
from storage.audit import record_audit
from storage.contacts import SqlContactBook
from storage.db import read_session, write_session
from storage.errors import ContactRoleError, UnknownContactError, UnknownUnitError
from storage.models import contact_t, pending_step_t, unit_t
from storage.queries import contact_by_id, contact_from_row, contact_select, settle_reach


class SqlRoster:
    """Implements bot.core.ports.Roster: contacts as the Office manages them. A change to a
    contact and the end of their waiting steps happen in one write transaction, the contact's
    row locked."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def contacts(self, *, now: datetime | None = None) -> list[ContactView]:
        """Every contact, active or not, by unit then name (`now` is accepted for symmetry)."""
        async with read_session(self.engine) as session:
            rows = (
                (
                    await session.execute(
                        contact_select().order_by(
                            unit_t.c.id, contact_t.c.display_name, contact_t.c.id
                        )
                    )
                )
                .mappings()
                .all()
            )
        return [
            ContactView(
                id=row["id"],
                platform=row["platform"],
                user_id=row["user_id"],
                chat_id=row["chat_id"],
                display_name=row["display_name"],
                username=row["username"],
                unit_key=row["unit_key"],
                unit_name=row["unit_name"],
                unit_archived=row["unit_archived_at"] is not None,
                role=Role(row["role"]),
                active=row["active"],
                created_at=row["created_at"],
                removed_at=row["removed_at"],
                unreachable_at=row["unreachable_at"],
                person_id=row["person_id"],
                reaches=row["reaches"],
            )
            for row in rows
        ]

    async def remove_contact(
        self, *, contact_id: int, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        """Deactivate a contact and end their waiting steps; removing twice is harmless.

        Returns the contact, inactive, so that the caller can tell the person, and how many
        waiting steps ended. Raises UnknownContactError.
        """
        async with write_session(self.engine) as session:
            row = await _locked_contact(session, contact_id)
            ended = 0
            if row["active"]:
                await session.execute(
                    sa.update(contact_t)
                    .where(contact_t.c.id == contact_id)
                    .values(active=False, removed_at=now)
                )
                ended = await _end_steps(session, row)
                # The person's other account, if any, reaches them from now on.
                await settle_reach(session, row["person_id"])
                await record_audit(
                    session,
                    at=now,
                    actor=actor,
                    action="contact.remove",
                    detail={"contact_id": contact_id, "unit": row["unit_key"], "ended": ended},
                )
            updated = await contact_by_id(session, contact_id)
            assert updated is not None
            return contact_from_row(updated), ended

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        """Move a contact to another active unit, keeping their role; their waiting steps end.
        The person's other active accounts (on other platforms) move with it: one person acts
        for one unit.

        Returns the contact and how many waiting steps ended (none when the unit is the same).

        Raises UnknownContactError, UnknownUnitError (unknown or archived unit) and
        ContactRoleError when the role does not fit the unit (office staff only in the Office,
        leaders only in leadership).
        """
        async with write_session(self.engine) as session:
            row = await _locked_contact(session, contact_id)
            unit = (
                (
                    await session.execute(
                        sa.select(unit_t.c.id, unit_t.c.type).where(
                            unit_t.c.key == unit_key, unit_t.c.archived_at.is_(None)
                        )
                    )
                )
                .mappings()
                .first()
            )
            if unit is None:
                raise UnknownUnitError(unit_key)
            role = Role(row["role"])
            if not role_fits(role, unit["type"]):
                raise ContactRoleError(
                    contact=contact_id,
                    name=row["display_name"],
                    unit=unit_key,
                    role=str(role),
                    unit_type=unit["type"],
                )
            ended = 0
            if unit["id"] != row["unit_id"]:
                accounts = [row, *await _other_accounts(session, row)]
                await session.execute(
                    sa.update(contact_t)
                    .where(contact_t.c.id.in_([account["id"] for account in accounts]))
                    .values(unit_id=unit["id"])
                )
                for account in accounts:
                    ended += await _end_steps(session, account)
                await record_audit(
                    session,
                    at=now,
                    actor=actor,
                    action="contact.move",
                    detail={
                        "contact_id": contact_id,
                        "from": row["unit_key"],
                        "to": unit_key,
                        "ended": ended,
                        "linked": [account["id"] for account in accounts[1:]],
                    },
                )
            updated = await contact_by_id(session, contact_id)
            assert updated is not None
            return contact_from_row(updated), ended

    async def reach_on(
        self, *, contact_id: int, platform: str, now: datetime, actor: str = "cli"
    ) -> Contact:
        """Make the contact's person reached on `platform`; their account there. Raises
        UnknownContactError and NoAccountError."""
        book = SqlContactBook(self.engine)
        accounts = await book.linked(contact_id=contact_id)
        if not accounts:
            raise UnknownContactError(contact_id)
        account = next((a for a in accounts if a.platform == platform), None)
        if account is None:
            raise NoAccountError(contact=contact_id, platform=platform_name(platform))
        return await book.set_reach(contact_id=account.id, now=now, actor=actor)


async def _other_accounts(
    session: AsyncSession, contact: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The person's other active accounts, locked, oldest first."""
    if contact["person_id"] is None:
        return []
    rows = await session.execute(
        contact_select()
        .where(
            contact_t.c.person_id == contact["person_id"],
            contact_t.c.id != contact["id"],
            contact_t.c.active.is_(True),
        )
        .order_by(contact_t.c.id)
        .with_for_update(of=contact_t)
    )
    return list(rows.mappings().all())


async def _locked_contact(session: AsyncSession, contact_id: int) -> Mapping[str, Any]:
    row: Mapping[str, Any] | None = (
        (
            await session.execute(
                contact_select().where(contact_t.c.id == contact_id).with_for_update(of=contact_t)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownContactError(contact_id)
    return row


async def _end_steps(session: AsyncSession, contact: Mapping[str, Any]) -> int:
    """Delete the person's waiting steps: they were started for the unit they leave."""
    result = await session.execute(
        sa.delete(pending_step_t)
        .where(
            pending_step_t.c.platform == contact["platform"],
            pending_step_t.c.user_id == contact["user_id"],
        )
        .returning(pending_step_t.c.token)
    )
    return len(result.all())
