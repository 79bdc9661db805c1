"""The python-telegram-bot Application: updates go to the core, replies come back through it."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update, constants
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.i18n import t
from bot.core.ports import SeenMessages
from bot.core.usecases import MENU, ReportBot
from handlers.telegram.messenger import TelegramMessenger
from handlers.telegram.translate import PLATFORM, incoming
from handlers.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Hook = Callable[[AnyApplication], Coroutine[Any, Any, None]]
CORE = "core"
MESSENGER = "messenger"
SEEN = "seen"
CLOCK = "clock"


class PerChatProcessor(BaseUpdateProcessor):
    """Many chats at once, one update at a time within a chat: a person's steps keep their order.

    A lock per chat seen; chats are people and groups of one department, so they stay few.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._locks[chat.id]:
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def file_url_for(api_url: str) -> str:
    """A Bot API server's file URL from its method URL: http://host/bot -> http://host/file/bot."""
    base, _, _ = api_url.rstrip("/").rpartition("/")
    return f"{base}/file/bot"


async def _on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand one update to the core."""
    event = incoming(update, bot_username=context.bot.username)
    if event is not None:
        core: ReportBot = context.bot_data[CORE]
        await core.handle(event, context.bot_data[MESSENGER])


async def _once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update already taken in: a webhook call Telegram retried, or delivered to two
    instances behind a load balancer. The update id, recorded in the shared database, decides
    which delivery is the first."""
    seen: SeenMessages = context.bot_data[SEEN]
    clock = context.bot_data[CLOCK]
    first = await seen.first_time(platform=PLATFORM, message_id=str(update.update_id), now=clock())
    if not first:
        log.debug("a Telegram update delivered again was ignored")
        raise ApplicationHandlerStop


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what went wrong and tell the person, briefly, that it was not their fault."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        if update.effective_chat.type != "private":
            return
        try:
            await context.bot.send_message(update.effective_chat.id, t("error-sorry"))
        except TelegramError:
            log.warning("could not send the apology either")


async def register_menu(application: AnyApplication) -> None:
    """The command menu Telegram shows in private chats, in Vietnamese: the listed entries of
    the core's command table, in its order."""
    commands = [BotCommand(name, t(key)) for name, key in MENU]
    await application.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())


# Sends: enough connections for many chats at once (reminders go out concurrently, the rate
# limiter paces them); a stalled Telegram shows as TimedOut, which the messenger retries.
SEND_POOL_SIZE = 64
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0  # for getUpdates, PTB adds the long-poll timeout to it
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 30.0  # waiting for a free connection when every one is busy
MEDIA_WRITE_TIMEOUT = 60.0  # uploads
RATE_LIMIT_RETRIES = 5  # 429s the limiter waits out itself before the messenger sees one


def send_request() -> AiohttpRequest:
    """The HTTP client for everything but getUpdates."""
    return AiohttpRequest(
        connection_pool_size=SEND_POOL_SIZE,
        pool_timeout=POOL_TIMEOUT,
        media_write_timeout=MEDIA_WRITE_TIMEOUT,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        write_timeout=WRITE_TIMEOUT,
    )


def polling_request(on_rejected: Callable[[], None] | None = None) -> AiohttpRequest:
    """getUpdates on its own connection, so a held long poll never takes one a send needs;
    `on_rejected` hears of a token Telegram no longer accepts."""
    return AiohttpRequest(
        on_rejected=on_rejected,
        connection_pool_size=1,
        pool_timeout=POOL_TIMEOUT,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        write_timeout=WRITE_TIMEOUT,
    )


def rate_limiter() -> AIORateLimiter:
    """Telegram's limits: 30 messages a second overall, 20 a minute in each group.

    The overall limit is one message every 1/30 s rather than PTB's default leaky bucket of 30
    per second, which lets a burst of 30 through at once and so up to about 60 within one
    second; the per-group limit is PTB's default. A 429 pauses every send for its
    `retry_after` (plus 0.1 s) and is retried up to RATE_LIMIT_RETRIES times.
    """
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / constants.FloodLimit.MESSAGES_PER_SECOND,
        group_max_rate=constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period=60,
        max_retries=RATE_LIMIT_RETRIES,
    )


def build_application(
    *,
    token: str,
    api_url: str | None,
    core: ReportBot,
    post_init: Hook | None = None,
    post_stop: Hook | None = None,
    post_shutdown: Hook | None = None,
    rate_limit: bool = True,
    limiter: BaseRateLimiter[Any] | None = None,
    on_token_rejected: Callable[[], None] | None = None,
    seen: SeenMessages | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AnyApplication:
    """An Application wired to `core`: every message and button press goes through it.

    With `rate_limit`, everything sent keeps to Telegram's flood limits and a 429 is retried
    after its `retry_after`: through `limiter` when given (one budget shared by every
    instance), else this process's own (see `rate_limiter`). With `seen`, an update whose id
    was already taken in (by this process or another) is dropped before any handler.
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .concurrent_updates(PerChatProcessor())
        .request(send_request())
        .get_updates_request(polling_request(on_token_rejected))
    )
    if rate_limit:
        builder = builder.rate_limiter(limiter or rate_limiter())
    if api_url:
        builder = builder.base_url(api_url.rstrip("/")).base_file_url(file_url_for(api_url))

    async def _post_init(application: AnyApplication) -> None:
        application.bot_data[CORE] = core
        application.bot_data[MESSENGER] = TelegramMessenger(application.bot)
        application.bot_data[SEEN] = seen
        application.bot_data[CLOCK] = clock or (lambda: datetime.now(UTC))
        if post_init is not None:
            await post_init(application)
        await register_menu(application)

    builder = builder.post_init(_post_init)
    if post_stop is not None:
        builder = builder.post_stop(post_stop)
    if post_shutdown is not None:
        builder = builder.post_shutdown(post_shutdown)
    application = builder.build()
    if seen is not None:
        application.add_handler(TypeHandler(Update, _once), group=-1)
    application.add_handler(CallbackQueryHandler(_on_update))
    application.add_handler(MessageHandler(filters.ALL, _on_update))
    application.add_error_handler(_on_error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


async def start(
    application: AnyApplication, *, poll_timeout: float = 10, polling: bool = True
) -> None:
    """Initialise, run the start-up hook, and begin long polling.

    Only one process may poll a bot's updates; others run with `polling=False` and only
    send (their reminder dispatchers share the work through the database).
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if not polling:
        return
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=int(poll_timeout), allowed_updates=ALLOWED_UPDATES
    )


async def stop(application: AnyApplication) -> None:
    """Stop fetching, finish every update already received, then release everything."""
    if application.updater is not None and application.updater.running:
        try:
            await application.updater.stop()
        except InvalidToken:  # polling had already ended on it; the caller says so in words
            log.info("polling had stopped: the Bot API no longer accepts the token")
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
