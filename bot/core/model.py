"""What the use cases exchange with chat adapters and storage: plain data, no library types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

from bot.core.plan.model import Deadline, DueKind, Period, Role, UnitType

# ---- what a chat platform delivers ----------------------------------------------------------


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Chat:
    platform: str  # "telegram", "zalo", "console"
    chat_id: str  # strings: Telegram's 64-bit ints and Zalo's hex ids both fit
    kind: ChatKind
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    user_id: str
    display_name: str
    username: str | None = None  # without "@"


class AttachmentKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: AttachmentKind
    file_ref: str  # the platform's id for downloading or re-sending the file
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None  # as the platform announces it, before downloading


class OtherContent(StrEnum):
    """Kinds of message a person can send that are not a report: each gets its own answer."""

    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    VIDEO_NOTE = "video_note"  # a round video message
    ANIMATION = "animation"  # a GIF or silent video
    STICKER = "sticker"
    CONTACT = "contact"  # a shared phone-book entry
    LOCATION = "location"  # a place, a venue or a live location
    POLL = "poll"
    DICE = "dice"  # an animated emoji with a random value
    FILE = "file"  # a file this platform cannot pass to the bot
    OTHER = "other"  # anything else a person sent that the bot does not take


@dataclass(frozen=True, slots=True)
class MessageRef:
    chat_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Callback:
    """A pressed button: `data` is what the bot put on it; never trust it."""

    callback_id: str
    data: str
    message: MessageRef | None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did in a chat, translated from any platform."""

    chat: Chat
    sender: Sender
    received_at: datetime
    source_ref: str  # unique per platform event, so that a redelivered event is recognised
    text: str | None = None
    command: str | None = None  # lower case, without "/" and "@botname"
    args: tuple[str, ...] = ()
    attachment: Attachment | None = None
    callback: Callback | None = None
    other: OtherContent | None = None  # what was sent when it is no text, file or photo
    edited: bool = False  # the person changed a message sent before


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]

# ---- what storage knows ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    platform: str
    user_id: str
    chat_id: str
    display_name: str
    unit_key: str
    unit_name: str
    unit_short_name: str
    unit_type: UnitType
    role: Role
    active: bool = True
    # One person with accounts on several platforms: the accounts share `person_id` (the id
    # of the person's first account; None for a person with one account), and the one that
    # `reaches` is where reminders and summaries go.
    person_id: int | None = None
    reaches: bool = True


@dataclass(frozen=True, slots=True)
class PersonalSummary:
    """What is stored about one person, as /dulieu tells them: their accounts (linked ones
    too), what they sent, and their open web sessions."""

    accounts: tuple[Contact, ...]
    registered_at: datetime
    submissions: int
    last_submission_at: datetime | None
    web_sessions: int


class RedeemStatus(StrEnum):
    REGISTERED = "registered"  # the invite was open and now binds this account
    ALREADY = "already"  # this account already used this very invite
    UNKNOWN = "unknown"
    USED = "used"  # used by another account
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Redemption:
    status: RedeemStatus
    contact: Contact | None = None  # for REGISTERED and ALREADY


@dataclass(frozen=True, slots=True)
class OpenInstance:
    """A report instance as one unit sees it."""

    instance_id: int
    report_key: str
    report_name: str
    instance_key: str
    receiver_name: str
    deadline: Deadline
    due_end: datetime
    last_day: date
    period: Period | None
    forward_files: bool
    versions: int = 0  # how many versions this unit has sent
    latest_at: datetime | None = None


class SubmissionKind(StrEnum):
    TEXT = "text"
    FILE = "file"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A downloaded file waiting in the store's staging area for its submission row."""

    path: Path
    original_name: str
    size: int
    sha256: str
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    submission_id: int
    receipt_code: str
    version: int
    submitted_at: datetime
    late_by: timedelta | None  # None: on time
    kind: SubmissionKind
    report_name: str
    unit_name: str
    original_name: str | None = None
    # When the unit's first version came: lateness is judged by it, even for a correction.
    first_at: datetime | None = None

    @property
    def correction(self) -> bool:
        return self.version > 1


class SubmissionState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # nothing submitted and the deadline has passed
    PENDING = "pending"  # nothing submitted yet, still before the deadline


@dataclass(frozen=True, slots=True)
class UnitStatus:
    unit_key: str
    unit_name: str
    state: SubmissionState
    versions: int = 0
    latest_version: int | None = None
    latest_at: datetime | None = None
    first_at: datetime | None = None
    late_by: timedelta | None = None  # LATE: first version after due_end; MISSING: now - due_end
    signatures: tuple[SignatureCheck, ...] = ()  # of the latest version's PDF, if signed

    @property
    def submitted(self) -> bool:
        return self.versions > 0


@dataclass(frozen=True, slots=True)
class InstanceStatus:
    instance_id: int
    report_key: str
    report_name: str
    instance_key: str
    period_key: str | None
    period_start: date | None
    period_end: date | None
    due_kind: DueKind
    due_day: date
    due_time: time | None
    due_end: datetime
    units: tuple[UnitStatus, ...] = field(default_factory=tuple)

    @property
    def deadline(self) -> Deadline:
        return Deadline(self.due_kind, self.due_day, self.due_time)

    def count(self, state: SubmissionState) -> int:
        return sum(1 for unit in self.units if unit.state is state)


@dataclass(frozen=True, slots=True)
class Pending:
    """A step waiting for the person's button press, stored so that a restart loses nothing.

    This is its stored form, a kind and a JSON payload; `bot.core.steps` reads it into the
    step's own type and writes it back.
    """

    token: str
    platform: str
    user_id: str
    kind: str
    payload: dict[str, object]
    created_at: datetime


# ---- digital signatures on a submitted PDF ------------------------------------------------


class SignatureIntegrity(StrEnum):
    """What became of the signed bytes since signing."""

    INTACT = "intact"  # the file is as signed, or later revisions only add what signing allows
    MODIFIED = "modified"  # the signature holds, but a later revision changed the content
    BROKEN = "broken"  # the signed bytes no longer match the signature (hash mismatch)
    UNREADABLE = "unreadable"  # a signature field is there but cannot be checked (malformed)

    @property
    def warning(self) -> bool:
        return self is not SignatureIntegrity.INTACT


class SignatureTrust(StrEnum):
    """Whether the signer's certificate leads to a certificate authority the deployment trusts."""

    UNCHECKED = "unchecked"  # no trust roots configured
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """One digital signature in a submitted PDF, as checked when it came."""

    integrity: SignatureIntegrity
    trust: SignatureTrust
    signer: str | None = None  # the certificate subject's common name
    organisation: str | None = None
    signed_at: datetime | None = None  # the time the signer states (or a timestamp's)

    @property
    def warning(self) -> bool:
        return self.integrity.warning


def nearest_instance(instances: Sequence[InstanceStatus], *, now: datetime) -> InstanceStatus:
    """The instance whose deadline is nearest `now`, passed or coming (the earlier on a tie):
    of a report due every month, the one the Office is chasing or about to chase."""
    if not instances:
        raise ValueError("no instance to choose from")
    return min(instances, key=lambda instance: (abs(instance.due_end - now), instance.due_end))
