"""The console with many people at once: each message shown with who sent it to whom, and when.

The demo plays a season on it: the units' heads, the Office and the leaders all chat on the
console platform, and the transcript is what a newcomer watches.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from bot.core import buttons
from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.model import (
    Attachment,
    AttachmentKind,
    Chat,
    ChatKind,
    Incoming,
    Keyboard,
    MessageRef,
    Sender,
)
from bot.core.ports import Messenger
from bot.core.usecases import ReportBot
from handlers.console.messenger import PLATFORM, ConsoleMessenger, keep_copy
from handlers.console.screen import Screen


class Transcript(Screen):
    """The conversation as it happens, each message under the time it was sent; a rule with
    the date between days. Rich on a terminal, plain text otherwise (for pipes and tests)."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        timezone: ZoneInfo,
        stream: TextIO | None = None,
        *,
        colour: bool | None = None,
    ) -> None:
        super().__init__(stream, colour=colour)
        self._clock = clock
        self._tz = timezone
        self._day: date | None = None
        self.count = 0  # messages shown

    def _stamp(self) -> str:
        now = self._clock().astimezone(self._tz)
        if now.date() != self._day:
            self._day = now.date()
            self.heading(fmt.day_with_weekday(now.date()))
        return now.strftime("%H:%M")

    def heading(self, text: str) -> None:
        if self.colour:
            self._rich.print(Rule(Text(text, style="bold"), style="blue"))
        else:
            self.stream.write(f"=== {text} ===\n\n")
            self.stream.flush()

    def message(self, *, sender: str, recipient: str, text: str, from_bot: bool) -> None:
        self.count += 1
        title = t("demo-message-title", time=self._stamp(), sender=sender, recipient=recipient)
        if self.colour:
            style = "cyan" if from_bot else "green"
            self._rich.print(Panel(Text(text), title=title, title_align="left", style=style))
        else:
            self.stream.write(f"[{title}]\n{text}\n\n")
            self.stream.flush()


class StageMessenger(ConsoleMessenger):
    """Shows what the bot sends to any console chat, named as the demo names it."""

    def __init__(self, core: ReportBot, transcript: Transcript, downloads: Path) -> None:
        super().__init__(core, transcript, chat_id="", downloads=downloads)
        self.only_chats = None  # the stage shows every console chat: all are reached here
        self.transcript = transcript
        self.names: dict[str, str] = {}
        self.sent: list[tuple[str, str]] = []  # (chat id, text), for whoever checks the play

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if keyboard:
            await self._core.offer(platform=PLATFORM, user_id=chat_id, keyboard=keyboard)
            text = buttons.numbered(text, keyboard)
        self.sent.append((chat_id, text))
        self.transcript.message(
            sender=t("demo-bot"),
            recipient=self.names.get(chat_id, chat_id),
            text=text,
            from_bot=True,
        )
        return self._ref(chat_id)

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        """Keep the file (a summary's chart) and say where, in one line under the message it
        goes with: a picture cannot be shown here, and needs no reading pause of its own."""
        saved = await asyncio.to_thread(keep_copy, path, self.downloads, name)
        key = "demo-picture-saved" if photo else "demo-file-saved"
        self.transcript.note(t(key, recipient=self.names.get(chat_id, chat_id), path=str(saved)))
        return self._ref(chat_id)


@dataclass(frozen=True, slots=True)
class Actor:
    """One person on the stage; with `group` set, that person speaking in a group chat."""

    user_id: str
    name: str
    group: str | None = None
    group_title: str | None = None

    def in_group(self, chat_id: str, title: str) -> Actor:
        return Actor(self.user_id, self.name, chat_id, title)


class StagePlatform:
    """The console platform for many people: the demo hands each line to the core as theirs."""

    name = PLATFORM

    def __init__(
        self,
        core: ReportBot,
        transcript: Transcript,
        clock: Callable[[], datetime],
        downloads: Path,
    ) -> None:
        self._core = core
        self._clock = clock
        self._messenger = StageMessenger(core, transcript, downloads)

    @property
    def messenger(self) -> Messenger:
        return self._messenger

    @property
    def stage(self) -> StageMessenger:
        return self._messenger

    async def start(self) -> None:
        """Nothing to start: the demo speaks for its people."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def invite_link(self, code: str) -> str | None:
        return None

    def cast(self, actor: Actor) -> None:
        """Name `actor`'s chat in the transcript."""
        chat_id = actor.group or actor.user_id
        self._messenger.names[chat_id] = actor.group_title or actor.name

    async def says(
        self,
        actor: Actor,
        *,
        text: str | None = None,
        command: str | None = None,
        args: tuple[str, ...] = (),
        file: Path | None = None,
        shown: str | None = None,
    ) -> None:
        """`actor` sends a line, a command or a file; the transcript shows it as `shown`."""
        attachment = None
        if file is not None:
            attachment = Attachment(
                kind=AttachmentKind.DOCUMENT,
                file_ref=str(file),
                file_name=file.name,
                mime_type=None,
                size=(await asyncio.to_thread(file.stat)).st_size,
            )
        typed = shown or text or "/" + " ".join([command or "", *args])
        chat_id = actor.group or actor.user_id
        sender = actor.name
        if actor.group:
            sender = t("demo-in-group", person=actor.name, group=actor.group_title or chat_id)
        self._messenger.transcript.message(
            sender=sender,
            recipient=t("demo-bot"),
            text=typed,
            from_bot=False,
        )
        kind = ChatKind.GROUP if actor.group else ChatKind.PRIVATE
        incoming = Incoming(
            chat=Chat(PLATFORM, chat_id, kind, title=actor.group_title),
            sender=Sender(actor.user_id, actor.name),
            received_at=self._clock(),
            source_ref=f"{PLATFORM}:{actor.user_id}:{uuid.uuid4().hex}",
            text=text,
            command=command,
            args=args,
            attachment=attachment,
        )
        await self._core.handle(incoming, self._messenger)
