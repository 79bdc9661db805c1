"""Composition root of the running bot: settings, database, file store, core and Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.ports import Messenger
from bot.core.usecases import BotSettings, ReportBot
from bot.errors import UserError
from bot.i18n import t
from bot.plan.model import Plan

if TYPE_CHECKING:
    from scheduler.dispatcher import Dispatcher

log = logging.getLogger("baocao")


def bot_settings(config: Settings) -> BotSettings:
    admins = frozenset(
        name.lower() if name.startswith("@") else name for name in config.admins if name
    )
    return BotSettings(timezone=ZoneInfo(config.timezone), admins=admins)


class RedactSecrets(logging.Filter):
    """Cut secrets (the bot token) out of every record: message, arguments, exception text
    and stack. The HTTP client already keeps the token out of its errors; this catches any
    text that still carries it, from whichever library."""

    MASK = "***"

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms = {
            form
            for secret in secrets
            if secret
            for form in (secret, quote(secret, safe=""), quote(secret, safe=":"))
        }
        self.secrets = sorted(forms, key=len, reverse=True)
        self._formatter = logging.Formatter()

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, self.MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self.clean(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            # Handlers print exc_text when it is set, so the cleaned text is what they print.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


class PollingTrouble(logging.Filter):
    """python-telegram-bot logs a traceback at every failed poll, every few seconds while it
    lasts. Two troubles are the Office's to act on, not bugs: another process polling with
    the same token (Telegram's 409 Conflict) and a lost connection. Each becomes one line
    of words, said again only after `every` seconds; anything else keeps its traceback."""

    def __init__(self, every: float = 600.0) -> None:
        super().__init__()
        self.every = every
        self._said: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            return False  # polling ends on it, and `serve` stops and says so in words
        if isinstance(error, Conflict):
            key = "run-polling-conflict"
        elif isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            # TimedOut is a NetworkError; so, in python-telegram-bot, is BadRequest: ours.
            key = "run-polling-network"
        else:
            return True
        last = self._said.get(key)
        if last is not None and record.created - last < self.every:
            return False
        self._said[key] = record.created
        record.msg, record.args = t(key), None
        record.exc_info, record.exc_text, record.levelno = None, None, logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        return True


def configure_logging(*, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at INFO, with `secrets` cut out of every record on every handler."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The Updater logs failed polls; python-telegram-bot's retry loop ("telegram.ext") logs
    # the rejected token that ends polling.
    for name in ("telegram.ext.Updater", "telegram.ext"):
        polling = logging.getLogger(name)
        if not any(isinstance(f, PollingTrouble) for f in polling.filters):
            polling.addFilter(PollingTrouble())
    # The Application's start and stop chatter, in English, between our own lines in words.
    logging.getLogger("telegram.ext.Application").setLevel(logging.WARNING)
    # A tick still running when the next is due is normal for a long fan-out, not a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def telegram_application(
    config: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    on_token_rejected: Callable[[], None] | None = None,
) -> Any:
    """The Telegram Application with its core, database and file store, ready to start."""
    from handlers.telegram.app import build_application
    from storage.db import make_engine
    from storage.files import LocalFileStore, secure_data_dir
    from storage.repository import SqlRepository

    if config.telegram_token is None:
        raise UserError("run-no-token")
    # Also for PostgreSQL, where the data folder holds only the submitted files.
    secure_data_dir(config.data_dir, group_read=config.data_group_read)
    engine = make_engine(config.resolved_database_url())
    files = LocalFileStore(config.data_dir, group_read=config.data_group_read)
    repository = SqlRepository(engine, files)
    core = ReportBot(
        repository=repository,
        files=files,
        settings=bot_settings(config),
        clock=clock or (lambda: datetime.now(UTC)),
    )

    dispatcher: list[Dispatcher] = []

    async def started(application: Any) -> None:
        # Downloads cut short by a crash; an hour keeps another running process's files.
        swept = files.sweep_staging(older_than=timedelta(hours=1))
        if swept:
            log.info("removed %d unfinished downloads left by an earlier run", swept)
        if config.reminders:
            from handlers.telegram.app import MESSENGER

            messengers = {"telegram": application.bot_data[MESSENGER]}
            dispatcher.append(reminder_dispatcher(config, engine, messengers, clock))
            dispatcher[0].start()

    async def halted(application: Any) -> None:
        while dispatcher:  # also called for a start cut short, maybe twice
            await dispatcher.pop().stop()

    async def stopped(application: Any) -> None:
        await engine.dispose()

    return build_application(
        token=config.telegram_token.get_secret_value(),
        api_url=config.telegram_api_url,
        core=core,
        post_init=started,
        post_stop=halted,
        post_shutdown=stopped,
        rate_limit=config.telegram_rate_limit,
        on_token_rejected=on_token_rejected,
    )


def reminder_dispatcher(
    config: Settings,
    engine: Any,
    messengers: Mapping[str, Messenger],
    clock: Callable[[], datetime] | None = None,
) -> Dispatcher:
    """The dispatch loop over this database, sending through `messengers`."""
    from scheduler.dispatcher import Dispatcher, DispatchSettings
    from storage.reminders import ReminderStore

    store = ReminderStore(engine)
    settings = DispatchSettings(
        tick=timedelta(seconds=config.reminder_tick),
        lease=timedelta(seconds=config.reminder_lease),
    )
    return Dispatcher(
        store=store,
        plans=applied_plans(engine),
        messengers=messengers,
        settings=settings,
        clock=clock or (lambda: datetime.now(UTC)),
    )


def applied_plans(engine: Any) -> Callable[[], Awaitable[Plan | None]]:
    """The plan applied last, rebuilt only when its digest changes."""
    from bot.plan.loader import plan_from_data
    from storage.plans import applied_plan
    from storage.reminders import ReminderStore

    store = ReminderStore(engine)
    cache: dict[str, Plan] = {}

    async def load() -> Plan | None:
        digest = await store.plan_digest()
        if digest is None:
            return None
        if digest not in cache:
            stored = await applied_plan(engine)
            if stored is None:
                return None
            cache.clear()
            cache[digest] = plan_from_data(stored.data, stored.source, stored.path)
        return cache[digest]

    return load


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


def api_host(config: Settings) -> str:
    """The Bot API server's host (and port) as the user may be told it: never its path."""
    parts = urlsplit(config.telegram_api_url or "https://api.telegram.org/bot")
    host = parts.hostname or "?"
    try:
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # a port that is not a number
        return host


async def start_telegram(config: Settings, application: Any) -> None:
    """Start `application`; a start that fails releases what it took and becomes a UserError
    saying what is wrong (the token, the network or the server), never the library's error."""
    from telegram.error import InvalidToken, TelegramError

    from handlers.telegram.app import start, stop

    try:
        with _quiet("telegram"):
            await start(application, polling=config.telegram_polling)
    except BaseException as error:
        if application.post_stop is not None:
            await application.post_stop(application)
        await stop(application)
        await application.bot.shutdown()  # PTB skips it when getMe failed: sessions stay open
        if isinstance(error, InvalidToken):
            # A Bot API answers 404 to a malformed token and to a URL that misses "/bot":
            # with a server of one's own, either may be the mistake.
            if config.telegram_api_url:
                raise UserError("run-token-or-api-url-rejected", server=api_host(config)) from None
            raise UserError("error-bot-token-rejected") from None
        if isinstance(error, TelegramError):
            raise UserError("run-telegram-unreachable", server=api_host(config)) from None
        raise


async def serve(config: Settings, stopping: asyncio.Event | None = None) -> None:
    """Run the bot until `stopping` is set, or until SIGINT (Ctrl-C) or SIGTERM."""
    from handlers.telegram.app import stop

    stopping = stopping or asyncio.Event()
    rejected: list[bool] = []

    def token_rejected() -> None:
        # python-telegram-bot stops polling for good on a rejected token (revoked with
        # @BotFather while the bot runs): the bot would go deaf, so it stops and says why.
        if not rejected:
            rejected.append(True)
            # Stopping a moment later lets the library's polling end on the error first; stopped
            # sooner, its poll would be left with an exception nobody retrieves.
            asyncio.get_running_loop().call_later(0.5, stopping.set)

    application = telegram_application(config, on_token_rejected=token_rejected)
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await start_telegram(config, application)
    log.info("%s", t("run-started"))
    try:
        await stopping.wait()
    finally:
        log.info("%s", t("run-stopping"))
        with _quiet("telegram"):  # its own English error about the token: we say it in words
            await stop(application)
    if rejected:
        raise UserError("run-token-revoked")


def secrets_of(config: Settings) -> list[str]:
    """What no log line may show."""
    return [config.telegram_token.get_secret_value()] if config.telegram_token else []


def run(config: Settings) -> None:
    """Run the bot until Ctrl-C or SIGTERM; updates in progress are finished first."""
    configure_logging(secrets=secrets_of(config))
    asyncio.run(serve(config))
