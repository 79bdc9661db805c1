"""Composition root of the running bot: settings, database, file store, core and Telegram."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
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


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # A tick still running when the next is due is normal for a long fan-out, not a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def telegram_application(config: Settings, *, clock: Callable[[], datetime] | None = None) -> Any:
    """The Telegram Application with its core, database and file store, ready to start."""
    from handlers.telegram.app import build_application
    from storage.db import make_engine
    from storage.files import LocalFileStore
    from storage.repository import SqlRepository

    if config.telegram_token is None or not config.telegram_token.get_secret_value().strip():
        raise UserError("run-no-token")
    engine = make_engine(config.resolved_database_url())
    files = LocalFileStore(config.data_dir)
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
        for running in dispatcher:
            await running.stop()

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


async def serve(config: Settings, stopping: asyncio.Event | None = None) -> None:
    """Run the bot until `stopping` is set, or until SIGINT (Ctrl-C) or SIGTERM."""
    from handlers.telegram.app import start, stop

    application = telegram_application(config)
    stopping = stopping or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await start(application, polling=config.telegram_polling)
    log.info("%s", t("run-started"))
    try:
        await stopping.wait()
    finally:
        log.info("stopping: finishing the updates already received")
        await stop(application)


def run(config: Settings) -> None:
    """Run the bot until Ctrl-C or SIGTERM; updates in progress are finished first."""
    configure_logging()
    asyncio.run(serve(config))
