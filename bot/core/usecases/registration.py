"""Who the bot talks to: /start with an invite (or the code typed alone), the greeting, and
strangers."""

from __future__ import annotations

from bot.core import texts
from bot.core.i18n import t
from bot.core.model import Contact, RedeemStatus
from bot.core.office import typed_invite_code
from bot.core.plan.model import Role
from bot.core.ports import Messenger
from bot.core.usecases import reaching
from bot.core.usecases.context import Context, Request
from bot.core.usecases.personal import privacy_contact


async def start(ctx: Context, request: Request) -> None:
    """Register with the invite code in the command, or greet someone already registered."""
    incoming, chat = request.incoming, request.chat
    if not incoming.args:
        if request.contact is None:
            await request.out.send(chat, t("start-no-code"))
        else:
            await greet(ctx, request.out, chat, request.contact, again=True)
        return
    await redeem(ctx, request, incoming.args[0][:64])


async def typed_code(ctx: Context, request: Request) -> None:
    """A stranger's text in a private chat: an invite code typed alone (where there is no deep
    link to open) is redeemed as `/start CODE` is; any other text gets the stranger's answer."""
    code = typed_invite_code(request.incoming.text or "")
    if code is None:
        await stranger(ctx, request)
    else:
        await redeem(ctx, request, code)


async def redeem(ctx: Context, request: Request, code: str) -> None:
    """Redeem `code` for the sender and greet them; or say why the code did not register them.

    A stranger is told what was wrong with a code a few times an hour only: after that, every
    wrong code gets the stranger's answer (itself once an hour), so that codes cannot be tried
    one after another to learn which exist. An open code always registers.
    """
    chat = request.chat
    result = await ctx.repo.redeem_invite(
        code=code,
        platform=request.platform,
        user_id=request.user_id,
        chat_id=chat,
        display_name=request.incoming.sender.display_name,
        username=request.incoming.sender.username,
        now=ctx.now(),
    )
    if result.contact is not None:
        await greet(
            ctx, request.out, chat, result.contact, again=result.status is RedeemStatus.ALREADY
        )
        if result.status is RedeemStatus.REGISTERED and result.contact.person_id is not None:
            # A second account of someone already registered: where should reminders go?
            await reaching.ask(ctx, request, result.contact)
    elif request.contact is None and not _may_tell_wrong_code(ctx, request):
        await stranger(ctx, request)
    else:
        await request.out.send(chat, t(f"start-{result.status.value}"))


def _may_tell_wrong_code(ctx: Context, request: Request) -> bool:
    """Whether a stranger may still be told what was wrong with a code: not after
    `settings.wrong_codes` wrong codes within `settings.stranger_quiet`. Counts this one."""
    key = (request.platform, request.user_id)
    now = ctx.now()
    recent = [at for at in ctx.wrong_codes.get(key, ()) if now - at < ctx.settings.stranger_quiet]
    allowed = len(recent) < ctx.settings.wrong_codes
    if allowed:
        recent.append(now)
    ctx.wrong_codes[key] = recent
    return allowed


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
    if not again:  # said once, when the person registers (Law 91/2025/QH15)
        lines.append(t("privacy-notice", contact=privacy_contact(ctx)))
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
