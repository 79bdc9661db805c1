"""The web app's composition: its settings, every WebDeps field over the runtime's database and
files, and the platform that serves it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.model import Contact
from bot.core.web_access import WebAccessDesk

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.routing import BaseRoute

    from bot.app import Runtime
    from bot.core.ports import Notifier
    from bot.core.usecases import ReportBot
    from bot.core.web_access import IssuedLink
    from handlers.web.context import WebDeps, WebSettings
    from handlers.web.ops import Ops
    from handlers.web.platform import WebPlatform
    from storage.files import LocalFileStore


def web_settings(config: Settings) -> WebSettings:
    from handlers.web.context import WebSettings

    return WebSettings(
        host=config.web_host,
        port=config.web_port,
        public_url=config.public_url,
        max_upload=config.web_max_mb * 1024 * 1024,
        timezone=ZoneInfo(config.timezone),
    )


def base_url(config: Settings) -> str:
    """The address sign-in and invite links start with."""
    return web_settings(config).base_url


def web_access(
    config: Settings, engine: AsyncEngine, clock: Callable[[], datetime]
) -> WebAccessDesk:
    from storage.web_access import SqlWebAccess

    return WebAccessDesk(records=SqlWebAccess(engine), base_url=base_url(config), clock=clock)


class RuntimeNotifier:
    """Implements bot.core.ports.Notifier inside the running bot: through the platform the
    contact registered on when it runs here, else as the CLI does."""

    def __init__(self, config: Settings, runtime: Runtime) -> None:
        self.config = config
        self.runtime = runtime

    async def notify(self, contact: Contact, text: str) -> bool:
        from bot.core.ports import DeliveryError, UnreachableError
        from bot.services import notify

        for platform in self.runtime.started:
            if platform.name == contact.platform:
                try:
                    await platform.messenger.send(contact.chat_id, text)
                except (OSError, UnreachableError, DeliveryError):
                    return False
                return True
        return await notify(self.config, contact, text)


class RuntimeInviteLinks:
    """Implements bot.platforms.InviteLinks over the running platforms: a chat platform's link
    when one makes links (the invitee opens the bot there), else the web app's invite page."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def invite_link(self, code: str) -> str | None:
        started = sorted(self.runtime.started, key=lambda platform: platform.name == "web")
        for platform in started:
            link = await platform.invite_link(code)
            if link is not None:
                return link
        return None

    async def invite_hints(self, code: str) -> list[str]:
        """Each running platform's words for the invitee, where it has some (`invite_hint`)."""
        hints = []
        for platform in self.runtime.started:
            hint = getattr(platform, "invite_hint", None)
            if hint is not None and (words := await hint(code)) is not None:
                hints.append(words)
        return hints


def web_deps(config: Settings, runtime: Runtime) -> WebDeps:
    """Every use case the pages call, over the runtime's engine and file store."""
    links = RuntimeInviteLinks(runtime)
    return build_web_deps(
        config,
        engine=runtime.engine,
        files=runtime.files,
        core=runtime.core,
        clock=runtime.clock,
        notifier=RuntimeNotifier(config, runtime),
        invite_link=links.invite_link,
        invite_hints=links.invite_hints,
        access=runtime.web_access,
    )


def build_web_deps(
    config: Settings,
    *,
    engine: AsyncEngine,
    files: LocalFileStore,
    core: ReportBot,
    clock: Callable[[], datetime],
    notifier: Notifier,
    invite_link: Callable[[str], Awaitable[str | None]],
    invite_hints: Callable[[str], Awaitable[list[str]]] | None = None,
    access: WebAccessDesk | None = None,
    settings: WebSettings | None = None,
) -> WebDeps:
    """WebDeps over `engine` and `files`, around `core`: what the runtime serves, and what
    tests and benchmarks build without a runtime."""
    from bot.app import draft_desk
    from bot.core.office_desk import OfficeDesk, PlanDesk
    from bot.services import (
        ChartsOnFirstSummary,
        PlanReminders,
        archive_desk,
        same_file,
        status_export,
    )
    from handlers.web.context import WebDeps
    from storage.audit import SqlAuditLog, SqlAuditTrail
    from storage.exports.xlsx import XlsxWriter
    from storage.instances import SqlReportInstances
    from storage.invites import SqlInvites
    from storage.outbox import SqlOutbox
    from storage.plans import SqlPlans
    from storage.roster import SqlRoster
    from storage.web_access import SqlWebAccess
    from storage.web_notices import SqlWebNotices

    instances = SqlReportInstances(engine)
    deps = WebDeps(
        settings=settings or web_settings(config),
        core=core,
        office=OfficeDesk(
            invites=SqlInvites(engine),
            roster=SqlRoster(engine),
            instances=instances,
            plans=SqlPlans(engine),
            notifier=notifier,
            web=SqlWebAccess(engine),
        ),
        plans=PlanDesk(
            plans=SqlPlans(engine), reminders=PlanReminders(engine), same_file=same_file
        ),
        exports=status_export(engine, instances),
        workbooks=XlsxWriter(),
        archives=archive_desk(engine, files, ZoneInfo(config.timezone)),
        drafts=draft_desk(engine, files, instances),
        charts=ChartsOnFirstSummary(),
        access=access or web_access(config, engine, clock),
        notices=SqlWebNotices(engine),
        clock=clock,
        outbox=SqlOutbox(engine),
        invite_link=invite_link,
        invite_days=config.invite_days,
        audit=SqlAuditTrail(engine),
        audit_log=SqlAuditLog(engine),
    )
    if invite_hints is not None:
        deps.invite_hints = invite_hints
    return deps


def web_platform(
    config: Settings,
    deps: WebDeps,
    *,
    routes: Sequence[BaseRoute] = (),
    operations: Ops | None = None,
) -> WebPlatform:
    """The web app over `deps`, with the `routes` chat platforms add and the operators'
    /healthz and /metrics, served by uvicorn once started."""
    from handlers.web.app import build_app
    from handlers.web.platform import WebPlatform

    return WebPlatform(
        app=build_app(deps, routes=routes, operations=operations),
        settings=deps.settings,
        notices=deps.notices,
        clock=deps.clock,
    )


async def sign_in_link(config: Settings, *, contact_id: int | None, at: datetime) -> IssuedLink:
    """A one-time sign-in link from the CLI: for the contact `contact_id` (active) in their
    role, or for office staff without a contact. Raises UserError for an unknown contact."""
    from bot.core.errors import UserError
    from bot.core.i18n import t
    from bot.core.plan.model import Role
    from bot.services import database
    from storage.roster import SqlRoster

    async with database(config) as engine:
        access = web_access(config, engine, lambda: at)
        if contact_id is None:
            return await access.issue(
                role=Role.OFFICE, display_name=t("signin-office-name"), created_by="cli"
            )
        contact = next(
            (c for c in await SqlRoster(engine).contacts() if c.id == contact_id and c.active),
            None,
        )
        if contact is None:
            raise UserError("cli-web-no-contact", number=str(contact_id))
        return await access.issue(
            role=contact.role, display_name=contact.display_name, contact=contact, created_by="cli"
        )


async def sign_everyone_out(config: Settings, *, at: datetime) -> int:
    """End every web session; how many were live."""
    from bot.services import database

    async with database(config) as engine:
        return await web_access(config, engine, lambda: at).end_all()
