"""A season to back up (the seed plan applied, files submitted), and every row of every table."""

from __future__ import annotations

import asyncio
import hashlib
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.core.model import StagedFile, SubmissionKind
from storage.db import make_engine


def head_revision() -> str:
    """The newest migration: what a fresh database is at, whatever migrations came since."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


HEAD_REVISION = head_revision()
REPORT = "dcs-6-thang-2024"
UNITS = ("phong-ttbcxb", "phong-cntt-bcvt", "trung-tam-gsdh")


def submit_files(url: str, data_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Each unit named in `files` (unit key: content) sends its file for REPORT, through an
    invite as a person would; returns the receipt codes."""
    from bot.core.plan.model import Role
    from storage.files import LocalFileStore
    from storage.invites import create_invite
    from storage.repository import SqlRepository

    async def go() -> list[str]:
        engine = make_engine(url)
        receipts = []
        try:
            now = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)
            store = LocalFileStore(data_dir)
            repository = SqlRepository(engine, store)
            for unit, data in files.items():
                invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=now)
                redemption = await repository.redeem_invite(
                    code=invite.code,
                    platform="telegram",
                    user_id=f"u-{unit}",
                    chat_id=f"u-{unit}",
                    display_name=f"Đầu mối {unit}",
                    now=now,
                )
                assert redemption.contact is not None
                (instance,) = await repository.status(report_key=REPORT, now=now)
                staged = store.staging_path(".pdf")
                staged.write_bytes(data)
                receipt = await repository.submit(
                    instance_id=instance.instance_id,
                    unit_key=unit,
                    contact_id=redemption.contact.id,
                    kind=SubmissionKind.FILE,
                    source_ref=f"backup-test:{unit}",
                    text=None,
                    file=StagedFile(
                        staged, f"Báo cáo {unit}.pdf", len(data), hashlib.sha256(data).hexdigest()
                    ),
                    now=now,
                )
                receipts.append(receipt.receipt_code)
        finally:
            await engine.dispose()
        return receipts

    return asyncio.run(go())


def every_row(url: str) -> dict[str, list[str]]:
    """Every row of every table the database holds (whatever its schema), as sorted text."""

    async def go() -> dict[str, list[str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
                found = {}
                for name in sorted(names):
                    rows = await connection.execute(sa.text(f'SELECT * FROM "{name}"'))
                    found[name] = sorted(repr(tuple(row)) for row in rows)
                return found
        finally:
            await engine.dispose()

    return asyncio.run(go())


def members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive) as tar:
        found = []
        for member in tar:
            source = tar.extractfile(member)
            found.append((member, source.read() if source else b""))
        return found


def rewrite(archive: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    """Write `archive` again with `entries` (a member and its data), as a forger would."""
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
