"""The Bot API is unreachable for a minute (its proxy answers 502 to everything, getUpdates
too): a reminder that falls due meanwhile reaches each unit once, after the outage, and a
message someone wrote during it is answered once, when polling resumes.

The dispatcher and the messenger share one fake timeline: each retry's wait passes at once and
moves it, and the outage ends a minute into it. Polling keeps real time; python-telegram-bot's
own backoff brings it back within seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fakes.telegram_api import FakeTelegram, find_api_json
from reminder_world import (
    REMINDER_MARK,
    prepare,
    reminders_by_chat,
    sent_by_worker,
    until,
    user_id,
)

from bot.app import Runtime
from bot.config import Settings
from bot.core.i18n import t
from handlers.telegram.messenger import TelegramMessenger

OUTAGE = 60.0  # seconds, on the timeline
UNITS = 2
STRANGER = 9001  # not registered: "/start" without a code is answered from the catalog


class Timeline:
    """The dispatcher's clock and the messenger's clock and sleep, on one fake time."""

    def __init__(self, start: datetime, fake: FakeTelegram) -> None:
        self.start = start
        self.elapsed = 0.0
        self.fake = fake
        self.waits: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.elapsed += seconds
        if self.elapsed >= OUTAGE:
            self.fake.outage = None  # the Bot API is back
        await asyncio.sleep(0)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as server:
        yield server


def replies_to(fake: FakeTelegram, chat: int) -> list[str]:
    return [
        str(c.params["text"])
        for c in fake.calls_to("sendMessage")
        if c.ok and int(c.params["chat_id"]) == chat
    ]


async def test_a_minute_without_the_bot_api_loses_and_repeats_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    await prepare(url, data, fake, UNITS)  # a reminder due now for each unit's head
    timeline = Timeline(datetime.now(UTC), fake)
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        data_dir=data,
        database_url=url,
        admins=[],
        telegram_rate_limit=False,
        web=False,
    )
    runtime = Runtime(config, clock=timeline.now, poll_timeout=1, ticking=False)
    await runtime.start()
    try:
        await fake.wait_polling()
        (platform,) = runtime.started
        messenger = platform.messenger
        assert isinstance(messenger, TelegramMessenger)
        messenger._sleep = timeline.sleep  # its retries wait on the timeline
        messenger._clock = timeline.monotonic

        fake.outage = 502
        down_from = len(fake.calls)

        def polls_failed() -> bool:
            return any(c.method == "getUpdates" and c.status == 502 for c in fake.calls[down_from:])

        await until(polls_failed, 10, "a poll answered 502")
        stranger = fake.user(STRANGER, "Khách")
        await fake.send_text(stranger, "/start")  # written during the outage

        dispatcher = runtime.dispatcher
        assert dispatcher is not None
        sent = await dispatcher.tick()  # the reminders fall due: the messenger retries...
        assert fake.outage is None and timeline.elapsed >= OUTAGE  # ...through the outage
        sent += await dispatcher.tick()  # a row given back once half the lease went by
        assert sent == UNITS

        await fake.wait_for_message(STRANGER, contains=t("start-no-code")[:20], timeout=15)
        # Two more polls after the answer: the update is not fetched and answered again.
        polls = len(fake.calls_to("getUpdates"))
        await until(lambda: len(fake.calls_to("getUpdates")) >= polls + 2, 10, "two more polls")
    finally:
        await runtime.stop()

    failed = [c for c in fake.calls[down_from:] if c.status == 502]
    assert {c.method for c in failed} >= {"getUpdates", "sendMessage"}
    assert all(c.scripted for c in failed)
    assert sum(timeline.waits) >= OUTAGE
    assert replies_to(fake, STRANGER) == [t("start-no-code")]
    chats = reminders_by_chat(fake)
    assert chats == {STRANGER: 1, **{user_id(n): 1 for n in range(UNITS)}}
    for n in range(UNITS):
        (text,) = replies_to(fake, user_id(n))
        assert text.startswith(REMINDER_MARK)
    assert sum((await sent_by_worker(url)).values()) == UNITS  # each row marked sent once
    print(
        f"\n{len(failed)} calls answered 502 over {timeline.elapsed:.0f} s of the timeline; "
        f"{UNITS} reminders and the stranger's answer delivered once each"
    )
    fake.assert_clean()
