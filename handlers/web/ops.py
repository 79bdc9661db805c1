"""What operators and their machines ask the web app: `/healthz` for the load balancer,
`/metrics` for monitoring, and a count of every request by route template.

These routes are served in front of the sign-in middleware: a load balancer probing every
few seconds must not cost a session lookup, and neither carries a cookie nor a form. The
checks and the exposition are the composition root's (`bot.ops`); this module only speaks
HTTP, so that the web adapter knows neither the database nor the metrics library.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
# The label of a request no route matched: raw paths would make one series per typo or
# probe (and paths carry tokens).
UNMATCHED = "(none)"

# Each part's check: True when it answers. Names are what the body reports ("database").
HealthChecks = Callable[[], Awaitable[Mapping[str, bool]]]
# The exposition: its bytes and their content type.
Exposition = Callable[[], Awaitable[tuple[bytes, str]]]
# Told of every request once answered: route template, method, status.
RequestObserver = Callable[[str, str, int], None]


@dataclass(frozen=True, slots=True)
class Ops:
    """What the composition root gives the web app for operators.

    `metrics_token`: when set, /metrics wants `Authorization: Bearer <token>` from anywhere;
    when unset, /metrics answers only a client on this machine (loopback) whose request did
    not come through a proxy (no X-Forwarded-For), so that nginx never exposes it.
    """

    health: HealthChecks
    metrics: Exposition | None = None
    metrics_token: str | None = None
    on_request: RequestObserver | None = None


def routes(ops: Ops) -> list[BaseRoute]:
    """The operators' routes, served ahead of the sign-in middleware (see `FrontRoutes`)."""

    async def healthz(request: Request) -> Response:
        results = await ops.health()
        healthy = all(results.values())
        body = {"status": "ok" if healthy else "fail", **_parts(results)}
        return Response(
            json.dumps(body, separators=(",", ":")) + "\n",
            status_code=200 if healthy else 503,
            media_type="application/json",
            headers={"cache-control": "no-store"},
        )

    async def metrics(request: Request) -> Response:
        if ops.metrics is None:
            return PlainTextResponse("not found\n", status_code=404)
        if not metrics_allowed(request.scope, ops.metrics_token):
            # 404 rather than 403: nothing tells a stranger that anything is there.
            return PlainTextResponse("not found\n", status_code=404)
        body, content_type = await ops.metrics()
        return Response(body, media_type=content_type, headers={"cache-control": "no-store"})

    return [
        Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"]),
        Route(METRICS_PATH, metrics, methods=["GET"]),
    ]


def _parts(results: Mapping[str, bool]) -> dict[str, str]:
    return {name: "ok" if fine else "fail" for name, fine in results.items()}


def metrics_allowed(scope: Scope, token: str | None) -> bool:
    """Whether this request may read /metrics (see `Ops`)."""
    headers = {name.lower(): value for name, value in scope.get("headers", ())}
    if token:
        given = headers.get(b"authorization", b"")
        scheme, _, credential = given.partition(b" ")
        if scheme.lower() != b"bearer":
            return False
        return hmac.compare_digest(credential.strip(), token.encode("utf-8"))
    if b"x-forwarded-for" in headers or b"forwarded" in headers:
        return False
    client = scope.get("client")
    if not client:
        return False
    try:
        return ip_address(client[0]).is_loopback
    except ValueError:
        return False


class FrontRoutes:
    """Serve `routes` before the middleware behind it (sessions, CSRF pages, security
    headers): a request for one of them never reaches that middleware."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = list(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child)
                    scope["route"] = route
                    await route.handle(scope, receive, send)
                    return
                if match is Match.PARTIAL:  # the path, another method
                    scope["route"] = route
                    refused = PlainTextResponse("method not allowed\n", status_code=405)
                    await refused(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class CountRequests:
    """Tell `observe` of every HTTP request once answered: the template of the route that
    took it (`/dang-nhap/{token}`, never the path with its token), the method and status."""

    def __init__(self, app: ASGIApp, observe: RequestObserver) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the server answers when the app raises before answering

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            self.observe(route_template(scope), method_label(scope), status)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(scope: Scope) -> str:
    """The method, or "OTHER" for one no client of ours sends (labels stay a short list)."""
    method = str(scope.get("method", "")).upper()
    return method if method in METHODS else "OTHER"


def route_template(scope: Scope) -> str:
    """The path template of the route that took the request, or UNMATCHED."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED
