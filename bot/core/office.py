"""What the Office manages besides the plan: invites and contacts, and the rules they keep.

The storage adapters apply these rules inside their write transactions, so that a rule and
the row it guards are read and written together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.errors import InviteUsedError
from bot.core.model import Contact
from bot.core.plan.model import Role, UnitType

# The unit type a role needs; None means any (active) unit.
ROLE_NEEDS: dict[Role, UnitType | None] = {
    Role.HEAD: None,
    Role.OFFICE: UnitType.OFFICE,
    Role.LEADER: UnitType.LEADERSHIP,
}


def role_fits(role: Role, unit_type: UnitType | str) -> bool:
    """Whether a person in `role` may belong to a unit of `unit_type`: office staff only in
    the Office, leaders only in leadership, unit heads anywhere."""
    needed = ROLE_NEEDS[role]
    return needed is None or UnitType(unit_type) is needed


# What an invite code looks like: a deep-link payload (up to 64 characters of A-Z a-z 0-9 _ -);
# the codes made today are 22 characters long (storage.invites). Codes are case-sensitive.
_CODE = r"[A-Za-z0-9_-]{16,64}"
_TYPED_CODE = re.compile(rf"(?:/?start\s+)?({_CODE})", re.IGNORECASE)


def typed_invite_code(text: str) -> str | None:
    """The invite code a person typed as a message, or None when the text is no code.

    A platform without deep links (or a person who copied the code alone) sends the code as
    plain text: with spaces around it, or after "/start " or "start " as a deep link
    would have it. The code itself keeps its case: codes are case-sensitive.
    """
    match = _TYPED_CODE.fullmatch(text.strip())
    return None if match is None else match.group(1)


def one_per_person(contacts: Sequence[Contact]) -> list[Contact]:
    """`contacts` with one account per person, in their order: of a person's accounts, the one
    that reaches them, or when it is not among `contacts` (removed, unreachable), the first.

    Every list of recipients goes through this, so that a person with accounts on two
    platforms gets each reminder and summary once, where they chose.
    """
    chosen: dict[int, Contact] = {}
    for contact in contacts:
        if contact.person_id is None:
            continue
        current = chosen.get(contact.person_id)
        if current is None or (contact.reaches and not current.reaches):
            chosen[contact.person_id] = contact
    return [c for c in contacts if c.person_id is None or chosen[c.person_id] is c]


class InviteStatus(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def invite_status(
    *, used_at: datetime | None, revoked_at: datetime | None, expires_at: datetime, now: datetime
) -> InviteStatus:
    """An invite's status at `now`: being used outranks a later revocation or expiry."""
    if used_at is not None:
        return InviteStatus.USED
    if revoked_at is not None:
        return InviteStatus.REVOKED
    if now >= expires_at:
        return InviteStatus.EXPIRED
    return InviteStatus.OPEN


@dataclass(frozen=True, slots=True)
class InviteView:
    code: str
    unit_key: str
    unit_name: str
    role: Role
    status: InviteStatus
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by_contact_id: int | None = None
    used_by_name: str | None = None
    revoked_at: datetime | None = None
    same_as_contact_id: int | None = None  # the person's account this invite links to


def needs_revoking(invite: InviteView) -> bool:
    """Whether revoking `invite` changes anything: an invite revoked already stays as it is,
    an open or expired one is revoked. Raises InviteUsedError: a used invite made a contact,
    and taking the contact off is `remove_contact`'s work."""
    if invite.status is InviteStatus.USED:
        raise InviteUsedError(invite.code)
    return invite.status is not InviteStatus.REVOKED


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact as the Office's list shows it, inactive ones and archived units included."""

    id: int
    platform: str
    user_id: str
    chat_id: str
    display_name: str
    username: str | None
    unit_key: str
    unit_name: str
    unit_archived: bool
    role: Role
    active: bool
    created_at: datetime
    removed_at: datetime | None
    unreachable_at: datetime | None
    person_id: int | None = None  # shared by one person's accounts on several platforms
    reaches: bool = True  # of those accounts, the one reminders go to
