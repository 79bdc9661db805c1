"""The ports the use cases talk through: a chat platform, the records, the file store, a clock.

Adapters implement them: each platform under `handlers/` (Messenger); `storage/` the records,
one module per aggregate (`storage.repository.SqlRepository` composes those the chat use cases
need into one Repository), `storage.files` (FileStore), `storage.reminders` (ReminderStore)
and `storage.outbox` (Outbox), for the dispatch loop in `scheduler/`. The use cases never
import an adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.core.archive import ArchiveEntry, SubmittedVersion, WrittenArchive
from bot.core.chart import ProgressChart
from bot.core.drafts import Draft, Unread
from bot.core.drafts import SubmittedVersion as DraftVersion
from bot.core.model import (
    Attachment,
    Contact,
    InstanceStatus,
    Keyboard,
    MessageRef,
    OpenInstance,
    Pending,
    PersonalSummary,
    Receipt,
    Redemption,
    SignatureCheck,
    StagedFile,
    SubmissionKind,
)
from bot.core.office import ContactView, InviteView
from bot.core.plan.changes import AppliedPlan, ApplyResult
from bot.core.plan.model import Plan, Role
from bot.core.rules.reminders import DueReminder, InstanceFacts, Kind, Outcome, PlannedRow
from bot.core.statusbook import RegisterEntry, Workbook
from bot.core.web_access import LinkView, Notice, SessionView


class FileTooBigError(Exception):
    """The platform refuses to hand over a file this large."""


class Messenger(Protocol):
    """Sends and receives on one chat platform.

    A platform without buttons says so with `buttons = False` on its messenger (read by
    `has_buttons`; a messenger without the attribute has buttons): the use cases then send
    choices as numbered lines, and it hands keyboards sent from elsewhere to `ReportBot.offer`.
    """

    platform: str
    max_text: int  # the longest message the platform accepts, in characters
    max_download: int  # the largest file a bot may download, in bytes
    max_upload: int  # the largest file `upload` may send, in bytes

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef: ...

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None: ...

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        """Acknowledge a pressed button, with a short notice if `text` is given."""

    async def download(self, attachment: Attachment, destination: Path) -> int:
        """Write the file to `destination`; return its size. Raises FileTooBigError."""

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        """Re-send a file the platform already has (e.g. to the office group)."""

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        """Send a file from this machine's disk (an export, a chart) under the name `name`;
        `photo` shows an image inline where the platform can. The file is read before this
        returns: the caller may delete it then."""


def receives_files(messenger: Messenger) -> bool:
    """Whether the platform passes files people send to the bot; one that does not
    (`receives_files = False` on its messenger: Zalo) is told to send them on the web portal."""
    return bool(getattr(messenger, "receives_files", True))


def has_buttons(messenger: Messenger) -> bool:
    """Whether the platform shows buttons; one without (`buttons = False` on its messenger)
    gets the same choices as numbered lines, answered with the number."""
    return bool(getattr(messenger, "buttons", True))


class ContactBook(Protocol):
    """Who a chat account is, and registering one through an invite."""

    async def contact(self, *, platform: str, user_id: str) -> Contact | None: ...

    async def redeem_invite(
        self,
        *,
        code: str,
        platform: str,
        user_id: str,
        chat_id: str,
        display_name: str,
        now: datetime,
        username: str | None = None,
    ) -> Redemption:
        """Bind the account to the invite's unit and role, if the invite is open: the invite
        is used and the contact written together, or neither. An invite made "same as" a
        contact links the account to that contact's person."""

    async def linked(self, *, contact_id: int) -> list[Contact]:
        """The person's active accounts on every platform, this one included, oldest first."""

    async def set_reach(self, *, contact_id: int, now: datetime, actor: str) -> Contact:
        """Make this account the one reminders and summaries reach its person on. Raises
        UnknownContactError for an unknown or inactive contact."""


class OfficeGroups(Protocol):
    """The chat, one per platform, where the office group reads status summaries."""

    async def office_group(self, *, platform: str) -> str | None: ...

    async def bind_office_group(
        self,
        *,
        platform: str,
        chat_id: str,
        title: str | None,
        contact_id: int | None,
        now: datetime,
    ) -> None: ...


