"""Submissions over SQL: a unit's next version, its stored file and its receipt, together."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.cleaning import clean_name, clean_optional, storable
from bot.core.model import Receipt, StagedFile, SubmissionKind
from bot.core.rules.deadlines import unit_lateness
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.errors import UnknownInstanceError, UnknownUnitError
from storage.files import LocalFileStore
from storage.models import (
    ReminderStatus,
    reminder_t,
    report_instance_t,
    report_submitter_t,
    report_t,
    submission_t,
    unit_t,
)
from storage.status import unused_receipt_code


class SqlSubmissions:
    """Implements bot.core.ports.Submissions. `files` receives submitted files; a submission
    row and its stored file land together, or neither does."""

    def __init__(self, engine: AsyncEngine, files: LocalFileStore) -> None:
        self.engine = engine
        self.files = files

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
                earlier = await _receipt(session, source_ref=source_ref)
                if earlier is not None:
                    return earlier
                if unit is None:
                    raise UnknownUnitError(unit_key)
                instance = (
                    (
                        await session.execute(
                            sa.select(
                                report_instance_t.c.due_end,
                                report_t.c.name,
                                report_t.c.key.label("report_key"),
                                report_instance_t.c.key.label("instance_key"),
                            )
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
                await record_audit(
                    session,
                    at=now,
                    actor="bot" if contact_id is None else f"contact:{contact_id}",
                    action="submission.create",
                    detail={
                        "submission_id": submission_id,
                        "unit": unit_key,
                        "report": instance["report_key"],
                        "instance": instance["instance_key"],
                        "version": version,
                        "kind": str(kind),
                        "receipt": receipt_code,
                        "contact_id": contact_id,
                        # The file's fingerprint, never the text sent: the trail holds no report.
                        **({} if file is None else {"sha256": file.sha256, "size": file.size}),
                    },
                )
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
            return await _receipt(session, source_ref=source_ref)


async def _receipt(session: AsyncSession, *, source_ref: str) -> Receipt | None:
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
