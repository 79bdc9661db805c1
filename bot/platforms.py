"""The adapter interface every chat platform implements, and the platforms the settings enable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from bot.config import Settings
from bot.core.ports import Messenger
from bot.core.usecases import ReportBot


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
    return config.telegram_token is not None


def enabled_platforms(
    config: Settings,
    core: ReportBot,
    *,
    on_token_rejected: Callable[[], None] | None = None,
    poll_timeout: float = 10,
) -> list[Platform]:
    """The platforms the settings enable, built around `core`, not started."""
    platforms: list[Platform] = []
    if config.telegram_token is not None:
        from handlers.telegram.platform import TelegramPlatform

        platforms.append(
            TelegramPlatform(
                token=config.telegram_token.get_secret_value(),
                api_url=config.telegram_api_url,
                core=core,
                username=config.telegram_bot_username,
                polling=config.telegram_polling,
                poll_timeout=poll_timeout,
                rate_limit=config.telegram_rate_limit,
                on_token_rejected=on_token_rejected,
            )
        )
    return platforms


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
    yield None


class WebInviteLinks:
    """Invite links to the web app's invite page, when no chat platform makes links."""

    def __init__(self, config: Settings) -> None:
        self.config = config

    async def invite_link(self, code: str) -> str | None:
        from bot.web import base_url

        return f"{base_url(self.config)}/moi/{code}"