class ReportInstances(Protocol):
    """The report instances the plan made, as a unit or the Office sees them."""

    async def open_instances(self, *, unit_key: str, now: datetime) -> list[OpenInstance]:
        """Instances the unit may submit to now: before the deadline, or late and not yet sent."""

    async def corrections(self, *, unit_key: str, now: datetime, limit: int) -> list[OpenInstance]:
        """Instances past their deadline the unit submitted to: it may send a corrected version."""

    async def upcoming(
        self, *, unit_key: str | None, now: datetime, limit: int
    ) -> list[OpenInstance]:
        """Instances whose deadline is still ahead, soonest first (all units when None)."""

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        """Every active instance, or one report's; LookupError when no active report has
        `report_key`."""

    async def round_status(self, *, instance_id: int, now: datetime) -> InstanceStatus | None:
        """One active instance with every unit's status; None when no active instance has
        `instance_id`."""


class Submissions(Protocol):
    """The versions units send, each with its receipt."""

    async def submit(
        self,
        *,
        instance_id: int,
        unit_key: str,
        contact_id: int | None,
        kind: SubmissionKind,
        source_ref: str,
        now: datetime,
        text: str | None = None,
        note: str | None = None,
        file: StagedFile | None = None,
    ) -> Receipt:
        """Record the unit's next version; a staged file is moved into the store with the row.

        The same `source_ref` twice returns the first receipt instead of a new version.
        """

    async def receipt_for(self, *, source_ref: str) -> Receipt | None: ...


class PendingSteps(Protocol):
    """A person's one unfinished step (a question asked, a file awaiting its report)."""

    async def save_pending(
        self, *, platform: str, user_id: str, kind: str, payload: dict[str, object], now: datetime
    ) -> Pending:
        """Replace the person's pending step with this one; its token goes on the buttons."""

    async def take_pending(
        self, *, token: str, platform: str, user_id: str, now: datetime, ttl: timedelta
    ) -> Pending | None:
        """The pending step with `token` if it is this person's and fresh; it is removed."""

    async def peek_pending(
        self, *, platform: str, user_id: str, now: datetime, ttl: timedelta
    ) -> Pending | None:
        """The person's pending step if it is fresh, left in place."""

    async def drop_pending(self, *, platform: str, user_id: str) -> bool: ...


class SeenMessages(Protocol):
    """Incoming messages already taken in, for a platform that may deliver one twice and gives
    no update id to resume from (Zalo): of every delivery of one message, only the first is
    handled, whichever process receives it."""

    async def first_time(self, *, platform: str, message_id: str, now: datetime) -> bool:
        """True for the first delivery of `message_id` on `platform`, False for any later one;
        checked and recorded in one statement."""

    async def forget(self, *, before: datetime) -> int:
        """Drop what was recorded before `before` (no platform redelivers that late); the
        number dropped."""


class AuditLog(Protocol):
    """The trail of changes an operator or the bot made."""

    async def audit(
        self, *, actor: str, action: str, detail: dict[str, object], now: datetime
    ) -> None: ...


class PersonalRecords(Protocol):
    """What is stored about a person, for them to see (Law 91/2025/QH15)."""

    async def personal_summary(self, *, contact_id: int, now: datetime) -> PersonalSummary:
        """The person's accounts (`contact_id` and those linked to it), submissions and open
        web sessions at `now`."""


class SignatureRecords(Protocol):
    """What was found about the digital signatures of a submitted PDF, kept with it."""

    async def stored_file(self, *, submission_id: int) -> Path | None:
        """Where the submission's file is on disk, if it has one."""

    async def record_signatures(
        self, *, submission_id: int, checks: Sequence[SignatureCheck]
    ) -> None:
        """Keep `checks` as the submission's signatures, replacing any recorded before."""


class Repository(
    ContactBook,
    OfficeGroups,
    ReportInstances,
    Submissions,
    PendingSteps,
    AuditLog,
    SignatureRecords,
    PersonalRecords,
    Protocol,
):
    """Every record the chat use cases read and write: the union of the ports above."""


class FileStore(Protocol):
    """Where submitted files are kept."""

    def staging_path(self, suffix: str) -> Path:
        """A fresh path in the staging area, on the same disk as the store."""

    def discard(self, path: Path) -> None: ...


class UnreachableError(Exception):
    """The person blocked the bot, or the chat is gone: sending again will not help."""


class DeliveryError(Exception):
    """The platform could not take the message after retrying for a while; try again later."""


