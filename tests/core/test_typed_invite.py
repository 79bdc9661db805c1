"""Registering by typing the invite code as a message, where no deep link carries it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_usecases import NOW, World, make_world

from bot.core.i18n import t
from bot.core.office import typed_invite_code
from bot.core.plan.model import Role
from storage.invites import new_invite_code, revoke_invite


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


CODE = "Ab3_x-Yz9QwErTyUiOp1Zx"


@pytest.mark.parametrize(
    "text",
    [CODE, f"  {CODE}\n", f"/start {CODE}", f"start {CODE}", f"Start  {CODE}", f"/START {CODE}"],
)
def test_a_code_is_read_with_spaces_and_a_start_word_around_it(text: str) -> None:
    assert typed_invite_code(text) == CODE


@pytest.mark.parametrize(
    "text",
    ["xin chào", "baocao", f"{CODE} {CODE}", f"mã {CODE}", f"{CODE}.", "/start", "", "a" * 65],
)
def test_other_texts_are_no_code(text: str) -> None:
    assert typed_invite_code(text) is None


def test_every_code_made_looks_like_one() -> None:
    for _ in range(200):
        code = new_invite_code()
        assert typed_invite_code(code) == code


async def test_a_stranger_registers_by_sending_the_code(world: World) -> None:
    code = await world.invite("phong-a")
    await world.say("1", f"  {code} ")
    (greeting,) = world.out.texts("1")
    assert greeting.startswith("Chào Người 1! Bạn đã đăng ký là đầu mối đơn vị của Phòng A.")
    contact = await world.repo.contact(platform="telegram", user_id="1")
    assert contact is not None and contact.unit_key == "phong-a"


@pytest.mark.parametrize("prefix", ["start ", "/start "])
async def test_the_start_word_may_come_before_it(world: World, prefix: str) -> None:
    code = await world.invite("phong-b")
    # As plain text, not as a command: what a platform without commands delivers.
    event = world.incoming("1", text=f"{prefix}{code}")
    await world.bot.handle(event, world.out)
    assert world.out.texts("1")[-1].startswith("Chào Người 1! Bạn đã đăng ký")


async def test_codes_are_case_sensitive(world: World) -> None:
    code = await world.invite("phong-a")
    changed = code.swapcase()
    await world.say("1", changed)
    assert world.out.texts("1") == [t("start-unknown")]
    assert await world.repo.contact(platform="telegram", user_id="1") is None


async def test_a_wrong_code_gets_what_start_says(world: World) -> None:
    used = await world.invite("phong-a")
    await world.say("2", used)
    expired = await world.invite("phong-a")
    revoked = await world.invite("phong-a")
    await revoke_invite(world.engine, revoked, NOW)  # type: ignore[arg-type]
    await world.say("1", used)
    await world.say("1", revoked)
    world.clock[0] = NOW + timedelta(days=15)
    await world.say("3", expired)
    assert world.out.texts("1") == [t("start-used"), t("start-revoked")]
    assert world.out.texts("3") == [t("start-expired")]


async def test_wrong_codes_are_answered_a_few_times_an_hour(world: World) -> None:
    wrong = [new_invite_code() for _ in range(6)]
    for code in wrong:
        await world.say("1", code)
    # Three answers say the code is wrong; then the stranger's answer, once.
    assert world.out.texts("1") == [t("start-unknown")] * 3 + [t("stranger")]
    # /start with a wrong code counts the same.
    await world.say("1", f"/start {new_invite_code()}")
    assert len(world.out.texts("1")) == 4
    # An open code still registers at once.
    await world.say("1", await world.invite("phong-a"))
    assert world.out.texts("1")[-1].startswith("Chào Người 1! Bạn đã đăng ký")


async def test_after_an_hour_wrong_codes_are_answered_again(world: World) -> None:
    for _ in range(5):
        await world.say("1", new_invite_code())
    world.clock[0] = NOW + timedelta(minutes=61)
    await world.say("1", new_invite_code())
    assert world.out.texts("1") == [t("start-unknown")] * 3 + [t("stranger"), t("start-unknown")]


async def test_each_stranger_has_their_own_count(world: World) -> None:
    for _ in range(4):
        await world.say("1", new_invite_code())
    await world.say("2", new_invite_code())
    assert world.out.texts("2") == [t("start-unknown")]


async def test_a_contact_typing_a_code_sends_a_text_report(world: World) -> None:
    await world.register("1", "phong-a")
    other = await world.invite("phong-b", Role.HEAD)
    await world.say("1", other)
    asked = world.out.texts("1")[-1]
    assert asked.startswith(t("submit-text-confirm", name="Báo cáo 6 tháng"))
    contact = await world.repo.contact(platform="telegram", user_id="1")
    assert contact is not None and contact.unit_key == "phong-a"
