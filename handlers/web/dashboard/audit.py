"""The audit trail: every change an operator or the bot made, newest first, a page at a time,
each said in words where its action is known (and as written otherwise)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.audit_words import actor_words, detail_words
from handlers.web.dashboard.common import worker
from handlers.web.pages import Refused, deps, render

PAGE = 50


@dataclass(frozen=True, slots=True)
class AuditLine:
    when: str
    actor: str
    action: str
    what: str


async def trail(request: Request) -> Response:
    worker(request)
    web = deps(request)
    if web.audit is None:
        raise Refused("dash-audit-unavailable", status=404)
    number = _page_number(request.query_params.get("trang"))
    # A page number typed far past the end must still make a query the database takes (its
    # integers stop at 2**63): the page is then simply not there.
    offset = min((number - 1) * PAGE, LAST_OFFSET)
    entries, total = await web.audit.entries(offset=offset, limit=PAGE)
    pages = max(1, -(-total // PAGE))
    if number > pages:
        raise Refused("dash-audit-no-page", status=404, page=number, pages=pages)
    tz = web.settings.timezone
    lines = [
        AuditLine(
            when=fmt.moment(entry.at, tz),
            actor=actor_words(entry.actor),
            action=entry.action,
            what=detail_words(entry),
        )
        for entry in entries
    ]
    return render(
        request, "dashboard/audit.html", lines=lines, page=number, pages=pages, total=total
    )


LAST_OFFSET = 2**62


def _page_number(typed: str | None) -> int:
    """The page asked for: a whole number from 1, or the first page."""
    try:
        number = int(typed or "1")
    except ValueError:
        return 1
    return number if number >= 1 else 1


def routes() -> list[BaseRoute]:
    return [Route("/van-phong/nhat-ky", trail, name="dashboard-audit")]
