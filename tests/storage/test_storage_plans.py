"""Applying plans: upsert by key, idempotence, archiving and refusing to lose history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from plans_factory import big_plan, instance, plan, report, small_plan, unit
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, row_counts, snapshot, submit_as_unit

from bot.core.i18n import t
from bot.core.plan.model import Plan
from storage.db import read_session
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
from storage.plans import AppliedPlan, applied_plan, apply_plan


async def instance_id(engine: AsyncEngine, report_key: str, key: str) -> int:
    async with read_session(engine) as session:
        found = await session.scalar(
            sa.select(report_instance_t.c.id)
            .join(report_t, report_t.c.id == report_instance_t.c.report_id)
            .where(report_t.c.key == report_key, report_instance_t.c.key == key)
        )
    assert isinstance(found, int)
    return found


async def archived(engine: AsyncEngine, table: sa.Table) -> dict[str, bool]:
    async with read_session(engine) as session:
        rows = await session.execute(sa.select(table.c.key, table.c.archived_at))
        return {key: at is not None for key, at in rows}


async def archived_instances(engine: AsyncEngine) -> dict[str, bool]:
    async with read_session(engine) as session:
        rows = await session.execute(
            sa.select(
                report_t.c.key, report_instance_t.c.key, report_instance_t.c.archived_at
            ).join(report_t, report_t.c.id == report_instance_t.c.report_id)
        )
        return {f"{report}/{key}": at is not None for report, key, at in rows}


async def submit(engine: AsyncEngine, files: Path, report_key: str, key: str, unit_key: str) -> int:
    receipt = await submit_as_unit(
        engine,
        files,
        instance_id=await instance_id(engine, report_key, key),
        unit_key=unit_key,
        text="Đã thực hiện",
        now=NOW,
    )
    return receipt.submission_id


async def test_first_apply_creates_everything(engine: AsyncEngine) -> None:
    the_plan = small_plan()
    result = await apply_plan(engine, the_plan, path="plans/ke-hoach.yaml", now=NOW)

    assert result.changed and result.organisation_changed
    assert result.units.added == ("vp", "bgd", "kh", "tc", "ns")
    assert result.reports.added == ("dan-chu", "dan-chu-tong-hop")
    assert result.instances.added == (
        "dan-chu/2024-H1",
        "dan-chu/2024-H2",
        "dan-chu-tong-hop/2024-H1",
        "dan-chu-tong-hop/2024-H2",
    )
    counts = await row_counts(engine)
    assert counts["unit"] == 5 and counts["report"] == 2 and counts["report_instance"] == 4
    assert counts["report_submitter"] == 4 and counts["report_dependency"] == 1
    assert counts["audit"] == 1
    assert await applied_plan(engine) == AppliedPlan(the_plan.source, "plans/ke-hoach.yaml", "")

    async with read_session(engine) as session:
        row = (
            (
                await session.execute(
                    sa.select(report_instance_t).where(report_instance_t.c.key == "2024-H1")
                )
            )
            .mappings()
            .first()
        )
        rules = await session.scalar(sa.select(report_t.c.reminder_rules).limit(1))
        digest = await session.scalar(sa.select(organisation_t.c.plan_digest))
    assert row is not None
    spec = the_plan.reports[0].instances[0]
    assert row["due_end"] == spec.due_end  # 05/6 00:00 in Hanoi = 04/6 17:00 UTC
    assert row["due_end"].hour == 17 and row["due_end"].utcoffset() == timedelta(0)
    assert (row["due_day"], row["last_day"]) == (date(2024, 6, 5), date(2024, 6, 4))
    assert (row["period_key"], row["period_start"]) == ("2024-H1", date(2023, 12, 15))
    assert rules == ["7d", "last_day", "overdue"]
    assert digest == the_plan.digest


async def test_nothing_before_the_first_apply(engine: AsyncEngine) -> None:
    assert await applied_plan(engine) is None


async def test_reapplying_the_same_plan_changes_nothing(engine: AsyncEngine) -> None:
    the_plan = small_plan()
    await apply_plan(engine, the_plan, path="p.yaml", now=NOW)
    before = await snapshot(engine)

    again = await apply_plan(engine, the_plan, path="p.yaml", now=NOW + timedelta(hours=1))

    assert not again.changed
    assert await snapshot(engine) == before  # no row touched, no audit row, same applied_at


async def test_edited_plan_updates_in_place_and_keeps_submissions(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    h1 = await instance_id(engine, "dan-chu", "2024-H1")
    submission = await submit(engine, tmp_path, "dan-chu", "2024-H1", "kh")
    counts = await row_counts(engine)

    dan_chu = first.reports[0]
    moved = instance("2024-H1", date(2024, 6, 7), period=dan_chu.instances[0].period)
    edited = replace(
        first,
        units=tuple(
            replace(u, name="Phòng Kế hoạch - Tài chính") if u.key == "kh" else u
            for u in first.units
        ),
        reports=(replace(dan_chu, instances=(moved, dan_chu.instances[1])), first.reports[1]),
        source=first.source + "# edited\n",
    )
    result = await apply_plan(engine, edited, path="p.yaml", now=NOW)

    assert result.units.updated == ("kh",) and not result.units.added
    assert result.instances.updated == ("dan-chu/2024-H1",) and not result.instances.added
    assert not result.reports.changed
    assert await instance_id(engine, "dan-chu", "2024-H1") == h1
    after = await row_counts(engine)
    assert after == {**counts, "audit": counts["audit"] + 1}
    async with read_session(engine) as session:
        name = await session.scalar(sa.select(unit_t.c.name).where(unit_t.c.key == "kh"))
        due_end = await session.scalar(
            sa.select(report_instance_t.c.due_end).where(report_instance_t.c.id == h1)
        )
        kept = await session.scalar(
            sa.select(submission_t.c.instance_id).where(submission_t.c.id == submission)
        )
    assert name == "Phòng Kế hoạch - Tài chính"
    assert due_end == moved.due_end
    assert kept == h1


async def test_changed_submitters_and_dependencies(engine: AsyncEngine) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    edited = replace(
        first,
        reports=(
            replace(first.reports[0], submitters=("kh", "ns", "vp")),
            replace(first.reports[1], depends_on=()),
        ),
    )
    result = await apply_plan(engine, edited, path="p.yaml", now=NOW)
    assert result.reports.updated == ("dan-chu", "dan-chu-tong-hop")
    async with read_session(engine) as session:
        submitters = set(
            await session.scalars(
                sa.select(unit_t.c.key)
                .join(report_submitter_t, report_submitter_t.c.unit_id == unit_t.c.id)
                .join(report_t, report_t.c.id == report_submitter_t.c.report_id)
                .where(report_t.c.key == "dan-chu")
            )
        )
        dependencies = await session.scalar(
            sa.select(sa.func.count()).select_from(report_dependency_t)
        )
    assert submitters == {"kh", "ns", "vp"}
    assert dependencies == 0


def without_unit(the_plan: Plan, key: str) -> Plan:
    return replace(
        the_plan,
        units=tuple(u for u in the_plan.units if u.key != key),
        reports=tuple(
            replace(r, submitters=tuple(s for s in r.submitters if s != key))
            for r in the_plan.reports
        ),
    )


async def test_removing_items_with_submissions_is_refused(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    await submit(engine, tmp_path, "dan-chu", "2024-H1", "kh")
    await submit(engine, tmp_path, "dan-chu", "2024-H2", "tc")
    await submit(engine, tmp_path, "dan-chu-tong-hop", "2024-H1", "vp")
    before = await snapshot(engine)

    tong_hop = replace(first.reports[1], instances=first.reports[1].instances[1:], depends_on=())
    edited = replace(without_unit(first, "kh"), reports=(tong_hop,))  # drops dan-chu too
    edited = without_unit(edited, "ns")  # no submissions: not a conflict
    with pytest.raises(PlanConflictError) as caught:
        await apply_plan(engine, edited, path="p.yaml", now=NOW)

    error = caught.value
    assert error.units == ("kh",)
    assert error.reports == ("dan-chu",)
    assert error.instances == ("dan-chu-tong-hop/2024-H1",)
    assert await snapshot(engine) == before  # nothing written
    message = t(error.key, **error.params)
    assert "kh" in message and "dan-chu-tong-hop/2024-H1" in message


async def test_archive_keeps_history(engine: AsyncEngine, tmp_path: Path) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    submission = await submit(engine, tmp_path, "dan-chu", "2024-H1", "kh")
    edited = without_unit(first, "kh")
    edited = replace(edited, reports=(replace(edited.reports[0], instances=()), edited.reports[1]))

    result = await apply_plan(engine, edited, path="p.yaml", archive=True, now=NOW)

    assert result.units.archived == ("kh",)
    assert result.instances.archived == ("dan-chu/2024-H1", "dan-chu/2024-H2")
    assert (await archived(engine, unit_t))["kh"]
    assert await archived_instances(engine) == {
        "dan-chu/2024-H1": True,
        "dan-chu/2024-H2": True,
        "dan-chu-tong-hop/2024-H1": False,
        "dan-chu-tong-hop/2024-H2": False,
    }
    async with read_session(engine) as session:
        kept = (
            await session.execute(
                sa.select(submission_t.c.id, submission_t.c.text).where(
                    submission_t.c.id == submission
                )
            )
        ).one()
        audits = await session.scalar(
            # The head's invite and registration are audited too; only the plan's are counted.
            sa.select(sa.func.count()).where(audit_t.c.action == "plan.apply")
        )
    assert tuple(kept) == (submission, "Đã thực hiện")
    assert audits == 2


async def test_removal_without_submissions_archives_and_readding_restores(
    engine: AsyncEngine,
) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    counts = await row_counts(engine)
    smaller = plan(
        [u for u in first.units if u.key != "ns"],
        [
            replace(first.reports[0], submitters=("kh", "tc")),  # dan-chu-tong-hop is gone
        ],
    )

    removed = await apply_plan(engine, smaller, path="p.yaml", now=NOW)

    assert removed.units.archived == ("ns",)
    assert removed.reports.archived == ("dan-chu-tong-hop",)
    assert removed.instances.archived == ("dan-chu-tong-hop/2024-H1", "dan-chu-tong-hop/2024-H2")
    assert removed.reports.updated == ("dan-chu",)  # lost a submitter
    units = await archived(engine, unit_t)
    assert units["ns"] and not units["kh"]
    assert (await archived(engine, report_t))["dan-chu-tong-hop"]

    restored = await apply_plan(engine, first, path="p.yaml", now=NOW)

    assert restored.units.restored == ("ns",) and not restored.units.added
    assert restored.reports.restored == ("dan-chu-tong-hop",)
    assert restored.instances.restored == (
        "dan-chu-tong-hop/2024-H1",
        "dan-chu-tong-hop/2024-H2",
    )
    assert not any((await archived(engine, unit_t)).values())
    assert not any((await archived(engine, report_t)).values())
    after = await row_counts(engine)
    assert after == {**counts, "audit": counts["audit"] + 2}  # no duplicate rows


async def test_new_units_reports_and_instances_are_added(engine: AsyncEngine) -> None:
    first = small_plan()
    await apply_plan(engine, first, path="p.yaml", now=NOW)
    grown = plan(
        [*first.units, unit("yt")],
        [
            replace(
                first.reports[0],
                submitters=(*first.reports[0].submitters, "yt"),
                instances=(*first.reports[0].instances, instance("2025-H1", date(2025, 6, 5))),
            ),
            first.reports[1],
            report("chuyen-de", ["yt"], instances=[instance("once", date(2024, 9, 30))]),
        ],
    )
    result = await apply_plan(engine, grown, path="p2.yaml", now=NOW)
    assert result.units.added == ("yt",)
    assert result.reports.added == ("chuyen-de",)
    assert result.reports.updated == ("dan-chu",)
    assert result.instances.added == ("dan-chu/2025-H1", "chuyen-de/once")
    assert await applied_plan(engine) == AppliedPlan(grown.source, "p2.yaml", "")


async def test_big_plan_applies_and_reapplies_without_change(engine: AsyncEngine) -> None:
    """Correctness at scale; the timing goal is measured by benchmarks/plan_bench.py, not here."""
    the_plan = big_plan(units=2000, reports=24)
    result = await apply_plan(engine, the_plan, path="big.yaml", now=NOW)
    again = await apply_plan(engine, the_plan, path="big.yaml", now=NOW)

    assert len(result.units.added) == 2002 and len(result.instances.added) == 48
    assert not again.changed
    counts = await row_counts(engine)
    assert counts["report_submitter"] == 48_000
