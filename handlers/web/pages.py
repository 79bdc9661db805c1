"""Server-rendered pages: one Jinja2 environment, every word from the catalog."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.plan.model import Role
from handlers.web.context import WebDeps, WebUser


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("handlers.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.globals["t"] = t
    env.filters["megabytes"] = fmt.megabytes
    return env


TEMPLATES = _environment()


def deps(request: Request) -> WebDeps:
    value = request.app.state.deps
    assert isinstance(value, WebDeps)
    return value


def user(request: Request) -> WebUser | None:
    """Who is signed in on this request, as the session middleware found it."""
    value = request.scope.get("baocao.user")
    return value if isinstance(value, WebUser) else None


def moment(request: Request, value: datetime) -> str:
    """A moment in the Office's time zone, dd/mm/yyyy HH:MM."""
    return fmt.moment(value, deps(request).settings.timezone)


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` with `context`, the signed-in user and their CSRF token."""
    signed_in = user(request)
    page = TEMPLATES.get_template(template).render(
        request=request,
        user=signed_in,
        csrf=signed_in.csrf if signed_in else context.pop("csrf", ""),
        moment=lambda value: moment(request, value),
        **context,
    )
    return HTMLResponse(page, status_code=status)


def problem(request: Request, key: str, *, status: int, **args: Any) -> HTMLResponse:
    """A plain page that says, in words from the catalog, what went wrong and what to do."""
    return render(request, "problem.html", status=status, message=t(key, **args))


class Refused(Exception):
    """A request that may not go on: the app answers with the page of `key` and `status`."""

    def __init__(self, key: str, *, status: int, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.args_ = args


def require(request: Request, *roles: Role) -> WebUser:
    """The signed-in user, if their role is one of `roles` (any role when none is given).

    Nobody signed in: 401 with how to get a sign-in link; another role: 403.
    """
    signed_in = user(request)
    if signed_in is None:
        raise Refused("web-sign-in-needed", status=401)
    if roles and signed_in.role not in roles:
        raise Refused("web-forbidden", status=403)
    return signed_in


def csrf_ok(request: Request, token: str | None) -> bool:
    """Whether `token` is the signed-in session's CSRF token."""
    signed_in = user(request)
    if signed_in is None or not token:
        return False
    return hmac.compare_digest(signed_in.csrf.encode(), token.encode())


async def form(request: Request) -> FormData:
    """A small form's fields, once its CSRF token is checked (field `csrf`, or the header
    X-CSRF-Token). Streamed uploads check `csrf_ok` themselves before reading the body."""
    fields = await request.form()
    token = fields.get("csrf")
    if not isinstance(token, str):
        token = request.headers.get("x-csrf-token")
    if not csrf_ok(request, token):
        raise Refused("web-csrf", status=403)
    return fields
