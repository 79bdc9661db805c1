"""On a platform without buttons (the console, Zalo) no message tells the person to press one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from core.test_usecases import NOW, PLAN, World, make_world
from fakes.messenger import FakeMessenger

from bot.app import applied_plans
from bot.core import buttons
from bot.core.i18n import t
from bot.core.model import ChatKind, Keyboard, MessageRef, OtherContent
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.usecases import ReportBot
from scheduler.dispatcher import Dispatcher, plant_reminders
from storage.reminders import ReminderStore

# Pressing or tapping; "nhấn Enter" and "nhấn Ctrl-C" name keys of the keyboard, not buttons.
PRESS = re.compile(r"\b(bấm|nhấn)\b(?! (Enter|Ctrl))", re.IGNORECASE)
# The plan of the use-case tests, with a reminder the day before the deadline (03/06 08:00,
# before the tests' clock) and a second report, so that a text asks which report.
REMINDED = (
    PLAN
    + "    reminders: [1d]\n"
    + (
        "  - id: bc-chuyen-de\n"
        "    name: Báo cáo chuyên đề\n"
        "    submitters: [phong-a]\n"
        "    receiver: van-phong\n"
        "    due_before: 20/06/2024\n"
    )
)


@dataclass
class NumbersOnly(FakeMessenger):
    """Shows no buttons, and treats buttons sent from outside the use cases as the console
    does: they become the person's numbered choices, shown as numbered lines."""

    core: ReportBot | None = None
    buttons: bool = False

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if keyboard:
            assert self.core is not None
            await self.core.offer(platform=self.platform, user_id=chat_id, keyboard=keyboard)
            text = buttons.numbered(text, keyboard)
        return await super().send(chat_id, text)


def everything_said(out: FakeMessenger) -> list[str]:
    return (
        [text for _, text, _ in out.sent]
        + [text for _, text in out.edits]
        + [text for _, text in out.answers if text]
    )


async def flows(world: World) -> None:
    """Every kind of conversation a unit, the office and a stranger have with the bot."""
    await world.say("9", "xin chào")  # a stranger
    await world.say("9", "/start")
    await world.register("1", "phong-a")
    await world.register("5", "van-phong", Role.OFFICE)
    await world.register("6", "ban-giam-doc", Role.LEADER)
    for user in ("1", "5", "6"):
        for command in ("/huongdan", "/baocao", "/lich", "/tinhhinh", "/huy", "/nhom", "/khong"):
            await world.say(user, command)
    await world.say("5", "/nhom", chat="-100", kind=ChatKind.GROUP)
    await world.say("5", "/tinhhinh", chat="-100", kind=ChatKind.GROUP)
    await world.say("1", "/huongdan", chat="-100", kind=ChatKind.GROUP)

    # A text: which report, a number out of range, the choice, a number with nothing offered.
    await world.say("1", "Đơn vị đã hoàn thành kế hoạch.")
    await world.say("1", "9")
    await world.say("1", "1")
    await world.say("1", "1")
    # A file: asked, cancelled by number; asked again and /huy; a file of the wrong kind.
    await world.send_file("1", "bc.pdf", b"%PDF-1.7")
    await world.say("1", "3")
    await world.send_file("1", "bc.pdf", b"%PDF-1.7")
    await world.say("1", "/huy")
    await world.send_file("1", "setup.exe", b"MZ")
    await world.send_file("1", "rong.pdf", b"")
    await world.say("1", "x" * 3001)
    await world.say("1", "\u200b")
    # What the bot does not take, with and without a caption; an edited text and file.
    for other in OtherContent:
        for caption in (None, "kèm lời nhắn"):
            event = world.incoming("1", text=caption, other=other)
            await world.bot.handle(event, world.out)
    await world.say("1", "Nội dung đã sửa", edited=True)
    await world.say("1", "/huy")
    await world.send_file("1", "bc.pdf", b"%PDF-1.7", caption="sửa")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path, REMINDED):
        yield w


