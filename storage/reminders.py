"""Reminder rows over SQL: planting them, claiming due ones with a lease, and who receives them.

A row is claimed in one statement (`UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING` on PostgreSQL; the same under BEGIN IMMEDIATE on SQLite), so two processes never
hold the same row; a claim whose lease ran out (its process died) is taken over. A row is
marked sent only while its claim still holds, so a process that lost its lease cannot mark a
row that another process is sending again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.model import Contact, InstanceStatus
from bot.core.office import one_per_person
from bot.core.plan.model import Deadline, DueKind, Role, UnitType
from bot.core.rules.reminders import (
    UNIT_KINDS,
    DueReminder,
    InstanceFacts,
    Kind,
    Outcome,
    PlannedRow,
    UnitProgress,
)
from storage.db import (
    DirectWriter,
    direct_writer,
    is_sqlite,
    read_connection,
    read_session,
    write_connection,
    write_session,
)
from storage.leases import LeasedRows, Leases
from storage.models import (
    ChatPurpose,
    ReminderStatus,
    chat_binding_t,
    contact_t,
    organisation_t,
    reminder_t,
    report_instance_t,
    report_t,
    submission_t,
    unit_t,
)
from storage.queries import contact_from_row, contact_select, rowcount
from storage.status import report_status, submission_totals, submitting_units

_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class ReminderLine:
    """One reminder row as the Office reads it."""

    due_at: datetime
    status: ReminderStatus
    kind: Kind
    rule_key: str
    report_name: str
    instance_key: str
    unit_name: str | None
    sent_at: datetime | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Unreachable:
    display_name: str
    unit_name: str
    platform: str
    since: datetime


@dataclass(frozen=True, slots=True)
class ReminderOverview:
    """The next reminders, the last sent, the missed ones, and who cannot be reached."""

    upcoming: list[ReminderLine]
    upcoming_total: int
    sent: list[ReminderLine]
    sent_total: int
    missed: list[ReminderLine]
    missed_total: int
    unreachable: list[Unreachable]


class ReminderStore(LeasedRows):
    """The dispatcher's records: reminder rows, the facts they speak of, and their recipients."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._leases = Leases(
            engine, reminder_t, ReminderStatus.CLAIMED.value, ReminderStatus.PENDING.value
        )
        self._direct: DirectWriter | None = None

    @asynccontextmanager
    async def marking(self) -> AsyncIterator[None]:
        """Within the block (a dispatch pass), rows are marked on one held connection, each
        mark its own short transaction: see `storage.db.DirectWriter`."""
        async with direct_writer(self.engine) as writer:
            previous, self._direct = self._direct, writer
            try:
                yield
            finally:
                self._direct = previous

    # ---- planting -------------------------------------------------------------------------------

    async def instance_ids(self) -> dict[tuple[str, str], int]:
        """(report key, instance key) -> id, for active instances of active reports."""
        async with read_session(self.engine) as session:
            rows = await session.execute(
                sa.select(report_t.c.key, report_instance_t.c.key, report_instance_t.c.id)
                .join(report_t, report_t.c.id == report_instance_t.c.report_id)
                .where(report_instance_t.c.archived_at.is_(None), report_t.c.archived_at.is_(None))
            )
            return {(report, key): ident for report, key, ident in rows}

    async def submitted_units(self) -> dict[int, frozenset[str]]:
        """Instance id -> keys of the units that sent at least one version."""
        async with read_session(self.engine) as session:
            rows = await session.execute(
                sa.select(submission_t.c.instance_id, unit_t.c.key)
                .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
                .distinct()
            )
            found: defaultdict[int, set[str]] = defaultdict(set)
            for instance_id, unit_key in rows:
                found[instance_id].add(unit_key)
        return {instance: frozenset(units) for instance, units in found.items()}

    async def plant(
        self, rows: Sequence[PlannedRow], *, kinds: frozenset[Kind], now: datetime
    ) -> int:
        """Make the pending rows of `kinds` match `rows`: add missing ones, move changed times,
        cancel pending ones the plan no longer implies. Sent and claimed rows stay as they are.
        Returns how many rows changed."""
        async with write_session(self.engine) as session:
            units = await _unit_ids(session)
            wanted = {
                (
                    row.instance_id,
                    units.get(row.unit_key) if row.unit_key else None,
                    row.rule_key,
                ): row
                for row in rows
                if row.unit_key is None or row.unit_key in units
            }
            existing = (
                await session.execute(
                    sa.select(
                        reminder_t.c.id,
                        reminder_t.c.instance_id,
                        reminder_t.c.unit_id,
                        reminder_t.c.rule_key,
                        reminder_t.c.status,
                        reminder_t.c.due_at,
                    ).where(reminder_t.c.kind.in_([kind.value for kind in kinds]))
                )
            ).all()
            seen: set[tuple[int, int | None, str]] = set()
            moved: list[dict[str, Any]] = []
            cancelled: list[int] = []
            for ident, instance_id, unit_id, rule_key, status, due_at in existing:
                key = (instance_id, unit_id, rule_key)
                seen.add(key)
                row = wanted.get(key)
                if status != ReminderStatus.PENDING.value:
                    continue
                if row is None:
                    cancelled.append(ident)
                elif row.due_at != due_at:
                    moved.append({"b_id": ident, "b_due_at": row.due_at})
            # A reminder first planted after its moment to be useful (a plan applied late) is no
            # row at all: there was never a time to send it, so nothing was missed.
            new = [
                _values(row, unit_id)
                for key, row in wanted.items()
                if key not in seen and (row.expires_at is None or row.expires_at > now)
                for unit_id in (key[1],)
            ]
            for chunk in _chunks(new):
                await session.execute(sa.insert(reminder_t), list(chunk))
            if moved:
                await session.execute(
                    sa.update(reminder_t)
                    .where(reminder_t.c.id == sa.bindparam("b_id"))
                    .values(due_at=sa.bindparam("b_due_at")),
                    moved,
                    execution_options={"synchronize_session": False},
                )
            for chunk in _chunks(cancelled):
                await session.execute(
                    sa.update(reminder_t)
                    .where(reminder_t.c.id.in_(chunk))
                    .values(status=ReminderStatus.CANCELLED.value, sent_at=now)
                )
            dropped = await _cancel_dropped(session, now=now)
        return len(new) + len(moved) + len(cancelled) + dropped

    async def ensure(self, rows: Sequence[PlannedRow]) -> int:
        """Add the rows that do not exist yet (daily chases, READY notices); returns how many.

        Two processes may ensure the same rows at once: the unique keys keep one of each.
        """
        if not rows:
            return 0
        async with write_session(self.engine) as session:
            units = await _unit_ids(session)
            values = [
                _values(row, units[row.unit_key] if row.unit_key else None)
                for row in rows
                if row.unit_key is None or row.unit_key in units
            ]
            insert = (sqlite.insert if is_sqlite(self.engine) else postgresql.insert)(reminder_t)
            added = 0
            statement = insert.on_conflict_do_nothing().returning(reminder_t.c.id)
            for chunk in _chunks(values):
                result = await session.execute(statement, list(chunk))
                added += len(result.all())
        return added

    # ---- claiming ------------------------------------------------------------------------------

    async def claim(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[DueReminder]:
        """Take up to `limit` due rows (and rows whose claim expired) for `worker`."""
        statement = self._leases.claiming(
            worker=worker, now=now, lease=lease, limit=limit
        ).returning(
            reminder_t.c.id,
            reminder_t.c.instance_id,
            reminder_t.c.unit_id,
            reminder_t.c.kind,
            reminder_t.c.rule_key,
            reminder_t.c.due_at,
            reminder_t.c.attempts,
        )
        async with write_session(self.engine) as session:
            claimed = (await session.execute(statement)).all()
            keys = await _unit_keys(session, {row.unit_id for row in claimed if row.unit_id})
        return sorted(
            (
                DueReminder(
                    id=row.id,
                    instance_id=row.instance_id,
                    unit_key=keys.get(row.unit_id) if row.unit_id else None,
                    kind=Kind(row.kind),
                    rule_key=row.rule_key,
                    due_at=row.due_at,
                    attempts=row.attempts,
                )
                for row in claimed
            ),
            key=lambda r: (r.due_at, r.id),
        )

    async def finish(
        self,
        *,
        reminder_id: int,
        worker: str,
        status: Outcome,
        now: datetime,
        note: str | None = None,
    ) -> bool:
        """Close a claimed row (sent, skipped, cancelled, missed: `note` says why) if this
        worker still holds it."""
        return await self._release(
            _FINISH,
            {
                "b_id": reminder_id,
                "b_worker": worker,
                "b_status": status.value,
                "b_at": now,
                "b_note": note,
            },
        )

    async def postpone(self, *, reminder_id: int, worker: str, due_at: datetime) -> bool:
        """Give a claimed row back, due again at `due_at` (outside working hours, or failing)."""
        return await self._release(
            _POSTPONE, {"b_id": reminder_id, "b_worker": worker, "b_due_at": due_at}
        )

    async def give_back(self, reminder_ids: Sequence[int], *, worker: str) -> int:
        """Give claimed rows back untouched (a pass that ends early): due as they were."""
        if not reminder_ids:
            return 0
        return await self._leases.release(
            reminder_t.c.id.in_(reminder_ids), reminder_t.c.claimed_by == worker
        )

    async def _release(self, statement: sa.Update, values: dict[str, Any]) -> bool:
        """Update a claimed row only while the worker still holds the claim. The statement is
        built once: this runs after every single send, so its cost bounds the sending rate."""
        if self._direct is not None:
            return await self._direct.execute(statement, values) == 1
        async with write_connection(self.engine) as connection:
            result = await connection.execute(statement, values)
        return rowcount(result) == 1

    async def cancel_unit(self, *, instance_id: int, unit_key: str, now: datetime) -> int:
        """A unit reported: its pending reminders for the instance are no longer needed."""
        async with write_session(self.engine) as session:
            unit_id = await session.scalar(sa.select(unit_t.c.id).where(unit_t.c.key == unit_key))
            result = await session.execute(
                sa.update(reminder_t)
                .where(
                    reminder_t.c.instance_id == instance_id,
                    reminder_t.c.unit_id == unit_id,
                    reminder_t.c.status == ReminderStatus.PENDING.value,
                )
                .values(status=ReminderStatus.CANCELLED.value, sent_at=now)
            )
        return rowcount(result)

    async def counts(self) -> dict[str, int]:
        """Rows by status (for tests, benchmarks and the Office's curiosity)."""
        async with read_connection(self.engine) as connection:
            return await _status_counts(connection)

    async def overview(self, *, limit: int) -> ReminderOverview:
        """Up to `limit` rows of each list: the next due, the last sent, the missed (oldest
        first), with each list's total; and every active contact the bot cannot reach."""
        waiting = (ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value)
        async with read_connection(self.engine) as connection:
            upcoming = await _lines(
                connection,
                reminder_t.c.status.in_(waiting),
                order=(reminder_t.c.due_at, reminder_t.c.id),
                limit=limit,
            )
            sent = await _lines(
                connection,
                reminder_t.c.status == ReminderStatus.SENT.value,
                order=(reminder_t.c.sent_at.desc(), reminder_t.c.id.desc()),
                limit=limit,
            )
            missed = await _lines(
                connection,
                reminder_t.c.status == ReminderStatus.MISSED.value,
                order=(reminder_t.c.due_at, reminder_t.c.id),
                limit=limit,
            )
            totals = await _status_counts(connection)
            people = await connection.execute(
                sa.select(
                    contact_t.c.display_name,
                    unit_t.c.name,
                    contact_t.c.platform,
                    contact_t.c.unreachable_at,
                )
                .join(unit_t, unit_t.c.id == contact_t.c.unit_id)
                .where(contact_t.c.active.is_(True), contact_t.c.unreachable_at.is_not(None))
                .order_by(contact_t.c.unreachable_at, contact_t.c.id)
            )
            unreachable = [Unreachable(*row) for row in people]
        return ReminderOverview(
            upcoming=upcoming,
            upcoming_total=sum(totals.get(status, 0) for status in waiting),
            sent=sent,
            sent_total=totals.get(ReminderStatus.SENT.value, 0),
            missed=missed,
            missed_total=totals.get(ReminderStatus.MISSED.value, 0),
            unreachable=unreachable,
        )

    # ---- facts ---------------------------------------------------------------------------------

    async def facts(
        self,
        instance_ids: Iterable[int] | None = None,
        *,
        report_keys: Iterable[str] | None = None,
    ) -> list[InstanceFacts]:
        """Active instances (all, these, or these reports') with each submitting unit's progress."""
        async with read_connection(self.engine) as connection:
            return await _facts(connection, instance_ids, report_keys=report_keys)

    async def for_batch(
        self, batch: Sequence[DueReminder]
    ) -> tuple[dict[int, InstanceFacts], dict[str, list[Contact]]]:
        """What a claimed batch needs, read in one snapshot: its instances' facts (for a batch
        of unit reminders only those units' progress: a summary counts every unit, a unit's
        reminder only its own) and the people each unit's reminders go to."""
        units = {row.unit_key for row in batch if row.unit_key is not None}
        only_units = all(row.kind in UNIT_KINDS for row in batch)
        async with read_connection(self.engine) as connection:
            facts = await _facts(
                connection,
                {row.instance_id for row in batch},
                unit_keys=units if only_units else None,
            )
            people = await _unit_contacts(connection, units)
        return {fact.instance_id: fact for fact in facts}, people

    async def instance_status(self, instance_id: int, *, now: datetime) -> InstanceStatus | None:
        """One instance's status as the Office's summaries show it; None once it is archived."""
        found = await report_status(self.engine, report_key=None, now=now, instance_id=instance_id)
        return found[0] if found else None

    async def plan_digest(self) -> str | None:
        """The digest of the plan applied last: a changed digest means the plan changed."""
        async with read_session(self.engine) as session:
            digest: str | None = await session.scalar(sa.select(organisation_t.c.plan_digest))
        return digest

    # ---- recipients ----------------------------------------------------------------------------

    async def leaders(self) -> list[Contact]:
        return await self._contacts(contact_t.c.role == Role.LEADER.value)

    async def office_staff(self) -> list[Contact]:
        return await self._contacts(contact_t.c.role == Role.OFFICE.value)

    async def office_groups(self) -> dict[str, str]:
        """Platform -> chat id of the office group bound there."""
        async with read_session(self.engine) as session:
            rows = await session.execute(
                sa.select(chat_binding_t.c.platform, chat_binding_t.c.chat_id).where(
                    chat_binding_t.c.purpose == ChatPurpose.OFFICE_GROUP.value
                )
            )
            return {platform: chat for platform, chat in rows}

    async def _contacts(self, *conditions: Any) -> list[Contact]:
        async with read_connection(self.engine) as connection:
            return await _recipients(connection, *conditions)

    async def mark_unreachable(self, *, contact_id: int, now: datetime) -> bool:
        """The person blocked the bot; True the first time (so the Office is told once)."""
        async with write_session(self.engine) as session:
            result = await session.execute(
                sa.update(contact_t)
                .where(contact_t.c.id == contact_id, contact_t.c.unreachable_at.is_(None))
                .values(unreachable_at=now)
            )
        return rowcount(result) == 1


_HELD = (
    reminder_t.c.id == sa.bindparam("b_id"),
    reminder_t.c.claimed_by == sa.bindparam("b_worker"),
    reminder_t.c.status == ReminderStatus.CLAIMED.value,
)
_FINISH = (
    sa.update(reminder_t)
    .where(*_HELD)
    .values(
        lease_until=None,
        status=sa.bindparam("b_status"),
        sent_at=sa.bindparam("b_at"),
        note=sa.bindparam("b_note"),
    )
)
_POSTPONE = (
    sa.update(reminder_t)
    .where(*_HELD)
    .values(
        lease_until=None,
        status=ReminderStatus.PENDING.value,
        claimed_by=None,
        due_at=sa.bindparam("b_due_at"),
    )
)


async def _facts(
    connection: AsyncConnection,
    instance_ids: Iterable[int] | None = None,
    *,
    report_keys: Iterable[str] | None = None,
    unit_keys: Iterable[str] | None = None,
) -> list[InstanceFacts]:
    """`ReminderStore.facts`; with `unit_keys`, only those units' progress."""
    receiver = unit_t.alias("receiver")
    statement = (
        sa.select(
            report_instance_t,
            report_t.c.key.label("report_key"),
            report_t.c.name.label("report_name"),
            report_t.c.escalate_after_days,
            receiver.c.key.label("receiver_key"),
            receiver.c.type.label("receiver_type"),
        )
        .join(report_t, report_t.c.id == report_instance_t.c.report_id)
        .join(receiver, receiver.c.id == report_t.c.receiver_unit_id)
        .where(report_instance_t.c.archived_at.is_(None), report_t.c.archived_at.is_(None))
        .order_by(report_instance_t.c.due_end, report_instance_t.c.id)
    )
    wanted = None if instance_ids is None else set(instance_ids)
    if wanted is not None:
        statement = statement.where(report_instance_t.c.id.in_(wanted))
    if report_keys is not None:
        statement = statement.where(report_t.c.key.in_(set(report_keys)))
    instances = (await connection.execute(statement)).mappings().all()
    submitters = await submitting_units(
        connection, {row["report_id"] for row in instances}, unit_keys=unit_keys
    )
    totals = await submission_totals(connection, [row["id"] for row in instances])
    return [
        InstanceFacts(
            instance_id=row["id"],
            report_key=row["report_key"],
            report_name=row["report_name"],
            instance_key=row["key"],
            deadline=Deadline(DueKind(row["due_kind"]), row["due_day"], row["due_time"]),
            due_end=row["due_end"],
            last_day=row["last_day"],
            receiver_key=row["receiver_key"],
            receiver_type=UnitType(row["receiver_type"]),
            escalate_after_days=row["escalate_after_days"],
            units=_progress(submitters[row["report_id"]], totals, row["id"]),
        )
        for row in instances
    ]


async def _status_counts(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(
        sa.select(reminder_t.c.status, sa.func.count()).group_by(reminder_t.c.status)
    )
    return {str(status): int(count) for status, count in rows}


async def _lines(
    connection: AsyncConnection, condition: Any, *, order: Sequence[Any], limit: int
) -> list[ReminderLine]:
    rows = await connection.execute(
        sa.select(
            reminder_t.c.due_at,
            reminder_t.c.status,
            reminder_t.c.kind,
            reminder_t.c.rule_key,
            report_t.c.name,
            report_instance_t.c.key,
            unit_t.c.name,
            reminder_t.c.sent_at,
            reminder_t.c.note,
        )
        .join(report_instance_t, report_instance_t.c.id == reminder_t.c.instance_id)
        .join(report_t, report_t.c.id == report_instance_t.c.report_id)
        .outerjoin(unit_t, unit_t.c.id == reminder_t.c.unit_id)
        .where(condition)
        .order_by(*order)
        .limit(limit)
    )
    return [
        ReminderLine(
            due_at=due_at,
            status=ReminderStatus(status),
            kind=Kind(kind),
            rule_key=rule_key,
            report_name=report_name,
            instance_key=instance_key,
            unit_name=unit_name,
            sent_at=sent_at,
            note=note,
        )
        for due_at, status, kind, rule_key, report_name, instance_key, unit_name, sent_at, note in (
            rows
        )
    ]


async def _recipients(connection: AsyncConnection, *conditions: Any) -> list[Contact]:
    """Active, reachable contacts of units still in the plan, meeting `conditions`: one account
    per person (bot.core.office.one_per_person)."""
    rows = await connection.execute(
        contact_select(everything=False)
        .where(
            contact_t.c.active.is_(True),
            contact_t.c.unreachable_at.is_(None),
            unit_t.c.archived_at.is_(None),
            *conditions,
        )
        .order_by(contact_t.c.id)
    )
    return one_per_person([contact_from_row(row) for row in rows.mappings()])


async def _unit_contacts(connection: AsyncConnection, keys: set[str]) -> dict[str, list[Contact]]:
    """Unit key -> who is reminded for it: its heads (and, for the Office, its staff)."""
    found: dict[str, list[Contact]] = {key: [] for key in keys}
    if keys:
        for contact in await _recipients(
            connection,
            unit_t.c.key.in_(keys),
            contact_t.c.role.in_([Role.HEAD.value, Role.OFFICE.value]),
        ):
            found[contact.unit_key].append(contact)
    return found


def _values(row: PlannedRow, unit_id: int | None) -> dict[str, Any]:
    return {
        "instance_id": row.instance_id,
        "unit_id": unit_id,
        "kind": row.kind.value,
        "rule_key": row.rule_key,
        "due_at": row.due_at,
        "status": ReminderStatus.PENDING.value,
        "attempts": 0,
    }


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def _cancel_dropped(session: AsyncSession, *, now: datetime) -> int:
    """Cancel the pending rows, of every kind, of instances, reports and units the plan no
    longer has. Daily chases are not the plan's to plant: without this they would stay
    listed as coming, and be dropped only when their time came."""
    archived_instances = (
        sa.select(report_instance_t.c.id)
        .join(report_t, report_t.c.id == report_instance_t.c.report_id)
        .where(
            sa.or_(
                report_instance_t.c.archived_at.is_not(None), report_t.c.archived_at.is_not(None)
            )
        )
    )
    archived_units = sa.select(unit_t.c.id).where(unit_t.c.archived_at.is_not(None))
    result = await session.execute(
        sa.update(reminder_t)
        .where(
            reminder_t.c.status == ReminderStatus.PENDING.value,
            sa.or_(
                reminder_t.c.instance_id.in_(archived_instances),
                reminder_t.c.unit_id.in_(archived_units),
            ),
        )
        .values(status=ReminderStatus.CANCELLED.value, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


async def _unit_ids(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(sa.select(unit_t.c.key, unit_t.c.id))
    return {key: ident for key, ident in rows}


async def _unit_keys(session: AsyncSession, ids: set[int]) -> Mapping[int, str]:
    if not ids:
        return {}
    rows = await session.execute(sa.select(unit_t.c.id, unit_t.c.key).where(unit_t.c.id.in_(ids)))
    return {ident: key for ident, key in rows}


def _progress(
    units: list[dict[str, Any]], totals: Mapping[tuple[int, int], dict[str, Any]], instance: int
) -> tuple[UnitProgress, ...]:
    """Each submitting unit's progress on `instance`, by name (as lists for people read)."""
    progress = []
    for unit in units:
        sent = totals.get((instance, unit["id"]))
        progress.append(
            UnitProgress(unit["key"], unit["name"])
            if sent is None
            else UnitProgress(
                unit["key"], unit["name"], sent["versions"], sent["latest_at"], sent["first_at"]
            )
        )
    return tuple(sorted(progress, key=lambda unit: unit.unit_name))
