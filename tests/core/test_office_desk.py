"""The Office's use cases over fake ports, and the rules of invites and roles they rely on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import (
    InviteUsedError,
    UnknownInviteError,
    UnknownReportError,
    UnknownUnitError,
    UserError,
)
from bot.core.i18n import t
from bot.core.model import Contact, InstanceStatus, OpenInstance
from bot.core.office import (
    ContactView,
    InviteStatus,
    InviteView,
    invite_status,
    needs_revoking,
    role_fits,
)
from bot.core.office_desk import OfficeDesk
from bot.core.plan.model import Role, UnitType

NOW = datetime(2024, 5, 20, 2, 0, tzinfo=UTC)
ANNA = Contact(
    id=3,
    platform="console",
    user_id="anna",
    chat_id="anna",
    display_name="Trần Thị An",
    unit_key="kh",
    unit_name="Phòng Kế hoạch",
    unit_short_name="KH",
    unit_type=UnitType.UNIT,
    role=Role.HEAD,
)


def view(code: str, status: InviteStatus, **changes: object) -> InviteView:
    invite = InviteView(
        code=code,
        unit_key="kh",
        unit_name="Phòng Kế hoạch",
        role=Role.HEAD,
        status=status,
        created_at=NOW,
        expires_at=NOW + timedelta(days=14),
    )
    return replace(invite, **changes)  # type: ignore[arg-type]


@dataclass
class FakeInvites:
    known: dict[str, InviteView] = field(default_factory=dict)
    units: set[str] = field(default_factory=lambda: {"kh"})

    async def create_invite(
        self, *, unit_key: str, role: Role, now: datetime, ttl: timedelta, actor: str = "cli"
    ) -> InviteView:
        if unit_key not in self.units:
            raise UnknownUnitError(unit_key)
        invite = view(f"code{len(self.known)}", InviteStatus.OPEN, expires_at=now + ttl)
        self.known[invite.code] = invite
        return invite

    async def revoke_invite(self, *, code: str, now: datetime, actor: str = "cli") -> InviteView:
        if code not in self.known:
            raise UnknownInviteError(code)
        if needs_revoking(self.known[code]):
            self.known[code] = replace(
                self.known[code], status=InviteStatus.REVOKED, revoked_at=now
            )
        return self.known[code]

    async def invites(self, *, now: datetime) -> list[InviteView]:
        return list(self.known.values())


@dataclass
class FakeRoster:
    ended: int = 0

    async def contacts(self, *, now: datetime | None = None) -> list[ContactView]:
        return []

    async def remove_contact(
        self, *, contact_id: int, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        return replace(ANNA, active=False), self.ended

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, int]:
        return replace(ANNA, unit_key=unit_key, unit_name="Phòng Tài chính"), self.ended


class FakeInstances:
    async def open_instances(self, *, unit_key: str, now: datetime) -> list[OpenInstance]:
        return []

    async def corrections(self, *, unit_key: str, now: datetime, limit: int) -> list[OpenInstance]:
        return []

    async def upcoming(
        self, *, unit_key: str | None, now: datetime, limit: int
    ) -> list[OpenInstance]:
        return []

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        if report_key is not None:
            raise UnknownReportError(report_key)
        return []


@dataclass
class FakePlans:
    applied: bool = True

    async def has_plan(self) -> bool:
        return self.applied


@dataclass
class FakeOutbox:
    reachable: bool = True
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def notify(self, contact: Contact, text: str) -> bool:
        if self.reachable:
            self.sent.append((contact.chat_id, text))
        return self.reachable


@dataclass
class Office:
    invites: FakeInvites = field(default_factory=FakeInvites)
    roster: FakeRoster = field(default_factory=FakeRoster)
    plans: FakePlans = field(default_factory=FakePlans)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)

    @property
    def desk(self) -> OfficeDesk:
        return OfficeDesk(
            invites=self.invites,
            roster=self.roster,
            instances=FakeInstances(),
            plans=self.plans,
            outbox=self.outbox,
        )


@pytest.fixture
def office() -> Office:
    return Office()


# ---- rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "unit_type", "fits"),
    [
        (Role.HEAD, UnitType.UNIT, True),
        (Role.HEAD, UnitType.OFFICE, True),
        (Role.HEAD, UnitType.LEADERSHIP, True),
        (Role.OFFICE, UnitType.OFFICE, True),
        (Role.OFFICE, UnitType.UNIT, False),
        (Role.OFFICE, UnitType.LEADERSHIP, False),
        (Role.LEADER, UnitType.LEADERSHIP, True),
        (Role.LEADER, UnitType.OFFICE, False),
        (Role.LEADER, "unit", False),
    ],
)
def test_a_role_fits_only_its_kind_of_unit(
    role: Role, unit_type: UnitType | str, fits: bool
) -> None:
    assert role_fits(role, unit_type) is fits


def test_an_invite_status_follows_use_then_revocation_then_time() -> None:
    later = NOW + timedelta(days=1)
    assert invite_status(used_at=None, revoked_at=None, expires_at=later, now=NOW) == "open"
    assert invite_status(used_at=None, revoked_at=None, expires_at=NOW, now=NOW) == "expired"
    assert invite_status(used_at=None, revoked_at=NOW, expires_at=NOW, now=later) == "revoked"
    assert invite_status(used_at=NOW, revoked_at=NOW, expires_at=NOW, now=later) == "used"


def test_a_used_invite_cannot_be_revoked_and_a_revoked_one_stays() -> None:
    with pytest.raises(InviteUsedError):
        needs_revoking(view("a", InviteStatus.USED))
    assert needs_revoking(view("a", InviteStatus.REVOKED)) is False
    assert needs_revoking(view("a", InviteStatus.OPEN)) is True
    assert needs_revoking(view("a", InviteStatus.EXPIRED)) is True


# ---- use cases ----------------------------------------------------------


async def test_an_invite_for_an_unknown_unit_before_any_plan_says_to_apply_one(
    office: Office,
) -> None:
    office.plans.applied = False
    with pytest.raises(UserError) as caught:
        await office.desk.create_invite(unit_key="vp", role=Role.HEAD, ttl=timedelta(1), now=NOW)
    assert caught.value.key == "invite-error-no-plan"

    office.plans.applied = True
    with pytest.raises(UnknownUnitError):
        await office.desk.create_invite(unit_key="vp", role=Role.HEAD, ttl=timedelta(1), now=NOW)


async def test_revoking_says_whether_it_happened_now(office: Office) -> None:
    invite = await office.desk.create_invite(
        unit_key="kh", role=Role.HEAD, ttl=timedelta(days=1), now=NOW
    )
    revoked, now = await office.desk.revoke_invite(code=invite.code, now=NOW)
    assert (revoked.status, now) == (InviteStatus.REVOKED, True)
    again, now = await office.desk.revoke_invite(code=invite.code, now=NOW + timedelta(1))
    assert (again.revoked_at, now) == (NOW, False)


async def test_revoking_an_unknown_or_used_invite_is_the_office_s_mistake(office: Office) -> None:
    with pytest.raises(UserError) as unknown:
        await office.desk.revoke_invite(code="khong-co", now=NOW)
    assert unknown.value.key == "cli-invite-revoke-unknown"

    office.invites.known["da-dung"] = view("da-dung", InviteStatus.USED, used_by_name="Trần Thị An")
    with pytest.raises(UserError) as used:
        await office.desk.revoke_invite(code="da-dung", now=NOW)
    assert used.value.key == "cli-invite-revoke-used"
    assert "Trần Thị An" in used.value.message()


async def test_a_removed_contact_is_told_and_hears_of_ended_steps(office: Office) -> None:
    contact, told, ended = await office.desk.remove_contact(contact_id=ANNA.id, now=NOW)
    assert (contact.active, told, ended) == (False, True, 0)
    assert office.outbox.sent == [("anna", t("contact-removed-notice", unit="Phòng Kế hoạch"))]

    office.roster.ended = 1
    office.outbox.sent.clear()
    await office.desk.remove_contact(contact_id=ANNA.id, now=NOW)
    ((_, text),) = office.outbox.sent
    assert text.endswith(t("contact-steps-ended-notice"))


async def test_a_moved_contact_is_told_their_new_unit_and_role(office: Office) -> None:
    office.outbox.reachable = False
    contact, told, _ = await office.desk.move_contact(contact_id=ANNA.id, unit_key="tc", now=NOW)
    assert (contact.unit_key, told) == ("tc", False)

    office.outbox.reachable = True
    await office.desk.move_contact(contact_id=ANNA.id, unit_key="tc", now=NOW)
    assert office.outbox.sent == [
        (
            "anna",
            t("contact-moved-notice", unit="Phòng Tài chính", role=t("role-head")),
        )
    ]


async def test_status_of_an_unknown_report_is_a_record_error(office: Office) -> None:
    assert await office.desk.status(report_key=None, now=NOW) == []
    with pytest.raises(UnknownReportError):
        await office.desk.status(report_key="khong-co", now=NOW)
