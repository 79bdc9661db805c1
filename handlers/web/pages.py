"""Server-rendered pages: one Jinja2 environment, every word from the catalog."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core import formatting as fmt
from bot.core.i18n import t
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
    env.filters["day"] = fmt.day
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
        today=date.today,
        **context,
    )
    return HTMLResponse(page, status_code=status)


def problem(request: Request, key: str, *, status: int, **args: Any) -> HTMLResponse:
    """A plain page that says, in words from the catalog, what went wrong and what to do."""
    return render(request, "problem.html", status=status, message=t(key, **args))
