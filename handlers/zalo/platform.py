"""Zalo as one platform of the runtime: long polling, or a webhook served by the web app.

Every update is checked against the messages already taken in (Zalo gives no update id and may
deliver one message twice), then handed to the core. One chat's updates are handled in the
order they came; different chats at the same time, up to a bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.ports import DeliveryError, Messenger, SeenMessages
from bot.core.usecases import ReportBot
from handlers.zalo.client import (
    NothingNewError,
    RateLimitedError,
    TokenRejectedError,
    UnavailableError,
    ZaloClient,
    ZaloError,
)
from handlers.zalo.files import ROUTE as FILES_ROUTE
from handlers.zalo.files import OneTimeFiles
from handlers.zalo.messenger import PhotoGoneError, ZaloMessenger
from handlers.zalo.translate import PLATFORM, chat_of, incoming, message_id, unwrap

log = logging.getLogger(__name__)

WEBHOOK_ROUTE = "/zalo/webhook"
SECRET_HEADER = "x-bot-api-secret-token"
MAX_WEBHOOK_BODY = 1024 * 1024  # bytes: an update is a few hundred
CONCURRENT_CHATS = 16  # chats whose updates are handled at the same time
POLL_BACKOFF_FIRST = 1.0
POLL_BACKOFF_CAP = 60.0
TROUBLE_EVERY = 600.0  # seconds between two log lines about the same polling trouble
SEEN_KEPT = timedelta(days=2)  # no platform redelivers a message later than this

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Zalo posts updates (`url`), and the secret each post must carry."""

    url: str
    secret: str


