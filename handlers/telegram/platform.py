"""Telegram as one platform of the runtime: the PTB Application behind the adapter interface.

It receives by long polling (one process per bot token), or by a webhook served by the web app
(any number of instances behind a load balancer), as in python-telegram-bot's custom-webhook
example: the web app checks the secret header, hands the update to the Application's
update_queue and answers at once; the update is handled after, once, whichever instance got it
(its id is recorded in the shared database, see `handlers.telegram.app`).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import BaseRateLimiter

from bot.core.errors import UserError
from bot.core.ports import DeliveryError, Messenger, SeenMessages
from bot.core.usecases import ReportBot
from handlers.telegram.app import (
    ALLOWED_UPDATES,
    MESSENGER,
    AnyApplication,
    build_application,
    start,
    stop,
)
from handlers.telegram.messenger import TelegramMessenger
from handlers.telegram.translate import PLATFORM

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org/bot"
WEBHOOK_ROUTE = "/telegram/webhook"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_WEBHOOK_BODY = 1024 * 1024  # bytes: an update is a few kilobytes at most
# Parallel webhook calls Telegram may make; the updates of one chat still run one at a time.
WEBHOOK_CONNECTIONS = 40


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram posts updates (`url`), and the secret each post must carry."""

    url: str
    secret: str


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Hold back what logger `name` says below CRITICAL: a failed start is reported as one
    line of words, which the library's own traceback would only repeat."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def api_host(api_url: str | None) -> str:
    """The Bot API server's host (and port) as the user may be told it: never its path."""
    parts = urlsplit(api_url or DEFAULT_API_URL)
    host = parts.hostname or "?"
    try:
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # a port that is not a number
        return host


async def ask_username(token: str, api_url: str | None) -> str | None:
    """The bot's username, from getMe; a UserError when the Bot API cannot be asked."""
    url = f"{(api_url or DEFAULT_API_URL).rstrip('/')}{token}/getMe"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)
        data = response.json()
    except (httpx.HTTPError, ValueError):
        raise UserError("error-bot-unreachable") from None
    if not data.get("ok"):
        raise UserError("error-bot-token-rejected")
    username = data.get("result", {}).get("username")
    return str(username) if username else None


def invite_link_for(username: str, code: str) -> str:
    """Telegram's deep link: opening it starts the bot with `code` as /start's argument."""
    return f"https://t.me/{username}?start={code}"


class TelegramLinks:
    """Invite links on Telegram; the username is asked from getMe once when the settings do
    not name it."""

    def __init__(self, *, token: str | None, api_url: str | None, username: str | None) -> None:
        self._token = token
        self._api_url = api_url
        self._username = username.lstrip("@") if username else None

    async def invite_link(self, code: str) -> str | None:
        """`https://t.me/<bot>?start=<code>`, or None when the bot's username is not known."""
        if self._username is None and self._token is not None:
            self._username = await ask_username(self._token, self._api_url)
        return None if self._username is None else invite_link_for(self._username, code)


