"""One person on Telegram and on Zalo, end to end through both fake Bot APIs and the real
runtime running the two platforms in one process: the Office links the second account, the
person chooses where reminders reach them, and each reminder arrives once, there."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from e2e_support import TZ, plan_text
from fakes.telegram_api import FakeTelegram, find_api_json
from reminder_world import until
from zalo_world import Department, department_on

from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.contacts import SqlContactBook
from storage.db import make_engine, read_session
from storage.models import ReminderStatus, reminder_t, unit_t

zalo_api = pytest.importorskip("fakes.zalo_api")
FakeZalo = zalo_api.FakeZalo

REMINDER = "«Báo cáo quý» của Phòng B"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as server:
        yield server


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:  # type: ignore[valid-type]
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def department(
    telegram: FakeTelegram,
    zalo: FakeZalo,  # type: ignore[valid-type]
    tmp_path: Path,
) -> AsyncIterator[Department]:
    async with department_on(zalo, tmp_path / "data") as office:
        office.values.update(telegram_token=telegram.token, telegram_api_url=telegram.base_url)
        yield office
    telegram.assert_clean()


async def contact_id(url: str, platform: str, user_id: str) -> int:
    engine = make_engine(url)
    try:
        contact = await SqlContactBook(engine).contact(platform=platform, user_id=user_id)
    finally:
        await engine.dispose()
    assert contact is not None
    return contact.id


async def sent(url: str, rule_key: str) -> bool:
    """Whether Phòng B's reminder `rule_key` is done with (every send of it made)."""
    engine = make_engine(url)
    try:
        async with read_session(engine) as session:
            status = await session.scalar(
                sa.select(reminder_t.c.status)
                .join(unit_t, unit_t.c.id == reminder_t.c.unit_id)
                .where(unit_t.c.key == "phong-b", reminder_t.c.rule_key == rule_key)
            )
    finally:
        await engine.dispose()
    return status == ReminderStatus.SENT.value


def telegram_reminders(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [
        m.get("text", "") for m in telegram.sent_messages(chat_id) if REMINDER in m.get("text", "")
    ]


async def test_a_person_on_telegram_and_zalo_is_reminded_once_where_they_chose(
    department: Department,
    telegram: FakeTelegram,
    zalo: FakeZalo,  # type: ignore[valid-type]
) -> None:
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    first, second = quarterly.reminders[:2]
    clock = [real_now]
    runtime = await department.start(clock=lambda: clock[0])
    assert {p.name for p in runtime.started} == {"telegram", "zalo"}
    await telegram.wait_polling()
    await zalo.wait_polling()

    # Registered on Telegram first.
    binh_tg = telegram.user(2001, "Bình")
    code = await department.invite("phong-b")
    await telegram.send_text(binh_tg, f"/start {code}")
    await telegram.wait_for_message(2001, contains="Chào")
    on_telegram = await contact_id(department.url, "telegram", "2001")

    # The Office invites the same person for Zalo (baocao invite --same-as N); they type the
    # code to the Zalo bot, and are asked where reminders should reach them, by numbers.
    code = await department.invite("phong-b", Role.HEAD, same_as=on_telegram)
    binh_zalo = zalo.user("b1b2c3d4e5f6", "Trần Thị Bình")
    await zalo.send_text(binh_zalo, code)
    await zalo.wait_for_message(binh_zalo.id, contains="Chào")
    question = await zalo.wait_for_message(binh_zalo.id, contains="ứng dụng nào")
    choice = re.search(r"(\d+)\D{0,4}Zalo", question["text"])
    assert choice is not None, question["text"]
    await zalo.send_text(binh_zalo, choice.group(1))
    await zalo.wait_for_message(binh_zalo.id, contains="gửi qua Zalo")

    # The first reminder: on Zalo, once; nothing on Telegram.
    clock[0] = first.at + timedelta(minutes=1)
    await zalo.wait_for_message(binh_zalo.id, contains=REMINDER, timeout=20)
    await until(lambda: sent(department.url, first.rule_key), 20, "the first reminder sent")
    assert sum(REMINDER in m["text"] for m in zalo.messages_to(binh_zalo.id)) == 1
    assert telegram_reminders(telegram, 2001) == []

    # /nhacqua on Telegram, and its button: back to Telegram.
    telegram.mark()
    await telegram.send_text(binh_tg, "/nhacqua")
    asked = await telegram.wait_for_message(2001, contains="ứng dụng nào")
    buttons = [b for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    (back,) = [b for b in buttons if b["text"].startswith("Telegram")]
    await telegram.press_button(binh_tg, asked, back["callback_data"])
    await telegram.wait_for_message(2001, contains="gửi qua Telegram", include_edits=True)

    # The next reminder: on Telegram, once; nothing more on Zalo.
    zalo.mark(binh_zalo.id)
    clock[0] = second.at + timedelta(minutes=1)
    await telegram.wait_for_message(2001, contains=REMINDER, timeout=20)
    await until(lambda: sent(department.url, second.rule_key), 20, "the second reminder sent")
    assert len(telegram_reminders(telegram, 2001)) == 1
    assert sum(REMINDER in m["text"] for m in zalo.messages_to(binh_zalo.id)) == 1
