"""The Office's use cases over the real storage adapters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW

from bot.core.errors import UserError
from bot.core.model import Contact
from bot.core.office import InviteStatus
from bot.core.office_desk import OfficeDesk
from bot.core.plan.model import Role
from storage.errors import ContactRoleError, InviteRoleError, UnknownUnitError
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.invites import SqlInvites
from storage.plans import SqlPlans, apply_plan
from storage.repository import SqlRepository
from storage.roster import SqlRoster

TTL = timedelta(days=3)


class Notifier:
    def __init__(self) -> None:
        self.told: list[str] = []

    async def notify(self, contact: Contact, text: str) -> bool:
        self.told.append(contact.user_id)
        return True


def desk(engine: AsyncEngine, notifier: Notifier | None = None) -> OfficeDesk:
    return OfficeDesk(
        invites=SqlInvites(engine),
        roster=SqlRoster(engine),
        instances=SqlReportInstances(engine),
        plans=SqlPlans(engine),
        notifier=notifier or Notifier(),
    )


async def test_before_any_plan_an_invite_asks_for_one(engine: AsyncEngine) -> None:
    assert await SqlPlans(engine).has_plan() is False
    with pytest.raises(UserError) as caught:
        await desk(engine).create_invite(unit_key="kh", role=Role.HEAD, ttl=TTL, now=NOW)
    assert caught.value.key == "invite-error-no-plan"

    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    assert await SqlPlans(engine).has_plan() is True
    with pytest.raises(UnknownUnitError):
        await desk(engine).create_invite(unit_key="khong-co", role=Role.HEAD, ttl=TTL, now=NOW)


async def test_invites_are_made_listed_and_revoked(engine: AsyncEngine) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    office = desk(engine)
    invite = await office.create_invite(unit_key="kh", role=Role.HEAD, ttl=TTL, now=NOW)
    assert invite.expires_at == NOW + TTL
    with pytest.raises(InviteRoleError):  # the domain's rule, inside the write
        await office.create_invite(unit_key="kh", role=Role.LEADER, ttl=TTL, now=NOW)
    assert await office.list_invites(now=NOW) == [invite]

    later = NOW + timedelta(hours=1)
    revoked, now = await office.revoke_invite(code=invite.code, now=later)
    assert (revoked.status, now) == (InviteStatus.REVOKED, True)
    _, now = await office.revoke_invite(code=invite.code, now=later + timedelta(hours=1))
    assert now is False


async def test_a_used_invite_names_who_used_it(engine: AsyncEngine, tmp_path: Path) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    office = desk(engine)
    invite = await office.create_invite(unit_key="kh", role=Role.HEAD, ttl=TTL, now=NOW)
    repository = SqlRepository(engine, LocalFileStore(tmp_path))
    await repository.redeem_invite(
        code=invite.code, platform="console", user_id="an", chat_id="an", display_name="An", now=NOW
    )
    with pytest.raises(UserError) as caught:
        await office.revoke_invite(code=invite.code, now=NOW)
    assert (caught.value.key, caught.value.params["name"]) == ("cli-invite-revoke-used", "An")


async def test_contacts_are_moved_and_removed_and_told(engine: AsyncEngine, tmp_path: Path) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    notifier = Notifier()
    office = desk(engine, notifier)
    code = (await office.create_invite(unit_key="vp", role=Role.OFFICE, ttl=TTL, now=NOW)).code
    repository = SqlRepository(engine, LocalFileStore(tmp_path))
    redemption = await repository.redeem_invite(
        code=code, platform="console", user_id="bao", chat_id="bao", display_name="Bảo", now=NOW
    )
    assert redemption.contact is not None
    contact_id = redemption.contact.id

    with pytest.raises(ContactRoleError):  # office staff only in the Office
        await office.move_contact(contact_id=contact_id, unit_key="kh", now=NOW)
    contact, told, ended = await office.remove_contact(contact_id=contact_id, now=NOW)
    assert (contact.active, told, ended, notifier.told) == (False, True, 0, ["bao"])
    (listed,) = await office.list_contacts()
    assert (listed.id, listed.active) == (contact_id, False)
