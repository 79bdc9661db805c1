"""The Zalo client reads both the HTTP status and `ok`, names each failure, and never shows
the token."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from handlers.zalo.client import (
    DEFAULT_RETRY_AFTER,
    NothingNewError,
    RateLimitedError,
    TokenRejectedError,
    UnavailableError,
    ZaloClient,
    ZaloError,
)

TOKEN = "1234567890:SeCrEtToKeN_abc"


def client(handler: Callable[[httpx.Request], httpx.Response]) -> ZaloClient:
    return ZaloClient(
        token=TOKEN, api_url="https://zalo.test", transport=httpx.MockTransport(handler)
    )


async def test_a_call_posts_json_to_the_method_under_the_token_and_returns_the_result() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "m1"}})

    async with client(handler) as zalo:
        result = await zalo.call("sendMessage", chat_id="c1", text="xin chào")
    assert result == {"message_id": "m1"}
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://zalo.test/bot{TOKEN}/sendMessage"
    assert json.loads(request.content) == {"chat_id": "c1", "text": "xin chào"}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"ok": False, "error_code": 408, "description": "Request timeout"}, NothingNewError),
        (408, {"ok": False, "error_code": 408}, NothingNewError),
        (408, {}, NothingNewError),
        (200, {"ok": False, "error_code": 401, "description": "Unauthorized"}, TokenRejectedError),
        (401, {"ok": False}, TokenRejectedError),
        (502, {}, UnavailableError),
        (200, {"ok": False, "error_code": 500}, UnavailableError),
        (200, {}, UnavailableError),
        (200, {"ok": False, "error_code": 400, "description": "bad"}, ZaloError),
        (403, {"ok": False, "error_code": 403, "description": "blocked"}, ZaloError),
    ],
)
async def test_each_failure_has_its_kind(
    status: int, body: dict[str, object], expected: type[Exception]
) -> None:
    async with client(lambda request: httpx.Response(status, json=body)) as zalo:
        with pytest.raises(expected) as raised:
            await zalo.call("getUpdates", timeout=30)
    assert type(raised.value) is expected


async def test_ok_false_with_status_200_is_a_refusal_with_its_code() -> None:
    body = {"ok": False, "error_code": 403, "description": "User blocked the bot"}
    async with client(lambda request: httpx.Response(200, json=body)) as zalo:
        with pytest.raises(ZaloError) as raised:
            await zalo.call("sendMessage", chat_id="c", text="x")
    assert raised.value.error_code == 403
    assert "blocked" in raised.value.description


@pytest.mark.parametrize(
    ("body", "headers", "wait"),
    [
        ({"ok": False, "error_code": 429, "parameters": {"retry_after": 7}}, {}, 7.0),
        ({"ok": False, "error_code": 429}, {"Retry-After": "3"}, 3.0),
        ({"ok": False, "error_code": 429}, {}, DEFAULT_RETRY_AFTER),
        ({"ok": False, "error_code": 429, "parameters": {"retry_after": "x"}}, {}, 5.0),
    ],
)
async def test_a_rate_limit_says_how_long_to_wait(
    body: dict[str, object], headers: dict[str, str], wait: float
) -> None:
    async with client(lambda request: httpx.Response(429, json=body, headers=headers)) as zalo:
        with pytest.raises(RateLimitedError) as raised:
            await zalo.call("sendMessage", chat_id="c", text="x")
    assert raised.value.retry_after == wait


async def test_a_network_error_never_carries_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    async with client(handler) as zalo:
        with pytest.raises(UnavailableError) as raised:
            await zalo.call("getMe")
    text = f"{raised.value} {raised.value!r} {raised.value.__cause__} {raised.value.__context__}"
    assert TOKEN not in text
    assert raised.value.__cause__ is None and raised.value.__context__ is None


async def test_a_description_echoing_the_token_is_cut() -> None:
    body = {"ok": False, "error_code": 400, "description": f"bad token {TOKEN}"}
    async with client(lambda request: httpx.Response(400, json=body)) as zalo:
        with pytest.raises(ZaloError) as raised:
            await zalo.call("getMe")
    assert TOKEN not in str(raised.value)
