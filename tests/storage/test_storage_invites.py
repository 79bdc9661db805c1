"""Invites: codes fit a deep link, roles fit units, statuses follow time, use and revocation."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW

from bot.core.i18n import t
from bot.core.plan.model import Role
from storage import invites
from storage.db import read_session, write_session
from storage.errors import InviteRoleError, InviteUsedError, UnknownInviteError, UnknownUnitError
from storage.invites import InviteStatus, create_invite, list_invites, revoke_invite
from storage.models import ContactRecord, audit_t, invite_t, unit_t
from storage.plans import apply_plan


@pytest.fixture
async def planned(engine: AsyncEngine) -> AsyncEngine:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    return engine


async def test_create_and_list(planned: AsyncEngine) -> None:
    invite = await create_invite(planned, unit_key="kh", role=Role.HEAD, now=NOW)

    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", invite.code)
    assert invite.status is InviteStatus.OPEN
    assert invite.expires_at == NOW + timedelta(days=14)
    assert (invite.unit_key, invite.unit_name, invite.role) == ("kh", "Phòng kh", Role.HEAD)
    assert await list_invites(planned, now=NOW) == [invite]
    async with read_session(planned) as session:
        actions = list(await session.scalars(sa.select(audit_t.c.action)))
    assert actions[-1] == "invite.create"


async def test_codes_are_unique(planned: AsyncEngine) -> None:
    codes = {
        (await create_invite(planned, unit_key="tc", role=Role.HEAD, now=NOW)).code
        for _ in range(20)
    }
    assert len(codes) == 20


async def test_statuses(planned: AsyncEngine) -> None:
    expiring = await create_invite(
        planned, unit_key="kh", role=Role.HEAD, now=NOW, ttl=timedelta(hours=1)
    )
    used = await create_invite(planned, unit_key="vp", role=Role.OFFICE, now=NOW)
    revoked = await create_invite(planned, unit_key="bgd", role=Role.LEADER, now=NOW)
    still_open = await create_invite(planned, unit_key="tc", role=Role.HEAD, now=NOW)
    async with write_session(planned) as session:
        unit_id = await session.scalar(sa.select(unit_t.c.id).where(unit_t.c.key == "vp"))
        assert unit_id is not None
        contact = ContactRecord(
            platform="telegram",
            user_id="7000000001",
            chat_id="7000000001",
            display_name="Trần Thị B",
            unit_id=unit_id,
            role="office",
            created_at=NOW,
        )
        session.add(contact)
        await session.flush()
        await session.execute(
            sa.update(invite_t)
            .where(invite_t.c.code == used.code)
            .values(used_at=NOW + timedelta(minutes=5), used_by_contact_id=contact.id)
        )
    await revoke_invite(planned, revoked.code, NOW + timedelta(minutes=10))

    later = NOW + timedelta(hours=2)
    views = {view.code: view for view in await list_invites(planned, now=later)}

    assert views[expiring.code].status is InviteStatus.EXPIRED
    assert views[used.code].status is InviteStatus.USED
    assert views[used.code].used_by_name == "Trần Thị B"
    assert views[used.code].used_at == NOW + timedelta(minutes=5)
    assert views[revoked.code].status is InviteStatus.REVOKED
    assert views[still_open.code].status is InviteStatus.OPEN
    # The same invite is open before its expiry: status is computed at the given `now`.
    before = {view.code: view for view in await list_invites(planned, now=NOW)}
    assert before[expiring.code].status is InviteStatus.OPEN

    with pytest.raises(InviteUsedError):
        await revoke_invite(planned, used.code, later)
    again = await revoke_invite(planned, revoked.code, later)  # harmless
    assert again.revoked_at == NOW + timedelta(minutes=10)


async def test_unknown_code(planned: AsyncEngine) -> None:
    with pytest.raises(UnknownInviteError) as caught:
        await revoke_invite(planned, "no-such-code", NOW)
    assert "no-such-code" in t(caught.value.key, **caught.value.params)


@pytest.mark.parametrize(
    ("unit_key", "role"),
    [("kh", Role.OFFICE), ("kh", Role.LEADER), ("vp", Role.LEADER), ("bgd", Role.OFFICE)],
)
async def test_role_must_fit_the_unit(planned: AsyncEngine, unit_key: str, role: Role) -> None:
    with pytest.raises(InviteRoleError) as caught:
        await create_invite(planned, unit_key=unit_key, role=role, now=NOW)
    assert caught.value.params["unit"] == unit_key
    assert unit_key in t(caught.value.key, **caught.value.params)
    assert await list_invites(planned, now=NOW) == []


async def test_heads_fit_every_unit(planned: AsyncEngine) -> None:
    for key in ("vp", "bgd", "kh"):
        await create_invite(planned, unit_key=key, role=Role.HEAD, now=NOW)
    assert len(await list_invites(planned, now=NOW)) == 3


async def test_unknown_or_archived_unit(planned: AsyncEngine) -> None:
    with pytest.raises(UnknownUnitError) as caught:
        await create_invite(planned, unit_key="khong-co", role=Role.HEAD, now=NOW)
    assert "khong-co" in t(caught.value.key, **caught.value.params)

    the_plan = small_plan(units=("kh", "tc"))
    await apply_plan(planned, replace(the_plan), path="p.yaml", now=NOW)  # archives "ns"
    with pytest.raises(UnknownUnitError):
        await create_invite(planned, unit_key="ns", role=Role.HEAD, now=NOW)


async def test_an_expired_invite_can_be_revoked(planned: AsyncEngine) -> None:
    invite = await create_invite(
        planned, unit_key="kh", role=Role.HEAD, now=NOW, ttl=timedelta(hours=1)
    )
    later = NOW + timedelta(days=2)
    view = await revoke_invite(planned, invite.code, later)
    assert (view.status, view.revoked_at) == (InviteStatus.REVOKED, later)


def test_a_code_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """`baocao invite revoke -Xyz...` would read the code as an option."""
    drawn = iter(["-dashFirst0123456789ab", "Ok_code-0123456789abcd"])
    monkeypatch.setattr(invites.secrets, "token_urlsafe", lambda size: next(drawn))
    assert invites.new_invite_code() == "Ok_code-0123456789abcd"
