"""The core's Messenger port on Telegram: send, edit, answer buttons, download and re-send files.

Telegram's failures become the port's neutral errors, and what is temporary is retried, for
downloads as for sends:

- Forbidden (blocked, deactivated, kicked) and "chat not found": `UnreachableError` at once.
- Network errors, timeouts and HTTP 5xx (PTB raises `NetworkError`, e.g. "Bad Gateway" for a
  502, or `TimedOut`): retried with exponential backoff and jitter until `retry_budget` seconds
  are spent, then `DeliveryError`.
- 429 (`RetryAfter`): the rate limiter retries it; one that still reaches us is waited out
  (`retry_after`, never less) within the same budget.
- Any other BadRequest is a bug or bad input: raised as is, never retried.

A request that timed out may have reached Telegram all the same, so a retried send can, rarely,
arrive twice; for reports and reminders that is better than not arriving at all.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.core import texts
from bot.core.model import Attachment, AttachmentKind, Keyboard, MessageRef
from bot.core.ports import DeliveryError, FileTooBigError, UnreachableError
from handlers.telegram.translate import PLATFORM

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

MAX_TEXT = 4096  # characters in one message
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes a bot may download through getFile
MAX_UPLOAD = 50 * 1024 * 1024  # bytes a bot may send as a document
MAX_CAPTION = 1024  # characters in a file's caption

RETRY_BUDGET = 120.0  # seconds one delivery may keep retrying before DeliveryError
BACKOFF_FIRST = 0.5  # seconds before the first retry of a network error...
BACKOFF_CAP = 10.0  # ...doubling up to this
ANSWER_BUDGET = 10.0  # a button press must be answered within about 15 s, or it expires
RETRY_AFTER_MARGIN = 0.1  # seconds added to a 429's retry_after, as PTB's rate limiter does

# BadRequest descriptions meaning the chat is gone for good (Telegram's wording, lower case).
_GONE = ("chat not found", "peer_id_invalid")

# No message of the bot is better with a preview, and sign-in links must not be fetched by one
# (opening a link uses nothing, but a preview shows who it signs in to whoever sees the chat).
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@lru_cache(maxsize=1024)  # a fan-out sends one keyboard to many people; PTB objects are frozen
def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in keyboard]
    )


def _seconds(retry_after: int | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


class TelegramMessenger:
    platform = PLATFORM
    max_text = MAX_TEXT
    max_download = MAX_DOWNLOAD
    max_upload = MAX_UPLOAD

    def __init__(
        self,
        bot: Bot,
        *,
        retry_budget: float = RETRY_BUDGET,
        backoff_first: float = BACKOFF_FIRST,
        backoff_cap: float = BACKOFF_CAP,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`sleep` and `clock` let tests run the retries without waiting (advance the clock in
        the fake sleep, since the budget is measured on `clock`)."""
        self.bot = bot
        self.retry_budget = retry_budget
        self.backoff_first = backoff_first
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        message = await self._deliver(
            "sendMessage",
            lambda: self.bot.send_message(
                chat_id=int(chat_id),
                text=text,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
            ),
        )
        return MessageRef(chat_id, str(message.message_id))

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        await self._deliver(
            "editMessageText",
            lambda: self.bot.edit_message_text(
                chat_id=int(message.chat_id),
                message_id=int(message.message_id),
                text=text,
                reply_markup=_markup(keyboard),
            ),
        )

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        await self._deliver(
            "answerCallbackQuery",
            lambda: self.bot.answer_callback_query(callback_id, text=text),
            budget=min(self.retry_budget, ANSWER_BUDGET),
        )

    async def download(self, attachment: Attachment, destination: Path) -> int:
        """Fetch the file into `destination`, retrying as sends are retried: getFile and the
        download again each time (the file's link may have expired meanwhile)."""

        async def attempt() -> int:
            try:
                remote = await self.bot.get_file(attachment.file_ref)
            except BadRequest as error:
                if "too big" in str(error).lower():
                    raise FileTooBigError(attachment.file_ref) from error
                raise
            # What an attempt cut short wrote must not stay under, or after, the new bytes.
            await asyncio.to_thread(destination.unlink, missing_ok=True)
            await remote.download_to_drive(destination)
            return (await asyncio.to_thread(destination.stat)).st_size

        return await self._deliver("download", attempt)

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        if attachment.kind is AttachmentKind.PHOTO:
            message = await self._deliver(
                "sendPhoto",
                lambda: self.bot.send_photo(
                    chat_id=int(chat_id), photo=attachment.file_ref, caption=caption
                ),
            )
        else:
            message = await self._deliver(
                "sendDocument",
                lambda: self.bot.send_document(
                    chat_id=int(chat_id), document=attachment.file_ref, caption=caption
                ),
            )
        return MessageRef(chat_id, str(message.message_id))

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        data = await asyncio.to_thread(path.read_bytes)
        caption = texts.clip(caption, MAX_CAPTION)
        if photo:
            message = await self._deliver(
                "sendPhoto",
                lambda: self.bot.send_photo(
                    chat_id=int(chat_id), photo=data, filename=name, caption=caption
                ),
            )
        else:
            message = await self._deliver(
                "sendDocument",
                lambda: self.bot.send_document(
                    chat_id=int(chat_id), document=data, filename=name, caption=caption
                ),
            )
        return MessageRef(chat_id, str(message.message_id))

    # ---- retrying ---------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt` (0, 1, ...): doubling, capped, with jitter."""
        delay = min(self.backoff_cap, self.backoff_first * 2**attempt)
        return random.uniform(delay / 2, delay)

    async def _deliver(
        self, what: str, request: Callable[[], Awaitable[T]], *, budget: float | None = None
    ) -> T:
        """Run `request`, retrying temporary failures; see the module docstring."""
        deadline = self._clock() + (self.retry_budget if budget is None else budget)
        failures = 0
        while True:
            try:
                return await request()
            except Forbidden as error:
                raise UnreachableError(str(error)) from error
            except BadRequest as error:  # before NetworkError, which it subclasses
                if any(gone in str(error).lower() for gone in _GONE):
                    raise UnreachableError(str(error)) from error
                raise
            except RetryAfter as error:
                cause: Exception = error
                wait = _seconds(error.retry_after) + RETRY_AFTER_MARGIN
                must_wait = wait  # never sooner than Telegram asked
            except NetworkError as error:  # TimedOut, connection errors, HTTP 5xx
                cause = error
                wait = self._backoff(failures)
                must_wait = 0.0
                failures += 1
            remaining = deadline - self._clock()
            if remaining <= 0 or must_wait > remaining:
                log.warning("%s failed, giving up after retrying: %s", what, cause)
                raise DeliveryError(f"{what}: {cause}") from cause
            wait = min(wait, remaining)  # the last try comes when the budget runs out
            log.info("%s failed (%s); retrying in %.1f s", what, cause, wait)
            await self._sleep(wait)
