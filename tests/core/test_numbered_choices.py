"""The button codec, and numbered choices for a platform without buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from core.test_usecases import PLAN, SECOND, World, make_world
from fakes.messenger import FakeMessenger

from bot.core import buttons
from bot.core.model import Button
from scheduler.dispatcher import submit_now


@dataclass
class ButtonlessMessenger(FakeMessenger):
    """A platform that shows no buttons (the console, Zalo)."""

    buttons: bool = False


def test_the_codec_reads_back_what_it_writes() -> None:
    assert buttons.decode(buttons.choice("abcdEFGH_-12", 3)) == buttons.Choice("abcdEFGH_-12", "3")
    cancel = buttons.decode(buttons.choice("abcdEFGH", buttons.CANCEL))
    assert isinstance(cancel, buttons.Choice) and cancel.cancelled
    assert buttons.decode(buttons.submit_now(42)) == buttons.SubmitNow(42)
    assert submit_now(42)[0][0].data == buttons.submit_now(42)


@pytest.mark.parametrize(
    "data", ["", "xoa-tat-ca", "p:short:0", "p:abcdEFGH:100", "p:abcdEFGH:y", "r:", "r:1x"]
)
def test_the_codec_refuses_what_the_bot_never_wrote(data: str) -> None:
    assert buttons.decode(data) is None


def test_buttons_as_numbered_lines() -> None:
    keyboard = ((Button("Nộp", "p:abcdEFGH:0"), Button("Hủy", "p:abcdEFGH:x")),)
    assert buttons.numbered("Nộp?", keyboard) == "Nộp?\n\n1. Nộp\n2. Hủy"
    assert buttons.numbered("Chỉ chữ", ()) == "Chỉ chữ"
    assert [buttons.number_of(s) for s in ("2", " 12 ", "3.", "1a", "", "١", "1000")] == [
        2,
        12,
        3,
        None,
        None,
        None,
        None,
    ]


@pytest.fixture
async def buttonless(tmp_path: Path) -> AsyncIterator[World]:
    async for world in make_world(tmp_path, PLAN + SECOND):
        world.out = ButtonlessMessenger(platform="telegram")
        yield world


async def test_a_text_is_confirmed_with_a_number(buttonless: World) -> None:
    world = buttonless
    await world.register("1", "phong-a")
    assert "gõ số của lựa chọn «Nộp»" in world.out.texts("1")[-1]
    await world.say("1", "Đơn vị đã hoàn thành kế hoạch.")
    _, question, keyboard = world.out.sent[-1]
    assert keyboard == ()
    assert question == (
        "Nộp nội dung này cho báo cáo nào?\n\n"
        "1. Nộp cho: Báo cáo 6 tháng\n2. Nộp cho: Báo cáo chuyên đề\n3. Hủy"
    )
    await world.say("1", "4")
    assert world.out.texts("1")[-1] == (
        "Không có lựa chọn số 4. Hãy gõ một số từ 1 đến 3 trong danh sách vừa gửi, "
        "hoặc /huy để hủy."
    )
    await world.say("1", "2")
    assert world.out.texts("1")[-2] == "Đang nộp cho báo cáo «Báo cáo chuyên đề»…"
    assert world.out.texts("1")[-1].startswith(
        "Biên nhận: đã nhận nội dung của Phòng A cho báo cáo «Báo cáo chuyên đề»"
    )
    await world.say("1", "2")  # the step is done: nothing is offered any more
    assert world.out.texts("1")[-1].startswith("Hiện không có lựa chọn nào đang chờ")
    status = await world.repo.status(report_key="bc-chuyen-de", now=world.clock[0])
    assert [u.versions for u in status[0].units] == [1]


async def test_a_number_cancels_like_the_button(buttonless: World) -> None:
    world = buttonless
    await world.register("1", "phong-a")
    await world.send_file("1", "bc.pdf", b"%PDF-1.7")
    assert world.out.texts("1")[-1].endswith("\n3. Hủy")
    await world.say("1", "3")
    assert world.out.texts("1")[-1] == "Đã hủy, chưa nộp gì."
    assert not (world.data / "files").exists()


async def test_the_reminder_button_as_a_number(buttonless: World) -> None:
    world = buttonless
    await world.register("1", "phong-a")
    status = await world.repo.status(report_key="bc-chuyen-de", now=world.clock[0])
    await world.bot.offer(
        platform="telegram", user_id="1", keyboard=submit_now(status[0].instance_id)
    )
    await world.say("1", "1")
    assert world.out.texts("1")[-1].startswith("Hãy gửi")
    await world.send_file("1", "chuyen-de.pdf", b"%PDF-1.7")
    assert "cho báo cáo «Báo cáo chuyên đề»" in world.out.texts("1")[-1]


async def test_numbers_stay_text_where_there_are_buttons(tmp_path: Path) -> None:
    async for world in make_world(tmp_path):
        await world.register("1", "phong-a")
        await world.say("1", "1")
        _, question, keyboard = world.out.sent[-1]
        assert question == "Nộp nội dung này cho báo cáo «Báo cáo 6 tháng»?"
        assert [b.text for b in keyboard[0]] == ["Nộp", "Hủy"]
