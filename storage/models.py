"""SQLModel tables: plan, contacts, invites, submissions, reminders, outbox, chat bindings, steps,
the web app's, and the incoming messages already seen.

Choices that keep SQLite and PostgreSQL alike (see docs/DESIGN.md):
- every datetime goes through `UTCDateTime`: stored in UTC, naive datetimes refused, aware UTC
  returned on both backends (SQLite itself drops tzinfo);
- enums are stored as plain strings (a native PostgreSQL enum type breaks downgrade/re-upgrade);
- chat and user ids are strings, so Telegram's 64-bit ints and Zalo's hex ids both fit.
"""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

# The core owns the submission kinds; re-exported for callers that imported it from here.
from bot.core.model import SubmissionKind as SubmissionKind

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class ChatPurpose(StrEnum):
    OFFICE_GROUP = "office_group"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    MISSED = "missed"  # could not be sent while still useful: the Office should know why


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot, or the chat is gone
    DROPPED = "dropped"  # no longer worth sending: `note` says why


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive datetimes are a bug and are refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(UTC)
        # SQLite stores text and would drop the offset anyway; strip it so that every stored
        # value has the same form and compares correctly as text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(SQLModel, registry=registry(metadata=metadata)):
    """Base of every table here: our own metadata, with a naming convention for constraints."""


class OrganisationRecord(Base, table=True):
    """The single organisation row (id 1) and the plan that was last applied."""

    __tablename__ = "organisation"

    id: int = Field(default=1, primary_key=True)
    name: str
    short_name: str
    timezone: str
    plan_source: str = Field(default="", sa_type=sa.Text)
    plan_path: str = ""
    plan_digest: str = ""
    plan_data: str = Field(default="", sa_type=sa.Text)  # the plan's content as JSON
    applied_at: datetime = Field(sa_type=UTCDateTime)


