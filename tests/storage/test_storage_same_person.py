"""One person on two platforms: an invite "same as" a contact links the account that redeems
it; every recipient list has the person once, on the account they chose; removing or moving
an account keeps the link whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW

from bot.core.model import Contact, RedeemStatus
from bot.core.plan.model import Role
from storage.db import read_connection
from storage.errors import NoAccountError, UnknownContactError
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.plans import apply_plan
from storage.reminders import ReminderStore, _unit_contacts
from storage.repository import SqlRepository
from storage.roster import SqlRoster


async def register(
    repo: SqlRepository,
    platform: str,
    user: str,
    *,
    unit: str = "kh",
    role: Role = Role.HEAD,
    same_as: int | None = None,
) -> Contact:
    invite = await create_invite(repo.engine, unit_key=unit, role=role, now=NOW, same_as=same_as)
    redeemed = await repo.redeem_invite(
        code=invite.code,
        platform=platform,
        user_id=user,
        chat_id=f"chat-{user}",
        display_name=f"Người {user}",
        now=NOW,
    )
    assert redeemed.status is RedeemStatus.REGISTERED and redeemed.contact is not None
    return redeemed.contact


@pytest.fixture
async def repo(engine: AsyncEngine, tmp_path: object) -> SqlRepository:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    return SqlRepository(engine, LocalFileStore(tmp_path))  # type: ignore[arg-type]


async def heads(engine: AsyncEngine, unit: str = "kh") -> list[tuple[str, str]]:
    async with read_connection(engine) as connection:
        people = await _unit_contacts(connection, {unit})
    return [(c.platform, c.user_id) for c in people[unit]]


async def test_an_invite_same_as_a_contact_links_the_new_account(repo: SqlRepository) -> None:
    first = await register(repo, "telegram", "t1")
    invite = await create_invite(
        repo.engine, unit_key="", role=Role.LEADER, now=NOW, same_as=first.id
    )
    assert (invite.unit_key, invite.role, invite.same_as_contact_id) == ("kh", Role.HEAD, first.id)
    redeemed = await repo.redeem_invite(
        code=invite.code, platform="zalo", user_id="z1", chat_id="z1", display_name="A", now=NOW
    )
    second = redeemed.contact
    assert second is not None and second.unit_key == "kh" and second.role is Role.HEAD
    # Linked; the old account keeps reaching them until they choose.
    assert second.person_id == first.id and not second.reaches
    accounts = await repo.linked(contact_id=second.id)
    assert [(a.platform, a.reaches) for a in accounts] == [("telegram", True), ("zalo", False)]
    assert await heads(repo.engine) == [("telegram", "t1")]
    # They choose the new one: reminders go there, once.
    chosen = await repo.set_reach(contact_id=second.id, now=NOW, actor="test")
    assert chosen.reaches
    assert await heads(repo.engine) == [("zalo", "z1")]
    # Someone else in the unit is reminded as before.
    await register(repo, "telegram", "t2")
    assert await heads(repo.engine) == [("zalo", "z1"), ("telegram", "t2")]


async def test_leaders_and_office_staff_are_listed_once_a_person(repo: SqlRepository) -> None:
    store = ReminderStore(repo.engine)
    leader = await register(repo, "telegram", "l1", unit="bgd", role=Role.LEADER)
    await register(repo, "web", "l1w", same_as=leader.id)
    staff = await register(repo, "telegram", "o1", unit="vp", role=Role.OFFICE)
    await register(repo, "zalo", "o1z", same_as=staff.id)
    assert [c.user_id for c in await store.leaders()] == ["l1"]
    assert [c.user_id for c in await store.office_staff()] == ["o1"]
    await SqlRoster(repo.engine).reach_on(contact_id=staff.id, platform="zalo", now=NOW)
    assert [c.user_id for c in await store.office_staff()] == ["o1z"]


async def test_removing_the_account_that_reaches_hands_it_to_the_other(
    repo: SqlRepository,
) -> None:
    first = await register(repo, "telegram", "t1")
    second = await register(repo, "zalo", "z1", same_as=first.id)
    roster = SqlRoster(repo.engine)
    await roster.remove_contact(contact_id=first.id, now=NOW)
    assert await heads(repo.engine) == [("zalo", "z1")]
    (left,) = await repo.linked(contact_id=second.id)
    assert left.reaches
    # An unreachable chosen account does not silence the person either.
    third = await register(repo, "web", "w1", same_as=second.id)
    await ReminderStore(repo.engine).mark_unreachable(contact_id=second.id, now=NOW)
    assert await heads(repo.engine) == [("web", "w1")]
    assert third.person_id == first.id


async def test_moving_one_account_moves_the_person(repo: SqlRepository) -> None:
    first = await register(repo, "telegram", "t1")
    second = await register(repo, "zalo", "z1", same_as=first.id)
    moved, _ = await SqlRoster(repo.engine).move_contact(
        contact_id=second.id, unit_key="tc", now=NOW
    )
    assert moved.unit_key == "tc"
    assert [a.unit_key for a in await repo.linked(contact_id=first.id)] == ["tc", "tc"]
    assert await heads(repo.engine, "kh") == []
    assert await heads(repo.engine, "tc") == [("telegram", "t1")]


async def test_reach_on_a_platform_without_an_account(repo: SqlRepository) -> None:
    first = await register(repo, "telegram", "t1")
    roster = SqlRoster(repo.engine)
    with pytest.raises(NoAccountError):
        await roster.reach_on(contact_id=first.id, platform="zalo", now=NOW)
    with pytest.raises(UnknownContactError):
        await roster.reach_on(contact_id=9999, platform="zalo", now=NOW)
    with pytest.raises(UnknownContactError):
        await create_invite(repo.engine, unit_key="kh", role=Role.HEAD, now=NOW, same_as=9999)
    # A person with one account reaches it already.
    assert (await roster.reach_on(contact_id=first.id, platform="telegram", now=NOW)).reaches


async def test_an_expired_linking_invite_links_nothing(repo: SqlRepository) -> None:
    first = await register(repo, "telegram", "t1")
    invite = await create_invite(
        repo.engine, unit_key="kh", role=Role.HEAD, now=NOW, ttl=timedelta(days=1), same_as=first.id
    )
    late = await repo.redeem_invite(
        code=invite.code,
        platform="zalo",
        user_id="z1",
        chat_id="z1",
        display_name="A",
        now=NOW + timedelta(days=2),
    )
    assert late.status is RedeemStatus.EXPIRED
    assert [a.platform for a in await repo.linked(contact_id=first.id)] == ["telegram"]
