"""The web app: routes of each part, static assets, and the middleware every response passes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from handlers.web import dashboard, guide, ops, portal, signin
from handlers.web.context import WebDeps
from handlers.web.ops import CountRequests, FrontRoutes, Ops
from handlers.web.pages import Refused, problem

STATIC = Path(__file__).with_name("static")


def build_app(
    deps: WebDeps, *, routes: Sequence[BaseRoute] = (), operations: Ops | None = None
) -> Starlette:
    """The app over `deps`, with `routes` other platforms add (a webhook, files they fetch);
    `signin` adds the session, CSRF and security-header middleware. With `operations`,
    /healthz and /metrics are served ahead of that middleware, and every request is counted."""
    served: list[BaseRoute] = [
        *routes,
        *signin.routes(),
        *portal.routes(),
        *dashboard.routes(),
        *guide.routes(),
        Mount("/tinh", app=StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = signin.middleware(deps)
    if operations is not None:
        front = [Middleware(FrontRoutes, routes=ops.routes(operations))]
        if operations.on_request is not None:
            front.insert(0, Middleware(CountRequests, observe=operations.on_request))
        middleware = [*front, *middleware]
    app = Starlette(
        routes=served,
        middleware=middleware,
        exception_handlers={Refused: refused, HTTPException: http_error},
    )
    app.state.deps = deps
    return app


async def refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return problem(request, error.key, status=error.status, **error.args_)


# Starlette's own refusals (no such page, a method a page does not take, a body too large
# for it) come in English: each gets the plain page in words, with its status kept.
HTTP_ERRORS = {404: "web-not-found", 405: "web-method-not-allowed", 413: "web-too-large"}


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    key = HTTP_ERRORS.get(error.status_code, "web-request-refused")
    response = problem(request, key, status=error.status_code)
    if error.headers:
        response.headers.update(error.headers)
    return response