class ReminderStore(Protocol):
    """The dispatch loop's records: reminder rows with their claims, the facts they speak of,
    and who receives them. A row is held by one worker at a time, under a lease it renews."""

    def marking(self) -> AbstractAsyncContextManager[None]:
        """One writer at a time while a whole day's rows are planted or ensured."""

    async def instance_ids(self) -> dict[tuple[str, str], int]:
        """(report key, instance key) to instance id, for every open instance."""

    async def submitted_units(self) -> dict[int, frozenset[str]]:
        """Instance id to the keys of the units that have submitted to it."""

    async def plant(
        self, rows: Sequence[PlannedRow], *, kinds: frozenset[Kind], now: datetime
    ) -> int:
        """Replace the unsent rows of `kinds` with `rows`; the number written."""

    async def ensure(self, rows: Sequence[PlannedRow]) -> int:
        """Add the rows that are not there yet; the number added."""

    async def claim(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[DueReminder]:
        """Take up to `limit` due rows for `worker` until `now + lease`."""

    async def finish(
        self,
        *,
        reminder_id: int,
        worker: str,
        status: Outcome,
        now: datetime,
        note: str | None = None,
    ) -> bool:
        """Record how a claimed row ended; False if `worker` no longer holds it."""

    async def renew(self, *, worker: str, now: datetime, lease: timedelta) -> int: ...

    async def holders(self) -> list[str]:
        """The workers holding claims now."""

    async def take_back(self, workers: Sequence[str]) -> int:
        """Release every claim of these (dead) workers."""

    async def postpone(self, *, reminder_id: int, worker: str, due_at: datetime) -> bool: ...

    async def give_back(self, reminder_ids: Sequence[int], *, worker: str) -> int: ...

    async def facts(
        self,
        instance_ids: Iterable[int] | None = None,
        *,
        report_keys: Iterable[str] | None = None,
    ) -> list[InstanceFacts]: ...

    async def for_batch(
        self, batch: Sequence[DueReminder]
    ) -> tuple[dict[int, InstanceFacts], dict[str, list[Contact]]]:
        """The facts and the recipients (by unit key) a batch of rows needs."""

    async def instance_status(
        self, instance_id: int, *, now: datetime
    ) -> InstanceStatus | None: ...

    async def leaders(self) -> list[Contact]: ...

    async def office_staff(self) -> list[Contact]: ...

    async def office_groups(self) -> dict[str, str]:
        """Platform name to the office group's chat id there."""

    async def mark_unreachable(self, *, contact_id: int, now: datetime) -> bool: ...


def reach(messenger: Messenger) -> frozenset[str] | None:
    """The only chats `messenger` can deliver to, or None for every chat of its platform.

    A messenger that serves one person (the console: whoever types at this terminal) says so
    with `only_chats` on it; a message to anyone else waits in the outbox for a process that
    reaches them.
    """
    only: frozenset[str] | None = getattr(messenger, "only_chats", None)
    return only


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message for the outbox: to `chat_id` on `platform`, because this process cannot
    deliver it. `reminder_id` is the reminder it comes from (None for a notice about one)."""

    platform: str
    chat_id: str
    text: str
    keyboard: Keyboard = ()
    contact_id: int | None = None
    reminder_id: int | None = None


@dataclass(frozen=True, slots=True)
class Queued:
    """An outbox message claimed for sending; `contact` is whom it goes to, if a person.
    `kind` and `instance_id` are those of the reminder it comes from, if it still exists."""

    id: int
    platform: str
    chat_id: str
    text: str
    keyboard: Keyboard
    contact: Contact | None
    attempts: int
    reminder_id: int | None = None
    kind: Kind | None = None
    instance_id: int | None = None


class Outbox(Protocol):
    """Messages to chats the process that made them could not reach, each claimed by one
    worker at a time under a lease it renews, as reminder rows are (see ReminderStore)."""

    async def put(self, messages: Sequence[Outgoing], *, now: datetime) -> int:
        """Queue `messages`, due at once; one of each per reminder and chat. The number added."""

    async def claim(
        self,
        *,
        reach: Mapping[str, frozenset[str] | None],
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int,
    ) -> list[Queued]:
        """Take up to `limit` due messages for `worker` until `now + lease`, only on the
        platforms of `reach` and, where it names chats, only to those chats."""

    async def sent(self, *, message_id: int, worker: str, now: datetime) -> bool:
        """Record a claimed message as sent; False if `worker` no longer holds it."""

    async def unreachable(self, *, message_id: int, worker: str, now: datetime) -> bool:
        """Record that a claimed message's chat cannot be reached: it is not tried again."""

    async def postpone(self, *, message_id: int, worker: str, due_at: datetime) -> bool: ...

    async def give_back(self, message_ids: Sequence[int], *, worker: str) -> int: ...

    async def renew(self, *, worker: str, now: datetime, lease: timedelta) -> int: ...

    async def holders(self) -> list[str]:
        """The workers holding claims now."""

    async def take_back(self, workers: Sequence[str]) -> int:
        """Release every claim of these (dead) workers."""

    async def prune(self, *, before: datetime) -> int:
        """Delete the messages that ended (sent, unreachable, dropped) before `before`."""


class Invites(Protocol):
    """The Office's invites. Each change is one transaction that applies the rules of
    bot.core.office to the rows it reads."""

    async def create_invite(
        self,
        *,
        unit_key: str,
        role: Role,
        now: datetime,
        ttl: timedelta,
        actor: str = "cli",
        same_as: int | None = None,
    ) -> InviteView:
        """A new open invite. Raises UnknownUnitError (unknown or archived unit) and
        InviteRoleError (the role does not fit the unit). With `same_as`, an invite for that
        contact's person on another platform, in their unit and role (`unit_key` and `role`
        are not read); UnknownContactError when that contact is not active."""

    async def revoke_invite(self, *, code: str, now: datetime, actor: str = "cli") -> InviteView:
        """Revoke an invite not used; revoking twice is harmless. Raises UnknownInviteError
        and InviteUsedError."""

    async def invites(self, *, now: datetime) -> list[InviteView]:
        """Every invite, oldest first, with its status at `now`."""


class Roster(Protocol):
    """The contacts as the Office manages them."""

    async def contacts(self, *, now: datetime | None = None) -> list[ContactView]: ...

    async def remove_contact(
        self, *, contact_id: int, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        """Deactivate the contact and end their waiting steps, together; the contact and how
        many steps ended. Raises UnknownContactError."""

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        """Move the contact to another unit and end their waiting steps, together (the
        person's accounts on other platforms move too). Raises UnknownContactError,
        UnknownUnitError and ContactRoleError."""

    async def reach_on(
        self, *, contact_id: int, platform: str, now: datetime, actor: str = "cli"
    ) -> Contact:
        """Make the contact's person reached on `platform` (their account there); that account.
        Raises UnknownContactError and NoAccountError (no active account there)."""


class PlanRecords(Protocol):
    """The plan in the database: applying one, and what was applied last."""

    async def has_plan(self) -> bool:
        """Whether any plan was ever applied (before one, there are no units at all)."""

    async def apply_plan(
        self, plan: Plan, *, path: str, archive: bool, now: datetime, actor: str
    ) -> ApplyResult:
        """Make the records match `plan`, in one transaction. Raises PlanConflictError when
        the plan drops rows with submissions and `archive` is false."""

    async def applied_plan(self) -> AppliedPlan | None: ...

    async def applied_by(self) -> str | None:
        """Who applied the plan last (the `actor` given), or None."""


class ReminderPlanting(Protocol):
    """The reminder rows a plan calls for."""

    async def plant(self, plan: Plan, *, now: datetime) -> int:
        """Make the unsent reminder rows match `plan`; the number written."""


class Notifier(Protocol):
    """Reaches a contact from outside the running bot (the CLI), through the platform they
    registered on."""

    async def notify(self, contact: Contact, text: str) -> bool:
        """Send one message; False if it cannot be sent (no such platform configured, the
        person unreachable, the platform down)."""


class SubmissionRegister(Protocol):
    """Every version units sent, and who speaks for each unit: what the status workbook lists."""

    async def register(self, *, instance_ids: Sequence[int]) -> list[RegisterEntry]:
        """Every version sent to these instances, oldest first."""

    async def unit_contacts(self) -> dict[str, list[str]]:
        """Unit key to its active contacts, by the name they go by, oldest first."""


class WorkbookWriter(Protocol):
    """Writes a workbook to a file (blocking: call it in a thread)."""

    def write(self, book: Workbook, path: Path) -> None:
        """Write `book` to `path` whole or not at all: a file beside it is renamed into place
        at the end, so that a crash leaves no half-written workbook."""


class SignatureReader(Protocol):
    """Reads and checks the digital signatures of a PDF (storage.signatures, with pyHanko)."""

    def read(self, path: Path) -> tuple[SignatureCheck, ...]:
        """Every signature in the PDF at `path`, checked; () when it has none, or when the
        file is no PDF the reader can open (encrypted, damaged), which it logs. Blocking and
        CPU-bound: call it in a thread."""


class DraftSources(Protocol):
    """The versions a compiled draft is made from (bot.core.drafts)."""

    async def versions(self, *, instance_id: int) -> list[DraftVersion]:
        """Every version sent for the instance by its units, with where each file lies on
        this machine (and whether it is still there)."""


class DraftWriter(Protocol):
    """Lays a compiled draft out as a Word document."""

    def write(self, draft: Draft, target: Path) -> dict[str, Unread]:
        """Write `draft` to `target`, whole or not at all. Returns the receipt codes of the
        Word documents it did not take in, and why; their annex lines say so."""


class SubmissionHistory(Protocol):
    """Every version units sent, for what the Office takes away (the archive)."""

    async def versions(self, *, instance_id: int) -> list[SubmittedVersion]:
        """Every version sent for the instance, by unit in the plan's order, then version."""


class ArchiveWriter(Protocol):
    """Writes an archive of entries, streaming stored files from the disk, whole or not at all."""

    async def write(
        self,
        destination: Path,
        entries: Sequence[ArchiveEntry],
        *,
        closing: Callable[[frozenset[str]], Sequence[ArchiveEntry]],
    ) -> WrittenArchive:
        """Write `entries`, then what `closing` returns given the names whose stored file was
        missing (skipped, not fatal), to `destination`: a file beside it is renamed into place
        at the end, so that a crash leaves no half archive."""


class ChartRenderer(Protocol):
    """Draws a report instance's progress chart (bot.core.chart) as a PNG."""

    def render(self, chart: ProgressChart, path: Path) -> None:
        """Write the picture to `path`, whole or not at all. It blocks for a tenth of a second
        or so: call it in a worker thread."""


class WebAccess(Protocol):
    """The web app's signing key, its one-time sign-in links and the sessions they open
    (bot.core.web_access has the rules; only hashes of tokens are stored)."""

    async def signing_key(self, *, now: datetime) -> bytes:
        """The key links are signed with: made by the first process that asks, then shared."""

    async def add_link(
        self,
        *,
        token_hash: str,
        role: Role,
        contact_id: int | None,
        display_name: str,
        created_by: str,
        now: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def find_link(self, *, token_hash: str) -> LinkView | None: ...

    async def sign_in(
        self, *, link_hash: str, session_hash: str, csrf: str, now: datetime, expires_at: datetime
    ) -> SessionView | None:
        """Use the link and open a session, in one transaction: the link is taken by one atomic
        update that requires it unused and unexpired, so of two racing browsers one wins. None
        when the link was not open (or its contact is no longer active)."""

    async def find_session(
        self, *, token_hash: str, now: datetime, idle: timedelta, touch: timedelta
    ) -> SessionView | None:
        """The live session (not ended, not expired, idle less than `idle`, its contact still
        active); its last_seen_at is moved to `now` when older than `touch`."""

    async def end_session(self, *, token_hash: str, now: datetime) -> bool: ...

    async def end_contact_sessions(self, *, contact_id: int, now: datetime) -> int: ...

    async def end_all_sessions(self, *, now: datetime) -> int: ...


class WebNotices(Protocol):
    """Messages to contacts who use only the web, kept until they read them on the portal."""

    async def add_notice(self, *, chat_id: str, text: str, now: datetime) -> int:
        """Keep a notice; its id."""

    async def replace_notice(self, *, notice_id: int, text: str) -> bool: ...

    async def notices(self, *, chat_id: str, limit: int) -> list[Notice]:
        """The chat's notices, newest first."""

    async def mark_read(self, *, chat_id: str, now: datetime) -> int:
        """Mark every unread notice of the chat read; how many."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change in the audit trail: when, who (an actor such as "cli", "start",
    "web:<name>", "<platform>:<user id>"), what (an action such as "invite.create") and its
    details as written."""

    id: int
    at: datetime
    actor: str
    action: str
    detail: Mapping[str, object]


class AuditTrail(Protocol):
    """Reading the audit trail back, for the Office's dashboard."""

    async def entries(self, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        """Up to `limit` entries, newest first, after skipping `offset`; and how many
        entries there are in all."""
