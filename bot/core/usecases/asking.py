"""What people ask the bot: their unit's reports, the deadlines ahead, who has reported, help."""

from __future__ import annotations

from datetime import timedelta

from bot.core import texts
from bot.core.cleaning import shorten
from bot.core.i18n import t
from bot.core.usecases.context import NAME_SHOWN, Context, Request


async def help_text(ctx: Context, request: Request) -> None:
    """The commands this person may use, and how to submit."""
    if ctx.is_office(request.incoming, request.contact):
        await request.out.send(request.chat, t("help-office"))
    else:
        await request.out.send(request.chat, ctx.words(request.out, "help"))


async def my_reports(ctx: Context, request: Request) -> None:
    """The unit's open reports, what it has sent, and what it may still correct."""
    out, chat, contact = request.out, request.chat, request.contact
    if contact is None:  # an admin who is no unit's contact
        await out.send(chat, t("reports-not-a-unit"))
        return
    now = ctx.now()
    instances = await ctx.repo.open_instances(unit_key=contact.unit_key, now=now)
    corrections = await ctx.repo.corrections(
        unit_key=contact.unit_key, now=now, limit=ctx.settings.corrections_limit
    )
    tz = ctx.settings.timezone
    if not instances:
        lines = [t("reports-none", unit=contact.unit_name)]
        lines.extend(await ctx.upcoming_lines(contact.unit_key, now))
    else:
        title = t("reports-title", unit=contact.unit_name, count=len(instances))
        body = texts.instance_lines(instances, now, tz)
        lines = [f"{title}\n{body}", ctx.words(out, "greet-how")]
    if corrections:
        lines.append(
            t("reports-corrections", count=len(corrections))
            + "\n"
            + "\n".join(texts.correction_line(i, tz) for i in corrections)
        )
    await ctx.say(out, chat, "\n\n".join(lines))


async def deadlines(ctx: Context, request: Request) -> None:
    """The deadlines ahead: the unit's own, or every report's for the office and leaders."""
    contact = request.contact
    everyone = ctx.sees_status(request.incoming, contact) or contact is None
    unit_key = None if everyone or contact is None else contact.unit_key
    lines = await ctx.upcoming_lines(unit_key, ctx.now())
    await ctx.say(request.out, request.chat, "\n".join(lines))


async def status(ctx: Context, request: Request) -> None:
    """Who has reported, late or not, for the reports in play or the one named."""
    out, chat, args = request.out, request.chat, request.incoming.args
    now = ctx.now()
    report = args[0] if args else None
    try:
        instances = await ctx.repo.status(report_key=report, now=now)
    except LookupError:  # a mistyped code: name it, and the codes there are
        known = dict.fromkeys(i.report_key for i in await ctx.repo.status(report_key=None, now=now))
        await out.send(
            chat,
            t(
                "status-unknown-report",
                report=shorten(report or "", NAME_SHOWN),
                codes=", ".join(known) or "—",
            ),
        )
        return
    if report is None:
        # The instances in play: deadline within the last month or ahead, or someone missing.
        recent = now - timedelta(days=30)
        instances = [
            i for i in instances if i.due_end >= recent or any(not u.submitted for u in i.units)
        ]
    if not instances:
        await out.send(chat, t("status-empty"))
        return
    shown = instances[: ctx.settings.status_limit]
    text = "\n\n".join(texts.status_text(i, ctx.settings.timezone) for i in shown)
    if len(instances) > len(shown):
        text += "\n\n" + t("status-more", count=len(instances) - len(shown))
    await ctx.say(out, chat, text)
