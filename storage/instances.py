"""Report instances over SQL, as a unit sees them: open, to correct, upcoming; and their status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.model import InstanceStatus, OpenInstance
from bot.core.plan.model import Deadline, DueKind, Every, Period
from storage.db import read_session
from storage.errors import UnknownUnitError
from storage.models import report_instance_t, report_submitter_t, report_t, submission_t, unit_t
from storage.status import report_status

CUSTOM_PERIOD = "custom"  # the period key of dates the plan gives explicitly


class SqlReportInstances:
    """Implements bot.core.ports.ReportInstances; every read is one read session."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open_instances(self, *, unit_key: str, now: datetime) -> list[OpenInstance]:
        """Instances the unit may submit to now: before the deadline, or late and not yet sent.

        Soonest deadline first. Raises UnknownUnitError for an unknown or archived unit.
        """
        async with read_session(self.engine) as session:
            unit_id = await _unit_id(session, unit_key)
            statement, totals = _instances(unit_id)
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
            unit_id = await _unit_id(session, unit_key)
            statement, totals = _instances(unit_id)
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
            unit_id = None if unit_key is None else await _unit_id(session, unit_key)
            statement, _ = _instances(unit_id)
            statement = statement.where(report_instance_t.c.due_end > now).limit(limit)
            rows = (await session.execute(statement)).mappings().all()
        return [_open_instance(row) for row in rows]

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        """See storage.status.report_status."""
        return await report_status(self.engine, report_key=report_key, now=now)

    async def round_status(self, *, instance_id: int, now: datetime) -> InstanceStatus | None:
        """See storage.status.report_status: one active instance, or None."""
        found = await report_status(self.engine, report_key=None, now=now, instance_id=instance_id)
        return found[0] if found else None


async def _unit_id(session: AsyncSession, unit_key: str) -> int:
    unit_id: int | None = await session.scalar(
        sa.select(unit_t.c.id).where(unit_t.c.key == unit_key, unit_t.c.archived_at.is_(None))
    )
    if unit_id is None:
        raise UnknownUnitError(unit_key)
    return unit_id


def _instances(unit_id: int | None) -> tuple[sa.Select[Any], sa.Subquery | None]:
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
