"""The web app as one more platform of the runtime: uvicorn serving it in the runtime's own
event loop, beside the chat platforms (the pattern of python-telegram-bot's custom webhook
example)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime

import uvicorn
from starlette.types import ASGIApp

from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.ports import Messenger, WebNotices
from handlers.web.context import WebSettings
from handlers.web.messenger import PLATFORM, WebMessenger

# In-flight requests (an upload half sent) are given this long when baocao stops.
GRACEFUL_SECONDS = 5


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the runtime owns SIGINT and SIGTERM and stops
    every platform, this one included, in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


_BIND_REASONS = {
    errno.EADDRNOTAVAIL: "signin-bind-not-here",
    errno.EACCES: "signin-bind-denied",
    errno.EPERM: "signin-bind-denied",
}


class WebPlatform:
    name = PLATFORM

    def __init__(
        self,
        *,
        app: ASGIApp,
        settings: WebSettings,
        notices: WebNotices,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.settings = settings
        self._messenger = WebMessenger(notices, clock)
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def messenger(self) -> Messenger:
        return self._messenger

    async def invite_link(self, code: str) -> str | None:
        return f"{self.settings.base_url}/moi/{code}"

    def _bind(self) -> socket.socket:
        """The listening socket, bound here so that a busy port fails the start in words."""
        host, port = self.settings.host, self.settings.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError as error:
            sock.close()
            if error.errno == errno.EADDRINUSE:
                raise UserError("signin-port-busy", host=host, port=str(port)) from None
            # The operating system's own reason is in English: say the usual ones in words.
            reason = _BIND_REASONS.get(error.errno or 0, "signin-bind-other")
            if isinstance(error, socket.gaierror):
                reason = "signin-bind-unknown-host"
            raise UserError(
                "signin-port-failed", host=host, port=str(port), reason=t(reason)
            ) from None
        return sock

    async def start(self) -> None:
        sock = self._bind()
        config = uvicorn.Config(
            self.app,
            log_config=None,
            lifespan="off",
            access_log=False,  # request lines carry sign-in tokens in their paths
            server_header=False,
            ws="none",
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
        )
        # "Uvicorn running on ...", in English, beside baocao's own lines in words.
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                self._task.result()  # its error, if it failed
                raise UserError(
                    "signin-port-failed",
                    host=self.settings.host,
                    port=str(self.settings.port),
                    reason="-",
                )
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop taking requests; those in flight get a few seconds to finish."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await self._task
        finally:
            self._server, self._task = None, None
