"""The platforms the settings enable: what runs, what sends a notice, what makes invite links."""

from __future__ import annotations

import asyncio

from bot.config import Settings
from bot.platforms import configured, invite_links, outbound_messenger


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_no_platform_is_configured_without_a_token() -> None:
    assert not configured(settings())
    assert configured(settings(telegram_token="123:abc"))


def test_a_notice_goes_only_to_a_platform_the_settings_enable() -> None:
    async def opened(config: Settings, platform: str) -> bool:
        async with outbound_messenger(config, platform) as messenger:
            return messenger is not None

    assert not asyncio.run(opened(settings(), "telegram"))
    # A contact of another platform is never sent to through Telegram.
    assert not asyncio.run(opened(settings(telegram_token="123:abc"), "zalo"))


def test_an_invite_link_needs_the_bot_username_or_a_token() -> None:
    assert invite_links(settings()) is None
    links = invite_links(settings(telegram_bot_username="@baocao_so_bot"))
    assert links is not None
    link = asyncio.run(links.invite_link("AbC-123"))
    assert link == "https://t.me/baocao_so_bot?start=AbC-123"


def test_settling_memory_freezes_what_start_made_and_collects_in_bigger_batches() -> None:
    import gc

    from bot.app import settle_memory

    before = gc.get_threshold()
    try:
        settle_memory()
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
