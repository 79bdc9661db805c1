"""The CLI's wiring: each call opens the database, brings its schema up to date, builds the
adapters and runs one use case (the Office's are `bot.core.office_desk.OfficeDesk`).

The CLI stays a thin translation of arguments into these calls and of their results into text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.i18n import t
from bot.core.model import Contact, InstanceStatus
from bot.core.office import ContactView, InviteView
from bot.core.office_desk import OfficeDesk
from bot.core.plan.model import Plan, Role
from storage import plans as plan_store
from storage.db import make_engine
from storage.instances import SqlReportInstances
from storage.invites import SqlInvites
from storage.migrate import current, upgrade
from storage.roster import SqlRoster


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


# The audit's actor for a plan applied by `baocao run --apply-plan` (BAOCAO_PLAN), as opposed
# to the Office's own `baocao plan apply` ("cli").
START_ACTOR = "start"


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
    from scheduler.dispatcher import plant_reminders
    from storage.reminders import ReminderStore

    async with database(config) as engine:
        result = await plan_store.apply_plan(
            engine, plan, path=path, archive=archive, now=at, actor=actor
        )
        planted = await plant_reminders(ReminderStore(engine), plan, now=at)
    if not result.changed:
        lines = [t("apply-unchanged", file=path)]
        if planted:
            lines.append(t("apply-reminders", count=planted))
        return lines
    lines = [t("apply-done", file=path)]
    for kind in ("units", "reports", "instances"):
        for change in ("added", "updated", "archived", "restored"):
            keys: Sequence[str] = getattr(getattr(result, kind), change)
            if kind == "instances":
                keys = [_instance_label(key) for key in keys]
            if keys:
                lines.append(t(f"apply-{kind}-{change}", count=len(keys), keys=_some(keys)))
    if planted:
        lines.append(t("apply-reminders", count=planted))
    return lines


def same_file(first: str, second: str) -> bool:
    """Whether two paths, as typed (relative to the current folder), name one file."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them is gone: compare the names
        return Path(first).resolve() == Path(second).resolve()


async def apply_plan_at_start(
    config: Settings, plan: Plan, *, path: str, at: datetime
) -> list[str]:
    """Apply BAOCAO_PLAN on start only if its file changed since it was applied from `path`.

    A plan the Office applied by hand from another file since is kept: applying the start-up
    file again would archive it silently. One applied at an earlier start, from the file
    BAOCAO_PLAN named then, gives way: pointing the setting at another file is the change.
    Returns what was done, in words.
    """
    async with database(config) as engine:
        stored = await plan_store.applied_plan(engine)
        by = await plan_store.applied_by(engine)
    if stored is not None:
        if not same_file(stored.path, path):
            if by != START_ACTOR:
                return [t("run-plan-skipped", file=path, applied=stored.path)]
        elif stored.source == plan.source:
            return [t("run-plan-unchanged", file=path)]
    return await apply_plan_file(config, plan, path=path, archive=False, at=at, actor=START_ACTOR)


def _instance_label(key: str) -> str:
    """ "report-key/once" -> the report key with the instance named in words."""
    report, _, instance = key.partition("/")
    shown = t("instance-once") if instance == "once" else instance
    return t("apply-instance", report=report, instance=shown)


def _some(keys: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(keys[:limit])
    return t("apply-and-more", keys=shown, count=len(keys) - limit) if len(keys) > limit else shown


async def applied_plan(config: Settings) -> plan_store.AppliedPlan | None:
    async with database(config) as engine:
        return await plan_store.applied_plan(engine)


@asynccontextmanager
async def office_desk(config: Settings) -> AsyncIterator[OfficeDesk]:
    """The Office's use cases over the configured database and platforms."""
    async with database(config) as engine:
        yield OfficeDesk(
            invites=SqlInvites(engine),
            roster=SqlRoster(engine),
            instances=SqlReportInstances(engine),
            plans=plan_store.SqlPlans(engine),
            outbox=PlatformOutbox(config),
        )


async def create_invite(
    config: Settings, *, unit_key: str, role: Role, ttl: timedelta, at: datetime
) -> InviteView:
    async with office_desk(config) as desk:
        return await desk.create_invite(unit_key=unit_key, role=role, ttl=ttl, now=at)


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


class PlatformOutbox:
    """Implements bot.core.ports.Outbox with the platforms the configuration enables."""

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
