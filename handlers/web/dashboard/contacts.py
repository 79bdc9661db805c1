"""Contacts, as `baocao contacts` and `baocao contact move|remove|reach` work them: the list,
with one person's accounts on several platforms shown together; moving one to another unit;
taking one off after a confirmation; choosing which of a person's accounts reminders reach.
The person is told of a move or a removal, as from the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.model import Contact
from bot.core.office import ContactView, role_fits
from bot.core.texts import platform_name
from handlers.web.dashboard.common import actor, field_text, now, plan_units, worker
from handlers.web.pages import Refused, deps, form, render


@dataclass(frozen=True, slots=True)
class ContactRow:
    contact: ContactView
    person: str
    role: str
    state: str
    since: str
    # The same person's other active accounts ("also #N on Zalo", in words), and, when there are
    # any, whether this account is the one reminders reach.
    also: tuple[str, ...] = ()
    reaches: bool = False
    # Every active account of the person, this one included: (platform, its name in words).
    platforms: tuple[tuple[str, str], ...] = ()


def row(contact: ContactView, tz: ZoneInfo, everyone: Sequence[ContactView] = ()) -> ContactRow:
    accounts = linked(contact, everyone)
    others = [account for account in accounts if account.id != contact.id]
    return ContactRow(
        contact=contact,
        person=contact.display_name + (f" (@{contact.username})" if contact.username else ""),
        role=t(f"role-{contact.role.value}"),
        state=t("contact-active" if contact.active else "contact-removed"),
        since=fmt.moment(contact.created_at, tz),
        also=tuple(
            t("dash-contact-also", id=str(other.id), platform=platform_name(other.platform))
            for other in others
        ),
        reaches=bool(others) and contact.active and contact.reaches,
        platforms=tuple((account.platform, platform_name(account.platform)) for account in accounts)
        if others
        else (),
    )


def linked(contact: ContactView, everyone: Sequence[ContactView]) -> list[ContactView]:
    """The person's active accounts, `contact`'s own included, oldest first; none when the
    contact is inactive or has no other account."""
    if contact.person_id is None or not contact.active:
        return []
    return sorted(
        (c for c in everyone if c.person_id == contact.person_id and c.active),
        key=lambda c: c.id,
    )


async def listing(
    request: Request, *, status: int = 200, notice: list[str] | None = None
) -> Response:
    worker(request)
    web = deps(request)
    every = request.query_params.get("tat-ca") == "1"
    everyone = await web.office.list_contacts()
    contacts = everyone if every else [c for c in everyone if c.active]
    tz = web.settings.timezone
    return render(
        request,
        "dashboard/contacts.html",
        status=status,
        rows=[row(c, tz, everyone) for c in contacts],
        every=every,
        notice=notice or [],
    )


async def find(request: Request) -> ContactView:
    contact, _ = await find_among(request)
    return contact


async def find_among(request: Request) -> tuple[ContactView, list[ContactView]]:
    """The contact the path names, and every contact (to find their other accounts)."""
    wanted = request.path_params["contact_id"]
    everyone = await deps(request).office.list_contacts()
    for contact in everyone:
        if contact.id == wanted:
            return contact, everyone
    raise Refused("storage-unknown-contact", status=404, contact=wanted)


async def contact_page(
    request: Request, *, status: int = 200, error: str | None = None
) -> Response:
    worker(request)
    contact, everyone = await find_among(request)
    units = [
        unit
        for unit in await plan_units(request)
        if role_fits(contact.role, unit.type) and unit.key != contact.unit_key
    ]
    return render(
        request,
        "dashboard/contact.html",
        status=status,
        row=row(contact, deps(request).settings.timezone, everyone),
        current=next(
            (platform_name(a.platform) for a in linked(contact, everyone) if a.reaches), None
        ),
        units=units,
        error=error,
    )


async def show(request: Request) -> Response:
    return await contact_page(request)


async def move(request: Request) -> Response:
    signed_in = worker(request)
    fields = await form(request)
    contact = await find(request)
    unit_key = field_text(fields, "unit").lower()
    if not unit_key:
        return await contact_page(request, status=400, error=t("dash-contact-choose-unit"))
    try:
        moved, told, ended = await deps(request).office.move_contact(
            contact_id=contact.id, unit_key=unit_key, now=now(request), actor=actor(signed_in)
        )
    except UserError as error:
        return await contact_page(request, status=400, error=error.message())
    said = t("cli-contact-moved", name=moved.display_name, unit=moved.unit_name)
    return await listing(request, notice=outcome(said, told, ended))


async def remove(request: Request) -> Response:
    """Without the confirmation field, the page that asks; with it, the removal."""
    signed_in = worker(request)
    fields = await form(request)
    contact = await find(request)
    if field_text(fields, "xac-nhan") != "1":
        return render(request, "dashboard/contact_remove.html", row=row(contact, _tz(request)))
    try:
        removed, told, ended = await deps(request).office.remove_contact(
            contact_id=contact.id, now=now(request), actor=actor(signed_in)
        )
    except UserError as error:
        return await contact_page(request, status=400, error=error.message())
    return await listing(request, notice=outcome(_removed(removed), told, ended))


async def reach(request: Request) -> Response:
    """Have reminders and summaries reach the contact's person on the platform chosen, as
    `baocao contact reach` does; the change is audited with the web user's name."""
    signed_in = worker(request)
    fields = await form(request)
    contact, everyone = await find_among(request)
    platform = field_text(fields, "platform").lower()
    if platform not in {account.platform for account in linked(contact, everyone)}:
        return await contact_page(request, status=400, error=t("dash-contact-reach-choose"))
    try:
        reached = await deps(request).office.reach_on(
            contact_id=contact.id, platform=platform, now=now(request), actor=actor(signed_in)
        )
    except UserError as error:
        return await contact_page(request, status=400, error=error.message())
    said = t(
        "cli-contact-reached",
        name=reached.display_name,
        platform=platform_name(reached.platform),
    )
    return await listing(request, notice=[said])


def _removed(contact: Contact) -> str:
    return t("cli-contact-removed", name=contact.display_name, unit=contact.unit_name)


def outcome(said: str, told: bool, ended: int) -> list[str]:
    """What was done, the steps it ended, and whether the person was told."""
    lines = [said]
    if ended:
        lines.append(t("cli-contact-steps-ended"))
    lines.append(t("dash-contact-told" if told else "dash-contact-not-told"))
    return lines


def _tz(request: Request) -> ZoneInfo:
    return deps(request).settings.timezone


def routes() -> list[BaseRoute]:
    one = "/van-phong/dau-moi/{contact_id:int}"
    return [
        Route("/van-phong/dau-moi", listing, name="dashboard-contacts"),
        Route(one, show, name="dashboard-contact"),
        Route(one + "/chuyen", move, methods=["POST"], name="dashboard-contact-move"),
        Route(one + "/go", remove, methods=["POST"], name="dashboard-contact-remove"),
        Route(one + "/nhac-qua", reach, methods=["POST"], name="dashboard-contact-reach"),
    ]
