"""The python-telegram-bot Application: updates go to the core, replies come back through it."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.usecases import MENU, ReportBot
from bot.i18n import t
from handlers.telegram.messenger import TelegramMessenger
from handlers.telegram.translate import incoming

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Hook = Callable[[AnyApplication], Coroutine[Any, Any, None]]
CORE = "core"
MESSENGER = "messenger"


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
    """The command menu Telegram shows in private chats, in Vietnamese."""
    commands = [BotCommand(name, t(key)) for name, key in MENU]
    await application.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())


def build_application(
    *,
    token: str,
    api_url: str | None,
    core: ReportBot,
    post_init: Hook | None = None,
    post_shutdown: Hook | None = None,
) -> AnyApplication:
    """An Application wired to `core`: every message and button press goes through it."""
    builder = ApplicationBuilder().token(token).concurrent_updates(PerChatProcessor())
    if api_url:
        builder = builder.base_url(api_url.rstrip("/")).base_file_url(file_url_for(api_url))

    async def _post_init(application: AnyApplication) -> None:
        application.bot_data[CORE] = core
        application.bot_data[MESSENGER] = TelegramMessenger(application.bot)
        if post_init is not None:
            await post_init(application)
        await register_menu(application)

    builder = builder.post_init(_post_init)
    if post_shutdown is not None:
        builder = builder.post_shutdown(post_shutdown)
    application = builder.build()
    application.add_handler(CallbackQueryHandler(_on_update))
    application.add_handler(MessageHandler(filters.ALL, _on_update))
    application.add_error_handler(_on_error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


async def start(application: AnyApplication, *, poll_timeout: float = 10) -> None:
    """Initialise, run the start-up hook, and begin long polling."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=int(poll_timeout), allowed_updates=ALLOWED_UPDATES
    )


async def stop(application: AnyApplication) -> None:
    """Stop fetching, finish every update already received, then release everything."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
