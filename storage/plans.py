"""Apply a checked plan to the database: upsert by key, archive what left, never lose history.

Everything happens in one write transaction. Existing rows are loaded in bulk, compared with the
plan, and only differences are written (bulk inserts, executemany updates), so applying the same
plan twice writes nothing and a plan of thousands of units applies in well under a second or two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.plan.changes import AppliedPlan, ApplyResult, KeyChanges
from bot.core.plan.model import InstanceSpec, Plan, ReportSpec, UnitSpec
from storage.audit import record_audit
from storage.db import read_session, write_session
from storage.errors import PlanConflictError
from storage.models import (
    audit_t,
    organisation_t,
    report_dependency_t,
    report_instance_t,
    report_submitter_t,
    report_t,
    submission_t,
    unit_t,
)

ORGANISATION_ID = 1
_IN_CHUNK = 5_000  # keeps IN lists under both backends' bound-parameter limits


def instance_label(report_key: str, instance_key: str) -> str:
    return f"{report_key}/{instance_key}"


async def apply_plan(
    engine: AsyncEngine,
    plan: Plan,
    *,
    path: str,
    archive: bool = False,
    now: datetime,
    actor: str = "cli",
) -> ApplyResult:
    """Make the database match `plan`.

    Units, reports and instances that the plan no longer has are archived (soft-deleted); if any
    of them has submissions, `PlanConflictError` is raised and nothing is written, unless
    `archive` is true. A key that comes back is restored. Raises ValueError for a plan that
    names a unit or report it does not define (the loader rejects such plans).
    """
    _check_references(plan)
    async with write_session(engine) as session:
        return await _Apply(session, plan, path=path, archive=archive, now=now).run(actor)


async def applied_plan(engine: AsyncEngine) -> AppliedPlan | None:
    """The plan applied last, or None before the first apply."""
    columns = (organisation_t.c.plan_source, organisation_t.c.plan_path, organisation_t.c.plan_data)
    async with read_session(engine) as session:
        row = (
            await session.execute(sa.select(*columns).where(organisation_t.c.id == ORGANISATION_ID))
        ).first()
    return None if row is None else AppliedPlan(source=row[0], path=row[1], data=row[2])


async def applied_by(engine: AsyncEngine) -> str | None:
    """Who made the last change of plan (the `actor` given to `apply_plan`), or None."""
    async with read_session(engine) as session:
        actor = await session.scalar(
            sa.select(audit_t.c.actor)
            .where(audit_t.c.action == "plan.apply")
            .order_by(audit_t.c.id.desc())
            .limit(1)
        )
    return None if actor is None else str(actor)


def _check_references(plan: Plan) -> None:
    unit_keys = {unit.key for unit in plan.units}
    report_keys = {report.key for report in plan.reports}
    for report in plan.reports:
        missing = [k for k in (report.receiver, *report.submitters) if k not in unit_keys]
        missing += [k for k in report.depends_on if k not in report_keys]
        if missing:
            raise ValueError(f"report {report.key!r} names undefined keys: {missing}")


def _unit_values(spec: UnitSpec) -> dict[str, Any]:
    return {"name": spec.name, "short_name": spec.short_name, "type": str(spec.type)}


def _report_values(spec: ReportSpec, unit_ids: Mapping[str, int]) -> dict[str, Any]:
    return {
        "name": spec.name,
        "kind": str(spec.kind),
        "receiver_unit_id": unit_ids[spec.receiver],
        "forward_files": spec.forward_files,
        "every": None if spec.every is None else str(spec.every),
        "escalate_after_days": spec.escalate_after_days,
        "reminder_rules": [rule.key for rule in spec.reminder_rules],
    }


def _instance_values(spec: InstanceSpec) -> dict[str, Any]:
    period = spec.period
    return {
        "due_kind": str(spec.deadline.kind),
        "due_day": spec.deadline.day,
        "due_time": spec.deadline.at,
        "due_end": spec.due_end,
        "last_day": spec.last_day,
        "overdue_from": spec.overdue_from,
        "period_key": None if period is None else period.key,
        "period_start": None if period is None else period.start,
        "period_end": None if period is None else period.end,
    }


@dataclass
class _Sorting:
    """Plan rows sorted against the stored ones: new, changed, and archived ones coming back."""

    added: list[dict[str, Any]] = field(default_factory=list)
    added_keys: list[str] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def take(
        self,
        label: str,
        row: Mapping[str, Any] | None,
        values: dict[str, Any],
        identity: dict[str, Any],
    ) -> None:
        """`identity`: the columns that name a new row (its key, its report)."""
        if row is None:
            self.added.append({**identity, "archived_at": None, **values})
            self.added_keys.append(label)
            return
        differs = _differs(row, values)
        archived = row["archived_at"] is not None
        if differs:
            self.updated.append(label)
        if archived:
            self.restored.append(label)
        if differs or archived:
            self.updates.append({"id": row["id"], "archived_at": None, **values})

    def changes(self, archived: Iterable[str]) -> KeyChanges:
        return KeyChanges(
            added=tuple(self.added_keys),
            updated=tuple(self.updated),
            archived=tuple(sorted(archived)),
            restored=tuple(self.restored),
        )


def _differs(row: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return any(row[name] != value for name, value in values.items())


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


class _Apply:
    """One apply: the loaded state, the plan, and the writes that reconcile them."""

    def __init__(
        self, session: AsyncSession, plan: Plan, *, path: str, archive: bool, now: datetime
    ) -> None:
        self.session = session
        self.plan = plan
        self.path = path
        self.archive = archive
        self.now = now
        self.digest = plan.digest or hashlib.sha256(plan.source.encode()).hexdigest()

    async def _rows(self, statement: sa.Select[Any]) -> list[Mapping[str, Any]]:
        return list((await self.session.execute(statement)).mappings().all())

    async def run(self, actor: str) -> ApplyResult:
        units = {row["key"]: row for row in await self._rows(sa.select(unit_t))}
        reports = {row["key"]: row for row in await self._rows(sa.select(report_t))}
        report_key_by_id = {row["id"]: key for key, row in reports.items()}
        instances = {
            (report_key_by_id[row["report_id"]], row["key"]): row
            for row in await self._rows(sa.select(report_instance_t))
        }

        plan_units = {unit.key for unit in self.plan.units}
        plan_reports = {report.key for report in self.plan.reports}
        plan_instances = {
            (report.key, instance.key)
            for report in self.plan.reports
            for instance in report.instances
        }
        gone_units = [
            row
            for key, row in units.items()
            if key not in plan_units and row["archived_at"] is None
        ]
        gone_reports = [
            row
            for key, row in reports.items()
            if key not in plan_reports and row["archived_at"] is None
        ]
        gone_instances = [
            (key, row)
            for key, row in instances.items()
            if key not in plan_instances and row["archived_at"] is None
        ]
        await self._refuse_lost_history(gone_units, gone_reports, instances, gone_instances)

        unit_changes, unit_ids = await self._apply_units(units, gone_units)
        report_changes, report_ids = await self._apply_reports(reports, gone_reports, unit_ids)
        links_changed = await self._apply_links(report_ids, unit_ids)
        instance_changes = await self._apply_instances(instances, gone_instances, report_ids)
        # Added, archived and restored reports gain or lose all their links: no news there.
        quiet = {*report_changes.added, *report_changes.archived, *report_changes.restored}
        link_news = links_changed - quiet - set(report_changes.updated)
        if link_news:
            updated = {*report_changes.updated, *link_news}
            in_plan_order = tuple(r.key for r in self.plan.reports if r.key in updated)
            report_changes = replace(report_changes, updated=in_plan_order)
        result = ApplyResult(units=unit_changes, reports=report_changes, instances=instance_changes)
        organisation_changed = await self._apply_organisation(touch=result.changed)
        result = replace(result, organisation_changed=organisation_changed)
        if result.changed:
            await self._audit(result, actor)
        return result

    async def _refuse_lost_history(
        self,
        gone_units: list[Mapping[str, Any]],
        gone_reports: list[Mapping[str, Any]],
        instances: Mapping[tuple[str, str], Mapping[str, Any]],
        gone_instances: list[tuple[tuple[str, str], Mapping[str, Any]]],
    ) -> None:
        if self.archive or not (gone_units or gone_reports or gone_instances):
            return
        units_with = await self._having_submissions(
            submission_t.c.unit_id, [row["id"] for row in gone_units]
        )
        gone_report_keys = {row["key"] for row in gone_reports}
        gone_instance_ids = {row["id"] for _, row in gone_instances}
        # Every instance of a dropped report counts, archived ones included: their history
        # would disappear from view with the report.
        checked = [
            (key, row)
            for key, row in instances.items()
            if key[0] in gone_report_keys or row["id"] in gone_instance_ids
        ]
        instances_with = await self._having_submissions(
            submission_t.c.instance_id, [row["id"] for _, row in checked]
        )
        conflict_units = sorted(row["key"] for row in gone_units if row["id"] in units_with)
        conflict_reports = sorted(
            {
                key[0]
                for key, row in checked
                if key[0] in gone_report_keys and row["id"] in instances_with
            }
        )
        conflict_instances = sorted(
            instance_label(*key)
            for key, row in checked
            if key[0] not in gone_report_keys and row["id"] in instances_with
        )
        if conflict_units or conflict_reports or conflict_instances:
            raise PlanConflictError(
                units=conflict_units, reports=conflict_reports, instances=conflict_instances
            )

    async def _having_submissions(self, column: sa.Column[Any], ids: list[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(ids):
            result = await self.session.execute(
                sa.select(column).where(column.in_(chunk)).distinct()
            )
            found.update(result.scalars())
        return found

    async def _archive(self, table: sa.Table, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            await self.session.execute(
                sa.update(table).where(table.c.id.in_(chunk)).values(archived_at=self.now)
            )

    async def _update_many(
        self, table: sa.Table, rows: list[dict[str, Any]], columns: Iterable[str]
    ) -> None:
        """One executemany UPDATE ... WHERE id = :row_id for rows that all set `columns`."""
        if not rows:
            return
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(f"new_{name}") for name in columns})
        )
        params = [
            {"row_id": row["id"], **{f"new_{k}": v for k, v in row.items() if k != "id"}}
            for row in rows
        ]
        await self.session.execute(statement, params)

    async def _insert_returning_ids(
        self, table: sa.Table, rows: list[dict[str, Any]], *key_columns: str
    ) -> dict[tuple[Any, ...], int]:
        if not rows:
            return {}
        statement = sa.insert(table).returning(table.c.id, *(table.c[name] for name in key_columns))
        result = await self.session.execute(statement, rows)
        return {tuple(row[1:]): row[0] for row in result}

    async def _apply_units(
        self, units: Mapping[str, Mapping[str, Any]], gone: list[Mapping[str, Any]]
    ) -> tuple[KeyChanges, dict[str, int]]:
        unit_ids = {key: row["id"] for key, row in units.items()}
        sorting = _Sorting()
        for spec in self.plan.units:
            sorting.take(spec.key, units.get(spec.key), _unit_values(spec), {"key": spec.key})
        new_ids = await self._insert_returning_ids(unit_t, sorting.added, "key")
        unit_ids.update({key: id_ for (key,), id_ in new_ids.items()})
        await self._update_many(
            unit_t, sorting.updates, ["archived_at", "name", "short_name", "type"]
        )
        await self._archive(unit_t, [row["id"] for row in gone])
        changes = sorting.changes(row["key"] for row in gone)
        return changes, unit_ids

    async def _apply_reports(
        self,
        reports: Mapping[str, Mapping[str, Any]],
        gone: list[Mapping[str, Any]],
        unit_ids: Mapping[str, int],
    ) -> tuple[KeyChanges, dict[str, int]]:
        report_ids = {key: row["id"] for key, row in reports.items()}
        sorting = _Sorting()
        columns: list[str] = []
        for spec in self.plan.reports:
            values = _report_values(spec, unit_ids)
            columns = ["archived_at", *values]
            sorting.take(spec.key, reports.get(spec.key), values, {"key": spec.key})
        new_ids = await self._insert_returning_ids(report_t, sorting.added, "key")
        report_ids.update({key: id_ for (key,), id_ in new_ids.items()})
        await self._update_many(report_t, sorting.updates, columns)
        await self._archive(report_t, [row["id"] for row in gone])
        changes = sorting.changes(row["key"] for row in gone)
        return changes, report_ids

    async def _apply_links(
        self, report_ids: Mapping[str, int], unit_ids: Mapping[str, int]
    ) -> set[str]:
        """Sync submitters and dependencies; return the keys of reports whose links changed."""
        report_key_by_id = {id_: key for key, id_ in report_ids.items()}
        changed: set[str] = set()
        for table, target, wanted in (
            (
                report_submitter_t,
                "unit_id",
                {
                    (report_ids[spec.key], unit_ids[unit_key])
                    for spec in self.plan.reports
                    for unit_key in spec.submitters
                },
            ),
            (
                report_dependency_t,
                "depends_on_report_id",
                {
                    (report_ids[spec.key], report_ids[other])
                    for spec in self.plan.reports
                    for other in spec.depends_on
                },
            ),
        ):
            result = await self.session.execute(sa.select(table.c.report_id, table.c[target]))
            existing: set[tuple[int, int]] = {(row[0], row[1]) for row in result}
            to_add = sorted(wanted - existing)
            to_drop = sorted(existing - wanted)
            if to_add:
                await self.session.execute(
                    sa.insert(table), [{"report_id": r, target: t} for r, t in to_add]
                )
            if to_drop:
                await self.session.execute(
                    sa.delete(table).where(
                        table.c.report_id == sa.bindparam("drop_report"),
                        table.c[target] == sa.bindparam("drop_target"),
                    ),
                    [{"drop_report": r, "drop_target": t} for r, t in to_drop],
                )
            changed.update(report_key_by_id[report_id] for report_id, _ in to_add + to_drop)
        return changed

    async def _apply_instances(
        self,
        instances: Mapping[tuple[str, str], Mapping[str, Any]],
        gone: list[tuple[tuple[str, str], Mapping[str, Any]]],
        report_ids: Mapping[str, int],
    ) -> KeyChanges:
        sorting = _Sorting()
        columns: list[str] = []
        for report in self.plan.reports:
            for spec in report.instances:
                values = _instance_values(spec)
                columns = ["archived_at", *values]
                sorting.take(
                    instance_label(report.key, spec.key),
                    instances.get((report.key, spec.key)),
                    values,
                    {"report_id": report_ids[report.key], "key": spec.key},
                )
        if sorting.added:
            await self.session.execute(sa.insert(report_instance_t), sorting.added)
        await self._update_many(report_instance_t, sorting.updates, columns)
        await self._archive(report_instance_t, [row["id"] for _, row in gone])
        return sorting.changes(instance_label(*key) for key, _ in gone)

    async def _apply_organisation(self, *, touch: bool) -> bool:
        """Store the plan's text and the organisation; `touch` renews applied_at anyway."""
        organisation = self.plan.organisation
        source = self.plan.source
        values = {
            "name": organisation.name,
            "short_name": organisation.short_name,
            "timezone": organisation.timezone,
            "plan_source": source,
            "plan_path": self.path,
            "plan_digest": self.digest,
            "plan_data": self.plan.data,
        }
        rows = await self._rows(
            sa.select(organisation_t).where(organisation_t.c.id == ORGANISATION_ID)
        )
        if not rows:
            await self.session.execute(
                sa.insert(organisation_t).values(id=ORGANISATION_ID, applied_at=self.now, **values)
            )
            return True
        differs = _differs(rows[0], values)
        if differs or touch:
            await self.session.execute(
                sa.update(organisation_t)
                .where(organisation_t.c.id == ORGANISATION_ID)
                .values(applied_at=self.now, **values)
            )
        return differs

    async def _audit(self, result: ApplyResult, actor: str) -> None:
        detail = {
            "path": self.path,
            "digest": self.digest,
            "archive": self.archive,
            "organisation_changed": result.organisation_changed,
            "units": result.units.as_dict(),
            "reports": result.reports.as_dict(),
            "instances": result.instances.as_dict(),
        }
        await record_audit(
            self.session, at=self.now, actor=actor, action="plan.apply", detail=detail
        )


class SqlPlans:
    """Implements bot.core.ports.PlanRecords over the functions above."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def has_plan(self) -> bool:
        return await applied_plan(self.engine) is not None

    async def apply_plan(
        self, plan: Plan, *, path: str, archive: bool, now: datetime, actor: str
    ) -> ApplyResult:
        return await apply_plan(self.engine, plan, path=path, archive=archive, now=now, actor=actor)

    async def applied_plan(self) -> AppliedPlan | None:
        return await applied_plan(self.engine)

    async def applied_by(self) -> str | None:
        return await applied_by(self.engine)
