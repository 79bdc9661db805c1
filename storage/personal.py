"""A person's data: which contact rows are theirs, everything stored about them (export), and
erasing it (forget), under Vietnam's Law 91/2025/QH15 on personal data protection."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.model import PersonalSummary
from storage.audit import AuditFilter, find_audit, record_audit
from storage.db import read_connection, write_session
from storage.errors import UnknownContactError
from storage.models import (
    contact_t,
    invite_t,
    outbox_t,
    pending_step_t,
    report_instance_t,
    report_t,
    submission_t,
    unit_t,
    web_link_t,
    web_notice_t,
    web_session_t,
)
from storage.queries import contact_from_row, contact_select


async def person_accounts(connection: AsyncConnection | AsyncSession, contact_id: int) -> list[int]:
    """The ids of every account of the person `contact_id` is one account of (linked by
    person_id), in id order; [] when there is no such contact."""
    row = (
        await connection.execute(
            sa.select(contact_t.c.id, contact_t.c.person_id).where(contact_t.c.id == contact_id)
        )
    ).first()
    if row is None:
        return []
    person = row.person_id if row.person_id is not None else row.id
    ids = await connection.scalars(
        sa.select(contact_t.c.id)
        .where(sa.or_(contact_t.c.id == person, contact_t.c.person_id == person))
        .order_by(contact_t.c.id)
    )
    return list(ids)


async def linked_contact_ids(engine: AsyncEngine, contact_id: int) -> frozenset[int]:
    """`contact_id` and the person's other accounts: the contacts an audit filter on them
    matches (just `contact_id` when it is not, or no longer, a contact)."""
    async with read_connection(engine) as connection:
        return frozenset(await person_accounts(connection, contact_id)) | {contact_id}


class SqlPersonalRecords:
    """Implements bot.core.ports.PersonalRecords."""

    engine: AsyncEngine

    async def personal_summary(self, *, contact_id: int, now: datetime) -> PersonalSummary:
        async with read_connection(self.engine) as connection:
            ids = await person_accounts(connection, contact_id) or [contact_id]
            rows = (
                await connection.execute(
                    contact_select().where(contact_t.c.id.in_(ids)).order_by(contact_t.c.id)
                )
            ).mappings()
            found = list(rows)
            sent = (
                await connection.execute(
                    sa.select(sa.func.count(), sa.func.max(submission_t.c.submitted_at)).where(
                        submission_t.c.contact_id.in_(ids)
                    )
                )
            ).one()
            sessions = await connection.scalar(
                sa.select(sa.func.count()).where(
                    web_session_t.c.contact_id.in_(ids),
                    web_session_t.c.revoked_at.is_(None),
                    web_session_t.c.expires_at > now,
                )
            )
        registered = [row["created_at"] for row in found if row["id"] == contact_id]
        return PersonalSummary(
            accounts=tuple(contact_from_row(row) for row in found),
            registered_at=registered[0] if registered else now,
            submissions=int(sent[0] or 0),
            last_submission_at=sent[1],
            web_sessions=int(sessions or 0),
        )


# ---- export and erasure, for the Office (`baocao contact export|forget N`) ---------------------


def _plain(value: object) -> object:
    """A value as JSON shows it: times in UTC ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(result: sa.Result[Any], *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {key: _plain(value) for key, value in row.items() if key not in without}
        for row in result.mappings()
    ]


