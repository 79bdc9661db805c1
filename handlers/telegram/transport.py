"""The HTTP client under python-telegram-bot: aiohttp, plugged in through PTB's `BaseRequest`.

PTB's own client (httpx) spends about as much CPU on one Bot API call as PTB itself does on
building the request and reading the answer: measured on the same messages to the same local
Bot API, a send through PTB cost 1.8 ms on httpx and 0.9 ms on aiohttp (a bare httpx request
1.3 ms). A fan-out of reminders, or two hundred people sending reports at once, is made of such
calls, so the bot talks to Telegram through aiohttp; everything above the HTTP layer (the rate
limiter, retries, errors) is PTB's, unchanged.

Behaviour kept from PTB's client: timeouts (connect, read, waiting for a free connection),
a proxy from the environment (HTTPS_PROXY, NO_PROXY), uploads as multipart forms, and its
errors: a timeout is `TimedOut`, any other failure to talk to Telegram is `NetworkError`.
Bot API URLs carry the bot token in their path, and aiohttp's errors print the URL: the
`NetworkError` raised here says what failed without it, and does not chain aiohttp's error
(a traceback would print the chained error's text, URL included).
aiohttp has no write timeout of its own: a request that uploads a file gets an overall limit
(its write timeout plus its read timeout) instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DefaultValue = type(BaseRequest.DEFAULT_NONE)  # what PTB passes for "not set for this call"
_REJECTED = frozenset({401, 404})  # the answers PTB turns into InvalidToken


# What a bot token looks like (digits, a colon, then letters): a last guard for a form of the
# URL that the replacements in `without_secret` did not foresee.
_TOKEN_SHAPED = re.compile(r"\d{3,}(?::|%3[aA])[A-Za-z0-9_-]{8,}")


def without_secret(text: str, url: str) -> str:
    """`text` with `url`'s path (and so the token in it) replaced by its last part: the Bot API
    method or file name is worth keeping, the rest is the secret."""
    path = urlsplit(url).path if "://" in url else url
    if path:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        hidden = f"/…/{last}" if last and last != path.strip("/") else "/…"
        for form in sorted(
            {path, unquote(path), quote(path, safe="/:@"), quote(path, safe="/")},
            key=len,
            reverse=True,
        ):
            text = text.replace(form, hidden)
    return _TOKEN_SHAPED.sub("…", text)


def _given(value: Any, default: float | None) -> float | None:
    """A timeout passed for this call, or the client's own where PTB passed none."""
    return default if isinstance(value, _DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` on an aiohttp session (created in `initialize`, closed in
    `shutdown`), with the same constructor arguments as PTB's `HTTPXRequest` that we use."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        on_rejected: Callable[[], None] | None = None,
    ) -> None:
        """`on_rejected` is called when the Bot API refuses the token (HTTP 401 or 404, which
        python-telegram-bot turns into `InvalidToken`): for getUpdates, that is a token revoked
        while the bot runs, after which the library stops polling for good."""
        self._on_rejected = on_rejected
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size)
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        files = request_data.multipart_data if request_data else None
        body: Any = request_data.json_parameters if request_data else None
        total = None
        if files:
            # File names as UTF-8, as python-telegram-bot's own HTTP client sends them: quoted
            # (aiohttp's default), a Vietnamese name would reach people as "T%C3%ACnh...".
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (body or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
            write = _given(write_timeout, self._media_write_timeout)
            if write is not None and read is not None:
                total = write + read + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(
            total=total,
            # aiohttp's "connect" covers waiting for a free connection and opening a new one.
            connect=None if pool is None and connect is None else (pool or 0) + (connect or 0),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=body, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                if self._on_rejected is not None and response.status in _REJECTED:
                    self._on_rejected()
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are asyncio's (TimeoutError)
            raise TimedOut from error
        except aiohttp.ClientError as error:
            text = without_secret(str(error), url)
            raise NetworkError(f"aiohttp.{type(error).__name__}: {text}") from None

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for `url`'s host (HTTPS_PROXY, NO_PROXY...), read
        once per host: aiohttp's own `trust_env` reads it again on every request (~0.8 ms)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = getproxies().get(key[0])
            self._proxies[key] = None if proxy is None or proxy_bypass(key[1]) else proxy
        return self._proxies[key]
