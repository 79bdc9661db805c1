"""Invites over SQL: one-time codes (deep-link payloads) that bind a person to a unit and a role.

The rules (which role fits which unit, what may be revoked) are the domain's, in bot.core.office;
they are applied here inside the write transaction that reads the rows they judge.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.office import InviteStatus, InviteView, invite_status, needs_revoking, role_fits
from bot.core.plan.model import Role
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.errors import (
    InviteRoleError,
    UnknownContactError,
    UnknownInviteError,
    UnknownUnitError,
)
from storage.models import contact_t, invite_t, unit_t
from storage.queries import contact_by_id

__all__ = [
    "DEFAULT_TTL",
    "InviteStatus",
    "InviteView",
    "SqlInvites",
    "create_invite",
    "list_invites",
    "new_invite_code",
    "revoke_invite",
]

DEFAULT_TTL = timedelta(days=14)
CODE_BYTES = 16  # secrets.token_urlsafe: 22 characters of A-Z a-z 0-9 _ -


def new_invite_code() -> str:
    """A fresh code that never starts with "-": typed after a command (`baocao invite revoke
    CODE`), such a code would be read as an option."""
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if not code.startswith("-"):
            return code


async def create_invite(
    engine: AsyncEngine,
    *,
    unit_key: str,
    role: Role,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    actor: str = "cli",
    same_as: int | None = None,
) -> InviteView:
    """A new open invite for `unit_key` in `role`.

    With `same_as`, an invite for that contact's person on another platform: the account that
    redeems it is linked to theirs, in their unit and role (`unit_key` and `role` are not
    read). Raises UnknownContactError when that contact is unknown or no longer active.

    Raises UnknownUnitError for an unknown or archived unit and InviteRoleError when the role
    does not fit the unit (office staff only for the Office, leaders only for leadership).
    """
    async with write_session(engine) as session:
        if same_as is not None:
            person = await contact_by_id(session, same_as)
            if person is None or not person["active"]:
                raise UnknownContactError(same_as)
            unit_key, role = person["unit_key"], Role(person["role"])
        unit = (
            (
                await session.execute(
                    sa.select(unit_t.c.id, unit_t.c.name, unit_t.c.type).where(
                        unit_t.c.key == unit_key, unit_t.c.archived_at.is_(None)
                    )
                )
            )
            .mappings()
            .first()
        )
        if unit is None:
            raise UnknownUnitError(unit_key)
        if not role_fits(role, unit["type"]):
            raise InviteRoleError(unit=unit_key, role=str(role), unit_type=unit["type"])
        code = new_invite_code()
        expires_at = now + ttl
        await session.execute(
            sa.insert(invite_t).values(
                code=code,
                unit_id=unit["id"],
                role=str(role),
                created_at=now,
                expires_at=expires_at,
                **({} if same_as is None else {"same_as_contact_id": same_as}),
            )
        )
        await record_audit(
            session,
            at=now,
            actor=actor,
            action="invite.create",
            detail={
                "code": code,
                "unit": unit_key,
                "role": str(role),
                **({} if same_as is None else {"same_as": same_as}),
            },
        )
    return InviteView(
        code=code,
        unit_key=unit_key,
        unit_name=unit["name"],
        role=role,
        status=InviteStatus.OPEN,
        created_at=now,
        expires_at=expires_at,
        same_as_contact_id=same_as,
    )


async def list_invites(engine: AsyncEngine, *, now: datetime) -> list[InviteView]:
    """Every invite, oldest first, with its status at `now` and who used it."""
    async with read_session(engine) as session:
        return await _views(session, now=now)


async def revoke_invite(
    engine: AsyncEngine, code: str, now: datetime, *, actor: str = "cli"
) -> InviteView:
    """Revoke an invite that was not used; revoking twice is harmless.

    Raises UnknownInviteError for an unknown code and InviteUsedError for a used invite.
    """
    async with write_session(engine) as session:
        views = await _views(session, now=now, code=code)
        if not views:
            raise UnknownInviteError(code)
        view = views[0]
        if not needs_revoking(view):
            return view
        await session.execute(
            sa.update(invite_t).where(invite_t.c.code == code).values(revoked_at=now)
        )
        await record_audit(
            session,
            at=now,
            actor=actor,
            action="invite.revoke",
            detail={"code": code, "unit": view.unit_key},
        )
        return (await _views(session, now=now, code=code))[0]


async def _views(
    session: AsyncSession, *, now: datetime, code: str | None = None
) -> list[InviteView]:
    statement = (
        sa.select(
            invite_t,
            unit_t.c.key.label("unit_key"),
            unit_t.c.name.label("unit_name"),
            contact_t.c.display_name.label("used_by_name"),
        )
        .join(unit_t, unit_t.c.id == invite_t.c.unit_id)
        .outerjoin(contact_t, contact_t.c.id == invite_t.c.used_by_contact_id)
        .order_by(invite_t.c.created_at, invite_t.c.id)
    )
    if code is not None:
        statement = statement.where(invite_t.c.code == code)
    rows = (await session.execute(statement)).mappings().all()
    return [
        InviteView(
            code=row["code"],
            unit_key=row["unit_key"],
            unit_name=row["unit_name"],
            role=Role(row["role"]),
            status=invite_status(
                used_at=row["used_at"],
                revoked_at=row["revoked_at"],
                expires_at=row["expires_at"],
                now=now,
            ),
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            used_at=row["used_at"],
            used_by_contact_id=row["used_by_contact_id"],
            used_by_name=row["used_by_name"],
            revoked_at=row["revoked_at"],
            same_as_contact_id=row["same_as_contact_id"],
        )
        for row in rows
    ]


class SqlInvites:
    """Implements bot.core.ports.Invites over the functions above."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create_invite(
        self,
        *,
        unit_key: str,
        role: Role,
        now: datetime,
        ttl: timedelta,
        actor: str = "cli",
        same_as: int | None = None,
    ) -> InviteView:
        return await create_invite(
            self.engine,
            unit_key=unit_key,
            role=role,
            now=now,
            ttl=ttl,
            actor=actor,
            same_as=same_as,
        )

    async def revoke_invite(self, *, code: str, now: datetime, actor: str = "cli") -> InviteView:
        return await revoke_invite(self.engine, code, now, actor=actor)

    async def invites(self, *, now: datetime) -> list[InviteView]:
        return await list_invites(self.engine, now=now)