async def export_person(engine: AsyncEngine, *, contact_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about the person `contact_id` is an account of, as JSON-ready data:
    their accounts, the invites they redeemed, their pending steps, web links and sessions
    (never their token hashes), the audit rows naming them, and the submissions they sent
    (what was sent is described, not included: the files are the unit's reports).
    The export itself is audited. Raises UnknownContactError for an unknown contact."""
    async with write_session(engine) as session:
        ids = await person_accounts(session, contact_id)
        if not ids:
            raise UnknownContactError(contact_id)
        accounts = _rows(
            await session.execute(
                sa.select(contact_t, unit_t.c.key.label("unit_key"), unit_t.c.name.label("unit"))
                .join(unit_t, unit_t.c.id == contact_t.c.unit_id)
                .where(contact_t.c.id.in_(ids))
                .order_by(contact_t.c.id)
            ),
            without=("unit_id",),
        )
        users = [(row["platform"], row["user_id"]) for row in accounts]
        invites = _rows(
            await session.execute(
                sa.select(
                    invite_t.c.code,
                    unit_t.c.key.label("unit_key"),
                    invite_t.c.role,
                    invite_t.c.created_at,
                    invite_t.c.used_at,
                    invite_t.c.used_by_contact_id,
                )
                .join(unit_t, unit_t.c.id == invite_t.c.unit_id)
                .where(invite_t.c.used_by_contact_id.in_(ids))
                .order_by(invite_t.c.id)
            )
        )
        steps = _rows(
            await session.execute(
                sa.select(
                    pending_step_t.c.platform,
                    pending_step_t.c.user_id,
                    pending_step_t.c.kind,
                    pending_step_t.c.created_at,
                ).where(sa.tuple_(pending_step_t.c.platform, pending_step_t.c.user_id).in_(users))
            )
        )
        links = _rows(
            await session.execute(
                sa.select(web_link_t)
                .where(web_link_t.c.contact_id.in_(ids))
                .order_by(web_link_t.c.id)
            ),
            without=("token_hash",),
        )
        sessions = _rows(
            await session.execute(
                sa.select(web_session_t)
                .where(web_session_t.c.contact_id.in_(ids))
                .order_by(web_session_t.c.id)
            ),
            without=("token_hash", "csrf"),
        )
        sent = _rows(
            await session.execute(
                sa.select(
                    submission_t.c.id,
                    report_t.c.key.label("report"),
                    report_instance_t.c.key.label("instance"),
                    unit_t.c.key.label("unit_key"),
                    submission_t.c.contact_id,
                    submission_t.c.version,
                    submission_t.c.kind,
                    submission_t.c.submitted_at,
                    submission_t.c.receipt_code,
                    submission_t.c.original_name,
                    submission_t.c.size,
                    submission_t.c.sha256,
                    submission_t.c.mime,
                )
                .join(report_instance_t, report_instance_t.c.id == submission_t.c.instance_id)
                .join(report_t, report_t.c.id == report_instance_t.c.report_id)
                .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
                .where(submission_t.c.contact_id.in_(ids))
                .order_by(submission_t.c.id)
            )
        )
        await record_audit(
            session,
            at=now,
            actor="cli",
            action="contact.export",
            detail={"contact_id": contact_id, "linked": [one for one in ids if one != contact_id]},
        )
    trail = await find_audit(engine, AuditFilter(contact_ids=frozenset(ids)), limit=sys.maxsize)
    return {
        "exported_at": now.isoformat(),
        "contact_id": contact_id,
        "accounts": accounts,
        "invites_redeemed": invites,
        "pending_steps": steps,
        "web_links": links,
        "web_sessions": sessions,
        "submissions": sent,
        "audit": [
            {
                "id": entry.id,
                "at": entry.at.isoformat(),
                "actor": entry.actor,
                "action": entry.action,
                "detail": dict(entry.detail),
            }
            for entry in reversed(trail)
        ],
    }


def forgotten_name(contact_id: int) -> str:
    """What an erased account is called from then on: its number only."""
    return f"#{contact_id}"


async def forget_person(engine: AsyncEngine, *, contact_id: int, now: datetime) -> list[int]:
    """Erase the personal data of the person `contact_id` is an account of, every linked
    account with it, in one transaction; the ids of the accounts erased.

    Name, username, chat and user ids give way to placeholders (so a new message from the
    person finds no contact: they are a stranger again), the accounts are taken off the bot,
    and their web links and sessions, pending steps, messages waiting for them and web
    notices go. Their unit's submissions stay, with the (now nameless) contact's number. The
    audit keeps a row of the erasure, naming numbers only. Raises UnknownContactError."""
    async with write_session(engine) as session:
        ids = await person_accounts(session, contact_id)
        if not ids:
            raise UnknownContactError(contact_id)
        accounts = (
            await session.execute(
                sa.select(
                    contact_t.c.id, contact_t.c.platform, contact_t.c.user_id, contact_t.c.chat_id
                ).where(contact_t.c.id.in_(ids))
            )
        ).all()
        users = [(row.platform, row.user_id) for row in accounts]
        chats = [(row.platform, row.chat_id) for row in accounts]
        await session.execute(
            sa.delete(pending_step_t).where(
                sa.tuple_(pending_step_t.c.platform, pending_step_t.c.user_id).in_(users)
            )
        )
        await session.execute(
            sa.delete(outbox_t).where(
                sa.or_(
                    outbox_t.c.contact_id.in_(ids),
                    sa.tuple_(outbox_t.c.platform, outbox_t.c.chat_id).in_(chats),
                )
            )
        )
        web_chats = [chat for platform, chat in chats if platform == "web"]
        if web_chats:
            await session.execute(
                sa.delete(web_notice_t).where(web_notice_t.c.chat_id.in_(web_chats))
            )
        links = sa.select(web_link_t.c.id).where(web_link_t.c.contact_id.in_(ids))
        await session.execute(
            sa.delete(web_session_t).where(
                sa.or_(web_session_t.c.contact_id.in_(ids), web_session_t.c.link_id.in_(links))
            )
        )
        await session.execute(sa.delete(web_link_t).where(web_link_t.c.contact_id.in_(ids)))
        for row in accounts:
            placeholder = f"forgotten:{row.id}"
            await session.execute(
                sa.update(contact_t)
                .where(contact_t.c.id == row.id)
                .values(
                    display_name=forgotten_name(row.id),
                    username=None,
                    user_id=placeholder,
                    chat_id=placeholder,
                    active=False,
                    reaches=False,
                    removed_at=sa.func.coalesce(contact_t.c.removed_at, now),
                )
            )
        await record_audit(
            session,
            at=now,
            actor="cli",
            action="contact.forget",
            detail={"contact_id": contact_id, "linked": [one for one in ids if one != contact_id]},
        )
    return ids
