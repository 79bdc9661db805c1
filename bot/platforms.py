"""The adapter interface every chat platform implements, and the platforms the settings enable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from bot.config import Settings
from bot.core.errors import UserError
from bot.core.ports import Messenger, SeenMessages
from bot.core.usecases import ReportBot

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


class InviteLinks(Protocol):
    """How a platform makes an invite code a link people open."""

    async def invite_link(self, code: str) -> str | None:
        """The link for `code`, or None when there is none (the code is then typed)."""


class Platform(InviteLinks, Protocol):
    """One chat platform as the runtime sees it: a peer of every other.

    `name` is the platform id stored with contacts ("telegram"); `messenger` is the core's port
    on it, available once started; `stop` finishes what was received, then releases
    everything; `invite_link` (from InviteLinks) makes an invite code a link.
    """

    @property
    def name(self) -> str: ...

    @property
    def messenger(self) -> Messenger: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# How the runtime makes a platform once the core exists.
PlatformFactory = Callable[[ReportBot], Platform]

# Someone waits at the terminal for a notice sent from the CLI: a short retry budget, then say
# it was not sent.
NOTICE_RETRY_BUDGET = 10.0


def configured(config: Settings) -> bool:
    """Whether the settings enable any platform at all: a chat platform, or the web app."""
    return config.web or has_chat(config)


def has_chat(config: Settings) -> bool:
    """Whether a chat platform is configured (the web app may run alone without one)."""
    return config.telegram_token is not None or config.zalo_token is not None


def web_routes(platforms: Sequence[object]) -> list[BaseRoute]:
    """The routes platforms add to the web app (a webhook, files fetched by the platform's
    servers): each platform may offer them as a `routes` attribute."""
    return [route for platform in platforms for route in getattr(platform, "routes", ())]


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ip_address(host).is_loopback
    except ValueError:
        return False


def zalo_webhook_url(config: Settings) -> str:
    """Where Zalo posts updates: the web app's webhook under BAOCAO_PUBLIC_URL. A UserError
    when it cannot be served: the web app off, or an address Zalo would not post to (http is
    accepted only when both ends are on this machine: a local test server of the Bot API)."""
    from bot.web import base_url

    if not config.web:
        raise UserError("zalo-webhook-needs-web")
    url = f"{base_url(config)}/zalo/webhook"
    parts = urlsplit(url)
    local = _loopback(parts.hostname) and _loopback(urlsplit(config.zalo_api_url).hostname)
    if parts.scheme != "https" and not local:
        raise UserError("zalo-webhook-needs-https", url=url)
    return url


def telegram_webhook_url(config: Settings) -> str:
    """Where Telegram posts updates: the web app's webhook under BAOCAO_PUBLIC_URL; a UserError
    when it cannot be served (as for Zalo: http only when a local Bot API server posts to this
    machine)."""
    from bot.web import base_url

    if not config.web:
        raise UserError("telegram-webhook-needs-web")
    url = f"{base_url(config)}/telegram/webhook"
    parts = urlsplit(url)
    api = urlsplit(config.telegram_api_url or "https://api.telegram.org").hostname
    if parts.scheme != "https" and not (_loopback(parts.hostname) and _loopback(api)):
        raise UserError("telegram-webhook-needs-https", url=url)
    return url


def telegram_webhook(config: Settings) -> tuple[str, str] | None:
    """Telegram's webhook (url, secret) when it receives by one: its secret is set, or every
    platform is in webhook mode (then the secret is required); None: long polling."""
    secret = config.telegram_webhook_secret
    if secret is None and not config.webhook:
        return None
    if secret is None:
        raise UserError("webhook-needs-secret", name="BAOCAO_TELEGRAM_WEBHOOK_SECRET")
    return telegram_webhook_url(config), secret.get_secret_value()


def zalo_webhook(config: Settings) -> tuple[str, str] | None:
    """Zalo's webhook (url, secret), as for Telegram."""
    secret = config.zalo_webhook_secret
    if secret is None and not config.webhook:
        return None
    if secret is None:
        raise UserError("webhook-needs-secret", name="BAOCAO_ZALO_WEBHOOK_SECRET")
    return zalo_webhook_url(config), secret.get_secret_value()


def enabled_platforms(
    config: Settings,
    core: ReportBot,
    *,
    on_token_rejected: Callable[[], None] | None = None,
    poll_timeout: float = 10,
    seen: SeenMessages | None = None,
    clock: Callable[[], datetime] | None = None,
    limiter: Any = None,
) -> list[Platform]:
    """The platforms the settings enable, built around `core`, not started; `limiter` paces
    what Telegram sends (one budget shared by every instance), else each process its own."""
    platforms: list[Platform] = []
    if config.telegram_token is not None:
        from handlers.telegram.platform import TelegramPlatform, Webhook

        hook = telegram_webhook(config)
        platforms.append(
            TelegramPlatform(
                token=config.telegram_token.get_secret_value(),
                api_url=config.telegram_api_url,
                core=core,
                username=config.telegram_bot_username,
                polling=config.telegram_polling,
                poll_timeout=poll_timeout,
                rate_limit=config.telegram_rate_limit,
                limiter=limiter,
                on_token_rejected=on_token_rejected,
                webhook=None if hook is None else Webhook(url=hook[0], secret=hook[1]),
                seen=seen,
                clock=clock,
            )
        )
    if config.zalo_token is not None:
        platforms.append(
            zalo_platform(config, core, poll_timeout=poll_timeout, seen=seen, clock=clock)
        )
    return platforms


