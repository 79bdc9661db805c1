"""The records the use cases need, over SQL: implements bot.core.ports.Repository.

Every read-modify-write runs in one `write_session` (BEGIN IMMEDIATE on SQLite, row locks on
PostgreSQL), so concurrent updates of the same invite, unit or person queue instead of racing.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.cleaning import clean_name, clean_optional, storable, storable_json
from bot.core.model import (
    Contact,
    InstanceStatus,
    OpenInstance,
    Pending,
    Receipt,
    RedeemStatus,
    Redemption,
    StagedFile,
    SubmissionKind,
)
from bot.core.plan.model import Deadline, DueKind, Every, Period, Role
from bot.core.rules.deadlines import unit_lateness
from storage.audit import record_audit
from storage.db import is_sqlite, read_session, write_session
from storage.errors import (
    ContactRoleError,
    UnknownContactError,
    UnknownInstanceError,
    UnknownUnitError,
)
from storage.files import LocalFileStore
from storage.invites import ROLE_NEEDS
from storage.models import (
    ChatPurpose,
    ReminderStatus,
    chat_binding_t,
    contact_t,
    invite_t,
    pending_step_t,
    reminder_t,
    report_instance_t,
    report_submitter_t,
    report_t,
    submission_t,
    unit_t,
)
from storage.queries import contact_from_row, contact_select
from storage.status import report_status, unused_receipt_code

if TYPE_CHECKING:
    from bot.core.ports import FileStore, Repository

PENDING_TOKEN_BYTES = 12  # secrets.token_urlsafe: 16 characters, short enough for button data
CUSTOM_PERIOD = "custom"  # the period key of dates the plan gives explicitly


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact as the Office's list shows it, inactive ones and archived units included."""

    id: int
    platform: str
    user_id: str
    chat_id: str
    display_name: str
    username: str | None
    unit_key: str
    unit_name: str
    unit_archived: bool
    role: Role
    active: bool
    created_at: datetime
    removed_at: datetime | None
    unreachable_at: datetime | None


def _period(row: Mapping[str, Any]) -> Period | None:
    key, start, end = row["period_key"], row["period_start"], row["period_end"]
    if key is None or start is None or end is None:
        return None
    every = row["report_every"]
    return Period(key, start, end, None if key == CUSTOM_PERIOD or every is None else Every(every))


def _open_instance(row: Mapping[str, Any]) -> OpenInstance:
    return OpenInstance(
        instance_id=row["id"],
        report_key=row["report_key"],
        report_name=row["report_name"],
        instance_key=row["key"],
        receiver_name=row["receiver_name"],
        deadline=Deadline(DueKind(row["due_kind"]), row["due_day"], row["due_time"]),
        due_end=row["due_end"],
        last_day=row["last_day"],
        period=_period(row),
        forward_files=row["forward_files"],
        versions=row.get("versions") or 0,
        latest_at=row.get("latest_at"),
    )


