"""The Office's own actions, outside chat: invites, contacts and who has reported.

The CLI reaches them through `bot.services`, which opens the database and builds the adapters;
what the Office did wrong comes back as a UserError or RecordError with its catalog key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.errors import InviteUsedError, UnknownInviteError, UnknownUnitError, UserError
from bot.core.i18n import t
from bot.core.model import Contact, InstanceStatus
from bot.core.office import ContactView, InviteView
from bot.core.plan.model import Role
from bot.core.ports import Invites, Outbox, PlanRecords, ReportInstances, Roster


class OfficeDesk:
    """Invites, the roster and report status, as the Office works them."""

    def __init__(
        self,
        *,
        invites: Invites,
        roster: Roster,
        instances: ReportInstances,
        plans: PlanRecords,
        outbox: Outbox,
    ) -> None:
        self.invites = invites
        self.roster = roster
        self.instances = instances
        self.plans = plans
        self.outbox = outbox

    async def create_invite(
        self, *, unit_key: str, role: Role, ttl: timedelta, now: datetime
    ) -> InviteView:
        """A new invite for `unit_key` in `role`, open for `ttl`."""
        try:
            return await self.invites.create_invite(unit_key=unit_key, role=role, now=now, ttl=ttl)
        except UnknownUnitError:
            # Before any plan there is no unit at all: say what to do first.
            if not await self.plans.has_plan():
                raise UserError("invite-error-no-plan", unit=unit_key) from None
            raise

    async def revoke_invite(self, *, code: str, now: datetime) -> tuple[InviteView, bool]:
        """Revoke an unused invite. Returns it, and whether it was revoked now (not before)."""
        try:
            view = await self.invites.revoke_invite(code=code, now=now)
        except UnknownInviteError:
            raise UserError("cli-invite-revoke-unknown", code=code) from None
        except InviteUsedError:
            (used,) = [v for v in await self.invites.invites(now=now) if v.code == code]
            raise UserError(
                "cli-invite-revoke-used", code=code, name=used.used_by_name or "?"
            ) from None
        return view, view.revoked_at == now

    async def list_invites(self, *, now: datetime) -> list[InviteView]:
        return await self.invites.invites(now=now)

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        """Who has reported, per active instance (of one report, or of all)."""
        return await self.instances.status(report_key=report_key, now=now)

    async def list_contacts(self) -> list[ContactView]:
        return await self.roster.contacts()

    async def remove_contact(self, *, contact_id: int, now: datetime) -> tuple[Contact, bool, int]:
        """Take a contact off the bot; the person is told. Returns the contact, whether told,
        and how many of their waiting steps ended."""
        contact, ended = await self.roster.remove_contact(contact_id=contact_id, now=now)
        text = _with_ended(t("contact-removed-notice", unit=contact.unit_name), ended)
        return contact, await self.outbox.notify(contact, text), ended

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime
    ) -> tuple[Contact, bool, int]:
        """Move a contact to another unit; the person is told. Returns the contact, whether
        told, and how many of their waiting steps ended (they were started for the unit
        left)."""
        contact, ended = await self.roster.move_contact(
            contact_id=contact_id, unit_key=unit_key, now=now
        )
        text = t(
            "contact-moved-notice", unit=contact.unit_name, role=t(f"role-{contact.role.value}")
        )
        return contact, await self.outbox.notify(contact, _with_ended(text, ended)), ended


def _with_ended(text: str, ended: int) -> str:
    """A notice, and that the step the person was in the middle of did not go through."""
    return f"{text}\n\n{t('contact-steps-ended-notice')}" if ended else text
