"""The web app from chat: /web sends the person a one-time sign-in link of their own, and a file
too big for the chat comes with one, to hand it in on the portal instead."""

from __future__ import annotations

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.model import Contact
from bot.core.plan.model import Role
from bot.core.usecases.context import Context, Request


async def sign_in_link(ctx: Context, request: Request) -> None:
    """A link for the asking contact in their role (an admin without a contact signs in as
    office staff). Only in a private chat: anyone in a group could open it."""
    line = await link_line(ctx, request, request.contact, key="web-link")
    await request.out.send(request.chat, line)


async def link_line(ctx: Context, request: Request, contact: Contact | None, *, key: str) -> str:
    """Message `key` with a fresh sign-in link and until when it works, or why there is none."""
    if ctx.web is None:
        return t("web-link-off")
    if contact is None:
        issued = await ctx.web.issue(
            role=Role.OFFICE,
            display_name=request.incoming.sender.display_name,
            created_by=f"{request.platform}:{request.user_id}",
        )
    else:
        issued = await ctx.web.issue(
            role=contact.role,
            display_name=contact.display_name,
            contact=contact,
            created_by=f"contact:{contact.id}",
        )
    until = fmt.moment(issued.expires_at, ctx.settings.timezone)
    return t(key, link=issued.url, until=until)
