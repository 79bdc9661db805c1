"""`baocao webhook set|delete|info` against the strict fake Telegram and Zalo Bot APIs."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from cli_support import run

sys.path.append(str(Path(__file__).resolve().parents[1]))
from fakes.telegram_api import FakeTelegram, find_api_json
from fakes.zalo_api import FakeZalo

TELEGRAM_SECRET = "cli_Telegram-secret_123"
ZALO_SECRET = "cli_Zalo-secret_12345"


@pytest.fixture
async def fakes(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeTelegram, FakeZalo]:
    if find_api_json() is None:
        pytest.skip("the Bot API reference is missing")
    telegram = await FakeTelegram().start()
    zalo = await FakeZalo().start()
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", telegram.token)
    monkeypatch.setenv("BAOCAO_TELEGRAM_API_URL", telegram.base_url)
    monkeypatch.setenv("BAOCAO_ZALO_TOKEN", zalo.token)
    monkeypatch.setenv("BAOCAO_ZALO_API_URL", zalo.api_url)
    monkeypatch.setenv("BAOCAO_WEB", "true")
    monkeypatch.setenv("BAOCAO_PUBLIC_URL", "http://127.0.0.1:8080")
    try:
        yield telegram, zalo  # type: ignore[misc]
    finally:
        await telegram.stop()
        await zalo.stop()


async def test_set_info_and_delete_on_both_platforms_without_printing_secrets(
    fakes: tuple[FakeTelegram, FakeZalo],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    telegram, zalo = fakes
    # Without the secrets, set says which one is missing.
    code, out, err = await asyncio.to_thread(run, capsys, "webhook", "set")
    assert code == 2
    assert "BAOCAO_TELEGRAM_WEBHOOK_SECRET" in err
    assert telegram.webhook_url == ""

    monkeypatch.setenv("BAOCAO_TELEGRAM_WEBHOOK_SECRET", TELEGRAM_SECRET)
    monkeypatch.setenv("BAOCAO_ZALO_WEBHOOK_SECRET", ZALO_SECRET)
    code, out, err = await asyncio.to_thread(run, capsys, "webhook", "set")
    assert code == 0, err
    assert "Telegram: đã đặt webhook http://127.0.0.1:8080/telegram/webhook." in out
    assert "Zalo: đã đặt webhook http://127.0.0.1:8080/zalo/webhook." in out
    assert (telegram.webhook_url, telegram.webhook_secret) == (
        "http://127.0.0.1:8080/telegram/webhook",
        TELEGRAM_SECRET,
    )
    assert zalo.webhook_secret == ZALO_SECRET

    code, out, err = await asyncio.to_thread(run, capsys, "webhook", "info")
    assert code == 0, err
    assert "Telegram: webhook http://127.0.0.1:8080/telegram/webhook, 0 tin đang chờ" in out
    assert "Zalo: webhook http://127.0.0.1:8080/zalo/webhook." in out

    code, out, err = await asyncio.to_thread(run, capsys, "webhook", "delete")
    assert code == 0, err
    assert "Telegram: đã xoá webhook" in out and "Zalo: đã xoá webhook" in out
    assert telegram.webhook_url == "" and zalo.webhook_url == ""
    code, out, _ = await asyncio.to_thread(run, capsys, "webhook", "info")
    assert "Telegram: không dùng webhook" in out and "Zalo: không dùng webhook" in out

    for secret in (TELEGRAM_SECRET, ZALO_SECRET, telegram.token, zalo.token):
        assert secret not in out + err
    telegram.assert_clean()


async def test_a_plain_http_public_address_is_refused_for_telegram(
    fakes: tuple[FakeTelegram, FakeZalo],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    telegram, _ = fakes
    monkeypatch.delenv("BAOCAO_ZALO_TOKEN")
    monkeypatch.setenv("BAOCAO_TELEGRAM_WEBHOOK_SECRET", TELEGRAM_SECRET)
    monkeypatch.setenv("BAOCAO_PUBLIC_URL", "http://baocao.so.gov.vn")
    code, _, err = await asyncio.to_thread(run, capsys, "webhook", "set")
    assert code == 2
    assert "https://" in err
    assert telegram.webhook_url == ""


def test_without_a_chat_platform_it_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "webhook", "info")
    assert code == 2
    assert "BAOCAO_TELEGRAM_TOKEN" in err
