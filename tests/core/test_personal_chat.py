"""Personal data in chat: the notice when a person registers, and /dulieu."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_usecases import World, make_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


async def test_registering_tells_what_is_stored_and_why(world: World) -> None:
    code = await world.invite("phong-a")
    await world.say("1", f"/start {code}")
    (greeting,) = world.out.texts("1")
    notice = greeting.split("\n\n")[-1]
    assert notice.startswith("Lưu ý: baocao là phần mềm tự động.")
    for stored in ("tên", "mã tài khoản chat", "đơn vị", "vai trò", "những gì bạn gửi"):
        assert stored in notice
    assert "Để thu báo cáo theo kế hoạch" in notice
    assert "Gõ /dulieu để xem" in notice
    assert notice.endswith("hãy liên hệ Văn phòng Sở.")
    # Greeted again later: the notice is not repeated.
    await world.say("1", "/start")
    assert "Lưu ý" not in world.out.texts("1")[-1]


async def test_the_privacy_contact_is_named_when_set(world: World) -> None:
    ctx = world.bot.context
    ctx.settings = dataclasses.replace(ctx.settings, privacy_contact="Văn phòng Sở, 0123 456 789")
    await world.register("1", "phong-a")
    assert world.out.texts("1")[0].endswith("hãy liên hệ Văn phòng Sở, 0123 456 789.")
    await world.say("1", "/dulieu")
    assert world.out.texts("1")[-1].endswith("hãy liên hệ Văn phòng Sở, 0123 456 789.")


async def test_my_data_shows_what_is_stored(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "Báo cáo ngắn của phòng A")
    await world.press("1", world.out.sent[-1][2][0][0].data)
    await world.say("1", "/dulieu")
    answer = world.out.texts("1")[-1]
    lines = answer.splitlines()
    assert lines[0] == "Dữ liệu baocao lưu về bạn:"
    assert lines[1] == "• Telegram: Người 1, mã tài khoản 1"
    assert lines[2] == ("• Đơn vị: Phòng A; vai trò: đầu mối đơn vị; đăng ký lúc 03/06/2024 10:00")
    assert lines[3].startswith("• Đã gửi 1 lần")
    assert "Báo cáo ngắn" not in answer  # what was sent is counted, not repeated
    await world.say("1", "/mydata")
    assert world.out.texts("1")[-1] == answer


async def test_my_data_for_a_stranger_is_the_strangers_answer(world: World) -> None:
    await world.say("5", "/dulieu")
    (answer,) = world.out.texts("5")
    assert answer.startswith("Xin chào! baocao là trợ lý nhận báo cáo")
