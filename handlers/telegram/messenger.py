"""The core's Messenger port on Telegram: send, edit, answer buttons, download and re-send files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.core.model import Attachment, AttachmentKind, Keyboard, MessageRef
from bot.core.ports import FileTooBigError
from handlers.telegram.translate import PLATFORM

MAX_TEXT = 4096  # characters in one message
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes a bot may download through getFile


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in keyboard]
    )


class TelegramMessenger:
    platform = PLATFORM
    max_text = MAX_TEXT
    max_download = MAX_DOWNLOAD

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        message = await self.bot.send_message(
            chat_id=int(chat_id), text=text, reply_markup=_markup(keyboard)
        )
        return MessageRef(chat_id, str(message.message_id))

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        await self.bot.edit_message_text(
            chat_id=int(message.chat_id),
            message_id=int(message.message_id),
            text=text,
            reply_markup=_markup(keyboard),
        )

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        await self.bot.answer_callback_query(callback_id, text=text)

    async def download(self, attachment: Attachment, destination: Path) -> int:
        try:
            remote = await self.bot.get_file(attachment.file_ref)
        except BadRequest as error:
            if "too big" in str(error).lower():
                raise FileTooBigError(attachment.file_ref) from error
            raise
        await remote.download_to_drive(destination)
        return (await asyncio.to_thread(destination.stat)).st_size

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        if attachment.kind is AttachmentKind.PHOTO:
            message = await self.bot.send_photo(
                chat_id=int(chat_id), photo=attachment.file_ref, caption=caption
            )
        else:
            message = await self.bot.send_document(
                chat_id=int(chat_id), document=attachment.file_ref, caption=caption
            )
        return MessageRef(chat_id, str(message.message_id))
