"""The audit trail: every change an operator or the bot made, newest first, a page at a time,
each said in words where its action is known (and as written otherwise)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.ports import AuditEntry
from handlers.web.dashboard.common import worker
from handlers.web.pages import Refused, deps, render

PAGE = 50
# The actions the storage writes, each with the message that says it and the detail fields
# that message takes (missing ones are shown as "?").
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "invite.create": ("dash-audit-invite-create", ("code", "unit", "role")),
    "invite.revoke": ("dash-audit-invite-revoke", ("code", "unit")),
    "invite.redeem": ("dash-audit-invite-redeem", ("code", "unit", "role", "contact_id")),
    "contact.remove": ("dash-audit-contact-remove", ("contact_id", "unit")),
    "contact.move": ("dash-audit-contact-move", ("contact_id", "from", "to")),
    "plan.apply": ("dash-audit-plan-apply", ("path",)),
    "office_group.bind": ("dash-audit-office-group", ("platform", "title")),
}
ROLES = {"head", "office", "leader"}


@dataclass(frozen=True, slots=True)
class AuditLine:
    when: str
    actor: str
    action: str
    what: str


def actor_words(actor: str) -> str:
    """Who made a change, in words: the CLI, the start-up plan, someone on the web, or a chat
    account as written."""
    kind, _, name = actor.partition(":")
    if actor == "cli":
        return t("dash-audit-actor-cli")
    if actor == "start":
        return t("dash-audit-actor-start")
    if kind == "web" and name:
        return t("dash-audit-actor-web", name=name)
    if kind == "contact" and name:
        return t("dash-audit-actor-contact", contact=name)
    return actor


def detail_words(entry: AuditEntry) -> str:
    known = ACTIONS.get(entry.action)
    if known is None:
        return json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True, default=str)
    key, fields = known
    args = {name.replace("_id", ""): _value(entry.detail, name) for name in fields}
    if "role" in args and args["role"] in ROLES:
        args["role"] = t(f"role-{args['role']}")
    if entry.action == "plan.apply" and entry.detail.get("archive"):
        return t(key, **args) + " " + t("dash-audit-plan-archived")
    return t(key, **args)


def _value(detail: Mapping[str, object], name: str) -> str:
    value = detail.get(name)
    return "?" if value is None or value == "" else str(value)


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
