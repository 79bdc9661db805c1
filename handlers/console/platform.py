"""The console as one platform of the runtime: one person chatting from the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import shlex
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.core.i18n import t
from bot.core.model import Attachment, AttachmentKind, Chat, ChatKind, Incoming, Sender
from bot.core.ports import Messenger
from bot.core.usecases import ReportBot
from handlers.console.messenger import PLATFORM, ConsoleMessenger
from handlers.console.screen import Screen

log = logging.getLogger(__name__)

QUIT = frozenset({"thoat", "exit", "quit"})
SEND_FILE = "gui"


@dataclass(frozen=True, slots=True)
class Person:
    """Who types at the terminal: a contact on the console, or one about to redeem `invite`."""

    user_id: str
    display_name: str
    invite: str | None = None


def _unquoted(text: str) -> str:
    """A path as pasted: a terminal's drag and drop may quote it or escape its spaces."""
    try:
        parts = shlex.split(text)
    except ValueError:
        return text.strip()
    return " ".join(parts) if len(parts) != 1 else parts[0]


def _existing_file(text: str, *, pasted: bool = False) -> Path | None:
    """The file `text` names. A `pasted` line is taken as a path only when it has a folder
    (or ~) in it, so a word or a number typed as a report never becomes a file of that name."""
    if pasted and "/" not in text and "\\" not in text and not text.lstrip().startswith("~"):
        return None
    try:
        path = Path(_unquoted(text)).expanduser()
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


class ConsolePlatform:
    """Reads the person's lines from `stdin`, hands each to the core, prints the answers."""

    name = PLATFORM

    def __init__(
        self,
        *,
        core: ReportBot,
        person: Person,
        on_end: Callable[[], None],
        stdin: TextIO | None = None,
        screen: Screen | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._core = core
        self._person = person
        self._on_end = on_end
        self._stdin = stdin or sys.stdin
        self._screen = screen or Screen()
        self._clock = clock
        self._messenger = ConsoleMessenger(core, self._screen, chat_id=person.user_id)
        self._task: asyncio.Task[None] | None = None

    @property
    def messenger(self) -> Messenger:
        return self._messenger

    async def start(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:
            # A daemon thread: a read waiting at the end cannot hold the process open.
            for line in iter(self._stdin.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, name="console input", daemon=True).start()
        self._task = asyncio.create_task(self._converse(lines))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def invite_link(self, code: str) -> str | None:
        """The console has no links: the code is typed (`baocao chat` redeems it itself)."""
        return None

    # ---- the conversation --------------------------------------------------------------------

    async def _converse(self, lines: asyncio.Queue[str | None]) -> None:
        try:
            self._screen.note(t("console-welcome"))
            start = "/start" + (f" {self._person.invite}" if self._person.invite else "")
            await self._line(start)
            while True:
                self._screen.prompt()
                line = await lines.get()
                if line is None:
                    break
                if not await self._line(line.rstrip("\r\n")):
                    break
            self._screen.note(t("console-bye"))
        finally:
            self._on_end()

    async def _line(self, line: str) -> bool:
        """Act on one typed line; False when the person is leaving."""
        if not line.strip():
            return True
        path = _existing_file(line, pasted=True)
        if path is not None:
            await self._send_file(path)
            return True
        if line.startswith("/"):
            word, _, rest = line[1:].partition(" ")
            command = word.split("@", 1)[0].lower()
            if command in QUIT:
                return False
            if command == SEND_FILE:
                await self._send_path(rest)
                return True
            await self._handle(command=command, args=tuple(rest.split()))
            return True
        await self._handle(text=line)
        return True

    async def _send_path(self, typed: str) -> None:
        if not typed.strip():
            self._screen.note(t("console-file-how"))
            return
        path = _existing_file(typed)
        if path is None:
            self._screen.note(t("console-file-missing", path=_unquoted(typed)))
            return
        await self._send_file(path)

    async def _send_file(self, path: Path) -> None:
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
            resolved = await asyncio.to_thread(path.resolve)
        except OSError:
            self._screen.note(t("console-file-missing", path=str(path)))
            return
        attachment = Attachment(
            kind=AttachmentKind.DOCUMENT,
            file_ref=str(resolved),
            file_name=path.name,
            mime_type=mimetypes.guess_type(path.name)[0],
            size=size,
        )
        await self._handle(attachment=attachment)

    async def _handle(
        self,
        *,
        text: str | None = None,
        command: str | None = None,
        args: tuple[str, ...] = (),
        attachment: Attachment | None = None,
    ) -> None:
        person = self._person
        incoming = Incoming(
            chat=Chat(PLATFORM, person.user_id, ChatKind.PRIVATE),
            sender=Sender(person.user_id, person.display_name),
            received_at=self._clock(),
            source_ref=f"{PLATFORM}:{person.user_id}:{uuid.uuid4().hex}",
            text=text,
            command=command,
            args=args,
            attachment=attachment,
        )
        try:
            await self._core.handle(incoming, self._messenger)
        except Exception:
            # As on every platform: the stack to the log, words to the person.
            log.exception("could not handle a console message")
            self._screen.bot(t("error-sorry"))
