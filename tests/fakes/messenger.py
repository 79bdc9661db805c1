"""A Messenger that records what it is asked to send, for the use cases and the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.model import Attachment, Keyboard, MessageRef
from bot.core.ports import DeliveryError, FileTooBigError, UnreachableError


@dataclass
class FakeMessenger:
    """Records sends; serves files from a dict; can be told that chats are blocked or down."""

    platform: str = "telegram"
    max_text: int = 4096
    max_download: int = 20 * 1024 * 1024
    max_upload: int = 50 * 1024 * 1024
    sent: list[tuple[str, str, Keyboard]] = field(default_factory=list)
    edits: list[tuple[MessageRef, str]] = field(default_factory=list)
    answers: list[tuple[str, str | None]] = field(default_factory=list)
    forwarded: list[tuple[str, str, str]] = field(default_factory=list)
    # (chat, name, caption, photo, content) of every file sent from the disk
    uploads: list[tuple[str, str, str, bool, bytes]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # chats whose person blocked the bot
    down: int = 0  # the next this many sends fail as if the platform were down

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if chat_id in self.blocked:
            raise UnreachableError(chat_id)
        if self.down:
            self.down -= 1
            raise DeliveryError(chat_id)
        self.sent.append((chat_id, text, keyboard))
        return MessageRef(chat_id, str(len(self.sent)))

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        self.edits.append((message, text))

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        self.answers.append((callback_id, text))

    async def download(self, attachment: Attachment, destination: Path) -> int:
        if attachment.size is not None and attachment.size > self.max_download:
            raise FileTooBigError(attachment.file_ref)
        content = self.files[attachment.file_ref]
        destination.write_bytes(content)  # noqa: ASYNC240 (a test fake, tiny files)
        return len(content)

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        self.forwarded.append((chat_id, attachment.file_ref, caption))
        return MessageRef(chat_id, "f")

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        if chat_id in self.blocked:
            raise UnreachableError(chat_id)
        content = path.read_bytes()  # noqa: ASYNC240 (a test fake, small files)
        self.uploads.append((chat_id, name, caption, photo, content))
        return MessageRef(chat_id, f"u{len(self.uploads)}")

    def texts(self, chat_id: str) -> list[str]:
        return [text for chat, text, _ in self.sent if chat == chat_id]