class UnitRecord(Base, table=True):
    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    name: str
    short_name: str
    type: str  # bot.core.plan.model.UnitType value
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ContactRecord(Base, table=True):
    """A person on a chat platform who acts for a unit."""

    __tablename__ = "contact"
    __table_args__ = (sa.UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # "telegram", "zalo", "console"
    user_id: str
    chat_id: str
    display_name: str = ""
    username: str | None = None  # Telegram @username, without "@"
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str  # bot.core.plan.model.Role value
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The same person on several platforms: their accounts share the id of the first one;
    # NULL for a person with one account. Of those accounts, the one that `reaches` gets the
    # reminders and summaries (bot.core.office.one_per_person).
    person_id: int | None = Field(default=None, index=True)
    reaches: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class InviteRecord(Base, table=True):
    """A one-time code that binds the person who uses it to a unit and a role."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The contact whose person redeems this invite on another platform: the account made is
    # linked to theirs. No foreign key: SQLite cannot add one without rebuilding the table.
    same_as_contact_id: int | None = None


class ReportRecord(Base, table=True):
    __tablename__ = "report"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    name: str
    kind: str  # bot.core.plan.model.ReportKind value
    receiver_unit_id: int = Field(foreign_key="unit.id")
    forward_files: bool = False
    every: str | None = None  # bot.core.plan.model.Every value
    escalate_after_days: int = 3
    reminder_rules: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # rule keys
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReportSubmitterRecord(Base, table=True):
    __tablename__ = "report_submitter"

    report_id: int = Field(foreign_key="report.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class ReportDependencyRecord(Base, table=True):
    """`report_id` compiles `depends_on_report_id` (a cascade)."""

    __tablename__ = "report_dependency"

    report_id: int = Field(foreign_key="report.id", primary_key=True)
    depends_on_report_id: int = Field(foreign_key="report.id", primary_key=True)


class ReportInstanceRecord(Base, table=True):
    """One occurrence of a report with its deadline; `key` is stable across plan edits."""

    __tablename__ = "report_instance"
    __table_args__ = (sa.UniqueConstraint("report_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id")
    key: str
    due_kind: str  # bot.core.plan.model.DueKind value
    due_day: date
    due_time: time | None = None
    due_end: datetime = Field(sa_type=UTCDateTime, index=True)  # first moment that is late
    last_day: date
    overdue_from: date | None = None
    period_key: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubmissionRecord(Base, table=True):
    """One version of what a unit sent for a report instance."""

    __tablename__ = "submission"
    __table_args__ = (sa.UniqueConstraint("instance_id", "unit_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="report_instance.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    version: int
    kind: str  # SubmissionKind value
    text: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)
    original_name: str | None = None
    stored_path: str | None = None
    size: int | None = Field(default=None, sa_type=sa.BigInteger)
    sha256: str | None = None
    mime: str | None = None
    receipt_code: str = Field(unique=True)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    # The platform event that produced it: a redelivered update finds its first version here.
    source_ref: str | None = Field(default=None, unique=True)


class ReminderRecord(Base, table=True):
    """A reminder to send: the source of truth for the dispatch loop (claimed with a lease)."""

    __tablename__ = "reminder"
    __table_args__ = (
        sa.UniqueConstraint("instance_id", "unit_id", "rule_key"),
        # NULLs are distinct in a unique constraint on both backends: a partial index keeps
        # reminders that target no unit (office, leadership) unique too.
        sa.Index(
            "uq_reminder_instance_id_rule_key_no_unit",
            "instance_id",
            "rule_key",
            unique=True,
            sqlite_where=sa.text("unit_id IS NULL"),
            postgresql_where=sa.text("unit_id IS NULL"),
        ),
        sa.Index("ix_reminder_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="report_instance.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    kind: str
    rule_key: str
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = ReminderStatus.PENDING.value
    claimed_by: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    note: str | None = None  # why a row ended as it did (a missed reminder's reason)


class OutboxRecord(Base, table=True):
    """One message to one chat on one platform, waiting for a process that serves that chat.

    The dispatcher of a process sends a reminder itself to the people it can reach, and leaves
    a row here for everyone else; the process that reaches them claims it, as reminders are
    claimed (with a lease), and sends it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # A reminder sent again after a failure, or by a process that took it over, queues
        # each of its messages once.
        sa.UniqueConstraint("reminder_id", "platform", "chat_id"),
        sa.Index("ix_outbox_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    text: str = Field(sa_type=sa.Text)
    keyboard: list[list[dict[str, str]]] = Field(default_factory=list, sa_type=sa.JSON)
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    status: str = OutboxStatus.QUEUED.value
    claimed_by: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = None


class ChatBindingRecord(Base, table=True):
    """A chat the bot serves in a role, e.g. the office group: one per platform and purpose."""

    __tablename__ = "chat_binding"
    __table_args__ = (sa.UniqueConstraint("platform", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    purpose: str  # ChatPurpose value
    title: str | None = None
    bound_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    bound_at: datetime = Field(sa_type=UTCDateTime)


class PendingStepRecord(Base, table=True):
    """A step waiting for a person's button press; at most one per person."""

    __tablename__ = "pending_step"
    __table_args__ = (sa.UniqueConstraint("platform", "user_id"),)

    token: str = Field(primary_key=True)  # secrets.token_urlsafe: goes on the buttons
    platform: str
    user_id: str
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AuditRecord(Base, table=True):
    """One recorded change, chained to the one before by a hash (storage.audit): append-only,
    triggers refuse UPDATE and DELETE on both backends."""

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # SHA-256 (hex) of the row before (64 zeros for the first): unique, so the chain cannot fork.
    prev_hash: str = Field(unique=True)
    row_hash: str  # SHA-256 (hex) of this row's canonical JSON, prev_hash included


class AuditHeadRecord(Base, table=True):
    """The chain's end, one row: appending locks it (PostgreSQL) and moves it, and a check
    compares it with the last row, so rows cut off the end are seen too."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)  # always 1
    last_id: int  # 0 before the first row
    last_hash: str


class SignatureRecord(Base, table=True):
    """One digital signature found in a submitted PDF, as checked when the file came."""

    __tablename__ = "submission_signature"
    __table_args__ = (sa.UniqueConstraint("submission_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    position: int  # the signature's order in the file, from 0
    integrity: str  # SignatureIntegrity value
    trust: str  # SignatureTrust value
    signer: str | None = None
    organisation: str | None = None
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSecretRecord(Base, table=True):
    """A key the web app signs with (sign-in links), made once and shared by every process."""

    __tablename__ = "web_secret"

    name: str = Field(primary_key=True)
    value: str
    created_at: datetime = Field(sa_type=UTCDateTime)


class WebLinkRecord(Base, table=True):
    """A one-time sign-in link: signed, used once, expiring. Only its hash is stored."""

    __tablename__ = "web_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    role: str  # bot.core.plan.model.Role value
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    display_name: str = ""  # who signs in without a contact (the Office from the CLI)
    created_by: str  # the audit's actor: "cli", "start", or the contact who asked the bot
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSessionRecord(Base, table=True):
    """A signed-in browser: revocable, and ended when its contact is moved or removed."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    link_id: int | None = Field(default=None, foreign_key="web_link.id")
    role: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    display_name: str = ""
    csrf: str  # the token every form of this session carries
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebNoticeRecord(Base, table=True):
    """A message to a contact who uses only the web: reminders and receipts, read on the portal."""

    __tablename__ = "web_notice"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(index=True)  # the web contact's chat id
    text: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SeenMessageRecord(Base, table=True):
    """An incoming message already taken in, on a platform that may deliver one twice without
    an update id to resume from: the first delivery inserts the row, any later one finds it."""

    __tablename__ = "seen_message"

    platform: str = Field(primary_key=True)
    message_id: str = Field(primary_key=True)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)  # pruned by this


class StoreMarkerRecord(Base, table=True):
    """The id written in the shared file store when it was first used with this database: an
    instance whose data folder holds another id (or none) does not see the others' files."""

    __tablename__ = "store_marker"

    name: str = Field(primary_key=True)  # "files": the only store there is
    marker: str
    created_at: datetime = Field(sa_type=UTCDateTime)


class RateLimitRecord(Base, table=True):
    """One rate budget shared by every instance (handlers/telegram/limiter.py): the moment, in
    the database's clock (seconds since the epoch), of the next free sending slot, and for a
    per-chat limit the slots of the latest sends (JSON)."""

    __tablename__ = "rate_limit"

    name: str = Field(primary_key=True)
    next_at: float = Field(default=0.0)
    recent: str | None = None


def table(model: type[Base]) -> sa.Table:
    """The Core table of a model, for bulk statements."""
    result = model.__table__  # type: ignore[attr-defined]
    assert isinstance(result, sa.Table)
    return result


organisation_t = table(OrganisationRecord)
unit_t = table(UnitRecord)
contact_t = table(ContactRecord)
invite_t = table(InviteRecord)
report_t = table(ReportRecord)
report_submitter_t = table(ReportSubmitterRecord)
report_dependency_t = table(ReportDependencyRecord)
report_instance_t = table(ReportInstanceRecord)
submission_t = table(SubmissionRecord)
reminder_t = table(ReminderRecord)
outbox_t = table(OutboxRecord)
chat_binding_t = table(ChatBindingRecord)
pending_step_t = table(PendingStepRecord)
audit_t = table(AuditRecord)
audit_head_t = table(AuditHeadRecord)
signature_t = table(SignatureRecord)
web_secret_t = table(WebSecretRecord)
web_link_t = table(WebLinkRecord)
web_session_t = table(WebSessionRecord)
web_notice_t = table(WebNoticeRecord)
seen_message_t = table(SeenMessageRecord)
store_marker_t = table(StoreMarkerRecord)
rate_limit_t = table(RateLimitRecord)
