"""Delivery against the fake Bot API: retries, flood limits and unreachable chats, in real time.

The bot here is the real one `build_application` makes (request settings, rate limiter), only
not polling; `TelegramMessenger` sends through it as it does in the running bot.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import Call, FakeTelegram
from telegram.error import BadRequest
from telegram.ext import AIORateLimiter

from bot.core.model import Attachment, AttachmentKind, MessageRef
from bot.core.ports import DeliveryError, UnreachableError
from bot.core.usecases import ReportBot
from handlers.telegram.app import build_application
from handlers.telegram.messenger import TelegramMessenger

# Nothing reaches the core: these applications never poll for updates.
NO_CORE = cast(ReportBot, object())


@asynccontextmanager
async def messenger_for(
    fake: FakeTelegram, *, rate_limit: bool = True, **options: Any
) -> AsyncIterator[TelegramMessenger]:
    application = build_application(
        token=fake.token, api_url=fake.base_url, core=NO_CORE, rate_limit=rate_limit
    )
    assert isinstance(application.bot.rate_limiter, AIORateLimiter) is rate_limit
    await application.initialize()
    try:
        yield TelegramMessenger(application.bot, **options)
    finally:
        await application.shutdown()


async def person(fake: FakeTelegram, user_id: int, name: str = "Người dùng") -> dict[str, Any]:
    """A person who has started the bot, so it may write to them."""
    user = fake.user(user_id, name)
    await fake.send_text(user, "/start")
    return user


def send_calls(fake: FakeTelegram, since: int = 0) -> list[Call]:
    return [c for c in fake.calls[since:] if c.method == "sendMessage"]


def most_in_one_second(times: Sequence[float]) -> int:
    """The most calls that arrived within any window of one second."""
    ordered = sorted(times)
    best, low = 0, 0
    for high, now in enumerate(ordered):
        while now - ordered[low] >= 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


OUTAGE = 20.0  # seconds of 502 Bad Gateway before the 429
# The backoff doubles from 0.5 s; capped at 2 s rather than 10 s here, the first retry after the
# outage (which gets the 429) comes soon after it, and the test stays under half a minute.
OUTAGE_BACKOFF_CAP = 2.0


async def test_bad_gateway_for_twenty_seconds_then_429_is_delivered_after_retry_after(
    fake: FakeTelegram,
) -> None:
    await person(fake, 1001, "An")
    async with messenger_for(fake, backoff_cap=OUTAGE_BACKOFF_CAP) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 502)
        started = time.perf_counter()
        delivery = asyncio.create_task(messenger.send("1001", "Nhắc: Báo cáo quý"))
        # Keep answering 502 to every retry for OUTAGE seconds, then one 429.
        seen = first
        while True:
            call = await fake.wait_for("sendMessage", since=seen, timeout=15)
            seen = call.index + 1
            if time.perf_counter() - started < OUTAGE:
                fake.fail_next("sendMessage", 502)
            else:
                fake.fail_next("sendMessage", 429, retry_after=2)
                break
        ref = await asyncio.wait_for(delivery, 15)
        elapsed = time.perf_counter() - started

    calls = send_calls(fake, first)
    statuses = [c.status for c in calls]
    assert statuses[-2:] == [429, 200]
    assert set(statuses[:-2]) == {502}
    bad_gateways = calls[:-2]
    too_many, delivered = calls[-2:]
    assert too_many.time - started >= OUTAGE
    assert too_many.done_time is not None
    waited = delivered.time - too_many.done_time
    assert waited >= 2.0, f"sent again {waited:.2f} s after a 429 asking for 2 s"
    assert fake.sent_messages(1001)[-1]["text"] == "Nhắc: Báo cáo quý"
    assert ref == MessageRef("1001", str(delivered.result["message_id"]))
    gaps = [b.time - a.time for a, b in itertools.pairwise(bad_gateways)]
    assert len(bad_gateways) <= 25, "retries back off instead of hammering the server"
    assert gaps[0] < 0.6 < max(gaps) < OUTAGE_BACKOFF_CAP + 0.5, "the backoff grows, capped"
    print(
        f"\n502 x{len(bad_gateways)} over {too_many.time - started:.1f} s "
        f"(gaps {', '.join(f'{g:.1f}' for g in gaps)}), 429 waited {waited:.2f} s, "
        f"delivered after {elapsed:.1f} s"
    )
    fake.assert_clean()


async def test_retry_after_is_waited_out_by_the_messenger_without_the_rate_limiter(
    fake: FakeTelegram,
) -> None:
    await person(fake, 1002)
    async with messenger_for(fake, rate_limit=False) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 429, retry_after=1)
        await messenger.send("1002", "Nhắc")
    too_many, delivered = send_calls(fake, first)
    assert (too_many.status, delivered.status) == (429, 200)
    assert too_many.done_time is not None
    assert delivered.time - too_many.done_time >= 1.0
    fake.assert_clean()


async def test_a_long_outage_ends_in_delivery_error(fake: FakeTelegram) -> None:
    await person(fake, 1003)
    async with messenger_for(fake, retry_budget=1.5) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 502, times=100)
        started = time.perf_counter()
        with pytest.raises(DeliveryError, match="Bad Gateway"):
            await messenger.send("1003", "Nhắc")
        elapsed = time.perf_counter() - started
    calls = send_calls(fake, first)
    assert 3 <= len(calls) <= 6
    assert {c.status for c in calls} == {502}
    assert 1.4 <= elapsed < 3
    fake.assert_clean()


async def test_edit_and_send_file_retry_a_bad_gateway(fake: FakeTelegram) -> None:
    await person(fake, 1004)
    office = fake.group_chat(-1001234, "Văn phòng Sở")
    document = fake.add_file(DOCX, file_name="bao-cao.docx", mime_type=DOCX_MIME)
    async with messenger_for(fake) as messenger:
        ref = await messenger.send("1004", "Bản nháp")
        fake.fail_next("editMessageText", 502)
        await messenger.edit(ref, "Bản cuối")
        fake.fail_next("sendDocument", 504)
        attachment = Attachment(AttachmentKind.DOCUMENT, document.file_id)
        await messenger.send_file(str(office["id"]), attachment, "Phòng A nộp")
    assert [c.status for c in fake.calls_to("editMessageText")] == [502, 200]
    assert [c.status for c in fake.calls_to("sendDocument")] == [504, 200]
    assert fake.sent_messages(1004)[-1]["text"] == "Bản cuối"
    assert fake.sent_messages(office["id"])[-1]["caption"] == "Phòng A nộp"
    fake.assert_clean()


async def test_a_person_who_blocked_the_bot_is_unreachable_at_once(fake: FakeTelegram) -> None:
    user = await person(fake, 1005)
    await fake.block_bot(user)
    async with messenger_for(fake) as messenger:
        first = len(fake.calls)
        with pytest.raises(UnreachableError, match="blocked"):
            await messenger.send("1005", "Nhắc")
        with pytest.raises(UnreachableError, match=r"(?i)chat not found"):
            await messenger.send("424242", "Nhắc")
    assert [c.status for c in send_calls(fake, first)] == [403, 400]
    assert len(fake.pop_violations("blocked by the user")) == 1
    assert len(fake.pop_violations("chat not found")) == 1
    fake.assert_clean()


async def test_a_bad_request_is_raised_as_is_and_not_retried(fake: FakeTelegram) -> None:
    await person(fake, 1006)
    async with messenger_for(fake) as messenger:
        first = len(fake.calls)
        with pytest.raises(BadRequest, match="too long"):
            await messenger.send("1006", "x" * (messenger.max_text + 1))
    assert [c.status for c in send_calls(fake, first)] == [400]
    assert len(fake.pop_violations("too long")) == 1
    fake.assert_clean()


async def test_sixty_reminders_are_spread_at_thirty_a_second(fake: FakeTelegram) -> None:
    people = [await person(fake, 2000 + i) for i in range(60)]
    async with messenger_for(fake) as messenger:
        first = len(fake.calls)
        refs = await asyncio.gather(
            *(messenger.send(str(p["id"]), f"Nhắc số {i}") for i, p in enumerate(people))
        )
    calls = send_calls(fake, first)
    assert len(refs) == 60
    assert [c.status for c in calls] == [200] * 60
    assert {c.params["chat_id"] for c in calls} == {p["id"] for p in people}
    times = [c.time for c in calls]
    span = max(times) - min(times)
    densest = most_in_one_second(times)
    print(f"\n60 messages over {span:.2f} s ({59 / span:.1f}/s), at most {densest} in 1 s")
    assert densest <= 32  # 31 fit in a closed second at 1/30 s apart; one more for jitter
    assert span >= 59 / 30 - 0.15
    fake.assert_clean()


async def test_a_group_gets_twenty_messages_a_minute(fake: FakeTelegram) -> None:
    office = fake.group_chat(-1005678, "Văn phòng Sở")
    async with messenger_for(fake) as messenger:
        first = len(fake.calls)
        await asyncio.gather(*(messenger.send(str(office["id"]), f"Tin {i}") for i in range(21)))
    times = sorted(c.time for c in send_calls(fake, first))
    assert len(times) == 21
    assert times[19] - times[0] < 1.5  # twenty at the overall pace...
    assert times[20] - times[0] >= 2.9  # ...then one every 3 s (20 a minute)
    fake.assert_clean()