class TelegramPlatform:
    """The bot on Telegram: long polling, a webhook served by the web app (`webhook`), or
    only sending (neither)."""

    name = PLATFORM

    def __init__(
        self,
        *,
        token: str,
        api_url: str | None,
        core: ReportBot,
        username: str | None = None,
        polling: bool = True,
        poll_timeout: float = 10,
        rate_limit: bool = True,
        limiter: BaseRateLimiter[Any] | None = None,
        on_token_rejected: Callable[[], None] | None = None,
        webhook: Webhook | None = None,
        seen: SeenMessages | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._api_url = api_url
        self._links = TelegramLinks(token=token, api_url=api_url, username=username)
        self.webhook = webhook
        self._polling = polling and webhook is None
        self._poll_timeout = poll_timeout
        self._accepting = False
        self.application: AnyApplication = build_application(
            token=token,
            api_url=api_url,
            core=core,
            rate_limit=rate_limit,
            limiter=limiter,
            on_token_rejected=on_token_rejected,
            # Polling resumes from an offset and gets each update once; webhook calls may come
            # again (a retry) or to another instance.
            seen=seen if webhook is not None else None,
            clock=clock,
        )

    @property
    def messenger(self) -> Messenger:
        messenger: Messenger = self.application.bot_data[MESSENGER]
        return messenger

    async def start(self) -> None:
        """Start; a start that fails releases what it took and becomes a UserError saying what
        is wrong (the token, the network or the server), never the library's error."""
        application = self.application
        try:
            with _quiet("telegram"):
                await start(application, poll_timeout=self._poll_timeout, polling=self._polling)
                if self.webhook is not None:
                    # Every instance sets the same webhook: doing it again changes nothing.
                    await application.bot.set_webhook(
                        url=self.webhook.url,
                        secret_token=self.webhook.secret,
                        allowed_updates=ALLOWED_UPDATES,
                        max_connections=WEBHOOK_CONNECTIONS,
                    )
            self._accepting = True
        except BaseException as error:
            await stop(application)
            await application.bot.shutdown()  # PTB skips it when getMe failed: sessions stay open
            if isinstance(error, InvalidToken):
                # A Bot API answers 404 to a malformed token and to a URL that misses "/bot":
                # with a server of one's own, either may be the mistake.
                if self._api_url:
                    raise UserError(
                        "run-token-or-api-url-rejected", server=api_host(self._api_url)
                    ) from None
                raise UserError("error-bot-token-rejected") from None
            if isinstance(error, TelegramError):
                raise UserError(
                    "run-telegram-unreachable", server=api_host(self._api_url)
                ) from None
            raise

    async def stop(self) -> None:
        """Stop fetching, finish every update already received, then release everything. The
        webhook stays set: other instances still serve it, and Telegram keeps the updates for
        this one until it is back."""
        self._accepting = False
        with _quiet("telegram"):  # its own English error about the token: we say it in words
            await stop(self.application)

    async def invite_link(self, code: str) -> str | None:
        """`https://t.me/<bot>?start=<code>`, or None when the bot's username is not known."""
        return await self._links.invite_link(code)

    @property
    def routes(self) -> Sequence[BaseRoute]:
        """What the web app serves for Telegram: its webhook, when it receives by one."""
        if self.webhook is None:
            return []
        return [Route(WEBHOOK_ROUTE, self._take_webhook, methods=["POST"])]

    async def _take_webhook(self, request: Request) -> Response:
        """One update from Telegram: the secret is checked on every call, the body read within
        a bound and parsed safely, the update queued and the answer given at once; it is
        handled after. While stopping, 503: Telegram retries, the load balancer may send the
        retry to another instance."""
        assert self.webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret.encode()):
            log.warning("a Telegram webhook call without the right secret was refused")
            return Response(status_code=403)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_WEBHOOK_BODY:
                return Response(status_code=413)
        try:
            data = json.loads(bytes(body))
        except (ValueError, RecursionError):
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        if not self._accepting:
            return Response(status_code=503)
        try:
            update = Update.de_json(data, self.application.bot)
        except (TypeError, ValueError, KeyError, AttributeError):
            log.warning("a Telegram webhook call with an unreadable update was refused")
            return Response(status_code=400)
        await self.application.update_queue.put(update)
        return JSONResponse({})


@contextlib.asynccontextmanager
async def sending_messenger(
    *, token: str, api_url: str | None, retry_budget: float
) -> AsyncIterator[Messenger]:
    """A messenger that only sends, for a message from outside the running bot; a Bot API
    that cannot be reached, or refuses the token, is a DeliveryError."""
    try:
        async with Bot(token, base_url=(api_url or DEFAULT_API_URL).rstrip("/")) as bot:
            yield TelegramMessenger(bot, retry_budget=retry_budget)
    except (TelegramError, OSError) as error:
        raise DeliveryError(type(error).__name__) from None


@dataclass(frozen=True, slots=True)
class WebhookState:
    """What Telegram says of the webhook: its address ("" when it polls), the updates waiting,
    and its latest delivery error, if any."""

    url: str
    pending: int
    error: str | None = None
    error_at: datetime | None = None


async def manage_webhook(
    *, token: str, api_url: str | None, action: str, webhook: Webhook | None = None
) -> WebhookState:
    """`set` (to `webhook`), `delete` or `info` on Telegram's side; what it says afterwards.
    A token refused or a server not reached is a UserError, in words."""
    try:
        async with Bot(token, base_url=(api_url or DEFAULT_API_URL).rstrip("/")) as bot:
            if action == "set":
                assert webhook is not None
                await bot.set_webhook(
                    url=webhook.url,
                    secret_token=webhook.secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=WEBHOOK_CONNECTIONS,
                )
            elif action == "delete":
                await bot.delete_webhook()
            info = await bot.get_webhook_info()
    except InvalidToken:
        raise UserError("error-bot-token-rejected") from None
    except (TelegramError, OSError):
        raise UserError("run-telegram-unreachable", server=api_host(api_url)) from None
    return WebhookState(
        url=info.url or "",
        pending=info.pending_update_count,
        error=info.last_error_message,
        error_at=info.last_error_date,
    )
