"""The core's Messenger port on Zalo: text, photos by URL, and links for everything else.

Zalo has no buttons, cannot edit a message and takes no documents, so: choices are numbered
lines (`buttons = False`; a keyboard sent from outside the use cases, a reminder's, is handed to
`ReportBot.offer` as the console does), an edit is a new message, a chart is a photo fetched
from a one-time URL of the web app, and an export is a one-time link sent as text.

Failures become the port's neutral errors, with the same retries as on Telegram:

- 403 (blocked the bot, left), 404, and a 400 that says the user or chat is gone:
  `UnreachableError` at once.
- Network errors, timeouts and HTTP 5xx: retried with exponential backoff and jitter until
  `retry_budget` seconds are spent, then `DeliveryError`.
- 429: waited out (`retry_after`, never less) within the same budget.
- 401 (the token was revoked): `DeliveryError` at once; nothing works until it changes.
- Any other refusal is a bug or bad input: raised as is, never retried.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx

from bot.core import buttons, texts
from bot.core.i18n import t
from bot.core.model import Attachment, AttachmentKind, Keyboard, MessageRef
from bot.core.ports import DeliveryError, FileTooBigError, UnreachableError
from handlers.zalo.client import (
    RateLimitedError,
    TokenRejectedError,
    UnavailableError,
    ZaloClient,
    ZaloError,
)
from handlers.zalo.files import OneTimeFiles
from handlers.zalo.translate import PLATFORM

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

MAX_TEXT = 2000  # characters in one message, and in a photo's caption
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes of a photo taken in
MAX_UPLOAD = 200 * 1024 * 1024  # bytes published at a one-time link

RETRY_BUDGET = 120.0  # seconds one delivery may keep retrying before DeliveryError
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 10.0
RETRY_AFTER_MARGIN = 0.1
DOWNLOAD_TIMEOUT = 60.0

# Words of a 400 that mean the person or chat cannot be reached (lower case).
_GONE = ("block", "not found", "not exist", "unfollow", "not a friend", "invalid user")
_UNREACHABLE_CODES = (403, 404)


class PhotoGoneError(DeliveryError):
    """The picture a person sent can no longer be fetched from Zalo (HTTP 4xx): they are told
    to send it again, not that the bot failed."""


class Offer(Protocol):
    async def __call__(self, *, platform: str, user_id: str, keyboard: Keyboard) -> None: ...


class ZaloMessenger:
    platform = PLATFORM
    max_text = MAX_TEXT
    max_download = MAX_DOWNLOAD
    max_upload = MAX_UPLOAD
    buttons = False
    receives_files = False  # Zalo passes no files to bots: they go on the web portal

    def __init__(
        self,
        client: ZaloClient,
        *,
        offer: Offer | None = None,
        files: OneTimeFiles | None = None,
        downloads: httpx.AsyncClient | None = None,
        retry_budget: float = RETRY_BUDGET,
        backoff_first: float = BACKOFF_FIRST,
        backoff_cap: float = BACKOFF_CAP,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`offer` keeps a reminder's buttons as numbered choices (None: the numbers are only
        shown, as from the CLI); `files` publishes charts and exports (None: they are named,
        not sent). `sleep` and `clock` let tests run the retries without waiting."""
        self.client = client
        self._offer = offer
        self.files = files
        self._downloads = downloads
        self.retry_budget = retry_budget
        self.backoff_first = backoff_first
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock

    # ---- the port -----------------------------------------------------------------------------

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        if keyboard:
            # Buttons sent from outside the use cases (a reminder's): the core keeps them as
            # the person's numbered choices, and they are shown as numbered lines.
            if self._offer is not None:
                await self._offer(platform=PLATFORM, user_id=chat_id, keyboard=keyboard)
            text = buttons.numbered(text, keyboard, receives_files=False)
        ref = MessageRef(chat_id, "")
        for piece in texts.split_text(text, self.max_text):
            if piece.strip():  # Zalo refuses an empty message
                ref = await self._message(chat_id, piece)
        return ref

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        """Zalo cannot change a message sent: the new words go as a new one."""
        await self.send(message.chat_id, text, keyboard=keyboard)

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        """No button is ever pressed on Zalo, but a typed number stands for one: its notice
        (a choice no longer valid, a report closed since) is the only answer the person gets,
        so it goes to the chat as a message. The chat is the one of the typed message, whose
        `source_ref` (made in `translate`) ends the callback's id."""
        if not text or not text.strip():
            return
        _, found, ref = callback_id.partition(f"{PLATFORM}:")
        chat_id = ref.split(":", 1)[0] if found else ""
        if not chat_id:
            log.warning("a notice for a Zalo choice had no chat to go to")
            return
        await self.send(chat_id, text)

    async def download(self, attachment: Attachment, destination: Path) -> int:
        """Fetch a photo from the URL Zalo gave, up to `max_download` bytes, retrying as sends
        are retried; anything but an image is refused."""
        url = attachment.file_ref
        if not url.lower().startswith(("http://", "https://")):
            raise DeliveryError("download: not a URL")
        if attachment.size is not None and attachment.size > self.max_download:
            raise FileTooBigError(url)

        async def attempt() -> int:
            await asyncio.to_thread(destination.unlink, missing_ok=True)
            http = self._downloads or httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT)
            try:
                return await self._fetch(http, url, destination)
            except httpx.HTTPError as error:
                raise UnavailableError("download", None, type(error).__name__) from None
            finally:
                if self._downloads is None:
                    await http.aclose()

        try:
            return await self._deliver("download", attempt)
        except BaseException:
            await asyncio.to_thread(destination.unlink, missing_ok=True)
            raise

    async def _fetch(self, http: httpx.AsyncClient, url: str, destination: Path) -> int:
        async with http.stream("GET", url, follow_redirects=True) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise UnavailableError("download", response.status_code)
            if response.status_code != 200:
                # Zalo's link to the picture is gone (deleted, expired): no retry brings it back.
                raise PhotoGoneError(f"download: HTTP {response.status_code}")
            # The content type is not checked: the core reads the first bytes and tells the
            # person in words when they are not a picture, where a refusal here was an apology.
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > self.max_download:
                raise FileTooBigError(url)
            size = 0
            with destination.open("wb") as stream:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_download:
                        raise FileTooBigError(url)
                    await asyncio.to_thread(stream.write, chunk)
            return size

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        """A photo Zalo holds is sent again by its URL; a file from another platform cannot
        be, so its caption goes with a line saying where it is."""
        if attachment.kind is AttachmentKind.PHOTO and attachment.file_ref.lower().startswith(
            ("http://", "https://")
        ):
            return await self._photo(chat_id, attachment.file_ref, caption)
        name = attachment.file_name or ""
        return await self.send(chat_id, f"{caption}\n{t('zalo-file-elsewhere', name=name)}")

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        """A photo (a chart) goes out from a one-time URL Zalo's servers fetch; any other file
        (an export) as a one-time link in a message."""
        if self.files is None:
            note = t("zalo-file-not-sent", name=name)
            return await self.send(chat_id, f"{caption}\n{note}" if caption else note)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        files = self.files
        url = await asyncio.to_thread(files.publish, path, name=name, content_type=content_type)
        if photo:
            return await self._photo(chat_id, url, caption)
        minutes = int(files.ttl.total_seconds() // 60)
        note = t("zalo-file-link", name=name, link=url, minutes=minutes)
        return await self.send(chat_id, f"{caption}\n{note}" if caption else note)

    # ---- calls --------------------------------------------------------------------------------

    async def _message(self, chat_id: str, text: str) -> MessageRef:
        result = await self._deliver(
            "sendMessage", lambda: self.client.call("sendMessage", chat_id=chat_id, text=text)
        )
        return MessageRef(chat_id, _message_id(result))

    async def _photo(self, chat_id: str, url: str, caption: str) -> MessageRef:
        fields: dict[str, Any] = {"chat_id": chat_id, "photo": url}
        if caption.strip():
            fields["caption"] = texts.clip(caption, self.max_text)
        result = await self._deliver("sendPhoto", lambda: self.client.call("sendPhoto", **fields))
        return MessageRef(chat_id, _message_id(result))

    # ---- retrying -----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt` (0, 1, ...): doubling, capped, with jitter."""
        delay = min(self.backoff_cap, self.backoff_first * 2**attempt)
        return random.uniform(delay / 2, delay)

    async def _deliver(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """Run `request`, retrying temporary failures; see the module docstring."""
        deadline = self._clock() + self.retry_budget
        failures = 0
        while True:
            try:
                return await request()
            except TokenRejectedError as error:
                raise DeliveryError(f"{what}: token rejected") from error
            except RateLimitedError as error:
                cause: Exception = error
                wait = error.retry_after + RETRY_AFTER_MARGIN
                must_wait = wait
            except UnavailableError as error:
                cause = error
                wait = self._backoff(failures)
                must_wait = 0.0
                failures += 1
            except ZaloError as error:
                if _gone(error):
                    raise UnreachableError(str(error)) from error
                raise
            remaining = deadline - self._clock()
            if remaining <= 0 or must_wait > remaining:
                log.warning("%s failed, giving up after retrying: %s", what, cause)
                raise DeliveryError(f"{what}: {cause}") from cause
            wait = min(wait, remaining)
            log.info("%s failed (%s); retrying in %.1f s", what, cause, wait)
            await self._sleep(wait)


def _gone(error: ZaloError) -> bool:
    if error.error_code in _UNREACHABLE_CODES:
        return True
    description = error.description.lower()
    return error.error_code == 400 and any(word in description for word in _GONE)


def _message_id(result: object) -> str:
    if isinstance(result, dict):
        value = result.get("message_id")
        if isinstance(value, str | int):
            return str(value)
    return ""
