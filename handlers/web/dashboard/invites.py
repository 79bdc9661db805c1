"""Invites, as `baocao invite` and `baocao invites` work them: the list, a new one for a unit
and role with its link and QR code, and revoking one not used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import qrcode
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.office import InviteStatus, InviteView
from bot.core.plan.model import Role
from handlers.web.dashboard.common import actor, field_text, now, plan_units, worker
from handlers.web.pages import deps, form, render

MAX_DAYS = 365  # as `baocao invite --days`


@dataclass(frozen=True, slots=True)
class InviteRow:
    invite: InviteView
    role: str
    status: str
    expires: str


@dataclass(frozen=True, slots=True)
class Created:
    """A new invite, for the page that hands it over."""

    invite: InviteView
    role: str
    expires: str
    link: str | None
    qr: Markup | None  # an inline SVG of the link
    hints: list[str]  # what to do with the code where no link carries it (Zalo)


def qr_svg(link: str) -> Markup:
    """The link as a QR code, an SVG drawn here (no outside service: offices may be offline).
    The markup is the library's own, from our own link: safe to put in the page as it is."""
    image = qrcode.make(link, image_factory=SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(svg.split("?>", 1)[-1])  # without the XML declaration


async def page(
    request: Request,
    *,
    status: int = 200,
    created: Created | None = None,
    notice: str | None = None,
    error: str | None = None,
    chosen_unit: str = "",
    chosen_role: str = Role.HEAD.value,
) -> Response:
    worker(request)
    web = deps(request)
    every = request.query_params.get("tat-ca") == "1"
    tz = web.settings.timezone
    invites = await web.office.list_invites(now=now(request))
    if not every:
        invites = [i for i in invites if i.status is InviteStatus.OPEN]
    rows = [
        InviteRow(
            invite=i,
            role=t(f"role-{i.role.value}"),
            status=t(f"invite-status-{i.status.value}"),
            expires=fmt.moment(i.expires_at, tz),
        )
        for i in reversed(invites)  # newest first
    ]
    units = await plan_units(request)
    return render(
        request,
        "dashboard/invites.html",
        status=status,
        rows=rows,
        every=every,
        units=units,
        roles=[(role.value, t(f"role-{role.value}")) for role in Role],
        days=web.invite_days,
        created=created,
        notice=notice,
        error=error,
        chosen_unit=chosen_unit,
        chosen_role=chosen_role,
    )


async def listing(request: Request) -> Response:
    return await page(request)


async def create(request: Request) -> Response:
    signed_in = worker(request)
    fields = await form(request)
    web = deps(request)
    unit_key = field_text(fields, "unit").lower()
    typed_role = field_text(fields, "role").lower()

    async def again(error: str) -> Response:
        """The page again, with what was chosen kept and what is wrong said."""
        chosen_role = typed_role or Role.HEAD.value
        return await page(
            request, status=400, error=error, chosen_unit=unit_key, chosen_role=chosen_role
        )

    try:
        role = Role(typed_role)
    except ValueError:
        roles = ", ".join(f"{r.value} ({t(f'role-{r.value}')})" for r in Role)
        error = t("cli-error-role", value=typed_role, roles=roles)
        return await again(error)
    days = _days(field_text(fields, "days"), web.invite_days)
    if days is None:
        error = t("dash-invite-days-invalid", max=MAX_DAYS)
        return await again(error)
    if not unit_key:
        return await again(t("dash-invite-choose-unit"))
    try:
        made = await web.office.create_invite(
            unit_key=unit_key,
            role=role,
            ttl=timedelta(days=days),
            now=now(request),
            actor=actor(signed_in),
        )
    except UserError as error:
        return await again(error.message())
    link = await web.invite_link(made.code)
    created = Created(
        invite=made,
        role=t(f"role-{made.role.value}"),
        expires=fmt.moment(made.expires_at, web.settings.timezone),
        link=link,
        qr=qr_svg(link) if link else None,
        hints=await web.invite_hints(made.code),
    )
    return await page(request, created=created)


async def revoke(request: Request) -> Response:
    signed_in = worker(request)
    fields = await form(request)
    web = deps(request)
    code = field_text(fields, "code")
    if not code:
        return await page(request, status=400, error=t("dash-invite-no-code"))
    at = now(request)
    try:
        view, just_now = await web.office.revoke_invite(code=code, now=at, actor=actor(signed_in))
    except UserError as error:
        return await page(request, status=400, error=error.message())
    if not just_now:
        when = fmt.moment(view.revoked_at or at, web.settings.timezone)
        return await page(request, notice=t("cli-invite-revoked-before", code=view.code, when=when))
    notice = t(
        "cli-invite-revoked", code=view.code, unit=view.unit_name, role=t(f"role-{view.role}")
    )
    return await page(request, notice=notice)


def _days(typed: str, default: int) -> int | None:
    """The number of days typed (the default when empty), or None when it is no whole
    number from 1 to MAX_DAYS."""
    if not typed:
        return default
    try:
        days = int(typed)
    except ValueError:
        return None
    return days if 1 <= days <= MAX_DAYS else None


def routes() -> list[BaseRoute]:
    return [
        Route("/van-phong/loi-moi", listing, name="dashboard-invites"),
        Route("/van-phong/loi-moi/tao", create, methods=["POST"], name="dashboard-invite-create"),
        Route("/van-phong/loi-moi/huy", revoke, methods=["POST"], name="dashboard-invite-revoke"),
    ]
