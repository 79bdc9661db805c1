"""Zalo's settings: what is accepted, what is said in words, and what they turn on."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from bot.app import secrets_of
from bot.config import ZALO_API_URL, Settings
from bot.core.errors import UserError
from bot.platforms import configured, has_chat, outbound_messenger, zalo_webhook_url

TOKEN = "1234567890:AbCdEf-gh_IJ"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_a_zalo_token_alone_is_a_chat_platform() -> None:
    config = settings(zalo_token=TOKEN)
    assert has_chat(config) and configured(config)
    assert config.zalo_api_url == ZALO_API_URL
    assert not has_chat(settings(zalo_token="  "))


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("zalo_token", "abc def ghi jkl", "baocao_zalo_token"),
        ("zalo_token", '"1234567890:abc"', "baocao_zalo_token"),
        ("zalo_webhook_secret", "short", "baocao_zalo_webhook_secret"),
        ("zalo_webhook_secret", "có-dấu-tiếng-việt", "baocao_zalo_webhook_secret"),
        ("zalo_webhook_secret", "x" * 257, "baocao_zalo_webhook_secret"),
        ("zalo_api_url", "bot-api.zaloplatforms.com", "baocao_zalo_api_url"),
        ("zalo_bot_link", "zalo.me/123", "baocao_zalo_bot_link"),
    ],
)
def test_a_wrong_value_is_named_by_its_own_error(name: str, value: str, kind: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(**{name: value})
    assert raised.value.errors()[0]["type"] == kind


def test_good_values_are_kept() -> None:
    config = settings(
        zalo_token=TOKEN,
        zalo_webhook_secret="Abc_123-xyz",
        zalo_api_url="http://127.0.0.1:9000/",
        zalo_bot_link="https://zalo.me/123",
    )
    assert config.zalo_api_url == "http://127.0.0.1:9000"
    assert config.zalo_webhook_secret is not None
    assert set(secrets_of(config)) == {TOKEN, "Abc_123-xyz"}
    assert settings(zalo_api_url="").zalo_api_url == ZALO_API_URL


def test_a_webhook_needs_the_web_app_and_an_https_address() -> None:
    with pytest.raises(UserError) as raised:
        zalo_webhook_url(settings(web=False))
    assert raised.value.key == "zalo-webhook-needs-web"
    with pytest.raises(UserError) as raised:
        zalo_webhook_url(settings(web=True, public_url="http://baocao.so.gov.vn"))
    assert raised.value.key == "zalo-webhook-needs-https"
    assert (
        zalo_webhook_url(settings(web=True, public_url="https://baocao.so.gov.vn"))
        == "https://baocao.so.gov.vn/zalo/webhook"
    )
    # Both ends on this machine (a local test server of the Bot API): http will do.
    local = settings(web=True, web_port=8765, zalo_api_url="http://127.0.0.1:9000")
    assert zalo_webhook_url(local) == "http://127.0.0.1:8765/zalo/webhook"
    # Zalo's own servers cannot post to this machine's 127.0.0.1: no public address was set.
    with pytest.raises(UserError) as raised:
        zalo_webhook_url(settings(web=True, web_port=8765))
    assert raised.value.key == "zalo-webhook-needs-https"


def test_a_notice_to_a_zalo_contact_goes_through_zalo_only_when_configured() -> None:
    async def opened(config: Settings, platform: str) -> str | None:
        async with outbound_messenger(config, platform) as messenger:
            return None if messenger is None else messenger.platform

    assert asyncio.run(opened(settings(), "zalo")) is None
    assert asyncio.run(opened(settings(zalo_token=TOKEN), "zalo")) == "zalo"
    assert asyncio.run(opened(settings(zalo_token=TOKEN), "telegram")) is None
