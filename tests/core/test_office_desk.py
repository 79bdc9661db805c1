"""The Office's use cases over fake ports, and the rules of invites, roles and the start-up plan."""

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
from bot.core.office_desk import START_ACTOR, OfficeDesk, PlanDesk
from bot.core.plan.changes import AppliedPlan, ApplyResult, KeyChanges
from bot.core.plan.model import CalendarSpec, Organisation, Plan, PlanSettings, Role, UnitType

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

    async def round_status(self, *, instance_id: int, now: datetime) -> InstanceStatus | None:
        return None


@dataclass
class FakePlanRecords:
    stored: AppliedPlan | None = None
    by: str | None = None
    result: ApplyResult = field(default_factory=ApplyResult)
    applied: list[tuple[str, str]] = field(default_factory=list)  # (path, actor)

    async def has_plan(self) -> bool:
        return self.stored is not None

    async def apply_plan(
        self, plan: Plan, *, path: str, archive: bool, now: datetime, actor: str
    ) -> ApplyResult:
        self.applied.append((path, actor))
        self.stored, self.by = AppliedPlan(plan.source, path, ""), actor
        return self.result

    async def applied_plan(self) -> AppliedPlan | None:
        return self.stored

    async def applied_by(self) -> str | None:
        return self.by


@dataclass
class FakeNotifier:
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
    plans: FakePlanRecords = field(
        default_factory=lambda: FakePlanRecords(stored=AppliedPlan("v1", "p.yaml", ""))
    )
    notifier: FakeNotifier = field(default_factory=FakeNotifier)

    @property
    def desk(self) -> OfficeDesk:
        return OfficeDesk(
            invites=self.invites,
            roster=self.roster,
            instances=FakeInstances(),
            plans=self.plans,
            notifier=self.notifier,
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
    office.plans.stored = None
    with pytest.raises(UserError) as caught:
        await office.desk.create_invite(unit_key="vp", role=Role.HEAD, ttl=timedelta(1), now=NOW)
    assert caught.value.key == "invite-error-no-plan"

    office.plans.stored = AppliedPlan("v1", "p.yaml", "")
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
    assert office.notifier.sent == [("anna", t("contact-removed-notice", unit="Phòng Kế hoạch"))]

    office.roster.ended = 1
    office.notifier.sent.clear()
    await office.desk.remove_contact(contact_id=ANNA.id, now=NOW)
    ((_, text),) = office.notifier.sent
    assert text.endswith(t("contact-steps-ended-notice"))


async def test_a_moved_contact_is_told_their_new_unit_and_role(office: Office) -> None:
    office.notifier.reachable = False
    contact, told, _ = await office.desk.move_contact(contact_id=ANNA.id, unit_key="tc", now=NOW)
    assert (contact.unit_key, told) == ("tc", False)

    office.notifier.reachable = True
    await office.desk.move_contact(contact_id=ANNA.id, unit_key="tc", now=NOW)
    assert office.notifier.sent == [
        (
            "anna",
            t("contact-moved-notice", unit="Phòng Tài chính", role=t("role-head")),
        )
    ]


async def test_status_of_an_unknown_report_is_a_record_error(office: Office) -> None:
    assert await office.desk.status(report_key=None, now=NOW) == []
    with pytest.raises(UnknownReportError):
        await office.desk.status(report_key="khong-co", now=NOW)


# ---- the plan ----------------------------------------------------------


def a_plan(source: str) -> Plan:
    return Plan(
        organisation=Organisation(
            name="Sở Thử nghiệm", short_name="STN", timezone="Asia/Ho_Chi_Minh"
        ),
        calendar=CalendarSpec(),
        settings=PlanSettings(),
        units=(),
        reports=(),
        source=source,
    )


@dataclass
class FakePlanting:
    rows: int = 0

    async def plant(self, plan: Plan, *, now: datetime) -> int:
        return self.rows


def plan_desk(records: FakePlanRecords, planted: int = 0) -> PlanDesk:
    return PlanDesk(plans=records, reminders=FakePlanting(planted), same_file=lambda a, b: a == b)


async def test_the_start_up_plan_is_applied_once_and_again_when_its_file_changes() -> None:
    records = FakePlanRecords()
    desk = plan_desk(records)
    lines = await desk.apply_at_start(a_plan("v1"), path="ke-hoach.yaml", now=NOW)
    assert lines == [t("apply-unchanged", file="ke-hoach.yaml")]
    assert records.applied == [("ke-hoach.yaml", START_ACTOR)]

    assert await desk.apply_at_start(a_plan("v1"), path="ke-hoach.yaml", now=NOW) == [
        t("run-plan-unchanged", file="ke-hoach.yaml")
    ]
    await desk.apply_at_start(a_plan("v2"), path="ke-hoach.yaml", now=NOW)
    assert len(records.applied) == 2


async def test_a_plan_the_office_applied_by_hand_from_another_file_is_kept() -> None:
    records = FakePlanRecords(stored=AppliedPlan("tay", "khac.yaml", ""), by="cli")
    lines = await plan_desk(records).apply_at_start(a_plan("v1"), path="ke-hoach.yaml", now=NOW)
    assert lines == [t("run-plan-skipped", file="ke-hoach.yaml", applied="khac.yaml")]
    assert records.applied == []

    # One applied at an earlier start from another file gives way: the setting changed.
    records.by = START_ACTOR
    await plan_desk(records).apply_at_start(a_plan("v1"), path="ke-hoach.yaml", now=NOW)
    assert records.applied == [("ke-hoach.yaml", START_ACTOR)]


async def test_an_apply_is_told_kind_by_kind_with_the_reminders_planted() -> None:
    keys = tuple(f"bao-cao-{n}/once" for n in range(10))
    records = FakePlanRecords(
        result=ApplyResult(
            units=KeyChanges(added=("kh", "tc")), instances=KeyChanges(archived=keys)
        )
    )
    lines = await plan_desk(records, planted=5).apply(
        a_plan("v1"), path="p.yaml", archive=True, now=NOW
    )
    assert lines[0] == t("apply-done", file="p.yaml")
    assert lines[1] == t("apply-units-added", count=2, keys="kh, tc")
    labels = [
        t("apply-instance", report=f"bao-cao-{n}", instance=t("instance-once")) for n in range(8)
    ]
    shown = t("apply-and-more", keys=", ".join(labels), count=2)  # eight named, two counted
    assert lines[2] == t("apply-instances-archived", count=10, keys=shown)
    assert lines[-1] == t("apply-reminders", count=5)
    assert records.applied == [("p.yaml", "cli")]
