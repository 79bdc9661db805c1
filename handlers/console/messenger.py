"""The core's Messenger port on the console: messages are printed, files are local paths."""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
from pathlib import Path, PurePath

from bot.core import buttons
from bot.core.i18n import t
from bot.core.model import Attachment, Keyboard, MessageRef
from bot.core.ports import FileTooBigError
from bot.core.usecases import ReportBot
from handlers.console.screen import Screen

log = logging.getLogger(__name__)

PLATFORM = "console"
# The console reads files from the disk: no chat service's cap, only one that keeps a mistaken
# path (a disk image, a video) from filling the store.
MAX_DOWNLOAD = 50 * 1024 * 1024
# What the bot sends from the disk (an export, a chart) is copied here, beside where the
# person typed `baocao chat`, and the message says where.
DOWNLOADS = "tep-nhan"


class ConsoleMessenger:
    """Prints what is sent to the person at this terminal; the console has no buttons."""

    platform = PLATFORM
    max_text = 10_000
    max_download = MAX_DOWNLOAD
    max_upload = 2**40  # a copy on the same disk: no service's cap
    buttons = False

    def __init__(
        self, core: ReportBot, screen: Screen, *, chat_id: str, downloads: Path | None = None
    ) -> None:
        self._core = core
        self._screen = screen
        self.chat_id = chat_id
        self.downloads = downloads or Path.cwd() / DOWNLOADS
        # Only the person at this terminal: the dispatcher leaves messages to other console
        # contacts in the outbox, for the `baocao chat` where each of them types.
        self.only_chats: frozenset[str] | None = frozenset({chat_id})
        self._ids = itertools.count(1)

    def _ref(self, chat_id: str) -> MessageRef:
        return MessageRef(chat_id, str(next(self._ids)))

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if chat_id != self.chat_id:
            # Another console contact, not at this terminal (`only_chats` keeps the dispatcher
            # from asking): there is nobody here to show it to.
            log.debug("a message for console chat %s is not shown at this terminal", chat_id)
            return self._ref(chat_id)
        if keyboard:
            # Buttons sent from outside the use cases (a reminder's): the core keeps them as
            # the person's numbered choices, and they are shown as numbered lines.
            await self._core.offer(platform=PLATFORM, user_id=chat_id, keyboard=keyboard)
            text = buttons.numbered(text, keyboard)
        self._screen.bot(text)
        return self._ref(chat_id)

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        await self.send(message.chat_id, text, keyboard=keyboard)

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        if text:
            self._screen.bot(text)

    async def download(self, attachment: Attachment, destination: Path) -> int:
        source = Path(attachment.file_ref)
        size = await asyncio.to_thread(lambda: source.stat().st_size)
        if size > self.max_download:
            raise FileTooBigError(attachment.file_ref)
        await asyncio.to_thread(shutil.copyfile, source, destination)
        # The file may have changed since it was named: what was copied is what counts.
        copied = await asyncio.to_thread(lambda: destination.stat().st_size)
        if copied > self.max_download:
            raise FileTooBigError(attachment.file_ref)
        return copied

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        name = attachment.file_name or Path(attachment.file_ref).name
        return await self.send(chat_id, f"{caption}\n{name}")

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        saved = await asyncio.to_thread(keep_copy, path, self.downloads, name)
        note = t("console-file-saved", name=saved.name, path=str(saved))
        return await self.send(chat_id, f"{caption}\n{note}" if caption else note)


def keep_copy(source: Path, folder: Path, name: str) -> Path:
    """Copy `source` into `folder` as `name`, or "name (2)" and on if that is taken; only the
    last part of `name` counts, so a name can never lead outside the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    base = PurePath(name.replace("\\", "/")).name.strip().lstrip(".") or DOWNLOADS
    stem, suffix = PurePath(base).stem, PurePath(base).suffix
    for number in itertools.count(1):
        target = folder / (base if number == 1 else f"{stem} ({number}){suffix}")
        try:
            with source.open("rb") as reading, target.open("xb") as writing:
                shutil.copyfileobj(reading, writing)
            return target
        except FileExistsError:
            continue
    raise AssertionError("unreachable")
