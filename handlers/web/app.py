"""The web app: routes of each part, static assets, and the middleware every response passes."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from handlers.web import dashboard, guide, portal, signin
from handlers.web.context import WebDeps
from handlers.web.pages import Refused, problem

STATIC = Path(__file__).with_name("static")


def build_app(deps: WebDeps) -> Starlette:
    """The app over `deps`; `signin` adds the session, CSRF and security-header middleware."""
    routes: list[BaseRoute] = [
        *signin.routes(),
        *portal.routes(),
        *dashboard.routes(),
        *guide.routes(),
        Mount("/tinh", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=signin.middleware(deps),
        exception_handlers={Refused: refused},
    )
    app.state.deps = deps
    return app


async def refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return problem(request, error.key, status=error.status, **error.args_)
