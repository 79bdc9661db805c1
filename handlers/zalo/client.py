"""A small async client of the Zalo Bot API: one call, its answer checked, its failures named.

Every method is `POST {api_url}/bot{TOKEN}/{method}` with a JSON body, answered with
`{"ok": bool, "result": ..., "error_code": int, "description": str}`. Both the HTTP status and
`ok` are checked: a server may say "no" with either. The published Python clients ignore
`ok: false`, which is why this one exists.

The token is part of every URL, so no error raised here, and nothing logged here, carries the
URL: httpx's own errors are replaced by ones that name only the method.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
DEFAULT_RETRY_AFTER = 5.0  # seconds to wait on a 429 that says not how long
CONNECT_TIMEOUT = 10.0
# A long poll holds the request open for its whole timeout: the read timeout must outlast it.
READ_MARGIN = 15.0

NOTHING_NEW = 408
TOKEN_REJECTED = 401
RATE_LIMITED = 429


class ZaloError(Exception):
    """The API said no (`ok: false` or an HTTP error status) for a reason not named below."""

    def __init__(self, method: str, error_code: int | None, description: str = "") -> None:
        super().__init__(f"{method}: {error_code} {description}".strip())
        self.method = method
        self.error_code = error_code
        self.description = description


class NothingNewError(ZaloError):
    """getUpdates waited its whole timeout and nothing came (code 408): not a failure."""


class TokenRejectedError(ZaloError):
    """The token is invalid, expired or revoked (code 401): nothing will work until it changes."""


class RateLimitedError(ZaloError):
    """Too many calls (code 429): try again after `retry_after` seconds."""

    def __init__(self, method: str, description: str, retry_after: float) -> None:
        super().__init__(method, RATE_LIMITED, description)
        self.retry_after = retry_after


class UnavailableError(ZaloError):
    """The server could not be reached, timed out, or failed (HTTP 5xx): worth retrying."""


def api_host(api_url: str | None) -> str:
    """The API server's host (and port) as the user may be told it."""
    parts = urlsplit(api_url or DEFAULT_API_URL)
    host = parts.hostname or "?"
    try:
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return host


def _retry_after(body: Mapping[str, Any], headers: httpx.Headers) -> float:
    """How long a 429 asks to wait: `parameters.retry_after`, else the Retry-After header
    (seconds or an HTTP date), else a default."""
    parameters = body.get("parameters")
    if isinstance(parameters, Mapping):
        value = parameters.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    header = headers.get("retry-after")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(header)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    return DEFAULT_RETRY_AFTER


class ZaloClient:
    """One keep-alive connection pool to the Bot API, for one bot token."""

    def __init__(
        self,
        *,
        token: str,
        api_url: str | None = None,
        poll_timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(poll_timeout + READ_MARGIN, connect=CONNECT_TIMEOUT),
            transport=transport,
            follow_redirects=False,
        )

    @property
    def host(self) -> str:
        return api_host(self.api_url)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def call(self, method: str, **fields: Any) -> Any:
        """The `result` of `method` called with `fields`; see the module's errors."""
        url = f"{self.api_url}/bot{self._token}/{method}"
        response: httpx.Response | None = None
        failure = ""
        try:
            response = await self._http.post(url, json=fields)
        except httpx.HTTPError as error:
            failure = type(error).__name__
        if response is None:
            # str(error) holds the URL, and so the token: only the kind of failure is kept, and
            # raised outside the handler so that the error is not even its context.
            raise UnavailableError(method, None, failure)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        code = body.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = None
        description = str(body.get("description") or "")[:300].replace(self._token, "***")
        if status == 200 and body.get("ok") is True:
            return body.get("result")
        # The HTTP status when it says more than 200, else the code in the body.
        effective = status if status != 200 else code
        if code in (NOTHING_NEW, TOKEN_REJECTED, RATE_LIMITED):
            effective = code
        if effective == NOTHING_NEW:
            raise NothingNewError(method, NOTHING_NEW, description)
        if effective == TOKEN_REJECTED:
            raise TokenRejectedError(method, TOKEN_REJECTED, description)
        if effective == RATE_LIMITED:
            raise RateLimitedError(method, description, _retry_after(body, response.headers))
        if effective is not None and effective >= 500:
            raise UnavailableError(method, effective, description)
        if status == 200 and body.get("ok") is not False and code is None:
            # A 200 that is no answer of the API (a proxy's page, an empty body).
            raise UnavailableError(method, None, "unreadable answer")
        raise ZaloError(method, effective, description)