class RecentMessages:
    """SeenMessages in this process's memory, when no shared store is given: enough for one
    process (a second delivery comes within minutes), forgotten at restart."""

    def __init__(self, limit: int = 50_000) -> None:
        self._seen: dict[tuple[str, str], datetime] = {}
        self._limit = limit

    async def first_time(self, *, platform: str, message_id: str, now: datetime) -> bool:
        key = (platform, message_id)
        if key in self._seen:
            return False
        if len(self._seen) >= self._limit:
            for old in list(self._seen)[: self._limit // 10]:
                del self._seen[old]
        self._seen[key] = now
        return True

    async def forget(self, *, before: datetime) -> int:
        old = [key for key, at in self._seen.items() if at < before]
        for key in old:
            del self._seen[key]
        return len(old)


class ZaloPlatform:
    """The bot on Zalo."""

    name = PLATFORM

    def __init__(
        self,
        *,
        token: str,
        api_url: str | None,
        core: ReportBot,
        seen: SeenMessages | None = None,
        files: OneTimeFiles | None = None,
        webhook: Webhook | None = None,
        polling: bool = True,
        poll_timeout: float = 30,
        concurrency: int = CONCURRENT_CHATS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        bot_link: str | None = None,
    ) -> None:
        self._core = core
        self.bot_link = bot_link
        self._seen: SeenMessages = seen or RecentMessages()
        self.files = files
        self.webhook = webhook
        self._polling = polling and webhook is None
        self._poll_timeout = poll_timeout
        self._clock = clock
        self._sleep = sleep
        self.client = ZaloClient(
            token=token, api_url=api_url, poll_timeout=poll_timeout, transport=transport
        )
        self._downloads = httpx.AsyncClient(timeout=60.0, transport=transport)
        self._messenger = ZaloMessenger(
            self.client, offer=core.offer, files=files, downloads=self._downloads
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[Mapping[str, Any]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._accepting = False
        self.bot_name: str | None = None
        self.bot_id: str | None = None
        self._said: dict[str, float] = {}

    @property
    def messenger(self) -> Messenger:
        return self._messenger

    @property
    def routes(self) -> Sequence[BaseRoute]:
        """What the web app serves for Zalo: its webhook, and the one-time files Zalo fetches
        (charts) or people open (exports)."""
        routes: list[BaseRoute] = [
            Route(FILES_ROUTE + "/{token}", self._serve_file, methods=["GET", "HEAD"])
        ]
        if self.webhook is not None:
            routes.append(Route(WEBHOOK_ROUTE, self._take_webhook, methods=["POST"]))
        return routes

    async def invite_link(self, code: str) -> str | None:
        """Zalo has no deep link that carries a code: the person types it to the bot."""
        return None

    async def invite_hint(self, code: str) -> str | None:
        """What a Zalo contact does with `code`: find the bot by its name and send it."""
        hint = t("cli-invite-zalo", name=self.bot_name or "baocao", code=code)
        if self.bot_link:
            hint += "\n" + t("cli-invite-zalo-link", link=self.bot_link)
        return hint

    # ---- start and stop -----------------------------------------------------------------------

    async def start(self) -> None:
        """Ask who the bot is, then receive by webhook or by polling; a start that fails
        releases what it took and says in words what is wrong."""
        try:
            await self._start()
        except BaseException:
            await self._close()
            raise

    async def _start(self) -> None:
        try:
            me = await self.client.call("getMe")
            if isinstance(me, Mapping):
                self.bot_id = str(me.get("id") or "") or None
                for field in ("account_name", "display_name", "name"):
                    if isinstance(me.get(field), str) and me[field].strip():
                        self.bot_name = me[field].strip()
                        break
            if self.webhook is not None:
                await self.client.call(
                    "setWebhook", url=self.webhook.url, secret_token=self.webhook.secret
                )
            elif self._polling:
                # Polling and a webhook exclude each other: one left from an earlier run goes.
                await self.client.call("deleteWebhook")
        except TokenRejectedError:
            raise UserError("zalo-token-rejected") from None
        except (UnavailableError, RateLimitedError):
            raise UserError("zalo-unreachable", server=self.client.host) from None
        except ZaloError as error:
            raise UserError(
                "zalo-refused", server=self.client.host, reason=error.description or "-"
            ) from None
        self._accepting = True
        if self._polling:
            self._poller = asyncio.create_task(self._poll(), name="zalo polling")
        log.info("%s", t("zalo-started", name=self.bot_name or "-"))

    async def stop(self) -> None:
        """Stop fetching, finish every update already received, then release everything."""
        self._accepting = False
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)
        await self._close()

    async def _close(self) -> None:
        await self.client.aclose()
        await self._downloads.aclose()

    # ---- receiving ----------------------------------------------------------------------------

    async def _poll(self) -> None:
        """getUpdates, one update per call, until stopped; a revoked token ends it in words."""
        failures = 0
        while True:
            try:
                body = await self.client.call("getUpdates", timeout=int(self._poll_timeout))
            except NothingNewError:
                failures = 0
                continue
            except TokenRejectedError:
                # Every further call would fail the same way: stop rather than spin.
                log.error("%s", t("zalo-token-revoked"))
                return
            except ZaloError as error:
                if isinstance(error, RateLimitedError):
                    wait = error.retry_after
                else:
                    delay = min(POLL_BACKOFF_CAP, POLL_BACKOFF_FIRST * 2**failures)
                    wait = random.uniform(delay / 2, delay)
                failures += 1
                self._trouble(error)
                await self._sleep(wait)
                continue
            failures = 0
            for update in body if isinstance(body, list) else [body]:
                found = unwrap(update)
                if found is not None:
                    self.receive(found)

    def _trouble(self, error: ZaloError) -> None:
        """One line of words per kind of trouble every `TROUBLE_EVERY` seconds, not one a poll."""
        key = (
            "zalo-polling-network"
            if isinstance(error, UnavailableError)
            else "zalo-polling-refused"
        )
        now = asyncio.get_running_loop().time()
        last = self._said.get(key)
        if last is None or now - last >= TROUBLE_EVERY:
            self._said[key] = now
            log.warning("%s (%s)", t(key), error)

    def receive(self, update: Mapping[str, Any]) -> bool:
        """Queue `update` behind the earlier ones of its chat; False when stopped."""
        if not self._accepting:
            return False
        chat = chat_of(update) or ""
        queue = self._queues.get(chat)
        if queue is not None:
            queue.append(update)
            return True
        self._queues[chat] = deque([update])
        self._workers[chat] = asyncio.create_task(self._drain(chat), name=f"zalo chat {chat}")
        return True

    async def _drain(self, chat: str) -> None:
        try:
            queue = self._queues[chat]
            while queue:
                update = queue.popleft()
                async with self._slots:
                    await self._handle(update)
        finally:
            self._queues.pop(chat, None)
            self._workers.pop(chat, None)

    async def _handle(self, update: Mapping[str, Any]) -> None:
        event = incoming(update)
        if event is None:
            return
        try:
            mid = message_id(update) or event.source_ref
            if not await self._seen.first_time(
                platform=PLATFORM, message_id=mid, now=self._clock()
            ):
                log.debug("a Zalo message delivered again was ignored")
                return
            await self._core.handle(event, self._messenger)
        except PhotoGoneError:
            # Nothing was stored (the download comes before anything is written): the person
            # sends the picture again, rather than being told the bot failed.
            log.info("a picture sent on Zalo could no longer be fetched")
            with contextlib.suppress(Exception):
                await self._messenger.send(event.chat.chat_id, t("zalo-photo-gone"))
        except Exception:
            # As on every platform: the stack to the log, words to the person.
            log.exception("could not handle a Zalo message")
            with contextlib.suppress(Exception):
                await self._messenger.send(event.chat.chat_id, t("error-sorry"))

    # ---- the web app's routes -----------------------------------------------------------------

    async def _take_webhook(self, request: Request) -> Response:
        """One update from Zalo: the secret is checked on every call, the body parsed safely,
        and the answer given at once; the update is handled after."""
        assert self.webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret.encode()):
            log.warning("a Zalo webhook call without the right secret was refused")
            return Response(status_code=403)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_WEBHOOK_BODY:
                return Response(status_code=413)
        try:
            update = unwrap(json.loads(bytes(body)))
        except (ValueError, RecursionError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        if not self.receive(update):
            return Response(status_code=503)
        return JSONResponse({"ok": True})

    async def _serve_file(self, request: Request) -> Response:
        files = self.files
        token = str(request.path_params.get("token", ""))
        published = None if files is None else await asyncio.to_thread(files.take, token)
        if published is None:
            raise HTTPException(status_code=404)
        inline = published.content_type.startswith("image/")
        return FileResponse(
            published.path,
            media_type=published.content_type,
            filename=published.name,
            content_disposition_type="inline" if inline else "attachment",
            headers={"cache-control": "no-store"},
        )


@contextlib.asynccontextmanager
async def sending_messenger(
    *, token: str, api_url: str | None, retry_budget: float
) -> AsyncIterator[Messenger]:
    """A messenger that only sends, for a message from outside the running bot."""
    client = ZaloClient(token=token, api_url=api_url)
    try:
        yield ZaloMessenger(client, retry_budget=retry_budget)
    except (httpx.HTTPError, ZaloError) as error:
        raise DeliveryError(type(error).__name__) from None
    finally:
        await client.aclose()


async def ask_bot_name(*, token: str, api_url: str | None) -> str | None:
    """The bot's name, from getMe; a UserError when Zalo cannot be asked or refuses the token."""
    async with ZaloClient(token=token, api_url=api_url) as client:
        try:
            me = await client.call("getMe")
        except TokenRejectedError:
            raise UserError("zalo-token-rejected") from None
        except ZaloError:
            raise UserError("zalo-unreachable", server=client.host) from None
    if isinstance(me, Mapping):
        for field in ("account_name", "display_name", "name"):
            value = me.get(field)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


async def manage_webhook(
    *, token: str, api_url: str | None, action: str, webhook: Webhook | None = None
) -> str:
    """`set` (to `webhook`), `delete` or `info` on Zalo's side; the webhook's address after it
    ("" when there is none). A token refused or a server not reached is a UserError."""
    async with ZaloClient(token=token, api_url=api_url) as client:
        try:
            if action == "set":
                assert webhook is not None
                await client.call("setWebhook", url=webhook.url, secret_token=webhook.secret)
            elif action == "delete":
                await client.call("deleteWebhook")
            info = await client.call("getWebhookInfo")
        except TokenRejectedError:
            raise UserError("zalo-token-rejected") from None
        except (UnavailableError, RateLimitedError):
            raise UserError("zalo-unreachable", server=client.host) from None
        except ZaloError as error:
            raise UserError(
                "zalo-refused", server=client.host, reason=error.description or "-"
            ) from None
    return str(info.get("url") or "") if isinstance(info, Mapping) else ""
