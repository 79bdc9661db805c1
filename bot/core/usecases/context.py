"""What the features share: the ports, the settings, who is asking, and how to say it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from bot.core import buttons, steps, texts
from bot.core.drafts import DraftDesk
from bot.core.i18n import t
from bot.core.model import Contact, Incoming, Keyboard, OpenInstance
from bot.core.plan.model import Role
from bot.core.ports import (
    FileStore,
    Messenger,
    Repository,
    SignatureReader,
    has_buttons,
    receives_files,
)
from bot.core.rules.deadlines import is_late

if TYPE_CHECKING:
    from bot.core.archive import Archives
    from bot.core.export_desk import StatusExport
    from bot.core.web_access import WebAccessDesk

NAME_SHOWN = 120  # characters of a person's file name or title repeated back to them


StepT = TypeVar("StepT")


@dataclass(frozen=True)
class BotSettings:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    admins: frozenset[str] = frozenset()  # user ids, or @usernames in lower case
    max_text: int = 3000  # longest text report accepted, in characters
    pending_ttl: timedelta = timedelta(hours=24)
    stranger_quiet: timedelta = timedelta(hours=1)  # one polite answer per stranger per hour
    wrong_codes: int = 3  # wrong invite codes a stranger is told about per `stranger_quiet`
    upcoming_limit: int = 5
    status_limit: int = 10  # report instances in one status answer
    corrections_limit: int = 3  # past reports a unit is offered to correct, latest first
    signature_timeout: float = 30.0  # seconds a PDF's signatures may take to check
    privacy_contact: str | None = None  # whom to ask about personal data; None: the Office


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Request:
    """One event being answered: what came, the platform to answer on, and who sent it."""

    incoming: Incoming
    out: Messenger
    contact: Contact | None

    @property
    def chat(self) -> str:
        return self.incoming.chat.chat_id

    @property
    def platform(self) -> str:
        return self.incoming.chat.platform

    @property
    def user_id(self) -> str:
        return self.incoming.sender.user_id


@dataclass(frozen=True, slots=True)
class Saved:
    """A pending step as the use cases see it: its token (on the buttons) and its type;
    `step` is None when what is stored cannot be read any more, which counts as expired."""

    token: str
    step: steps.Step | None


class Context:
    """The ports and settings the use cases run on, and the few answers several features give."""

    def __init__(
        self,
        *,
        repository: Repository,
        files: FileStore,
        settings: BotSettings,
        clock: Callable[[], datetime],
        exports: StatusExport | None = None,
        signatures: SignatureReader | None = None,
        drafts: DraftDesk | None = None,
        archives: Archives | None = None,
        web: WebAccessDesk | None = None,
    ) -> None:
        self.repo = repository
        self.files = files
        self.settings = settings
        self.now = clock
        self.exports = exports  # the status workbook; None where no writer is wired
        self.signatures = signatures  # None: submitted PDFs' signatures are not read
        self.strangers: dict[tuple[str, str], datetime] = {}
        # (platform, user id) to when the stranger's recent wrong invite codes came.
        self.wrong_codes: dict[tuple[str, str], list[datetime]] = {}
        self.drafts = drafts  # the Office's compiled draft; None where it is not wired
        self.archives = archives  # the zip of a round's files; None where exports are not wired
        self.web = web  # sign-in links to the web app; None where it is not wired

    # ---- who is asking ------------------------------------------------------------------------

    def is_admin(self, incoming: Incoming) -> bool:
        sender = incoming.sender
        names = {sender.user_id}
        if sender.username:
            names.add("@" + sender.username.lower())
        return bool(names & self.settings.admins)

    def is_office(self, incoming: Incoming, contact: Contact | None) -> bool:
        return self.is_admin(incoming) or (contact is not None and contact.role is Role.OFFICE)

    def sees_status(self, incoming: Incoming, contact: Contact | None) -> bool:
        return self.is_office(incoming, contact) or (
            contact is not None and contact.role is Role.LEADER
        )

    # ---- saying it ----------------------------------------------------------------------------

    async def say(self, out: Messenger, chat_id: str, text: str, keyboard: Keyboard = ()) -> None:
        """Send `text`, split to fit the platform; buttons go with the last piece."""
        if keyboard and not has_buttons(out):
            text, keyboard = (
                buttons.numbered(text, keyboard, receives_files=receives_files(out)),
                (),
            )
        pieces = texts.split_text(text, out.max_text)
        for piece in pieces[:-1]:
            await out.send(chat_id, piece)
        await out.send(chat_id, pieces[-1], keyboard=keyboard)

    @staticmethod
    def words(out: Messenger, key: str, **args: object) -> str:
        """Message `key` in the words of the platform: a button to press, or a number to type."""
        key = buttons.wording(key, has_buttons=has_buttons(out), receives_files=receives_files(out))
        return t(key, **args)

    async def upcoming_lines(self, unit_key: str | None, now: datetime) -> list[str]:
        coming = await self.repo.upcoming(
            unit_key=unit_key, now=now, limit=self.settings.upcoming_limit
        )
        if not coming:
            return [t("upcoming-none")]
        return [t("upcoming-title"), "\n".join(texts.deadline_line(i, now) for i in coming)]

    # ---- reports and steps --------------------------------------------------------------------

    async def candidates(self, contact: Contact, now: datetime) -> list[OpenInstance]:
        """Where the unit may submit now: open reports, then recent ones it may correct."""
        instances = await self.repo.open_instances(unit_key=contact.unit_key, now=now)
        corrections = await self.repo.corrections(
            unit_key=contact.unit_key, now=now, limit=self.settings.corrections_limit
        )
        return instances + corrections

    async def save_step(self, request: Request, step: steps.Step) -> str:
        """Make `step` the person's pending step; its token, for the buttons."""
        kind, payload = steps.encode(step)
        pending = await self.repo.save_pending(
            platform=request.platform,
            user_id=request.user_id,
            kind=kind,
            payload=payload,
            now=self.now(),
        )
        return pending.token

    async def peek_step(self, request: Request) -> Saved | None:
        """The person's fresh pending step, left in place."""
        pending = await self.repo.peek_pending(
            platform=request.platform,
            user_id=request.user_id,
            now=self.now(),
            ttl=self.settings.pending_ttl,
        )
        if pending is None:
            return None
        return Saved(pending.token, steps.decode(pending.kind, pending.payload))

    async def press(
        self, request: Request, choice: buttons.Choice, kind: type[StepT]
    ) -> tuple[bool, StepT | None]:
        """Whether a pressed `choice` answers the person's pending question of `kind`, and
        that question's step when this press is the one that acts: None when another press
        of it took the step first. A press that answers is acknowledged."""
        saved = await self.peek_step(request)
        if saved is None or saved.token != choice.token or not isinstance(saved.step, kind):
            return False, None
        callback = request.incoming.callback
        assert callback is not None
        taken = await self.take_step(request, choice.token)
        await request.out.answer(callback.callback_id)
        if taken is None:  # pressed twice at once: the other press acts
            return True, None
        return True, saved.step

    async def take_step(self, request: Request, token: str) -> Saved | None:
        """The person's fresh pending step with `token`, removed so it acts once."""
        pending = await self.repo.take_pending(
            token=token,
            platform=request.platform,
            user_id=request.user_id,
            now=self.now(),
            ttl=self.settings.pending_ttl,
        )
        if pending is None:
            return None
        return Saved(pending.token, steps.decode(pending.kind, pending.payload))


def is_correction(instance: OpenInstance, now: datetime) -> bool:
    """A report past its deadline that the unit already sent: what comes now corrects it."""
    return instance.versions > 0 and is_late(now, instance.due_end)
