"""Report status: on time, late, missing, pending; versions and receipt codes."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, submit_as_unit

from bot.core.model import StagedFile, SubmissionKind
from bot.core.plan.model import DueKind
from storage.errors import UnknownReportError
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.models import report_instance_t
from storage.plans import apply_plan
from storage.status import (
    RECEIPT_ALPHABET,
    InstanceStatus,
    SubmissionState,
    report_status,
)


@pytest.fixture
async def planned(engine: AsyncEngine) -> AsyncEngine:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    return engine


async def h1(engine: AsyncEngine) -> InstanceStatus:
    statuses = await report_status(engine, report_key="dan-chu", now=NOW)
    return next(s for s in statuses if s.instance_key == "2024-H1")


async def test_on_time_late_missing(planned: AsyncEngine, tmp_path: Path) -> None:
    instance = await h1(planned)
    due = instance.due_end
    assert (instance.due_kind, instance.due_day, instance.due_time) == (
        DueKind.BEFORE,
        date(2024, 6, 5),
        None,
    )

    files = tmp_path / "store"
    first = await submit_as_unit(
        planned,
        files,
        instance_id=instance.instance_id,
        unit_key="kh",
        text="Báo cáo 6 tháng",
        now=due - timedelta(seconds=1),
    )
    data = b"PK\x03\x04 bao cao"
    staged = LocalFileStore(files).staging_path(".docx")
    staged.write_bytes(data)
    correction = await submit_as_unit(
        planned,
        files,
        instance_id=instance.instance_id,
        unit_key="kh",
        kind=SubmissionKind.FILE,
        file=StagedFile(
            path=staged,
            original_name="bao-cao.docx",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        now=due + timedelta(days=2),
    )
    await submit_as_unit(
        planned,
        files,
        instance_id=instance.instance_id,
        unit_key="tc",
        kind=SubmissionKind.PHOTO,
        now=due,  # due_end is the first moment that is late
    )
    assert (first.version, correction.version) == (1, 2)
    assert first.receipt_code != correction.receipt_code
    assert set(first.receipt_code) <= set(RECEIPT_ALPHABET)

    now = due + timedelta(days=3, hours=1)
    statuses = await report_status(planned, report_key=None, now=now)
    assert [(s.report_key, s.instance_key) for s in statuses] == [
        ("dan-chu", "2024-H1"),
        ("dan-chu-tong-hop", "2024-H1"),
        ("dan-chu", "2024-H2"),
        ("dan-chu-tong-hop", "2024-H2"),
    ]
    units = {u.unit_key: u for u in statuses[0].units}
    assert [u.unit_key for u in statuses[0].units] == ["kh", "tc", "ns"]

    kh, tc, ns = units["kh"], units["tc"], units["ns"]
    assert kh.state is SubmissionState.ON_TIME and kh.late_by is None
    assert (kh.versions, kh.latest_version) == (2, 2)
    assert kh.latest_at == due + timedelta(days=2) and kh.first_at == due - timedelta(seconds=1)
    assert kh.latest_at is not None and kh.latest_at.utcoffset() == timedelta(0)
    assert tc.state is SubmissionState.LATE and tc.late_by == timedelta(0)
    assert ns.state is SubmissionState.MISSING and ns.late_by == timedelta(days=3, hours=1)
    assert statuses[0].count(SubmissionState.MISSING) == 1
    assert statuses[0].period_key == "2024-H1"

    compiled = statuses[1]
    # The Office compiles before 10/6: on 08/6 it is not late yet.
    assert [(u.unit_key, u.state) for u in compiled.units] == [("vp", SubmissionState.PENDING)]
    later = statuses[2]
    assert {u.state for u in later.units} == {SubmissionState.PENDING}


async def test_unknown_report(planned: AsyncEngine) -> None:
    with pytest.raises(UnknownReportError):
        await report_status(planned, report_key="khong-co", now=NOW)


async def test_no_plan_no_status(engine: AsyncEngine) -> None:
    assert await report_status(engine, report_key=None, now=NOW) == []


async def test_one_round_alone(planned: AsyncEngine, tmp_path: Path) -> None:
    """A round's page reads its own round: the same status as among all, and nothing for a
    round that is not open (unknown, or archived with its plan)."""
    instance = await h1(planned)
    await submit_as_unit(
        planned,
        tmp_path / "store",
        instance_id=instance.instance_id,
        unit_key="kh",
        text="Báo cáo 6 tháng",
        now=instance.due_end - timedelta(days=1),
    )
    every = await report_status(planned, report_key=None, now=NOW)
    assert len(every) > 1
    (alone,) = await report_status(
        planned, report_key=None, now=NOW, instance_id=instance.instance_id
    )
    assert alone == next(s for s in every if s.instance_id == instance.instance_id)
    records = SqlReportInstances(planned)
    assert await records.round_status(instance_id=instance.instance_id, now=NOW) == alone
    assert await records.round_status(instance_id=10_000, now=NOW) is None
    async with planned.begin() as connection:
        await connection.execute(
            sa.update(report_instance_t)
            .where(report_instance_t.c.id == instance.instance_id)
            .values(archived_at=NOW)
        )
    assert await records.round_status(instance_id=instance.instance_id, now=NOW) is None
