"""What the Office manages besides the plan: invites and contacts, and the rules they keep.

The storage adapters apply these rules inside their write transactions, so that a rule and
the row it guards are read and written together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.errors import InviteUsedError
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
