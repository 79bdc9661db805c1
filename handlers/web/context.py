"""What every page is given (WebDeps, built by the composition root) and who is signed in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.archive import Archives
from bot.core.drafts import DraftDesk
from bot.core.export_desk import StatusExport
from bot.core.office_desk import OfficeDesk, PlanDesk
from bot.core.plan.model import Role
from bot.core.ports import (
    AuditLog,
    AuditTrail,
    ChartRenderer,
    Messenger,
    Outbox,
    WebNotices,
    WorkbookWriter,
)
from bot.core.usecases import ReportBot
from bot.core.web_access import WebAccessDesk


@dataclass(frozen=True, slots=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # how links are written behind a proxy; None: http://host:port
    max_upload: int = 200 * 1024 * 1024  # bytes, for one file
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    @property
    def base_url(self) -> str:
        """The address links start with, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies marked Secure when the public address is HTTPS."""
        return self.base_url.startswith("https://")


@dataclass(frozen=True, slots=True)
class WebUser:
    """Who a session belongs to. Office staff signed in from the CLI have no contact."""

    session_id: int
    role: Role
    display_name: str
    csrf: str  # the token this session's forms carry
    contact_id: int | None = None
    unit_key: str | None = None
    unit_name: str | None = None

    @property
    def is_office(self) -> bool:
        return self.role is Role.OFFICE

    @property
    def sees_dashboard(self) -> bool:
        """The Office works the dashboard; leadership reads it."""
        return self.role in (Role.OFFICE, Role.LEADER)


@dataclass(slots=True)
class WebDeps:
    """The use cases the pages call, each a domain object over ports; never an adapter."""

    settings: WebSettings
    core: ReportBot  # the chat use cases and their records: contacts, reports, submissions
    office: OfficeDesk  # invites, contacts, status
    plans: PlanDesk  # the plan: show, check, apply
    exports: StatusExport  # the status workbook
    workbooks: WorkbookWriter  # writes that workbook as .xlsx
    archives: Archives  # a round's files in one zip
    drafts: DraftDesk  # the compiled Word draft
    charts: ChartRenderer  # the progress chart as PNG
    access: WebAccessDesk  # sign-in links and sessions
    notices: WebNotices  # what web contacts are told, read on the portal
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # The running platforms' messengers by name, to send a receipt to a contact's chat too;
    # filled in once the runtime has started them.
    messengers: Mapping[str, Messenger] = field(default_factory=dict)
    # Messages for chats no platform of this process reaches (a receipt for a contact on a
    # platform that runs elsewhere), sent by the process that runs it; None: not sent then.
    outbox: Outbox | None = None
    # The dashboard's: the chat link an invite code opens (the platforms' InviteLinks; None
    # where no platform makes one), and how long a new invite stays open (BAOCAO_INVITE_DAYS).
    invite_link: Callable[[str], Awaitable[str | None]] = field(default=lambda code: _no_link(code))
    invite_days: int = 14
    # What to do with a code on platforms where no link carries it (Zalo: find the bot, send
    # the code), one line per such platform; shown beside the link.
    invite_hints: Callable[[str], Awaitable[list[str]]] = field(
        default=lambda code: _no_hints(code)
    )
    # The audit trail the dashboard shows (storage.audit.SqlAuditTrail); None: not shown.
    audit: AuditTrail | None = None
    # Where downloads from the dashboard are recorded (storage.audit.SqlAuditLog); None: not.
    audit_log: AuditLog | None = None


async def _no_hints(code: str) -> list[str]:
    """No platform has words of its own for an invite."""
    return []


async def _no_link(code: str) -> str | None:
    """No platform makes invite links: the invitee types the code to the bot instead."""
    return None
