"""SqlRepository: invites, contacts, open instances, submissions with files, pending steps."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from plans_factory import instance, plan, report, small_plan, unit
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW

from bot.core.i18n import t
from bot.core.model import (
    Contact,
    OpenInstance,
    Pending,
    Receipt,
    RedeemStatus,
    StagedFile,
    SubmissionKind,
    SubmissionState,
)
from bot.core.plan.model import Deadline, DueKind, Every, Period, Role, UnitType
from storage.db import read_session
from storage.errors import (
    ContactRoleError,
    UnknownContactError,
    UnknownInstanceError,
    UnknownUnitError,
)
from storage.files import LocalFileStore
from storage.invites import InviteStatus, create_invite, list_invites, revoke_invite
from storage.models import audit_t, chat_binding_t, contact_t, submission_t
from storage.plans import apply_plan
from storage.repository import SqlRepository

TG = "telegram"
H1_DUE = instance("2024-H1", date(2024, 6, 5)).due_end


@pytest.fixture
async def planned(engine: AsyncEngine) -> AsyncEngine:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    return engine


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "store")


@pytest.fixture
def repo(planned: AsyncEngine, store: LocalFileStore) -> SqlRepository:
    return SqlRepository(planned, store)


async def invite(repo: SqlRepository, unit_key: str = "kh", role: Role = Role.HEAD) -> str:
    return (await create_invite(repo.engine, unit_key=unit_key, role=role, now=NOW)).code


async def register(
    repo: SqlRepository, user_id: str, unit_key: str = "kh", role: Role = Role.HEAD
) -> Contact:
    redemption = await repo.redeem_invite(
        code=await invite(repo, unit_key, role),
        platform=TG,
        user_id=user_id,
        chat_id=user_id,
        display_name=f"Người {user_id}",
        username=f"nguoi{user_id}",
        now=NOW,
    )
    assert redemption.status is RedeemStatus.REGISTERED and redemption.contact is not None
    return redemption.contact


async def audit_actions(engine: AsyncEngine) -> list[str]:
    async with read_session(engine) as session:
        return list(await session.scalars(sa.select(audit_t.c.action).order_by(audit_t.c.id)))


async def instance_id(repo: SqlRepository, report_key: str, key: str) -> int:
    statuses = await repo.status(report_key=report_key, now=NOW)
    return next(s.instance_id for s in statuses if s.instance_key == key)


# ---- invites and contacts ----------------------------------------------------------


async def test_redeem_registers_and_finds_the_contact(repo: SqlRepository) -> None:
    code = await invite(repo)
    redemption = await repo.redeem_invite(
        code=code,
        platform=TG,
        user_id="7000000001",
        chat_id="7000000001",
        display_name="Nguyễn Văn A",
        username="nva",
        now=NOW,
    )
    assert redemption.status is RedeemStatus.REGISTERED
    contact = redemption.contact
    assert contact is not None
    assert (contact.platform, contact.user_id, contact.display_name) == (
        TG,
        "7000000001",
        "Nguyễn Văn A",
    )
    assert (contact.unit_key, contact.unit_name, contact.unit_short_name) == (
        "kh",
        "Phòng kh",
        "kh",
    )
    assert (contact.unit_type, contact.role, contact.active) == (UnitType.UNIT, Role.HEAD, True)
    assert await repo.contact(platform=TG, user_id="7000000001") == contact
    assert await repo.contact(platform="zalo", user_id="7000000001") is None

    (view,) = await list_invites(repo.engine, now=NOW)
    assert view.status is InviteStatus.USED and view.used_by_contact_id == contact.id
    assert (await audit_actions(repo.engine))[-1] == "invite.redeem"
    (listed,) = await repo.contacts(now=NOW)
    assert (listed.username, listed.unit_key, listed.active) == ("nva", "kh", True)


async def test_redeem_statuses(repo: SqlRepository) -> None:
    contact = await register(repo, "1")
    (used,) = [v.code for v in await list_invites(repo.engine, now=NOW)]

    async def redeem(code: str, user_id: str, now: datetime = NOW) -> RedeemStatus:
        result = await repo.redeem_invite(
            code=code, platform=TG, user_id=user_id, chat_id=user_id, display_name="x", now=now
        )
        if result.status is RedeemStatus.ALREADY:
            assert result.contact == contact
        else:
            assert (result.contact is None) == (result.status is not RedeemStatus.REGISTERED)
        return result.status

    assert await redeem("khong-co-ma-nay", "2") is RedeemStatus.UNKNOWN
    assert await redeem(used, "1") is RedeemStatus.ALREADY
    assert await redeem(used, "2") is RedeemStatus.USED

    revoked = await invite(repo)
    await revoke_invite(repo.engine, revoked, NOW)
    assert await redeem(revoked, "2") is RedeemStatus.REVOKED

    expiring = (
        await create_invite(
            repo.engine, unit_key="tc", role=Role.HEAD, now=NOW, ttl=timedelta(hours=1)
        )
    ).code
    assert await redeem(expiring, "2", NOW + timedelta(hours=1)) is RedeemStatus.EXPIRED
    assert await redeem(expiring, "2", NOW + timedelta(minutes=59)) is RedeemStatus.REGISTERED
    assert await repo.contact(platform=TG, user_id="2") is not None


async def test_redeem_moves_and_reactivates_an_existing_contact(repo: SqlRepository) -> None:
    first = await register(repo, "1", "kh")
    await repo.remove_contact(contact_id=first.id, now=NOW)
    assert await repo.contact(platform=TG, user_id="1") is None

    again = await register(repo, "1", "vp", Role.OFFICE)

    assert again.id == first.id
    assert (again.unit_key, again.role, again.active) == ("vp", Role.OFFICE, True)
    assert await repo.contact(platform=TG, user_id="1") == again
    (view,) = await repo.contacts()
    assert view.removed_at is None


async def test_archived_unit_hides_its_contacts_and_voids_its_invites(
    repo: SqlRepository,
) -> None:
    await register(repo, "1", "ns")
    code = await invite(repo, "ns")
    await apply_plan(repo.engine, small_plan(units=("kh", "tc")), path="p.yaml", now=NOW)

    assert await repo.contact(platform=TG, user_id="1") is None
    result = await repo.redeem_invite(
        code=code, platform=TG, user_id="2", chat_id="2", display_name="x", now=NOW
    )
    assert result.status is RedeemStatus.REVOKED
    (view,) = await repo.contacts()
    assert view.unit_archived and view.active


async def test_two_accounts_race_for_one_invite(repo: SqlRepository) -> None:
    code = await invite(repo)
    results = await asyncio.gather(
        *(
            repo.redeem_invite(
                code=code,
                platform=TG,
                user_id=str(n),
                chat_id=str(n),
                display_name=f"Người {n}",
                now=NOW,
            )
            for n in range(6)
        )
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [RedeemStatus.REGISTERED] + [RedeemStatus.USED] * 5
    (winner,) = [r.contact for r in results if r.status is RedeemStatus.REGISTERED]
    assert winner is not None
    (view,) = await list_invites(repo.engine, now=NOW)
    assert view.used_by_contact_id == winner.id
    assert [c.id for c in await repo.contacts()] == [winner.id]


async def test_one_account_redeems_two_invites_at_once(repo: SqlRepository) -> None:
    codes = [await invite(repo, "kh"), await invite(repo, "tc")]
    results = await asyncio.gather(
        *(
            repo.redeem_invite(
                code=code, platform=TG, user_id="1", chat_id="1", display_name="x", now=NOW
            )
            for code in codes
        )
    )
    assert [r.status for r in results] == [RedeemStatus.REGISTERED] * 2
    assert len(await repo.contacts()) == 1


async def test_remove_contact(repo: SqlRepository) -> None:
    contact = await register(repo, "1")
    await repo.save_pending(platform=TG, user_id="1", kind="confirm", payload={}, now=NOW)

    removed, ended = await repo.remove_contact(contact_id=contact.id, now=NOW + timedelta(hours=1))

    assert ended == 1
    assert removed.active is False and removed.id == contact.id and removed.chat_id == "1"
    assert await repo.contact(platform=TG, user_id="1") is None
    assert not await repo.drop_pending(platform=TG, user_id="1")  # dropped with the contact
    (view,) = await repo.contacts()
    assert view.removed_at == NOW + timedelta(hours=1) and not view.active
    again = await repo.remove_contact(contact_id=contact.id, now=NOW + timedelta(hours=2))
    assert again == (removed, 0)
    assert (await audit_actions(repo.engine)).count("contact.remove") == 1

    with pytest.raises(UnknownContactError) as caught:
        await repo.remove_contact(contact_id=9999, now=NOW)
    assert "9999" in t(caught.value.key, **caught.value.params)


async def test_move_contact(repo: SqlRepository) -> None:
    head = await register(repo, "1", "kh")
    office = await register(repo, "2", "vp", Role.OFFICE)

    await repo.save_pending(platform=TG, user_id="1", kind="text", payload={}, now=NOW)
    moved, ended = await repo.move_contact(contact_id=head.id, unit_key="tc", now=NOW)
    assert (moved.unit_key, moved.role, ended) == ("tc", Role.HEAD, 1)
    assert not await repo.drop_pending(platform=TG, user_id="1")  # ended with the move
    assert await repo.contact(platform=TG, user_id="1") == moved
    assert (await audit_actions(repo.engine))[-1] == "contact.move"

    with pytest.raises(ContactRoleError) as caught:
        await repo.move_contact(contact_id=office.id, unit_key="kh", now=NOW)
    assert "kh" in t(caught.value.key, **caught.value.params)
    with pytest.raises(UnknownUnitError):
        await repo.move_contact(contact_id=head.id, unit_key="khong-co", now=NOW)
    with pytest.raises(UnknownContactError):
        await repo.move_contact(contact_id=9999, unit_key="kh", now=NOW)
    assert (await repo.contact(platform=TG, user_id="2")) == office


# ---- report instances ----------------------------------------------------------


async def test_open_instances_before_the_deadline(repo: SqlRepository) -> None:
    found = await repo.open_instances(unit_key="kh", now=NOW)

    assert [(i.report_key, i.instance_key) for i in found] == [
        ("dan-chu", "2024-H1"),
        ("dan-chu", "2024-H2"),
    ]
    first = found[0]
    assert first == OpenInstance(
        instance_id=first.instance_id,
        report_key="dan-chu",
        report_name="Báo cáo dan-chu",
        instance_key="2024-H1",
        receiver_name="Văn phòng Sở",
        deadline=Deadline(DueKind.BEFORE, date(2024, 6, 5), None),
        due_end=H1_DUE,
        last_day=date(2024, 6, 4),
        period=Period("2024-H1", date(2023, 12, 15), date(2024, 6, 14), Every.HALF_YEAR),
        forward_files=True,
    )
    office = await repo.open_instances(unit_key="vp", now=NOW)
    assert [(i.report_key, i.receiver_name) for i in office] == [
        ("dan-chu-tong-hop", "Ban Giám đốc")
    ] * 2
    with pytest.raises(UnknownUnitError):
        await repo.open_instances(unit_key="khong-co", now=NOW)


async def test_open_instances_after_the_deadline(repo: SqlRepository) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    receipt = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=None,
        kind=SubmissionKind.TEXT,
        source_ref="tg:1",
        now=NOW,
        text="Đã thực hiện",
    )
    before = await repo.open_instances(unit_key="kh", now=NOW + timedelta(minutes=1))
    assert (before[0].instance_key, before[0].versions, before[0].latest_at) == (
        "2024-H1",
        1,
        receipt.submitted_at,
    )

    late = H1_DUE  # the first moment that is late
    assert [i.instance_key for i in await repo.open_instances(unit_key="kh", now=late)] == [
        "2024-H2"
    ]  # submitted: closed
    assert [i.instance_key for i in await repo.open_instances(unit_key="tc", now=late)] == [
        "2024-H1",
        "2024-H2",
    ]  # late but not submitted: still open

    # Submitted and past its deadline: not open, but the unit may still send a correction.
    corrections = await repo.corrections(unit_key="kh", now=late, limit=3)
    assert [(i.instance_key, i.versions) for i in corrections] == [("2024-H1", 1)]
    assert await repo.corrections(unit_key="kh", now=late, limit=0) == []
    assert await repo.corrections(unit_key="tc", now=late, limit=3) == []
    assert await repo.corrections(unit_key="kh", now=late - timedelta(seconds=1), limit=3) == []


async def test_archived_instances_and_reports_are_not_open(repo: SqlRepository) -> None:
    units = [unit("kh"), unit("tc")]
    only_h2 = plan(
        [*small_plan().units[:2], *units],
        [report("dan-chu", ["kh", "tc"], instances=small_plan().reports[0].instances[1:])],
    )
    await apply_plan(repo.engine, only_h2, path="p.yaml", now=NOW)
    assert [i.instance_key for i in await repo.open_instances(unit_key="kh", now=NOW)] == [
        "2024-H2"
    ]
    assert await repo.open_instances(unit_key="vp", now=NOW) == []  # tong-hop archived
    assert {i.report_key for i in await repo.upcoming(unit_key=None, now=NOW, limit=10)} == {
        "dan-chu"
    }


async def test_periods_rebuilt_from_columns(engine: AsyncEngine, store: LocalFileStore) -> None:
    custom = Period("custom", date(2024, 1, 1), date(2024, 3, 31))
    the_plan = plan(
        [*small_plan().units[:2], unit("kh")],
        [
            report(
                "chuyen-de",
                ["kh"],
                every=None,
                instances=(instance("once", date(2024, 7, 1), kind=DueKind.ON),),
            ),
            report(
                "quy",
                ["kh"],
                every=None,
                instances=(instance("custom", date(2024, 6, 1), period=custom),),
            ),
        ],
    )
    await apply_plan(engine, the_plan, path="p.yaml", now=NOW)
    repo = SqlRepository(engine, store)
    found = await repo.open_instances(unit_key="kh", now=NOW)
    assert [(i.report_key, i.period) for i in found] == [("quy", custom), ("chuyen-de", None)]
    assert found[1].deadline == Deadline(DueKind.ON, date(2024, 7, 1), None)
    assert found[1].last_day == date(2024, 7, 1)


async def test_upcoming(repo: SqlRepository) -> None:
    everything = await repo.upcoming(unit_key=None, now=NOW, limit=3)
    assert [(i.report_key, i.instance_key) for i in everything] == [
        ("dan-chu", "2024-H1"),
        ("dan-chu-tong-hop", "2024-H1"),
        ("dan-chu", "2024-H2"),
    ]
    assert {i.versions for i in everything} == {0}

    h1 = everything[0].instance_id
    await repo.submit(
        instance_id=h1,
        unit_key="tc",
        contact_id=None,
        kind=SubmissionKind.TEXT,
        source_ref="tg:1",
        now=NOW,
    )
    mine = await repo.upcoming(unit_key="tc", now=NOW, limit=10)
    assert [(i.instance_key, i.versions) for i in mine] == [("2024-H1", 1), ("2024-H2", 0)]
    # After H1's deadline it is no longer upcoming, even for a unit that has not sent it.
    later = await repo.upcoming(unit_key="kh", now=H1_DUE, limit=10)
    assert [i.instance_key for i in later] == ["2024-H2"]
    assert await repo.upcoming(unit_key=None, now=NOW + timedelta(days=400), limit=5) == []


# ---- submissions ----------------------------------------------------------


async def test_submit_versions_and_lateness(repo: SqlRepository) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    contact = await register(repo, "1")

    first = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=contact.id,
        kind=SubmissionKind.TEXT,
        source_ref="tg:100",
        now=H1_DUE - timedelta(seconds=1),
        text="Báo cáo",
        note="ghi chú",
    )
    second = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=contact.id,
        kind=SubmissionKind.TEXT,
        source_ref="tg:101",
        now=H1_DUE + timedelta(hours=2),
        text="Bổ sung",
    )

    assert (first.version, second.version) == (1, 2)
    assert first.receipt_code != second.receipt_code
    assert re.fullmatch(r"[A-Z2-9]{8}", first.receipt_code)
    # A correction after the deadline is judged by the first version, which was on time.
    assert (first.late_by, second.late_by) == (None, None)
    assert (first.first_at, second.first_at) == (first.submitted_at, first.submitted_at)
    assert (first.report_name, first.unit_name, first.kind) == (
        "Báo cáo dan-chu",
        "Phòng kh",
        SubmissionKind.TEXT,
    )
    assert await repo.receipt_for(source_ref="tg:101") == second
    assert await repo.receipt_for(source_ref="tg:999") is None
    statuses = await repo.status(report_key="dan-chu", now=H1_DUE + timedelta(days=1))
    kh = next(u for u in statuses[0].units if u.unit_key == "kh")
    assert (kh.state, kh.versions) == (SubmissionState.ON_TIME, 2)

    on_due = await repo.submit(
        instance_id=h1,
        unit_key="tc",
        contact_id=None,
        kind=SubmissionKind.TEXT,
        source_ref="tg:102",
        now=H1_DUE,
    )
    assert on_due.late_by == timedelta(0)


async def test_submit_is_idempotent_per_source_ref(repo: SqlRepository) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")

    async def send(now_offset: int) -> Receipt:
        return await repo.submit(
            instance_id=h1,
            unit_key="kh",
            contact_id=None,
            kind=SubmissionKind.TEXT,
            source_ref="tg:update:42",
            now=NOW + timedelta(seconds=now_offset),
            text="Nội dung",
        )

    first = await send(0)
    assert await send(5) == first
    raced = await asyncio.gather(*(send(n) for n in range(5)))
    assert all(r == first for r in raced)
    async with read_session(repo.engine) as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(submission_t))
    assert count == 1


async def test_concurrent_submissions_get_distinct_versions(repo: SqlRepository) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    receipts = await asyncio.gather(
        *(
            repo.submit(
                instance_id=h1,
                unit_key="kh",
                contact_id=None,
                kind=SubmissionKind.TEXT,
                source_ref=f"tg:{n}",
                now=NOW,
            )
            for n in range(8)
        )
    )
    assert sorted(r.version for r in receipts) == list(range(1, 9))


def staged_file(store: LocalFileStore, data: bytes, name: str) -> StagedFile:
    path = store.staging_path(Path(name).suffix)
    path.write_bytes(data)
    return StagedFile(
        path=path,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type="application/pdf",
    )


def stored_files(store: LocalFileStore) -> list[Path]:
    return sorted(p for p in (store.root / "files").rglob("*") if p.is_file())


async def test_submit_a_file(repo: SqlRepository, store: LocalFileStore) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    staged = staged_file(store, data, "../../Báo cáo 6 tháng.PDF")

    receipt = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=None,
        kind=SubmissionKind.FILE,
        source_ref="tg:7",
        now=NOW,
        note="Gửi kèm",
        file=staged,
    )

    assert receipt.original_name == "../../Báo cáo 6 tháng.PDF"
    assert not staged.path.exists()
    store.discard(staged.path)  # always allowed afterwards
    async with read_session(repo.engine) as session:
        row = (
            (await session.execute(sa.select(submission_t).where(submission_t.c.id == 1)))
            .mappings()
            .one()
        )
    assert re.fullmatch(r"files/2024/05/[0-9a-f]{32}\.pdf", row["stored_path"])
    assert (row["original_name"], row["size"], row["mime"], row["note"]) == (
        "../../Báo cáo 6 tháng.PDF",
        len(data),
        "application/pdf",
        "Gửi kèm",
    )
    with store.open(row["stored_path"]) as stored:
        content = stored.read()
    assert content == data and hashlib.sha256(content).hexdigest() == row["sha256"]
    assert stored_files(store) == [store.path(row["stored_path"])]

    # A redelivery of the same event leaves its staged copy unused, for the caller to discard.
    again = staged_file(store, data, "x.pdf")
    same = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=None,
        kind=SubmissionKind.FILE,
        source_ref="tg:7",
        now=NOW,
        file=again,
    )
    assert same == receipt and again.path.exists()
    assert len(stored_files(store)) == 1


async def test_a_failed_submission_stores_no_file(
    repo: SqlRepository, store: LocalFileStore
) -> None:
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    tong_hop = await instance_id(repo, "dan-chu-tong-hop", "2024-H1")
    staged = staged_file(store, b"data", "a.pdf")

    async def submit(**overrides: object) -> None:
        arguments: dict[str, object] = {
            "instance_id": h1,
            "unit_key": "kh",
            "contact_id": None,
            "kind": SubmissionKind.FILE,
            "source_ref": "tg:8",
            "now": NOW,
            "file": staged,
        }
        arguments.update(overrides)
        await repo.submit(**arguments)  # type: ignore[arg-type]

    with pytest.raises(UnknownInstanceError):
        await submit(instance_id=10_000)
    with pytest.raises(UnknownInstanceError):  # kh does not submit the compiled report
        await submit(instance_id=tong_hop)
    with pytest.raises(UnknownUnitError):
        await submit(unit_key="khong-co")
    # The row fails after the file was moved (no such contact): the file goes back.
    with pytest.raises(sa.exc.IntegrityError):
        await submit(contact_id=9999)

    assert staged.path.read_bytes() == b"data"
    assert stored_files(store) == []
    async with read_session(repo.engine) as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(submission_t)) == 0

    await submit()
    assert not staged.path.exists() and len(stored_files(store)) == 1


# ---- pending steps ----------------------------------------------------------


async def test_pending_steps(repo: SqlRepository) -> None:
    payload: dict[str, object] = {"instance_id": 3, "text": "Nội dung", "ids": [1, 2]}
    first = await repo.save_pending(
        platform=TG, user_id="1", kind="confirm-text", payload=payload, now=NOW
    )
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,22}", first.token)
    second = await repo.save_pending(
        platform=TG, user_id="1", kind="choose-report", payload={"n": 1}, now=NOW
    )
    other = await repo.save_pending(platform=TG, user_id="2", kind="k", payload={}, now=NOW)
    ttl = timedelta(minutes=30)

    async def take(token: str, user_id: str = "1", at: datetime = NOW) -> Pending | None:
        return await repo.take_pending(token=token, platform=TG, user_id=user_id, now=at, ttl=ttl)

    assert await take(first.token) is None  # replaced
    assert await take(second.token, user_id="2") is None  # not theirs
    assert await take(other.token) is None
    taken = await take(second.token, at=NOW + ttl)  # exactly at the limit: still fresh
    assert taken == second
    assert await take(second.token) is None  # taken once

    third = await repo.save_pending(platform=TG, user_id="1", kind="k", payload=payload, now=NOW)
    assert await take(third.token, at=NOW + ttl + timedelta(seconds=1)) is None  # expired
    assert await repo.drop_pending(platform=TG, user_id="1")
    assert not await repo.drop_pending(platform=TG, user_id="1")

    fourth = await repo.save_pending(platform=TG, user_id="1", kind="k", payload=payload, now=NOW)
    results = await asyncio.gather(*(take(fourth.token) for _ in range(4)))
    assert [r for r in results if r is not None] == [fourth]
    assert fourth.payload == payload

    assert await repo.purge_pending(now=NOW + ttl * 2, ttl=ttl) == 1  # user 2's step
    assert await take(other.token, user_id="2") is None


# ---- office group and audit ----------------------------------------------------------


async def test_office_group_binding(repo: SqlRepository) -> None:
    assert await repo.office_group(platform=TG) is None
    contact = await register(repo, "1", "vp", Role.OFFICE)
    await repo.bind_office_group(
        platform=TG, chat_id="-100123", title="Văn phòng", contact_id=contact.id, now=NOW
    )
    await repo.bind_office_group(
        platform="zalo", chat_id="abc", title=None, contact_id=None, now=NOW
    )
    assert await repo.office_group(platform=TG) == "-100123"

    await repo.bind_office_group(
        platform=TG, chat_id="-100999", title="Nhóm mới", contact_id=None, now=NOW
    )
    assert await repo.office_group(platform=TG) == "-100999"
    assert await repo.office_group(platform="zalo") == "abc"
    async with read_session(repo.engine) as session:
        rows = (await session.execute(sa.select(chat_binding_t))).mappings().all()
        details = list(
            await session.scalars(
                sa.select(audit_t.c.detail)
                .where(audit_t.c.action == "office_group.bind")
                .order_by(audit_t.c.id)
            )
        )
    assert len(rows) == 2
    assert details[-1]["previous"] == "-100123"


async def test_audit(repo: SqlRepository) -> None:
    await repo.audit(actor="telegram:1", action="status.show", detail={"n": 1}, now=NOW)
    async with read_session(repo.engine) as session:
        row = (
            (await session.execute(sa.select(audit_t).order_by(audit_t.c.id.desc())))
            .mappings()
            .first()
        )
    assert row is not None
    assert (row["actor"], row["action"], row["detail"], row["at"]) == (
        "telegram:1",
        "status.show",
        {"n": 1},
        NOW,
    )


async def test_contact_table_keeps_usernames(repo: SqlRepository) -> None:
    await register(repo, "1")
    async with read_session(repo.engine) as session:
        assert await session.scalar(sa.select(contact_t.c.username)) == "nguoi1"


async def test_user_strings_are_stored_clean_on_every_database(
    repo: SqlRepository, store: LocalFileStore
) -> None:
    """PostgreSQL text cannot hold U+0000: names, notes and texts are cleaned the same way."""
    h1 = await instance_id(repo, "dan-chu", "2024-H1")
    redemption = await repo.redeem_invite(
        code=await invite(repo),
        platform=TG,
        user_id="1",
        chat_id="1",
        display_name="Ng\x00uyễn\u200b A",
        username="n\x00va",
        now=NOW,
    )
    assert redemption.contact is not None
    assert redemption.contact.display_name == "Nguyễn\u200b A"
    staged = staged_file(store, b"%PDF", "bao\x00cao.pdf")
    receipt = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=redemption.contact.id,
        kind=SubmissionKind.FILE,
        source_ref="tg:nul",
        now=NOW,
        note="ghi\x00 chú",
        file=staged,
    )
    assert receipt.original_name == "baocao.pdf"
    text = await repo.submit(
        instance_id=h1,
        unit_key="kh",
        contact_id=None,
        kind=SubmissionKind.TEXT,
        source_ref="tg:nul2",
        now=NOW,
        text="Số\x00 liệu\ud800",
    )
    assert text.version == 2
    pending = await repo.save_pending(
        platform=TG, user_id="1", kind="text", payload={"text": "a\x00b", "n": [1]}, now=NOW
    )
    assert pending.payload == {"text": "ab", "n": [1]}
    await repo.bind_office_group(
        platform=TG, chat_id="-100", title="Nhóm\x00 VP", contact_id=None, now=NOW
    )
    async with read_session(repo.engine) as session:
        rows = (
            await session.execute(
                sa.select(
                    submission_t.c.text, submission_t.c.note, submission_t.c.original_name
                ).order_by(submission_t.c.id)
            )
        ).all()
        names = (
            await session.execute(sa.select(contact_t.c.display_name, contact_t.c.username))
        ).all()
        title = await session.scalar(sa.select(chat_binding_t.c.title))
    assert [tuple(row) for row in rows] == [
        (None, "ghi chú", "baocao.pdf"),
        ("Số liệu", None, None),
    ]
    assert [tuple(row) for row in names] == [("Nguyễn\u200b A", "nva")]
    assert title == "Nhóm VP"
