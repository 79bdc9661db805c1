"""The core's Messenger for contacts who registered on the web: what they are told is kept as a
notice, read on the portal (signin/notices.html)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.core.i18n import t
from bot.core.model import Attachment, Keyboard, MessageRef
from bot.core.ports import WebNotices

PLATFORM = "web"


class NoChatFilesError(Exception):
    """Web contacts hand files in on the portal's upload page, never through a chat message."""


class WebMessenger:
    """Notices have nothing to answer with: a choice offered in chat (buttons) has its own page
    on the portal, so only the words are kept, and `buttons` is left as it is for chat (a
    numbered list would ask for a number that nobody can type back)."""

    platform = PLATFORM
    max_text = 20_000  # a notice is a page's paragraph: no chat limit to split for
    max_download = 0  # nothing is ever downloaded from a notice
    max_upload = 2**62  # a file is not sent: the notice says where it is

    def __init__(self, notices: WebNotices, clock: Callable[[], datetime]) -> None:
        self.notices = notices
        self.now = clock

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        notice_id = await self.notices.add_notice(chat_id=chat_id, text=text, now=self.now())
        return MessageRef(chat_id=chat_id, message_id=str(notice_id))

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        """A receipt or a question updated in place: the notice takes the new words."""
        if message.message_id.isdigit():
            await self.notices.replace_notice(notice_id=int(message.message_id), text=text)

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        """No button is ever pressed on a notice."""

    async def download(self, attachment: Attachment, destination: Path) -> int:
        raise NoChatFilesError(attachment.file_ref)

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        """A file another platform holds cannot be shown here: its caption is, with where the
        file is."""
        return await self.send(chat_id, _with_file(caption, attachment.file_name or ""))

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        """An export or a chart for a web contact: the dashboard and the portal offer the
        same files, made fresh, so the notice says so rather than keeping a copy that would
        age."""
        return await self.send(chat_id, _with_file(caption, name))


def _with_file(caption: str, name: str) -> str:
    line = t("signin-notice-file", name=name)
    return f"{caption}\n\n{line}" if caption else line
