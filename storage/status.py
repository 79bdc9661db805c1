"""Who has reported: per report instance, each submitting unit's latest version and lateness."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.model import (
    InstanceStatus,
    SignatureCheck,
    SubmissionKind,
    SubmissionState,
    UnitStatus,
)
from bot.core.plan.model import DueKind
from bot.core.rules.deadlines import unit_lateness
from storage.db import read_session
from storage.errors import UnknownReportError
from storage.models import (
    report_instance_t,
    report_submitter_t,
    report_t,
    submission_t,
    unit_t,
)
from storage.signature_records import latest_signatures

__all__ = [
    "RECEIPT_ALPHABET",
    "RECEIPT_LENGTH",
    "InstanceStatus",
    "SubmissionKind",
    "SubmissionState",
    "UnitStatus",
    "new_receipt_code",
    "report_status",
    "unused_receipt_code",
]

# Receipt codes are read aloud and typed: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 8


async def report_status(
    engine: AsyncEngine,
    *,
    report_key: str | None,
    now: datetime,
    instance_id: int | None = None,
) -> list[InstanceStatus]:
    """Status of every active instance (of one report, or of all), by due_end then report key;
    with `instance_id`, of that one active instance only (none when it is not active), which
    reads one round's rows instead of every open round's.

    Units appear in the order they were first added (the plan's order). Raises
    UnknownReportError when `report_key` names no active report.
    """
    async with read_session(engine) as session:
        statement = (
            sa.select(
                report_instance_t,
                report_t.c.key.label("report_key"),
                report_t.c.name.label("report_name"),
            )
            .join(report_t, report_t.c.id == report_instance_t.c.report_id)
            .where(report_t.c.archived_at.is_(None), report_instance_t.c.archived_at.is_(None))
            .order_by(report_instance_t.c.due_end, report_t.c.key, report_instance_t.c.key)
        )
        if report_key is not None:
            exists = await session.scalar(
                sa.select(report_t.c.id).where(
                    report_t.c.key == report_key, report_t.c.archived_at.is_(None)
                )
            )
            if exists is None:
                raise UnknownReportError(report_key)
            statement = statement.where(report_t.c.key == report_key)
        if instance_id is not None:
            statement = statement.where(report_instance_t.c.id == instance_id)
        instances = (await session.execute(statement)).mappings().all()
        submitters = await submitting_units(session, {row["report_id"] for row in instances})
        totals = await submission_totals(session, [row["id"] for row in instances])
        signed = await latest_signatures(session, [row["id"] for row in instances])

    return [
        InstanceStatus(
            instance_id=row["id"],
            report_key=row["report_key"],
            report_name=row["report_name"],
            instance_key=row["key"],
            period_key=row["period_key"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            due_kind=DueKind(row["due_kind"]),
            due_day=row["due_day"],
            due_time=row["due_time"],
            due_end=row["due_end"],
            units=tuple(
                _unit_status(
                    unit,
                    totals.get((row["id"], unit["id"])),
                    row["due_end"],
                    now,
                    signed.get((row["id"], unit["id"]), ()),
                )
                for unit in submitters[row["report_id"]]
            ),
        )
        for row in instances
    ]


async def submitting_units(
    session: AsyncSession | AsyncConnection,
    report_ids: set[int],
    *,
    unit_keys: Iterable[str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Report id -> its submitting units still in the plan (id, key, name), in plan order;
    with `unit_keys`, only those units."""
    by_report: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not report_ids:
        return by_report
    rows = await session.execute(
        sa.select(report_submitter_t.c.report_id, unit_t.c.id, unit_t.c.key, unit_t.c.name)
        .join(unit_t, unit_t.c.id == report_submitter_t.c.unit_id)
        .where(
            report_submitter_t.c.report_id.in_(sorted(report_ids)),
            unit_t.c.archived_at.is_(None),
            *(() if unit_keys is None else (unit_t.c.key.in_(set(unit_keys)),)),
        )
        .order_by(report_submitter_t.c.report_id, unit_t.c.id)
    )
    for report_id, unit_id, key, name in rows:
        by_report[report_id].append({"id": unit_id, "key": key, "name": name})
    return by_report


async def submission_totals(
    session: AsyncSession | AsyncConnection, instance_ids: list[int]
) -> dict[tuple[int, int], dict[str, Any]]:
    """(instance id, unit id) -> versions, latest_version, first_at, latest_at of what the
    unit sent for the instance; units that sent nothing are absent."""
    if not instance_ids:
        return {}
    rows = await session.execute(
        sa.select(
            submission_t.c.instance_id,
            submission_t.c.unit_id,
            sa.func.count().label("versions"),
            sa.func.max(submission_t.c.version).label("latest_version"),
            sa.func.min(submission_t.c.submitted_at).label("first_at"),
            sa.func.max(submission_t.c.submitted_at).label("latest_at"),
        )
        .where(submission_t.c.instance_id.in_(instance_ids))
        .group_by(submission_t.c.instance_id, submission_t.c.unit_id)
    )
    return {(row["instance_id"], row["unit_id"]): dict(row) for row in rows.mappings()}


# The status dataclasses live in the core (bot.core.model) and are re-exported above for existing
# callers; submissions themselves are written only by storage.submissions.SqlSubmissions.


def _unit_status(
    unit: dict[str, Any],
    totals: dict[str, Any] | None,
    due_end: datetime,
    now: datetime,
    signatures: tuple[SignatureCheck, ...] = (),
) -> UnitStatus:
    first_at: datetime | None = None if totals is None else totals["first_at"]
    # Judged by the first version: a correction after the deadline keeps an on-time unit on time.
    late_by = unit_lateness(first_at, due_end, now)
    if totals is None:
        return UnitStatus(
            unit_key=unit["key"],
            unit_name=unit["name"],
            state=SubmissionState.PENDING if late_by is None else SubmissionState.MISSING,
            late_by=late_by,
        )
    return UnitStatus(
        unit_key=unit["key"],
        unit_name=unit["name"],
        state=SubmissionState.ON_TIME if late_by is None else SubmissionState.LATE,
        versions=totals["versions"],
        latest_version=totals["latest_version"],
        latest_at=totals["latest_at"],
        first_at=first_at,
        late_by=late_by,
        signatures=signatures,
    )


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


async def unused_receipt_code(session: AsyncSession) -> str:
    """A receipt code no submission has yet (inside the caller's transaction)."""
    while True:
        code = new_receipt_code()
        taken = await session.scalar(
            sa.select(submission_t.c.id).where(submission_t.c.receipt_code == code)
        )
        if taken is None:
            return code
