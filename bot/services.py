"""The CLI's wiring: each call opens the database, brings its schema up to date, builds the
adapters and runs one use case (the Office's: `bot.core.office_desk.OfficeDesk` and `PlanDesk`).

The CLI stays a thin translation of arguments into these calls and of their results into text.
"""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.archive import ArchiveResult, Archives
from bot.core.chart import ProgressChart
from bot.core.drafts import Compiled
from bot.core.errors import UserError
from bot.core.export_desk import Exported, ExportWriteError, StatusExport
from bot.core.model import Contact, InstanceStatus, SignatureCheck
from bot.core.office import ContactView, InviteView
from bot.core.office_desk import OfficeDesk, PlanDesk
from bot.core.plan.changes import AppliedPlan
from bot.core.plan.model import Plan, Role
from bot.core.ports import ChartRenderer, ReportInstances, SignatureReader
from storage import plans as plan_store
from storage.audit import SqlAuditLog
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.invites import SqlInvites
from storage.migrate import current, upgrade
from storage.roster import SqlRoster
from storage.web_access import SqlWebAccess


@asynccontextmanager
async def database(config: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the configured database, migrated to the latest schema."""
    url = config.resolved_database_url()
    engine = make_engine(url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


async def upgrade_database(config: Settings) -> str | None:
    async with database(config) as engine:
        return await current(engine)


@asynccontextmanager
async def plan_desk(config: Settings) -> AsyncIterator[PlanDesk]:
    """Applying the plan, over the configured database and its reminder rows."""
    async with database(config) as engine:
        yield PlanDesk(
            plans=plan_store.SqlPlans(engine),
            reminders=PlanReminders(engine),
            same_file=same_file,
        )


class PlanReminders:
    """Implements bot.core.ports.ReminderPlanting with the dispatch loop's own planting."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def plant(self, plan: Plan, *, now: datetime) -> int:
        from scheduler.dispatcher import plant_reminders
        from storage.reminders import ReminderStore

        return await plant_reminders(ReminderStore(self.engine), plan, now=now)


async def apply_plan_file(
    config: Settings,
    plan: Plan,
    *,
    path: str,
    archive: bool,
    at: datetime,
    actor: str = "cli",
) -> list[str]:
    """Apply `plan` and describe what changed, one line per kind of change."""
    async with plan_desk(config) as desk:
        return await desk.apply(plan, path=path, archive=archive, now=at, actor=actor)


def same_file(first: str, second: str) -> bool:
    """Whether two paths, as typed (relative to the current folder), name one file."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them is gone: compare the names
        return Path(first).resolve() == Path(second).resolve()


async def apply_plan_at_start(
    config: Settings, plan: Plan, *, path: str, at: datetime
) -> list[str]:
    """Apply BAOCAO_PLAN on start only if its file changed since it was applied from `path`
    (see PlanDesk.apply_at_start). Returns what was done, in words."""
    async with plan_desk(config) as desk:
        return await desk.apply_at_start(plan, path=path, now=at)


async def applied_plan(config: Settings) -> AppliedPlan | None:
    async with plan_desk(config) as desk:
        return await desk.applied()


@asynccontextmanager
async def office_desk(config: Settings) -> AsyncIterator[OfficeDesk]:
    """The Office's use cases over the configured database and platforms."""
    async with database(config) as engine:
        yield OfficeDesk(
            invites=SqlInvites(engine),
            roster=SqlRoster(engine),
            instances=SqlReportInstances(engine),
            plans=plan_store.SqlPlans(engine),
            notifier=PlatformNotifier(config),
            web=SqlWebAccess(engine),
        )


async def create_invite(
    config: Settings,
    *,
    unit_key: str,
    role: Role,
    ttl: timedelta,
    at: datetime,
    same_as: int | None = None,
) -> InviteView:
    async with office_desk(config) as desk:
        return await desk.create_invite(
            unit_key=unit_key, role=role, ttl=ttl, now=at, same_as=same_as
        )


async def revoke_invite(config: Settings, *, code: str, at: datetime) -> tuple[InviteView, bool]:
    """Revoke an unused invite. Returns it, and whether it was revoked now (not before)."""
    async with office_desk(config) as desk:
        return await desk.revoke_invite(code=code, now=at)


async def list_invites(config: Settings, *, at: datetime) -> list[InviteView]:
    async with office_desk(config) as desk:
        return await desk.list_invites(now=at)


async def report_status(
    config: Settings, *, report_key: str | None, at: datetime
) -> list[InstanceStatus]:
    async with office_desk(config) as desk:
        return await desk.status(report_key=report_key, now=at)


def qr_problem(path: Path) -> tuple[str, dict[str, str]] | None:
    """Why a QR code could not be written to `path` (a catalog key and its arguments), or
    None. Asked before the invite is made, so that a wrong path leaves no code behind."""
    if path.is_dir():  # also "" and ".": a folder, where a file name was wanted
        return "cli-error-qr-is-folder", {"folder": str(path)}
    if not path.parent.resolve().is_dir():
        return "cli-error-qr-folder", {"folder": str(path.parent)}
    try:  # the one sure test that a file can be made there (permissions, read-only mounts)
        handle, probe = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
    except OSError:
        return "cli-error-qr-not-writable", {"folder": str(path.parent)}
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    return None


def write_qr(link: str, path: Path) -> None:
    """Write a QR code PNG of `link`; the file appears whole or not at all."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(link, image_factory=PyPNGImage)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            image.save(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def list_contacts(config: Settings) -> list[ContactView]:
    async with office_desk(config) as desk:
        return await desk.list_contacts()


async def remove_contact(
    config: Settings, *, contact_id: int, at: datetime
) -> tuple[Contact, bool, int]:
    """Take a contact off the bot; the person is told. Returns the contact, whether told, and
    how many of their waiting steps ended."""
    async with office_desk(config) as desk:
        return await desk.remove_contact(contact_id=contact_id, now=at)


async def move_contact(
    config: Settings, *, contact_id: int, unit_key: str, at: datetime
) -> tuple[Contact, bool, int]:
    """Move a contact to another unit; the person is told. Returns the contact, whether told,
    and how many of their waiting steps ended (they were started for the unit left)."""
    async with office_desk(config) as desk:
        return await desk.move_contact(contact_id=contact_id, unit_key=unit_key, now=at)


async def reach_on(config: Settings, *, contact_id: int, platform: str, at: datetime) -> Contact:
    """Have reminders reach the contact's person on `platform`; their account there."""
    async with office_desk(config) as desk:
        return await desk.reach_on(contact_id=contact_id, platform=platform, now=at)


class PlatformNotifier:
    """Implements bot.core.ports.Notifier with the platforms the configuration enables."""

    def __init__(self, config: Settings) -> None:
        self.config = config

    async def notify(self, contact: Contact, text: str) -> bool:
        return await notify(self.config, contact, text)


async def notify(config: Settings, contact: Contact, text: str) -> bool:
    """Send one message to a contact from outside the running bot, through the platform they
    registered on; False if it cannot be sent."""
    from bot.core.ports import DeliveryError, UnreachableError
    from bot.platforms import outbound_messenger

    try:
        async with outbound_messenger(config, contact.platform) as messenger:
            if messenger is None:
                return False
            await messenger.send(contact.chat_id, text)
    except (OSError, UnreachableError, DeliveryError):
        return False
    return True


def status_export(engine: AsyncEngine, instances: ReportInstances) -> StatusExport:
    """The status workbook over the database, written as .xlsx."""
    from storage.exports.xlsx import XlsxWriter
    from storage.submission_register import SqlSubmissionRegister

    return StatusExport(
        instances=instances, register=SqlSubmissionRegister(engine), writer=XlsxWriter()
    )


async def export_xlsx(
    config: Settings, *, report_key: str, instance_key: str | None, path: Path, at: datetime
) -> Exported:
    """Write the report's status workbook to `path`, whole or not at all."""
    from zoneinfo import ZoneInfo

    async with database(config) as engine:
        export = status_export(engine, SqlReportInstances(engine))
        try:
            done = await export.write(
                report_key=report_key,
                instance_key=instance_key,
                path=path,
                now=at,
                tz=ZoneInfo(config.timezone),
            )
        except ExportWriteError:
            raise UserError("cli-error-export-write-failed", file=str(path)) from None
        only = done.instances[0].instance_key if len(done.instances) == 1 else None
        await SqlAuditLog(engine).audit(
            actor="cli",
            action="export.xlsx",
            detail={"report": done.report_key, "instance": only, "file": str(path)},
            now=at,
        )
        return done


class SignaturesOnFirstPdf:
    """pyHanko's reader, imported when the first PDF comes rather than at every start: the
    import costs a third of a second, which every `baocao` command would pay."""

    def __init__(self) -> None:
        self._reader: SignatureReader | None = None

    def read(self, path: Path) -> tuple[SignatureCheck, ...]:
        if self._reader is None:
            from storage.signatures import PdfSignatureReader

            self._reader = PdfSignatureReader()
        return self._reader.read(path)


class ChartsOnFirstSummary:
    """matplotlib, imported when the first chart is drawn rather than at every start (half a
    second that `baocao chat` and every other process would pay)."""

    def __init__(self) -> None:
        self._renderer: ChartRenderer | None = None

    def render(self, chart: ProgressChart, path: Path) -> None:
        if self._renderer is None:
            from storage.exports.chart import MatplotlibCharts

            self._renderer = MatplotlibCharts()
        self._renderer.render(chart, path)


def signature_reader(config: Settings) -> SignatureReader:
    """Reads submitted PDFs' signatures; trust is checked against BAOCAO_TRUST_ROOTS if set."""
    import logging

    if config.trust_roots is None:
        return SignaturesOnFirstPdf()
    from storage.signatures import PdfSignatureReader, load_trust_roots

    roots = load_trust_roots(config.trust_roots)
    log = logging.getLogger("baocao")
    if roots:
        log.info("signers are checked against %d trusted certificates", len(roots))
    else:
        log.warning(
            "no certificate read from %s: signers' trust is not checked", config.trust_roots
        )
    return PdfSignatureReader(roots)


async def compile_draft(
    config: Settings,
    *,
    report_key: str,
    instance_key: str | None,
    target: Path,
    at: datetime,
) -> Compiled:
    """Write the compiled draft of one instance of a report to `target` (see DraftDesk)."""
    from zoneinfo import ZoneInfo

    from bot.core.drafts import DraftDesk
    from storage.drafts import SqlDraftSources
    from storage.exports.compiled import DocxDraftWriter
    from storage.files import LocalFileStore

    async with database(config) as engine:
        desk = DraftDesk(
            instances=SqlReportInstances(engine),
            sources=SqlDraftSources(engine, LocalFileStore(config.data_dir)),
            writer=DocxDraftWriter(),
        )
        return await desk.compile(
            report_key=report_key,
            instance_key=instance_key,
            target=target,
            now=at,
            tz=ZoneInfo(config.timezone),
        )


def archive_desk(engine: AsyncEngine, files: LocalFileStore, timezone: ZoneInfo) -> Archives:
    """The archive's use case over the database and the file store (CLI and chat alike)."""
    from storage.exports.archive import ZipArchiveWriter
    from storage.exports.xlsx import workbook_bytes
    from storage.history import SqlSubmissionHistory

    instances = SqlReportInstances(engine)
    export = status_export(engine, instances)

    async def workbook(instance: InstanceStatus, now: datetime) -> bytes:
        book, _, _ = await export.workbook(
            report_key=instance.report_key,
            instance_key=instance.instance_key,
            now=now,
            tz=timezone,
        )
        return await asyncio.to_thread(workbook_bytes, book)

    return Archives(
        instances=instances,
        history=SqlSubmissionHistory(engine),
        writer=ZipArchiveWriter(files),
        timezone=timezone,
        workbook=workbook,
    )


async def export_zip(
    config: Settings,
    *,
    report_key: str,
    instance_key: str | None,
    destination: Path,
    all_versions: bool,
    at: datetime,
) -> ArchiveResult:
    """Write the zip of one report round (the one named, or the relevant one) to `destination`."""
    async with database(config) as engine:
        files = LocalFileStore(config.data_dir, group_read=config.data_group_read)
        desk = archive_desk(engine, files, ZoneInfo(config.timezone))
        instance = await desk.choose(report_key=report_key, instance_key=instance_key, now=at)
        try:
            result = await desk.export(instance, destination, all_versions=all_versions, now=at)
        except OSError as error:  # the disk filled, the folder went: nothing was left behind
            full = error.errno in (errno.ENOSPC, errno.EDQUOT)
            key = "archive-cli-disk-full" if full else "archive-cli-write-failed"
            raise UserError(key, file=str(destination)) from None
        await SqlAuditLog(engine).audit(
            actor="cli",
            action="export.zip",
            detail={
                "report": instance.report_key,
                "instance": instance.instance_key,
                "all_versions": all_versions,
                "file": str(destination),
            },
            now=at,
        )
        return result


def output_problem(path: Path, *, example: str) -> tuple[str, dict[str, str]] | None:
    """Why an export could not be written to `path` (a catalog key and its arguments), or
    None; asked before the database is read, so that a typo costs nothing. `example` is a
    file name to suggest when `path` is a folder."""
    if path.is_dir():  # also "" and ".": a folder, where a file name was wanted
        return "cli-error-export-is-folder", {"folder": str(path), "example": example}
    if not path.parent.resolve().is_dir():
        return "cli-error-export-folder", {"folder": str(path.parent)}
    try:  # the one sure test that a file can be made there (permissions, read-only mounts)
        handle, probe = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return "cli-error-export-not-writable", {"folder": str(path.parent)}
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    return None


def write_chart(chart: ProgressChart, path: Path) -> None:
    """Draw `chart` into the PNG `path`; the file appears whole or not at all."""
    from storage.exports.chart import MatplotlibCharts

    MatplotlibCharts().render(chart, path)