async def test_no_message_says_to_press_where_there_are_no_buttons(world: World) -> None:
    out = NumbersOnly(core=world.bot)
    world.out = out
    await flows(world)

    # A reminder from the dispatch loop to a unit that has not reported, its "submit now"
    # answered with a number.
    await world.register("2", "phong-b")
    store = ReminderStore(world.engine)
    await plant_reminders(store, parse_plan(REMINDED, "p.yaml"), now=NOW - timedelta(days=7))
    dispatcher = Dispatcher(
        store=store,
        plans=applied_plans(world.engine),
        messengers={"telegram": out},
        clock=lambda: world.clock[0],
        worker="test",
    )
    await dispatcher.tick()
    reminder = out.texts("2")[-1]
    assert reminder.startswith("Nhắc hạn: báo cáo «Báo cáo 6 tháng» của Phòng B")
    assert reminder.endswith(f"{t('reminder-how-numbered')}\n\n1. {t('button-submit-now')}")
    await world.say("2", "1")
    assert out.texts("2")[-1].startswith("Hãy gửi tệp")
    await world.send_file("2", "bc.pdf", b"%PDF-1.7")
    assert out.texts("2")[-1].startswith("Biên nhận: đã nhận tệp «bc.pdf» của Phòng B")

    said = everything_said(out)
    assert len(said) > 60
    assert [text for text in said if PRESS.search(text)] == []
    assert any("gõ số" in text for text in said)


async def test_where_there_are_buttons_the_same_flows_say_to_press(world: World) -> None:
    await flows(world)
    assert any(PRESS.search(text) for text in everything_said(world.out))


def test_every_wording_for_numbers_takes_the_variables_of_the_one_for_buttons() -> None:
    from unit.test_catalog import VARIABLES

    pairs = {**buttons.NUMBERED_WORDING, **buttons.NUMBERED_INSIDE}
    assert {key: VARIABLES[key] for key in pairs} == {key: VARIABLES[v] for key, v in pairs.items()}
    assert [key for key in pairs.values() if PRESS.search(t(key, what="video"))] == []
    assert [key for key in pairs if not PRESS.search(t(key, what="video"))] == ["button-stale"]


# Telling the person to send a file here, in any of the words the catalog uses for it.
SEND_FILE = re.compile(r"\bgửi (tệp|lại tệp)\b|gửi nội dung hoặc tệp", re.IGNORECASE)


@dataclass
class NoFiles(NumbersOnly):
    """A platform whose bots receive no files (Zalo): photos and words only."""

    receives_files: bool = False

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if keyboard:
            assert self.core is not None
            await self.core.offer(platform=self.platform, user_id=chat_id, keyboard=keyboard)
            text = buttons.numbered(text, keyboard, receives_files=False)
        return await FakeMessenger.send(self, chat_id, text)


async def test_no_message_says_to_send_a_file_where_bots_receive_none(world: World) -> None:
    out = NoFiles(core=world.bot)
    world.out = out
    await flows(world)
    await world.register("2", "phong-b")
    store = ReminderStore(world.engine)
    await plant_reminders(store, parse_plan(REMINDED, "p.yaml"), now=NOW - timedelta(days=7))
    dispatcher = Dispatcher(
        store=store,
        plans=applied_plans(world.engine),
        messengers={"telegram": out},
        clock=lambda: world.clock[0],
        worker="test",
    )
    await dispatcher.tick()
    assert t("reminder-how-web") in out.texts("2")[-1]
    await world.say("2", "1")
    assert out.texts("2")[-1].startswith("Hãy gửi ảnh hoặc nội dung")

    said = everything_said(out)
    # The Office's help says how units report in general: not to the person reading it.
    told = [text for text in said if SEND_FILE.search(text) and t("help-office") not in text]
    assert told == []
    assert any("trang web baocao" in text for text in said)


def test_every_wording_for_web_files_takes_the_variables_of_the_other() -> None:
    from unit.test_catalog import VARIABLES

    pairs = buttons.WEB_FILES_WORDING
    assert {key: VARIABLES[key] for key in pairs} == {key: VARIABLES[v] for key, v in pairs.items()}
    words = [t(key, what="video", name="Báo cáo") for key in pairs.values()]
    assert [text for text in words if SEND_FILE.search(text)] == []
