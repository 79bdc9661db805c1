"""(filled in by its part)"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from handlers.web.context import WebDeps


def routes() -> list[BaseRoute]:
    return []


def middleware(deps: WebDeps) -> list[Middleware]:
    return []
