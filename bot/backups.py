"""Backups wired to the settings: what `baocao backup`, `restore` and `verify` run, and the daily
job of `baocao run` (storage/backup.py does the work, scheduler/backups.py the timing)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.errors import UserError
from scheduler.backups import DailyBackup, Made
from storage.backup import (
    BackupResult,
    BackupTurn,
    FileProblem,
    Manifest,
    Progress,
    RestoreTarget,
    automatic_name,
    create_backup,
    prune_backups,
    restore_backup,
)
from storage.db import make_engine
from storage.migrate import current, upgrade


async def make_backup(
    config: Settings, destination: Path, *, now: datetime, progress: Progress | None = None
) -> BackupResult:
    """Write a backup of everything to `destination` (a new file)."""
    try:
        return await create_backup(
            url=config.resolved_database_url(),
            data_dir=config.data_dir,
            destination=destination,
            now=now,
            progress=progress,
        )
    except OSError as error:  # the disk filled, the folder went: nothing was left behind
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.ENOENT):
            raise UserError("backup-error-write-failed", file=str(destination)) from None
        raise


async def restore(
    config: Settings, archive: Path, *, progress: Progress | None = None
) -> tuple[Manifest, str | None]:
    """Restore `archive` into the configured, empty database and data folder, then bring its
    schema up to date; returns the backup's manifest and the schema revision now."""
    url = config.resolved_database_url()
    target = RestoreTarget(url=url, data_dir=config.data_dir, group_read=config.data_group_read)
    try:
        manifest = await restore_backup(archive, target, progress)
    except OSError as error:  # unpacking filled the disk, or the folder cannot be written
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
            raise UserError("backup-error-restore-failed", folder=str(config.data_dir)) from None
        raise
    engine = make_engine(url)
    try:
        await upgrade(engine)
        return manifest, await current(engine)
    finally:
        await engine.dispose()


async def verify_files(
    config: Settings, *, progress: Progress | None = None
) -> tuple[int, list[FileProblem]]:
    """How many submitted files there are, and those not as their rows say."""
    from bot.services import database
    from storage.backup import check_stored_files

    async with database(config) as engine:
        return await check_stored_files(engine, config.data_dir, progress)


def daily_backups(
    config: Settings, engine: AsyncEngine, clock: Callable[[], datetime]
) -> DailyBackup | None:
    """The daily backup job of a running bot, or None when BAOCAO_BACKUP_KEEP is 0."""
    if config.backup_keep <= 0:
        return None
    from storage.files import make_private_dirs

    zone = ZoneInfo(config.timezone)
    folder = config.resolved_backup_dir()
    turn = BackupTurn(engine)

    async def make(now: datetime) -> Made:
        make_private_dirs(folder, group_read=config.data_group_read)
        destination = folder / automatic_name(now.astimezone(zone))
        result = await make_backup(config, destination, now=now)
        prune_backups(folder, config.backup_keep, now=now)
        return Made(path=str(result.path), size=result.size, keep=config.backup_keep)

    return DailyBackup(
        take_turn=turn.take, give_turn=turn.release, make=make, clock=clock, zone=zone
    )
