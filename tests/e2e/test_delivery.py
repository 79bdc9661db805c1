"""Delivery against the fake Bot API: retries, flood limits, unreachable chats and downloads.

The bot here is the real one `build_application` makes (request settings, rate limiter), only
not polling; `TelegramMessenger` sends through it as it does in the running bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import Office
from e2e_support import DOCX, DOCX_MIME, PNG
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


class FakeTime:
    """The messenger's clock and sleep: a wait passes at once and moves the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


OUTAGE = 20.0  # seconds of 502 Bad Gateway before the 429, on the messenger's clock


async def test_bad_gateway_for_twenty_seconds_then_429_is_delivered_after_retry_after(
    fake: FakeTelegram,
) -> None:
    await person(fake, 1001, "An")
    time_ = FakeTime()
    told_to_wait: list[bool] = []

    async def sleep(seconds: float) -> None:
        """Each retry meets a 502 while the outage lasts, then one 429."""
        await time_.sleep(seconds)
        if time_.now < OUTAGE:
            fake.fail_next("sendMessage", 502)
        elif not told_to_wait:
            fake.fail_next("sendMessage", 429, retry_after=2)
            told_to_wait.append(True)

    # Without the rate limiter, which would wait out the 429 itself, in real time.
    async with messenger_for(fake, rate_limit=False, sleep=sleep, clock=time_.clock) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 502)
        ref = await messenger.send("1001", "Nhắc: Báo cáo quý")

    statuses = [c.status for c in send_calls(fake, first)]
    assert statuses[-2:] == [429, 200]
    assert set(statuses[:-2]) == {502}
    *backoff, after_429 = time_.waits
    assert after_429 >= 2.0, "sent again sooner than a 429 asking for 2 s"
    assert sum(backoff) >= OUTAGE
    assert len(backoff) == len(statuses) - 2 <= 12, "retries back off instead of hammering"
    assert backoff[0] <= 0.5 < max(backoff) <= 10.0, "the backoff grows, capped"
    delivered = send_calls(fake, first)[-1]
    assert fake.sent_messages(1001)[-1]["text"] == "Nhắc: Báo cáo quý"
    assert ref == MessageRef("1001", str(delivered.result["message_id"]))
    print(
        f"\n502 x{len(backoff)} over {sum(backoff):.1f} s "
        f"(waits {', '.join(f'{w:.1f}' for w in backoff)}), 429 waited {after_429:.2f} s"
    )
    fake.assert_clean()


async def test_retry_after_is_waited_out_by_the_messenger_without_the_rate_limiter(
    fake: FakeTelegram,
) -> None:
    await person(fake, 1002)
    time_ = FakeTime()
    async with messenger_for(
        fake, rate_limit=False, sleep=time_.sleep, clock=time_.clock
    ) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 429, retry_after=1)
        await messenger.send("1002", "Nhắc")
    too_many, delivered = send_calls(fake, first)
    assert (too_many.status, delivered.status) == (429, 200)
    assert time_.waits == [pytest.approx(1.1)]  # what Telegram asked, and a margin
    fake.assert_clean()


async def test_a_long_outage_ends_in_delivery_error(fake: FakeTelegram) -> None:
    await person(fake, 1003)
    time_ = FakeTime()
    async with messenger_for(
        fake, retry_budget=30, sleep=time_.sleep, clock=time_.clock
    ) as messenger:
        first = len(fake.calls)
        fake.fail_next("sendMessage", 502, times=100)
        with pytest.raises(DeliveryError, match="Bad Gateway"):
            await messenger.send("1003", "Nhắc")
    calls = send_calls(fake, first)
    assert 5 <= len(calls) <= 12
    assert {c.status for c in calls} == {502}
    assert time_.now == pytest.approx(30)  # the last try comes when the budget runs out
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


async def test_a_download_is_retried_and_a_half_written_file_written_anew(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    content = DOCX * 400
    document = fake.add_file(content, file_name="bao-cao.docx", mime_type=DOCX_MIME)
    destination = tmp_path / "staged"
    destination.write_bytes(b"an earlier try left this behind " * 2000)  # longer than the file
    time_ = FakeTime()
    async with messenger_for(fake, sleep=time_.sleep, clock=time_.clock) as messenger:
        fake.fail_next("getFile", 502)
        fake.fail_next_download()  # half the file, then the connection is reset
        fake.fail_next_download(502)
        size = await messenger.download(
            Attachment(AttachmentKind.DOCUMENT, document.file_id), destination
        )
    assert destination.read_bytes() == content
    assert size == len(content)
    assert [c.status for c in fake.calls_to("getFile")] == [502, 200, 200, 200]
    assert [status for _, status in fake.downloads] == [0, 502, 200]
    assert len(time_.waits) == 3  # each failure waited, by the same backoff as sends
    fake.assert_clean()


async def test_downloads_give_up_as_sends_do_when_the_outage_outlasts_the_budget(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    document = fake.add_file(DOCX, file_name="bao-cao.docx", mime_type=DOCX_MIME)
    time_ = FakeTime()
    async with messenger_for(
        fake, retry_budget=30, sleep=time_.sleep, clock=time_.clock
    ) as messenger:
        fake.fail_next_download(502, times=1000)
        with pytest.raises(DeliveryError, match="Bad Gateway"):
            await messenger.download(
                Attachment(AttachmentKind.DOCUMENT, document.file_id), tmp_path / "staged"
            )
    assert 30 <= time_.now <= 30.01
    fake.assert_clean()


async def test_one_bad_gateway_and_one_reset_download_still_end_in_a_receipt(
    office: Office, fake: FakeTelegram
) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    report = fake.add_file(DOCX * 100, file_name="bao-cao-quy.docx", mime_type=DOCX_MIME)
    fake.fail_next("getFile", 502)
    fake.fail_next_download()
    await fake.send_document(binh, report)
    receipt = await fake.wait_for_message(1002, contains="Biên nhận")
    assert "Phiên bản 1, đúng hạn." in receipt["text"]
    assert [p.read_bytes() for p in (office.data / "files").rglob("*.docx")] == [DOCX * 100]
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}


async def test_a_file_from_the_disk_is_sent_as_a_document_or_a_photo(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    await person(fake, 1005)
    export = tmp_path / "x.xlsx"
    export.write_bytes(b"PK\x03\x04 a workbook")
    chart = tmp_path / "c.png"
    chart.write_bytes(PNG)
    async with messenger_for(fake) as messenger:
        fake.fail_next("sendDocument", 502)
        await messenger.upload(
            "1005", export, name="Tình hình báo cáo 6 tháng.xlsx", caption="Bảng tình hình"
        )
        await messenger.upload("1005", chart, name="tien-do.png", caption="Tiến độ", photo=True)
    document, photo = fake.sent_messages(1005)[-2:]
    assert document["document"]["file_name"] == "Tình hình báo cáo 6 tháng.xlsx"
    assert document["caption"] == "Bảng tình hình"
    assert fake.file_bytes(document["document"]["file_id"]) == export.read_bytes()
    assert [c.status for c in fake.calls_to("sendDocument")] == [502, 200]  # retried
    assert photo["caption"] == "Tiến độ"
    assert fake.file_bytes(photo["photo"][-1]["file_id"]) == PNG
    fake.assert_clean()
