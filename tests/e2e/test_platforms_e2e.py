"""A second platform runs beside Telegram as a peer, and its people are reached through it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import TZ, Office, plan_text
from fakes.telegram_api import FakeTelegram

from bot.app import serve
from bot.core.model import (
    Attachment,
    Chat,
    ChatKind,
    Incoming,
    Keyboard,
    MessageRef,
    Sender,
)
from bot.core.plan.loader import parse_plan
from bot.core.usecases import ReportBot

LOUDSPEAKER = "loudspeaker"


@dataclass
class RecordingMessenger:
    """The Messenger port of the in-test platform: it keeps what it was asked to send."""

    platform: str = LOUDSPEAKER
    max_text: int = 4096
    max_download: int = 1024
    sent: list[tuple[str, str]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        self.sent.append((chat_id, text))
        self.arrived.set()
        return MessageRef(chat_id, str(len(self.sent)))

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        self.sent.append((message.chat_id, text))
        self.arrived.set()

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        pass

    async def download(self, attachment: Attachment, destination: Path) -> int:
        raise AssertionError("nothing is downloaded on this platform")

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        raise AssertionError("no file is re-sent on this platform")

    async def wait_for(self, chat_id: str, contains: str) -> str:
        """The first text sent to `chat_id` holding `contains`, once it has been sent."""
        while True:
            for to, text in self.sent:
                if to == chat_id and contains in text:
                    return text
            self.arrived.clear()
            await self.arrived.wait()


@dataclass
class Loudspeaker:
    """A tiny platform of the test's own, built by `serve` around the same core as Telegram."""

    core: ReportBot
    log: list[str]
    messenger: RecordingMessenger = field(default_factory=RecordingMessenger)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    name: str = LOUDSPEAKER

    async def start(self) -> None:
        self.log.append("start")
        self.started.set()

    async def stop(self) -> None:
        self.log.append("stop")

    async def invite_link(self, code: str) -> str | None:
        return None

    async def say(self, user_id: str, name: str, text: str, *, command: str | None = None) -> None:
        """A person on this platform sends `text`: the adapter hands it to the core."""
        words = text.split()
        event = Incoming(
            chat=Chat(platform=LOUDSPEAKER, chat_id=user_id, kind=ChatKind.PRIVATE),
            sender=Sender(user_id=user_id, display_name=name),
            received_at=datetime.now(UTC),
            source_ref=f"{user_id}:{len(self.messenger.sent)}:{text}",
            text=text,
            command=command,
            args=tuple(words[1:]) if command else (),
        )
        await self.core.handle(event, self.messenger)


async def test_a_reminder_for_a_contact_of_another_platform_goes_through_its_messenger(
    office: Office, fake: FakeTelegram
) -> None:
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    clock = [real_now]
    made: list[Loudspeaker] = []
    log: list[str] = []

    def loudspeaker(core: ReportBot) -> Loudspeaker:
        made.append(Loudspeaker(core, log))
        return made[-1]

    stopping = asyncio.Event()
    running = asyncio.create_task(
        serve(office.config, stopping, clock=lambda: clock[0], platforms=[loudspeaker])
    )
    try:
        await fake.wait_polling()  # Telegram runs...
        (speaker,) = made
        await asyncio.wait_for(speaker.started.wait(), 10)  # ...and so does its peer
        lan = fake.user(1001, "Lan")
        await office.register(lan, "phong-a")
        code = await office.invite("phong-b")
        await speaker.say("mai-7", "Mai", f"/start {code}", command="start")
        await speaker.messenger.wait_for("mai-7", "Chào")

        clock[0] = quarterly.reminders[0].at + timedelta(minutes=1)
        await fake.wait_for_message(1001, contains="«Báo cáo quý» của Phòng A")
        reminder = await asyncio.wait_for(
            speaker.messenger.wait_for("mai-7", "«Báo cáo quý» của Phòng B"), 10
        )
        assert reminder.startswith("Nhắc hạn: báo cáo «Báo cáo quý» của Phòng B")
        to_telegram = [m.get("text") or "" for m in fake.sent_messages(1001)]
        assert not any("Phòng B" in text for text in to_telegram)
    finally:
        stopping.set()
        await running
    assert log == ["start", "stop"]
