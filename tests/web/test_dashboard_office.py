"""The Office's forms on the dashboard: invites and contacts. Leadership is refused every POST,
a form without its CSRF token changes nothing, and the audit names the web user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from dashboard_support import HEAD, LEADER, NOW, OFFICE, World, department, migrated

from bot.core.i18n import t
from bot.core.office import InviteStatus
from bot.core.plan.model import Role
from storage.audit import SqlAuditTrail

__all__ = ["migrated"]  # the fixture, for pytest


@pytest.fixture
async def world(tmp_path: Path, migrated: Path) -> AsyncIterator[World]:
    async with department(tmp_path, migrated) as made:
        yield made


def with_csrf(**fields: str) -> dict[str, str]:
    return {"csrf": OFFICE.csrf, **fields}


async def test_an_invite_is_made_with_its_link_and_qr_code(world: World) -> None:
    async with world.client(OFFICE) as browser:
        made = await browser.post(
            "/van-phong/loi-moi/tao", data=with_csrf(unit="ttbc", role="head", days="3")
        )
        listed = await browser.get("/van-phong/loi-moi")
    assert made.status_code == 200
    (invite,) = await world.deps.office.list_invites(now=NOW)
    assert invite.unit_key == "ttbc" and invite.role is Role.HEAD
    assert (invite.expires_at - invite.created_at).days == 3
    assert f"https://t.me/baocao_thu_bot?start={invite.code}" in made.text
    assert "<svg" in made.text and "<?xml" not in made.text
    assert "Phòng Thông tin - Báo chí" in made.text
    assert invite.code in listed.text


async def test_a_revoked_invite_is_revoked_and_said_so(world: World) -> None:
    invite = await world.deps.office.create_invite(
        unit_key="kh", role=Role.HEAD, ttl=timedelta(days=1), now=NOW
    )
    async with world.client(OFFICE) as browser:
        revoked = await browser.post("/van-phong/loi-moi/huy", data=with_csrf(code=invite.code))
        world.clock[0] = NOW + timedelta(minutes=5)
        again = await browser.post("/van-phong/loi-moi/huy", data=with_csrf(code=invite.code))
        unknown = await browser.post("/van-phong/loi-moi/huy", data=with_csrf(code="KHONGCO"))
    (after,) = await world.deps.office.list_invites(now=NOW)
    assert after.status is InviteStatus.REVOKED
    assert revoked.status_code == 200 and f"Đã hủy mã mời {invite.code}" in revoked.text
    assert "đã bị hủy từ trước" in again.text
    assert unknown.status_code == 400 and "Không có mã mời «KHONGCO»" in unknown.text


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"unit": "", "role": "head"}, "Hãy chọn đơn vị"),
        ({"unit": "kh", "role": "boss"}, "boss"),
        ({"unit": "kh", "role": "head", "days": "0"}, "từ 1 đến 365"),
        ({"unit": "khong-co", "role": "head"}, "khong-co"),
        ({"unit": "kh", "role": "office"}, "Phòng Kế hoạch - Tài chính"),
    ],
)
async def test_a_wrong_invite_form_is_said_in_words_and_makes_nothing(
    world: World, fields: dict[str, str], words: str
) -> None:
    async with world.client(OFFICE) as browser:
        answer = await browser.post("/van-phong/loi-moi/tao", data=with_csrf(**fields))
    assert answer.status_code == 400
    assert words in answer.text
    assert await world.deps.office.list_invites(now=NOW) == []


async def test_leadership_and_forms_without_a_token_change_nothing(world: World) -> None:
    async with world.client(LEADER) as browser:
        page = await browser.get("/van-phong/loi-moi")
        leader = await browser.post(
            "/van-phong/loi-moi/tao",
            data={"csrf": LEADER.csrf, "unit": "kh", "role": "head"},
        )
    async with world.client(OFFICE) as browser:
        bare = await browser.post("/van-phong/loi-moi/tao", data={"unit": "kh", "role": "head"})
        forged = await browser.post(
            "/van-phong/loi-moi/tao", data={"csrf": "x" * 32, "unit": "kh", "role": "head"}
        )
    assert page.status_code == leader.status_code == 403
    assert bare.status_code == forged.status_code == 403
    assert "Biểu mẫu đã cũ" in bare.text
    assert await world.deps.office.list_invites(now=NOW) == []


async def test_a_unit_head_is_refused_the_office_pages(world: World) -> None:
    async with world.client(HEAD) as browser:
        page = await browser.get("/van-phong/loi-moi")
    assert page.status_code == 403


async def test_a_contact_is_moved_and_told(world: World) -> None:
    head = await world.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
    async with world.client(OFFICE) as browser:
        page = await browser.get(f"/van-phong/dau-moi/{head.id}")
        moved = await browser.post(
            f"/van-phong/dau-moi/{head.id}/chuyen", data=with_csrf(unit="ttbc")
        )
    assert page.status_code == 200 and 'value="ttbc"' in page.text
    assert '<option value="kh">' not in page.text  # the unit they are in already
    assert moved.status_code == 200
    assert "Đã chuyển Nguyễn Văn An sang Phòng Thông tin - Báo chí" in moved.text
    assert "Bot đã nhắn cho người đó biết" in moved.text
    (after,) = await world.deps.office.list_contacts()
    assert after.unit_key == "ttbc"
    assert world.told.messages and world.told.messages[-1][0] == head.id


async def test_removing_a_contact_asks_first_then_removes_and_tells(world: World) -> None:
    head = await world.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
    async with world.client(OFFICE) as browser:
        listed = await browser.get("/van-phong/dau-moi")
        asked = await browser.post(f"/van-phong/dau-moi/{head.id}/go", data=with_csrf())
        (still,) = await world.deps.office.list_contacts()
        assert still.active
        removed = await browser.post(
            f"/van-phong/dau-moi/{head.id}/go", data=with_csrf(**{"xac-nhan": "1"})
        )
    assert "Nguyễn Văn An" in listed.text
    assert asked.status_code == 200 and 'name="xac-nhan" value="1"' in asked.text
    assert removed.status_code == 200
    assert "Đã gỡ Nguyễn Văn An (Phòng Kế hoạch - Tài chính) khỏi bot" in removed.text
    (after,) = await world.deps.office.list_contacts()
    assert not after.active
    assert len(world.told.messages) == 1


async def test_contact_forms_refuse_leadership_missing_tokens_and_wrong_units(
    world: World,
) -> None:
    head = await world.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
    move = f"/van-phong/dau-moi/{head.id}/chuyen"
    remove = f"/van-phong/dau-moi/{head.id}/go"
    async with world.client(LEADER) as browser:
        leader_move = await browser.post(move, data={"csrf": LEADER.csrf, "unit": "ttbc"})
        leader_remove = await browser.post(remove, data={"csrf": LEADER.csrf, "xac-nhan": "1"})
    async with world.client(OFFICE) as browser:
        bare = await browser.post(remove, data={"xac-nhan": "1"})
        unknown_unit = await browser.post(move, data=with_csrf(unit="khong-co"))
        nobody = await browser.post("/van-phong/dau-moi/999/go", data=with_csrf())
    assert leader_move.status_code == leader_remove.status_code == bare.status_code == 403
    assert unknown_unit.status_code == 400 and "«khong-co»" in unknown_unit.text
    assert nobody.status_code == 404 and "999" in nobody.text
    (after,) = await world.deps.office.list_contacts()
    assert after.active and after.unit_key == "kh"
    assert world.told.messages == []


async def test_an_invite_says_what_a_zalo_contact_sends(world: World) -> None:
    """Zalo has no link that carries a code: the page says to find the bot and send it."""
    from handlers.zalo.platform import ZaloPlatform

    zalo = ZaloPlatform(
        token="1:x", api_url=None, core=world.deps.core, bot_link="https://zalo.me/123"
    )
    zalo.bot_name = "Báo cáo Sở"

    async def hints(code: str) -> list[str]:
        hint = await zalo.invite_hint(code)
        return [] if hint is None else [hint]

    world.deps.invite_hints = hints
    try:
        async with world.client(OFFICE) as browser:
            made = await browser.post(
                "/van-phong/loi-moi/tao", data=with_csrf(unit="ttbc", role="head", days="3")
            )
    finally:
        await zalo.stop()  # never started: only its HTTP clients to close
    (invite,) = await world.deps.office.list_invites(now=NOW)
    assert made.status_code == 200
    assert t("cli-invite-zalo", name="Báo cáo Sở", code=invite.code) in made.text
    assert "https://zalo.me/123" in made.text


async def linked_person(world: World) -> tuple[int, int]:
    """A head on Telegram (#1) who also registered on Zalo with an invite same as them (#2);
    reminders reach them on Zalo, the account they added last."""
    head = await world.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
    invite = await world.deps.office.create_invite(
        unit_key="kh", role=Role.HEAD, ttl=timedelta(days=14), now=NOW, same_as=head.id
    )
    done = await world.repository.redeem_invite(
        code=invite.code,
        platform="zalo",
        user_id="a1b2c3d4e5f6",
        chat_id="a1b2c3d4e5f6",
        display_name="Nguyễn Văn An",
        now=NOW,
    )
    assert done.contact is not None
    await world.deps.office.reach_on(contact_id=done.contact.id, platform="zalo", now=NOW)
    return head.id, done.contact.id


async def reaching(world: World) -> dict[str, bool]:
    contacts = await world.deps.office.list_contacts()
    return {c.platform: c.reaches for c in contacts if c.display_name == "Nguyễn Văn An"}


async def test_one_persons_accounts_are_shown_together_with_where_reminders_go(
    world: World,
) -> None:
    telegram, zalo = await linked_person(world)
    alone = await world.register("ttbc", Role.HEAD, "Trần Thị Bình", "102")
    async with world.client(OFFICE) as browser:
        listed = await browser.get("/van-phong/dau-moi")
        page = await browser.get(f"/van-phong/dau-moi/{telegram}")
        single = await browser.get(f"/van-phong/dau-moi/{alone.id}")
    assert f"cũng là #{zalo} trên Zalo" in listed.text
    assert f"cũng là #{telegram} trên Telegram" in listed.text
    assert listed.text.count("nhận tin nhắc hạn") == 1  # the Zalo account's row only
    assert f"cũng là #{zalo} trên Zalo" in page.text
    assert "Tin nhắc hạn và tóm tắt hiện gửi qua Zalo" in page.text
    assert f'action="/van-phong/dau-moi/{telegram}/nhac-qua"' in page.text
    assert '<option value="telegram">Telegram</option>' in page.text
    assert "nhac-qua" not in single.text and "cũng là" not in single.text


async def test_the_office_switches_where_reminders_reach_a_person_and_it_is_audited(
    world: World,
) -> None:
    telegram, zalo = await linked_person(world)
    async with world.client(OFFICE) as browser:
        switched = await browser.post(
            f"/van-phong/dau-moi/{zalo}/nhac-qua", data=with_csrf(platform="telegram")
        )
    assert switched.status_code == 200
    assert "Từ nay tin nhắc hạn và tóm tắt của Nguyễn Văn An gửi qua Telegram" in switched.text
    assert await reaching(world) == {"telegram": True, "zalo": False}
    entries, _ = await SqlAuditTrail(world.engine).entries(offset=0, limit=5)
    (entry,) = [e for e in entries if e.action == "contact.reach" and e.actor.startswith("web:")]
    assert entry.actor == "web:Cán bộ Văn phòng"
    assert entry.detail == {"contact_id": telegram, "platform": "telegram"}


async def test_the_reach_form_refuses_leadership_missing_tokens_and_other_platforms(
    world: World,
) -> None:
    telegram, _ = await linked_person(world)
    alone = await world.register("ttbc", Role.HEAD, "Trần Thị Bình", "102")
    reach = f"/van-phong/dau-moi/{telegram}/nhac-qua"
    async with world.client(LEADER) as browser:
        leader = await browser.post(reach, data={"csrf": LEADER.csrf, "platform": "telegram"})
    async with world.client(HEAD) as browser:
        head = await browser.post(reach, data={"csrf": HEAD.csrf, "platform": "telegram"})
    async with world.client(OFFICE) as browser:
        bare = await browser.post(reach, data={"platform": "telegram"})
        web = await browser.post(reach, data=with_csrf(platform="web"))
        empty = await browser.post(reach, data=with_csrf())
        single = await browser.post(
            f"/van-phong/dau-moi/{alone.id}/nhac-qua", data=with_csrf(platform="telegram")
        )
        nobody = await browser.post("/van-phong/dau-moi/999/nhac-qua", data=with_csrf())
    assert leader.status_code == head.status_code == bare.status_code == 403
    for refused in (web, empty, single):
        assert refused.status_code == 400
        assert "Hãy chọn một ứng dụng người này đã đăng ký" in refused.text
    assert nobody.status_code == 404 and "999" in nobody.text
    assert await reaching(world) == {"telegram": False, "zalo": True}
