"""Who the bot talks to: /start with an invite, the greeting, and strangers."""

from __future__ import annotations

from bot.core import texts
from bot.core.i18n import t
from bot.core.model import Contact, RedeemStatus
from bot.core.plan.model import Role
from bot.core.ports import Messenger
from bot.core.usecases.context import Context, Request


async def start(ctx: Context, request: Request) -> None:
    """Register with the invite code in the command, or greet someone already registered."""
    incoming, chat = request.incoming, request.chat
    if not incoming.args:
        if request.contact is None:
            await request.out.send(chat, t("start-no-code"))
        else:
            await greet(ctx, request.out, chat, request.contact, again=True)
        return
    result = await ctx.repo.redeem_invite(
        code=incoming.args[0][:64],
        platform=request.platform,
        user_id=request.user_id,
        chat_id=chat,
        display_name=incoming.sender.display_name,
        username=incoming.sender.username,
        now=ctx.now(),
    )
    if result.contact is not None:
        await greet(
            ctx, request.out, chat, result.contact, again=result.status is RedeemStatus.ALREADY
        )
    else:
        await request.out.send(chat, t(f"start-{result.status.value}"))


async def greet(ctx: Context, out: Messenger, chat: str, contact: Contact, *, again: bool) -> None:
    """Who the person is to the bot, and what their unit has to send."""
    now = ctx.now()
    role = t(f"role-{contact.role.value}")
    lines = [
        t(
            "greet-again" if again else "greet",
            name=contact.display_name,
            unit=contact.unit_name,
            role=role,
        )
    ]
    if contact.role is Role.LEADER:
        lines.append(t("greet-leader"))
    else:
        instances = await ctx.repo.open_instances(unit_key=contact.unit_key, now=now)
        if instances:
            lines.append(t("greet-open", count=len(instances)))
            lines.append(texts.instance_lines(instances, now, ctx.settings.timezone))
            lines.append(ctx.words(out, "greet-how"))
        else:
            lines.append(t("greet-none"))
            lines.extend(await ctx.upcoming_lines(contact.unit_key, now))
    if contact.role is Role.OFFICE:
        lines.append(t("greet-office"))
    await ctx.say(out, chat, "\n\n".join(lines))


async def stranger(ctx: Context, request: Request) -> None:
    """One polite answer per stranger per quiet period: the bot only serves invited people."""
    key = (request.platform, request.user_id)
    now = ctx.now()
    last = ctx.strangers.get(key)
    if last is not None and now - last < ctx.settings.stranger_quiet:
        return
    ctx.strangers[key] = now
    await request.out.send(request.chat, t("stranger"))
