"""Exporting a report's status as a workbook: the Office's use case, from the CLI or a chat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.model import InstanceStatus
from bot.core.ports import ReportInstances, SubmissionRegister, WorkbookWriter
from bot.core.statusbook import Workbook, file_name, status_workbook


class ExportWriteError(Exception):
    """The workbook could not be written where it was asked for (disk full, folder gone);
    nothing was left half-written."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What was written: for the person's message and the file's name."""

    report_key: str
    report_name: str
    instances: tuple[InstanceStatus, ...]
    versions: int
    file_name: str  # the name the person receives it under
    size: int  # bytes


class StatusExport:
    """Builds the status workbook of a report (or one of its instances) and writes it."""

    def __init__(
        self,
        *,
        instances: ReportInstances,
        register: SubmissionRegister,
        writer: WorkbookWriter,
    ) -> None:
        self.instances = instances
        self.register = register
        self.writer = writer

    async def workbook(
        self, *, report_key: str, instance_key: str | None, now: datetime, tz: ZoneInfo
    ) -> tuple[Workbook, list[InstanceStatus], int]:
        """The workbook, the instances it covers and how many versions it lists.

        A report nobody knows, or an instance it does not have, is a UserError naming the
        ones there are.
        """
        try:
            statuses = await self.instances.status(report_key=report_key, now=now)
        except LookupError:
            every = await self.instances.status(report_key=None, now=now)
            codes = ", ".join(dict.fromkeys(i.report_key for i in every)) or "—"
            raise UserError("xlsx-unknown-report", report=report_key, codes=codes) from None
        if instance_key is not None:
            wanted = instance_key.strip().casefold()
            chosen = [i for i in statuses if i.instance_key.casefold() == wanted]
            if not chosen:
                keys = ", ".join(i.instance_key for i in statuses) or "—"
                raise UserError(
                    "xlsx-unknown-instance", report=report_key, instance=instance_key, keys=keys
                )
            statuses = chosen
        if not statuses:
            raise UserError("xlsx-no-instances", report=report_key)
        entries = await self.register.register(instance_ids=[i.instance_id for i in statuses])
        contacts = await self.register.unit_contacts()
        book = status_workbook(statuses, entries, contacts, tz=tz, now=now)
        return book, statuses, len(entries)

    async def write(
        self,
        *,
        report_key: str,
        instance_key: str | None,
        path: Path,
        now: datetime,
        tz: ZoneInfo,
    ) -> Exported:
        """Write the workbook to `path`, whole or not at all."""
        book, statuses, versions = await self.workbook(
            report_key=report_key, instance_key=instance_key, now=now, tz=tz
        )
        try:
            size = await asyncio.to_thread(self._write, book, path)
        except OSError as error:
            raise ExportWriteError(str(path)) from error
        only = statuses[0] if len(statuses) == 1 else None
        return Exported(
            report_key=statuses[0].report_key,
            report_name=statuses[0].report_name,
            instances=tuple(statuses),
            versions=versions,
            file_name=file_name(statuses[0].report_name, only),
            size=size,
        )

    def _write(self, book: Workbook, path: Path) -> int:
        self.writer.write(book, path)
        return path.stat().st_size