def zalo_platform(
    config: Settings,
    core: ReportBot,
    *,
    poll_timeout: float = 30,
    seen: SeenMessages | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Platform:
    """Zalo, receiving by webhook when a secret is set, else by polling."""
    from bot.web import base_url
    from handlers.zalo.files import FOLDER, OneTimeFiles
    from handlers.zalo.platform import Webhook, ZaloPlatform

    assert config.zalo_token is not None
    hook = zalo_webhook(config)
    webhook = None if hook is None else Webhook(url=hook[0], secret=hook[1])
    files = OneTimeFiles(config.data_dir / FOLDER, base_url(config))
    return ZaloPlatform(
        token=config.zalo_token.get_secret_value(),
        api_url=config.zalo_api_url,
        core=core,
        seen=seen,
        files=files,
        webhook=webhook,
        polling=config.zalo_polling,
        poll_timeout=poll_timeout,
        clock=clock or (lambda: datetime.now(UTC)),
        bot_link=config.zalo_bot_link,
    )


def invite_links(config: Settings) -> InviteLinks | None:
    """The platform whose links invites carry, not started (making a link needs no polling):
    Telegram's when it is configured, else the web app's own invite page."""
    if config.telegram_token is None and config.telegram_bot_username is None:
        return WebInviteLinks(config) if config.web else None
    from handlers.telegram.platform import TelegramLinks

    return TelegramLinks(
        token=config.telegram_token.get_secret_value() if config.telegram_token else None,
        api_url=config.telegram_api_url,
        username=config.telegram_bot_username,
    )


@asynccontextmanager
async def outbound_messenger(config: Settings, platform: str) -> AsyncIterator[Messenger | None]:
    """A messenger that only sends, on `platform`, for a message from outside the running bot;
    None when the settings do not enable that platform. Opening it may raise DeliveryError."""
    if platform == "telegram" and config.telegram_token is not None:
        from handlers.telegram.platform import sending_messenger

        async with sending_messenger(
            token=config.telegram_token.get_secret_value(),
            api_url=config.telegram_api_url,
            retry_budget=NOTICE_RETRY_BUDGET,
        ) as messenger:
            yield messenger
        return
    if platform == "zalo" and config.zalo_token is not None:
        from handlers.zalo.platform import sending_messenger as zalo_sending

        async with zalo_sending(
            token=config.zalo_token.get_secret_value(),
            api_url=config.zalo_api_url,
            retry_budget=NOTICE_RETRY_BUDGET,
        ) as messenger:
            yield messenger
        return
    yield None


class WebInviteLinks:
    """Invite links to the web app's invite page, when no chat platform makes links."""

    def __init__(self, config: Settings) -> None:
        self.config = config

    async def invite_link(self, code: str) -> str | None:
        from bot.web import base_url

        return f"{base_url(self.config)}/moi/{code}"


class ZaloInvites:
    """What a Zalo contact is told to do with an invite: find the bot (by its name from getMe,
    or its link when the settings give one) and send it the code."""

    def __init__(self, config: Settings) -> None:
        assert config.zalo_token is not None
        self.config = config
        self.link = config.zalo_bot_link
        self._name: str | None = None

    async def bot_name(self) -> str | None:
        """The bot's name from getMe (asked once); a UserError when Zalo cannot be asked."""
        if self._name is None:
            from handlers.zalo.platform import ask_bot_name

            assert self.config.zalo_token is not None
            self._name = await ask_bot_name(
                token=self.config.zalo_token.get_secret_value(), api_url=self.config.zalo_api_url
            )
        return self._name


def zalo_invites(config: Settings) -> ZaloInvites | None:
    """Zalo's part of an invite, when Zalo is configured."""
    return None if config.zalo_token is None else ZaloInvites(config)


async def manage_webhooks(config: Settings, action: str, *, said: Callable[..., str]) -> list[str]:
    """`baocao webhook set|delete|info`: `action` on every configured chat platform, with
    one line of words for each (`said(platform, action, url, pending=...)`) and Telegram's
    latest delivery error."""
    from zoneinfo import ZoneInfo

    from bot.core import formatting as fmt
    from bot.core.i18n import t

    webhook_mode = config.model_copy(update={"webhook": True})
    lines = []
    if config.telegram_token is not None:
        from handlers.telegram.platform import Webhook, manage_webhook

        hook = telegram_webhook(webhook_mode) if action == "set" else None
        state = await manage_webhook(
            token=config.telegram_token.get_secret_value(),
            api_url=config.telegram_api_url,
            action=action,
            webhook=None if hook is None else Webhook(url=hook[0], secret=hook[1]),
        )
        lines.append(said("Telegram", action, state.url, pending=state.pending))
        if state.error:
            at = state.error_at
            when = fmt.moment(at, ZoneInfo(config.timezone)) if at else "-"
            lines.append(t("webhook-cli-last-error", at=when, error=state.error))
    if config.zalo_token is not None:
        from handlers.zalo.platform import Webhook as ZaloWebhook
        from handlers.zalo.platform import manage_webhook as manage_zalo

        hook = zalo_webhook(webhook_mode) if action == "set" else None
        url = await manage_zalo(
            token=config.zalo_token.get_secret_value(),
            api_url=config.zalo_api_url,
            action=action,
            webhook=None if hook is None else ZaloWebhook(url=hook[0], secret=hook[1]),
        )
        lines.append(said("Zalo", action, url, pending=None))
    return lines
