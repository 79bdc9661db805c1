"""Signatures kept with their submission: recorded, replaced, shown for the latest version only;
and migration 0005 up, down and up again."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, NOW, audit_before_0010, row_counts, submit_as_unit

from bot.core.model import (
    Receipt,
    SignatureCheck,
    SignatureIntegrity,
    SignatureTrust,
    StagedFile,
    SubmissionKind,
)
from storage.files import LocalFileStore
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.plans import apply_plan
from storage.repository import SqlRepository
from storage.status import InstanceStatus, report_status

SIGNED = SignatureCheck(
    integrity=SignatureIntegrity.INTACT,
    trust=SignatureTrust.UNCHECKED,
    signer="Nguyễn Văn An",
    organisation="Phòng Kế hoạch",
    signed_at=NOW - timedelta(hours=2),
)
EDITED = SignatureCheck(integrity=SignatureIntegrity.MODIFIED, trust=SignatureTrust.TRUSTED)


@pytest.fixture
async def planned(engine: AsyncEngine) -> AsyncEngine:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    return engine


async def h1(engine: AsyncEngine) -> InstanceStatus:
    statuses = await report_status(engine, report_key="dan-chu", now=NOW)
    return next(s for s in statuses if s.instance_key == "2024-H1")


async def send_pdf(
    engine: AsyncEngine, files: Path, instance_id: int, unit: str, *, by_head: bool = True
) -> Receipt:
    """The unit's PDF, sent by its head (registered the first time); `by_head=False` sends it
    with no contact, as on a schema older than today's contact table."""
    data = b"%PDF-1.7 bao cao"
    staged = LocalFileStore(files).staging_path(".pdf")
    staged.write_bytes(data)
    file = StagedFile(staged, "bao-cao.pdf", len(data), hashlib.sha256(data).hexdigest())
    if not by_head:
        return await SqlRepository(engine, LocalFileStore(files)).submit(
            instance_id=instance_id,
            unit_key=unit,
            contact_id=None,
            kind=SubmissionKind.FILE,
            source_ref=f"test:{unit}:{instance_id}",
            now=NOW,
            file=file,
        )
    return await submit_as_unit(
        engine,
        files,
        instance_id=instance_id,
        unit_key=unit,
        kind=SubmissionKind.FILE,
        now=NOW,
        file=file,
    )


async def test_signatures_of_the_latest_version_show_in_the_status(
    planned: AsyncEngine, tmp_path: Path
) -> None:
    files = tmp_path / "store"
    repo = SqlRepository(planned, LocalFileStore(files))
    instance = (await h1(planned)).instance_id
    first = await send_pdf(planned, files, instance, "kh")
    path = await repo.stored_file(submission_id=first.submission_id)
    assert path is not None and path.read_bytes() == b"%PDF-1.7 bao cao"

    await repo.record_signatures(submission_id=first.submission_id, checks=[SIGNED, EDITED])
    # Recorded again (a redelivered update): replaced, not doubled.
    await repo.record_signatures(submission_id=first.submission_id, checks=[SIGNED, EDITED])
    units = {row.unit_key: row for row in (await h1(planned)).units}
    assert units["kh"].signatures == (SIGNED, EDITED)
    assert units["tc"].signatures == ()

    # A newer unsigned version: the status speaks of it, not of the signed one before.
    await send_pdf(planned, files, instance, "kh")
    units = {row.unit_key: row for row in (await h1(planned)).units}
    assert units["kh"].latest_version == 2
    assert units["kh"].signatures == ()
    assert (await row_counts(planned))["submission_signature"] == 2


async def test_a_text_submission_has_no_file(planned: AsyncEngine, tmp_path: Path) -> None:
    files = tmp_path / "store"
    repo = SqlRepository(planned, LocalFileStore(files))
    text = await submit_as_unit(
        planned,
        files,
        instance_id=(await h1(planned)).instance_id,
        unit_key="tc",
        text="x",
        now=NOW,
    )
    assert await repo.stored_file(submission_id=text.submission_id) is None
    assert await repo.stored_file(submission_id=987654) is None


async def test_long_certificate_names_are_cut(planned: AsyncEngine, tmp_path: Path) -> None:
    files = tmp_path / "store"
    repo = SqlRepository(planned, LocalFileStore(files))
    receipt = await send_pdf(planned, files, (await h1(planned)).instance_id, "ns")
    long = SignatureCheck(
        SignatureIntegrity.BROKEN, SignatureTrust.UNCHECKED, signer="A\n" * 500, organisation=" "
    )
    await repo.record_signatures(submission_id=receipt.submission_id, checks=[long])
    (check,) = {row.unit_key: row for row in (await h1(planned)).units}["ns"].signatures
    assert check.signer is not None and len(check.signer) <= 200 and "\n" not in check.signer
    assert check.organisation is None


async def test_0005_up_down_up(empty_engine: AsyncEngine, tmp_path: Path) -> None:
    engine = empty_engine
    await upgrade(engine, "0004")
    files = tmp_path / "store"
    with audit_before_0010():
        await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
        async with engine.connect() as connection:
            instance = await connection.scalar(
                sa.text("SELECT id FROM report_instance WHERE key = '2024-H1'")
            )
        await send_pdf(engine, files, instance, "kh", by_head=False)
    assert "submission_signature" not in await tables(engine)

    await upgrade(engine)
    assert await current(engine) == HEAD
    assert await schema_diff(engine) == []
    receipt = await send_pdf(engine, files, instance, "tc")
    repo = SqlRepository(engine, LocalFileStore(files))
    await repo.record_signatures(submission_id=receipt.submission_id, checks=[SIGNED])

    await downgrade(engine, "0004")
    assert await current(engine) == "0004"
    assert "submission_signature" not in await tables(engine)
    async with engine.connect() as connection:
        assert await connection.scalar(sa.text("SELECT count(*) FROM submission")) == 2

    await upgrade(engine)
    assert await current(engine) == HEAD
    assert await schema_diff(engine) == []
    assert (await row_counts(engine))["submission_signature"] == 0
    assert (await row_counts(engine))["submission"] == 2


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
