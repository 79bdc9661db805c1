"""Composition root of the running bot: settings, database, file store, core and platforms."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import signal
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.plan.model import Plan
from bot.core.ports import Messenger, SeenMessages
from bot.core.usecases import BotSettings, ReportBot

if TYPE_CHECKING:
    from bot.core.drafts import DraftDesk
    from bot.ops import Health
    from bot.platforms import Platform, PlatformFactory
    from handlers.web.context import WebDeps
    from handlers.web.ops import Ops
    from scheduler.backups import DailyBackup
    from scheduler.dispatcher import Dispatcher, DispatchEvents
    from storage.files import LocalFileStore

log = logging.getLogger("baocao")


def bot_settings(config: Settings) -> BotSettings:
    admins = frozenset(
        name.lower() if name.startswith("@") else name for name in config.admins if name
    )
    return BotSettings(
        timezone=ZoneInfo(config.timezone),
        admins=admins,
        privacy_contact=config.privacy_contact,
    )


# Paths whose last part is a secret: sign-in links, invite codes, Zalo's one-time file links
# (and anything under them). Cut wherever a path is logged, by us or by a library.
SECRET_PATHS = re.compile(r"(/(?:dang-nhap|moi|zalo/tep)/)[^/\s?#\"'<>]+")


class RedactSecrets(logging.Filter):
    """Cut secrets (the bot tokens, the webhook and metrics secrets, the database password,
    the tokens in sign-in and invite paths) out of every record: message, arguments,
    exception text and stack. The HTTP client already keeps the token out of its errors;
    this catches any text that still carries it, from whichever library."""

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
        return SECRET_PATHS.sub(rf"\g<1>{self.MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
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


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLine(logging.Formatter):
    """One line per record, for journald and whatever reads it line by line.

    A newline inside a message is written as the two characters \\n. An error's record
    gets an error id and the exception's type and first line (`error_id=3f9a1c2b
    ValueError: ...`), never its traceback: the same id is what the person's apology and the
    operator's grep meet on. With `tracebacks` (BAOCAO_DEBUG set), the traceback follows on
    the same line, its newlines escaped too. Runs after RedactSecrets: it reads the cleaned
    exception text.
    """

    def __init__(self, *, tracebacks: bool = False) -> None:
        super().__init__(LOG_FORMAT)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            error_id = getattr(record, "error_id", None) or uuid.uuid4().hex[:8]
            record.error_id = error_id
            line += f" [error_id={error_id} {_error_line(record)}]"
            if self.tracebacks:
                line += " traceback=" + record.exc_text
        if record.stack_info and self.tracebacks:
            line += " stack=" + record.stack_info
        return line.replace("\r", "").replace("\n", "\\n")


def _error_line(record: logging.LogRecord) -> str:
    """The cleaned exception text's own line ("ValueError: bad input"), found by the type's
    name: a message over several lines would otherwise end on its last line."""
    lines = (record.exc_text or "").rstrip().splitlines()
    error = record.exc_info[1] if record.exc_info else None
    if error is not None:
        name = type(error).__name__
        for text in reversed(lines):
            head = text.split(":", 1)[0].rsplit(".", 1)[-1]
            if head == name and not text.startswith(" "):
                return text
    return lines[-1] if lines else ""


def configure_logging(*, secrets: Iterable[str] = (), tracebacks: bool | None = None) -> None:
    """Log to stderr at INFO, one line per record (OneLine), with `secrets` cut out of every
    record on every handler. Tracebacks (on the same line) only when `tracebacks`, which
    defaults to whether BAOCAO_DEBUG is set; the level is then DEBUG."""
    if tracebacks is None:
        tracebacks = bool(os.environ.get("BAOCAO_DEBUG"))
    logging.basicConfig(level=logging.DEBUG if tracebacks else logging.INFO)
    redact = RedactSecrets(secrets)
    formatter = OneLine(tracebacks=tracebacks)
    for handler in logging.getLogger().handlers:
        # The newest secrets are the ones to cut: a filter of an earlier call gives way.
        for stale in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(stale)
        handler.addFilter(redact)
        handler.setFormatter(formatter)
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The Updater logs failed polls; python-telegram-bot's retry loop ("telegram.ext") logs
    # the rejected token that ends polling.
    for name in ("telegram.ext.Updater", "telegram.ext"):
        polling = logging.getLogger(name)
        if not any(isinstance(f, PollingTrouble) for f in polling.filters):
            polling.addFilter(PollingTrouble())
    quiet_libraries()


def quiet_libraries() -> None:
    """Libraries' routine chatter, in English, kept out of what people read."""
    # The Application's start and stop chatter, between our own lines in words.
    logging.getLogger("telegram.ext.Application").setLevel(logging.WARNING)
    # A tick still running when the next is due is normal for a long fan-out (or a busy
    # machine), not a warning: without this, `baocao chat` printed it into the conversation.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


class Runtime:
    """The core, its storage and one reminder dispatcher, with every enabled platform as a peer.

    Built once per process: `start` sweeps unfinished downloads, starts each platform, then the
    dispatcher over all their messengers; `stop` undoes it in reverse, the engine last.
    """

    def __init__(
        self,
        config: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        platforms: Sequence[PlatformFactory] = (),
        on_token_rejected: Callable[[], None] | None = None,
        poll_timeout: float = 10,
        ticking: bool = True,
    ) -> None:
        from bot.metrics import MeasuredBot, MeasuredRepository, Metrics
        from bot.platforms import enabled_platforms
        from bot.services import archive_desk, signature_reader, status_export
        from storage.db import make_engine
        from storage.db import unavailable as database_unavailable
        from storage.files import LocalFileStore, secure_data_dir

        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        # Every stored file too, once per start; also for PostgreSQL, where the data folder
        # holds only the submitted files.
        secure_data_dir(config.data_dir, group_read=config.data_group_read)
        self.engine = make_engine(config.resolved_database_url())
        self.files = LocalFileStore(config.data_dir, group_read=config.data_group_read)
        # Counted where the parts are wired (bot.metrics), in this runtime's own registry.
        self.metrics = Metrics(engine=self.engine, clock=self.clock)
        repository = MeasuredRepository(self.engine, self.files, metrics=self.metrics)
        from bot.web import web_access

        # Sign-in links: made by the web pages, by /web in chat, and printed at start.
        self.web_access = web_access(config, self.engine, self.clock)
        self.core: ReportBot = MeasuredBot(
            metrics=self.metrics,
            repository=repository,
            files=self.files,
            settings=bot_settings(config),
            clock=self.clock,
            exports=status_export(self.engine, repository),
            signatures=signature_reader(config),
            drafts=draft_desk(self.engine, self.files, repository),
            archives=archive_desk(self.engine, self.files, ZoneInfo(config.timezone)),
            web=self.web_access,
            unavailable=database_unavailable,
        )
        chat: list[Platform] = [
            *enabled_platforms(
                config,
                self.core,
                on_token_rejected=on_token_rejected,
                poll_timeout=poll_timeout,
                seen=seen_messages(self.engine),
                clock=self.clock,
                limiter=shared_limiter(config, self.engine),
            ),
            *(make(self.core) for make in platforms),
        ]
        # The web app starts first: a busy port stops the start before any chat platform
        # polls. It serves the routes chat platforms add (a webhook, files they fetch).
        self.web: WebDeps | None = None
        self.health: Health | None = None
        web: list[Platform] = []
        if config.web:
            from bot.platforms import web_routes
            from bot.web import web_deps, web_platform

            self.web = web_deps(config, self)
            web.append(
                web_platform(
                    config, self.web, routes=web_routes(chat), operations=self.operations()
                )
            )
        self.platforms: list[Platform] = [*web, *chat]
        self.started: list[Platform] = []
        self.dispatcher: Dispatcher | None = None
        self.backups: DailyBackup | None = None
        # Off for a caller that drives the clock itself (the demo) and calls
        # `dispatcher.tick()` after each step, so that nothing runs between its steps.
        self.ticking = ticking

    def operations(self) -> Ops:
        """What the web app serves operators: /healthz over this database and file store,
        /metrics from this runtime's registry, and every request counted."""
        from bot.ops import Health
        from handlers.web.ops import Ops

        self.health = Health(self.engine, self.files)
        token = self.config.metrics_token
        return Ops(
            health=self.health.check,
            metrics=self.metrics.exposition,
            metrics_token=token.get_secret_value() if token is not None else None,
            on_request=self.metrics.web_request,
        )

    async def start(self) -> None:
        """Start every platform, then the reminders; a start that fails undoes what it did."""
        # Downloads cut short by a crash; an hour keeps another running process's files.
        swept = self.files.sweep_staging(older_than=timedelta(hours=1))
        if swept:
            log.info("removed %d unfinished downloads left by an earlier run", swept)
        try:
            await self.check_store()
            for platform in self.platforms:
                await platform.start()
                self.started.append(platform)
        except BaseException:
            await self.stop()
            raise
        from bot.metrics import measured

        messengers = {
            platform.name: measured(platform.messenger, self.metrics) for platform in self.started
        }
        if self.web is not None:  # a receipt on the portal goes to the contact's chat too
            self.web.messengers = messengers
        if self.config.reminders:
            self.dispatcher = reminder_dispatcher(
                self.config,
                self.engine,
                messengers,
                self.clock,
                events=self.metrics.events(),
                files=self.files,
            )
            if self.ticking:
                self.dispatcher.start()
        if self.ticking:  # off: BAOCAO_BACKUP_KEEP=0
            from bot.backups import daily_backups

            self.backups = daily_backups(self.config, self.engine, self.clock)
            if self.backups is not None:
                self.backups.start()

    async def check_store(self) -> None:
        """Refuse to start on a file store other than the one the database's other instances
        use (storage/store_marker.py): files received here would be missing there."""
        from storage.store_marker import check_store

        await check_store(
            self.engine,
            self.config.data_dir,
            now=self.clock(),
            group_read=self.config.data_group_read,
        )

    async def stop(self) -> None:
        """Stop the backups and the reminders, then each platform in reverse order, then the
        database."""
        if self.backups is not None:
            backups, self.backups = self.backups, None
            await backups.stop()
        if self.dispatcher is not None:
            dispatcher, self.dispatcher = self.dispatcher, None
            await dispatcher.stop()
        try:
            while self.started:
                await self.started.pop().stop()
        finally:
            await self.engine.dispose()


def shared_limiter(config: Settings, engine: Any) -> Any:
    """Telegram's rate limit as one budget in the database for every instance sending with
    this token (handlers/telegram/limiter.py); None: each process keeps its own."""
    if config.telegram_token is None or not config.telegram_rate_limit:
        return None
    if not config.shared_rate_limit:
        return None
    from handlers.telegram.limiter import SharedRateLimiter
    from storage.rate_limit import SqlRateBudget

    return SharedRateLimiter(SqlRateBudget(engine), rate=config.telegram_rate)


def seen_messages(engine: Any) -> SeenMessages:
    """The shared record of messages already taken in: whichever process receives a message
    again (a webhook retried, a poll answered twice), it is handled once."""
    from storage.seen import SqlSeenMessages

    return SqlSeenMessages(engine)


def draft_desk(engine: Any, files: Any, instances: Any) -> DraftDesk:
    """The Office's compiled draft over this database and file store, rendered with python-docx."""
    from bot.core.drafts import DraftDesk
    from storage.drafts import SqlDraftSources
    from storage.exports.compiled import DocxDraftWriter

    return DraftDesk(
        instances=instances, sources=SqlDraftSources(engine, files), writer=DocxDraftWriter()
    )


def reminder_dispatcher(
    config: Settings,
    engine: Any,
    messengers: Mapping[str, Messenger],
    clock: Callable[[], datetime] | None = None,
    *,
    events: DispatchEvents | None = None,
    files: LocalFileStore | None = None,
) -> Dispatcher:
    """The dispatch loop over this database, sending through `messengers`; what they cannot
    deliver goes to the outbox, for the process that can."""
    from bot.services import ChartsOnFirstSummary
    from scheduler.dispatcher import Dispatcher, DispatchSettings
    from storage.outbox import SqlOutbox
    from storage.reminders import ReminderStore
    from storage.seen import SqlSeenMessages

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
        outbox=SqlOutbox(engine),
        charts=ChartsOnFirstSummary(),
        seen=SqlSeenMessages(engine),
        events=events,
        # An hour keeps the files of downloads another process is still writing.
        sweep=None if files is None else lambda: files.sweep_staging(timedelta(hours=1)),
    )


def applied_plans(engine: Any) -> Callable[[], Awaitable[Plan | None]]:
    """The plan applied last, rebuilt only when its digest changes."""
    from bot.core.plan.loader import plan_from_data
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


async def serve(
    config: Settings,
    stopping: asyncio.Event | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    platforms: Sequence[PlatformFactory] = (),
    started: Callable[[Runtime], Awaitable[None]] | None = None,
) -> None:
    """Run the bot until `stopping` is set, or until SIGINT (Ctrl-C) or SIGTERM, on every
    platform the settings enable and on those `platforms` make; `started` is called once
    every platform has started (to tell the terminal where the web app is)."""
    from bot.platforms import configured

    if not configured(config) and not platforms:
        raise UserError("run-no-token")
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

    runtime = Runtime(config, clock=clock, platforms=platforms, on_token_rejected=token_rejected)
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await runtime.start()
    settle_memory()
    log.info("%s", t("run-started"))
    try:
        if started is not None:
            await started(runtime)
        await stopping.wait()
    finally:
        log.info("%s", t("run-stopping"))
        await runtime.stop()
    if rejected:
        raise UserError("run-token-revoked")


def settle_memory() -> None:
    """Tune the garbage collector for a long-running server, once everything is started.

    What start made (modules, the plan, templates, the catalog) lives as long as the process:
    frozen, the collector no longer walks it. Young objects are collected after 50,000
    allocations rather than 700: a dashboard page of 2,000 units makes tens of thousands, and
    at the default every such page paid for several full passes (its p99 fell from 272 to
    161 ms in benchmarks/web_dashboard.py, its p50 unchanged).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def secrets_of(config: Settings) -> list[str]:
    """What no log line may show: the chat tokens, the webhook and metrics secrets, and the
    database's password."""
    secrets = (
        config.telegram_token,
        config.zalo_token,
        config.zalo_webhook_secret,
        config.telegram_webhook_secret,
        config.metrics_token,
    )
    found = [secret.get_secret_value() for secret in secrets if secret is not None]
    if config.database_url:
        from sqlalchemy.engine import make_url

        try:
            password = make_url(config.database_url).password
        except Exception:  # a URL the settings took but SQLAlchemy cannot read: said at start
            password = None
        if password:
            found.append(str(password))
    return found


def run(config: Settings) -> None:
    """Run the bot until Ctrl-C or SIGTERM; updates in progress are finished first."""
    configure_logging(secrets=secrets_of(config))
    asyncio.run(serve(config))
