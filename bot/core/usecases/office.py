"""The Office's own actions in chat: binding its group, where summaries and files are posted."""

from __future__ import annotations

from bot.core.cleaning import shorten
from bot.core.i18n import t
from bot.core.usecases.context import NAME_SHOWN, Context, Request


async def bind_group(ctx: Context, request: Request) -> None:
    """Make the group this is sent in the office group."""
    incoming, chat = request.incoming, request.chat
    contact = request.contact
    await ctx.repo.bind_office_group(
        platform=request.platform,
        chat_id=chat,
        title=incoming.chat.title,
        contact_id=contact.id if contact else None,
        now=ctx.now(),
    )
    title = shorten(incoming.chat.title or chat, NAME_SHOWN)
    await request.out.send(chat, t("group-bound", title=title))