def _pending(row: Mapping[Any, Any]) -> Pending:
    return Pending(
        token=row["token"],
        platform=row["platform"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=dict(row["payload"]),
        created_at=row["created_at"],
    )


class SqlRepository:
    """Contacts, invites, instances, submissions and pending steps in the database.

    `files` receives submitted files; a submission row and its stored file land together.
    """

    def __init__(self, engine: AsyncEngine, files: LocalFileStore) -> None:
        self.engine = engine
        self.files = files

    # ---- contacts and invites ----------------------------------------------------------

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
                user = await self._contact_row(session, contact_id=invite["used_by_contact_id"])
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
            row = await self._contact_row(session, contact_id=contact_id)
            assert row is not None
            return Redemption(RedeemStatus.REGISTERED, contact_from_row(row))

    async def _contact_row(
        self, session: AsyncSession, *, contact_id: int | None
    ) -> Mapping[str, Any] | None:
        if contact_id is None:
            return None
        result = await session.execute(contact_select().where(contact_t.c.id == contact_id))
        row: Mapping[str, Any] | None = result.mappings().first()
        return row

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
            row = await self._locked_contact(session, contact_id)
            ended = 0
            if row["active"]:
                await session.execute(
                    sa.update(contact_t)
                    .where(contact_t.c.id == contact_id)
                    .values(active=False, removed_at=now)
                )
                ended = await self._end_steps(session, row)
                await record_audit(
                    session,
                    at=now,
                    actor=actor,
                    action="contact.remove",
                    detail={"contact_id": contact_id, "unit": row["unit_key"], "ended": ended},
                )
            updated = await self._contact_row(session, contact_id=contact_id)
            assert updated is not None
            return contact_from_row(updated), ended

    async def _end_steps(self, session: AsyncSession, contact: Mapping[str, Any]) -> int:
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

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        """Move a contact to another active unit, keeping their role; their waiting steps end.

        Returns the contact and how many waiting steps ended (none when the unit is the same).

        Raises UnknownContactError, UnknownUnitError (unknown or archived unit) and
        ContactRoleError when the role does not fit the unit (office staff only in the Office,
        leaders only in leadership).
        """
        async with write_session(self.engine) as session:
            row = await self._locked_contact(session, contact_id)
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
            needed = ROLE_NEEDS[role]
            if needed is not None and unit["type"] != needed:
                raise ContactRoleError(
                    contact=contact_id,
                    name=row["display_name"],
                    unit=unit_key,
                    role=str(role),
                    unit_type=unit["type"],
                )
            ended = 0
            if unit["id"] != row["unit_id"]:
                await session.execute(
                    sa.update(contact_t)
                    .where(contact_t.c.id == contact_id)
                    .values(unit_id=unit["id"])
                )
                ended = await self._end_steps(session, row)
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
                    },
                )
            updated = await self._contact_row(session, contact_id=contact_id)
            assert updated is not None
            return contact_from_row(updated), ended

    async def _locked_contact(self, session: AsyncSession, contact_id: int) -> Mapping[str, Any]:
        row: Mapping[str, Any] | None = (
            (
                await session.execute(
                    contact_select()
                    .where(contact_t.c.id == contact_id)
                    .with_for_update(of=contact_t)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise UnknownContactError(contact_id)
        return row

    # ---- the office group ----------------------------------------------------------

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
                self._upsert(
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

    def _upsert(
        self,
        table: sa.Table,
        values: Mapping[str, Any],
        *,
        conflict: tuple[str, ...],
        update: tuple[str, ...],
    ) -> sa.Executable:
        """INSERT ... ON CONFLICT (conflict) DO UPDATE SET update: one atomic statement."""
        if is_sqlite(self.engine):
            lite = sqlite.insert(table).values(**values)
            return lite.on_conflict_do_update(
                index_elements=list(conflict),
                set_={name: lite.excluded[name] for name in update},
            )
        pg = postgresql.insert(table).values(**values)
        return pg.on_conflict_do_update(
            index_elements=list(conflict), set_={name: pg.excluded[name] for name in update}
        )

    # ---- report instances ----------------------------------------------------------

    async def open_instances(self, *, unit_key: str, now: datetime) -> list[OpenInstance]:
        """Instances the unit may submit to now: before the deadline, or late and not yet sent.

        Soonest deadline first. Raises UnknownUnitError for an unknown or archived unit.
        """
        async with read_session(self.engine) as session:
            unit_id = await self._unit_id(session, unit_key)
            statement, totals = self._instances(unit_id)
            assert totals is not None
            statement = statement.where(
                sa.or_(report_instance_t.c.due_end > now, totals.c.versions.is_(None))
            )
            rows = (await session.execute(statement)).mappings().all()
        return [_open_instance(row) for row in rows]

    async def corrections(self, *, unit_key: str, now: datetime, limit: int) -> list[OpenInstance]:
        """Instances past their deadline that the unit already submitted: it may still send a
        corrected version. The latest deadlines first, at most `limit`.

        Raises UnknownUnitError for an unknown or archived unit.
        """
        async with read_session(self.engine) as session:
            unit_id = await self._unit_id(session, unit_key)
            statement, totals = self._instances(unit_id)
            assert totals is not None
            statement = (
                statement.where(report_instance_t.c.due_end <= now, totals.c.versions.is_not(None))
                .order_by(None)
                .order_by(
                    report_instance_t.c.due_end.desc(), report_t.c.key, report_instance_t.c.key
                )
                .limit(limit)
            )
            rows = (await session.execute(statement)).mappings().all()
        return [_open_instance(row) for row in rows]

    async def upcoming(
        self, *, unit_key: str | None, now: datetime, limit: int
    ) -> list[OpenInstance]:
        """Instances whose deadline is still ahead, soonest first (all units when None).

        With a unit, only the reports it submits, with its versions; without, versions is 0.
        Raises UnknownUnitError for an unknown or archived unit.
        """
        async with read_session(self.engine) as session:
            unit_id = None if unit_key is None else await self._unit_id(session, unit_key)
            statement, _ = self._instances(unit_id)
            statement = statement.where(report_instance_t.c.due_end > now).limit(limit)
            rows = (await session.execute(statement)).mappings().all()
        return [_open_instance(row) for row in rows]

    async def _unit_id(self, session: AsyncSession, unit_key: str) -> int:
        unit_id: int | None = await session.scalar(
            sa.select(unit_t.c.id).where(unit_t.c.key == unit_key, unit_t.c.archived_at.is_(None))
        )
        if unit_id is None:
            raise UnknownUnitError(unit_key)
        return unit_id

    def _instances(self, unit_id: int | None) -> tuple[sa.Select[Any], sa.Subquery | None]:
        """Active instances of active reports (those `unit_id` submits), soonest first."""
        receiver = unit_t.alias("receiver")
        statement = (
            sa.select(
                report_instance_t,
                report_t.c.key.label("report_key"),
                report_t.c.name.label("report_name"),
                report_t.c.every.label("report_every"),
                report_t.c.forward_files.label("forward_files"),
                receiver.c.name.label("receiver_name"),
            )
            .join(report_t, report_t.c.id == report_instance_t.c.report_id)
            .join(receiver, receiver.c.id == report_t.c.receiver_unit_id)
            .where(report_instance_t.c.archived_at.is_(None), report_t.c.archived_at.is_(None))
            .order_by(report_instance_t.c.due_end, report_t.c.key, report_instance_t.c.key)
        )
        if unit_id is None:
            return statement, None
        totals = (
            sa.select(
                submission_t.c.instance_id,
                sa.func.count().label("versions"),
                sa.func.max(submission_t.c.submitted_at).label("latest_at"),
            )
            .where(submission_t.c.unit_id == unit_id)
            .group_by(submission_t.c.instance_id)
            .subquery("totals")
        )
        statement = (
            statement.add_columns(totals.c.versions, totals.c.latest_at)
            .join(
                report_submitter_t,
                sa.and_(
                    report_submitter_t.c.report_id == report_t.c.id,
                    report_submitter_t.c.unit_id == unit_id,
                ),
            )
            .outerjoin(totals, totals.c.instance_id == report_instance_t.c.id)
        )
        return statement, totals

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        """See storage.status.report_status."""
        return await report_status(self.engine, report_key=report_key, now=now)

    # ---- submissions ----------------------------------------------------------

    async def submit(
        self,
        *,
        instance_id: int,
        unit_key: str,
        contact_id: int | None,
        kind: SubmissionKind,
        source_ref: str,
        now: datetime,
        text: str | None = None,
        note: str | None = None,
        file: StagedFile | None = None,
    ) -> Receipt:
        """Record the unit's next version; a staged file is moved into the store with the row.

        The same `source_ref` twice returns the first receipt instead of a new version (its
        staged file, if any, is left unused). When anything fails, no row is written and the
        staged file is back at its staging path. Either way the caller may always
        `discard(file.path)` afterwards: after a successful store the path is simply gone.

        Raises UnknownUnitError for an unknown or archived unit and UnknownInstanceError for
        an unknown or archived instance, or one of a report the unit does not submit.
        """
        # What the person typed or named is cleaned here, so both databases store the same.
        if file is not None:
            file = dataclasses.replace(
                file,
                original_name=clean_name(file.original_name) or "?",
                mime_type=None if file.mime_type is None else storable(file.mime_type),
            )
        try:
            return await self._submit(
                instance_id=instance_id,
                unit_key=unit_key,
                contact_id=contact_id,
                kind=kind,
                source_ref=source_ref,
                now=now,
                text=clean_optional(text),
                note=clean_optional(note),
                file=file,
            )
        except IntegrityError:
            # Two deliveries of one event raced past the lookup (different units' locks):
            # the one that committed holds the receipt.
            earlier = await self.receipt_for(source_ref=source_ref)
            if earlier is None:
                raise
            return earlier

    async def _submit(
        self,
        *,
        instance_id: int,
        unit_key: str,
        contact_id: int | None,
        kind: SubmissionKind,
        source_ref: str,
        now: datetime,
        text: str | None,
        note: str | None,
        file: StagedFile | None,
    ) -> Receipt:
        stored: str | None = None
        try:
            async with write_session(self.engine) as session:
                unit = (
                    (
                        await session.execute(
                            sa.select(unit_t.c.id, unit_t.c.name)
                            .where(unit_t.c.key == unit_key, unit_t.c.archived_at.is_(None))
                            .with_for_update()
                        )
                    )
                    .mappings()
                    .first()
                )
                # Looked up after the unit lock, so a redelivery queued behind the first
                # delivery sees its committed row.
                earlier = await self._receipt(session, source_ref=source_ref)
                if earlier is not None:
                    return earlier
                if unit is None:
                    raise UnknownUnitError(unit_key)
                instance = (
                    (
                        await session.execute(
                            sa.select(report_instance_t.c.due_end, report_t.c.name)
                            .join(report_t, report_t.c.id == report_instance_t.c.report_id)
                            .join(
                                report_submitter_t,
                                sa.and_(
                                    report_submitter_t.c.report_id == report_t.c.id,
                                    report_submitter_t.c.unit_id == unit["id"],
                                ),
                            )
                            .where(
                                report_instance_t.c.id == instance_id,
                                report_instance_t.c.archived_at.is_(None),
                                report_t.c.archived_at.is_(None),
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                if instance is None:
                    raise UnknownInstanceError(instance_id)
                earlier_versions = (
                    await session.execute(
                        sa.select(
                            sa.func.max(submission_t.c.version),
                            sa.func.min(submission_t.c.submitted_at),
                        ).where(
                            submission_t.c.instance_id == instance_id,
                            submission_t.c.unit_id == unit["id"],
                        )
                    )
                ).one()
                latest, first_at = earlier_versions
                version = (latest or 0) + 1
                first_at = first_at or now
                receipt_code = await unused_receipt_code(session)
                if file is not None:
                    stored = self.files.store(file, when=now)
                submission_id = await session.scalar(
                    sa.insert(submission_t)
                    .values(
                        instance_id=instance_id,
                        unit_id=unit["id"],
                        contact_id=contact_id,
                        version=version,
                        kind=str(kind),
                        text=text,
                        note=note,
                        original_name=None if file is None else file.original_name,
                        stored_path=stored,
                        size=None if file is None else file.size,
                        sha256=None if file is None else file.sha256,
                        mime=None if file is None else file.mime_type,
                        receipt_code=receipt_code,
                        submitted_at=now,
                        source_ref=source_ref,
                    )
                    .returning(submission_t.c.id)
                )
                assert submission_id is not None
                # The unit has reported: the reminders still waiting for it are not needed.
                await session.execute(
                    sa.update(reminder_t)
                    .where(
                        reminder_t.c.instance_id == instance_id,
                        reminder_t.c.unit_id == unit["id"],
                        reminder_t.c.status == ReminderStatus.PENDING.value,
                    )
                    .values(status=ReminderStatus.CANCELLED.value, sent_at=now)
                )
        except BaseException:
            if stored is not None and file is not None:
                self._unstore(stored, file)
            raise
        return Receipt(
            submission_id=submission_id,
            receipt_code=receipt_code,
            version=version,
            submitted_at=now,
            late_by=unit_lateness(first_at, instance["due_end"], now),
            kind=SubmissionKind(kind),
            report_name=instance["name"],
            unit_name=unit["name"],
            original_name=None if file is None else file.original_name,
            first_at=first_at,
        )

    def _unstore(self, stored: str, file: StagedFile) -> None:
        """Put a stored file back in staging after its row failed; delete it if that fails."""
        try:
            self.files.unstore(stored, file.path)
        except OSError:
            self.files.remove(stored)

    async def receipt_for(self, *, source_ref: str) -> Receipt | None:
        """The receipt of the submission that `source_ref` produced, if any."""
        async with read_session(self.engine) as session:
            return await self._receipt(session, source_ref=source_ref)

    async def _receipt(self, session: AsyncSession, *, source_ref: str) -> Receipt | None:
        first = submission_t.alias("first")
        first_at = (
            sa.select(sa.func.min(first.c.submitted_at))
            .where(
                first.c.instance_id == submission_t.c.instance_id,
                first.c.unit_id == submission_t.c.unit_id,
            )
            .scalar_subquery()
        )
        row = (
            (
                await session.execute(
                    sa.select(
                        submission_t,
                        report_instance_t.c.due_end,
                        report_t.c.name.label("report_name"),
                        unit_t.c.name.label("unit_name"),
                        first_at.label("first_at"),
                    )
                    .join(report_instance_t, report_instance_t.c.id == submission_t.c.instance_id)
                    .join(report_t, report_t.c.id == report_instance_t.c.report_id)
                    .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
                    .where(submission_t.c.source_ref == source_ref)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Receipt(
            submission_id=row["id"],
            receipt_code=row["receipt_code"],
            version=row["version"],
            submitted_at=row["submitted_at"],
            late_by=unit_lateness(row["first_at"], row["due_end"], row["submitted_at"]),
            kind=SubmissionKind(row["kind"]),
            report_name=row["report_name"],
            unit_name=row["unit_name"],
            original_name=row["original_name"],
            first_at=row["first_at"],
        )

    # ---- pending steps ----------------------------------------------------------

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
                self._upsert(
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

    # ---- audit ----------------------------------------------------------

    async def audit(
        self, *, actor: str, action: str, detail: dict[str, object], now: datetime
    ) -> None:
        """Add one audit row in its own transaction."""
        async with write_session(self.engine) as session:
            await record_audit(session, at=now, actor=actor, action=action, detail=detail)


if TYPE_CHECKING:

    def _implements_ports(
        repository: SqlRepository, files: LocalFileStore
    ) -> tuple[Repository, FileStore]:
        return repository, files
