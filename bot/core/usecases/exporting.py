"""The status workbook in chat: /xuat sends the Office and leadership an Excel file.

With no argument it exports the report instance that matters now: the only open one, or the
one whose deadline passed last when none is open; several open ones are offered as a choice
(the nearest deadlines first, then the one that closed last). `/xuat CODE` exports one report,
every instance of it (one status sheet each), and `/xuat CODE KEY` one instance of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.core import buttons, steps
from bot.core import formatting as fmt
from bot.core.cleaning import shorten
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.model import Button, InstanceStatus
from bot.core.usecases.context import NAME_SHOWN, Context, Request

log = logging.getLogger(__name__)

BUTTON_LABEL = 60  # characters on a button, as for the reports a unit picks from


def most_relevant(
    instances: Sequence[InstanceStatus], now: datetime, *, limit: int
) -> tuple[InstanceStatus | None, list[InstanceStatus]]:
    """The instance to export now, or, when several are open, the ones to choose from.

    Open means its deadline is still ahead. One open: that one. None open: the one whose
    deadline passed last. Several: the `limit` nearest, then the one that closed last (the
    Office often wants the report it has just collected).
    """
    if not instances:
        return None, []
    open_now = sorted((i for i in instances if i.due_end > now), key=lambda i: i.due_end)
    closed = [i for i in instances if i.due_end <= now]
    last_due = max(closed, key=lambda i: i.due_end) if closed else None
    if len(open_now) == 1:
        return open_now[0], []
    if not open_now:
        return last_due, []
    offered = open_now[:limit]
    if last_due is not None:
        offered.append(last_due)
    return None, offered


async def export(ctx: Context, request: Request) -> None:
    """/xuat [CODE [KEY]]: the status workbook, or which report to export."""
    out, chat, args = request.out, request.chat, request.incoming.args
    if ctx.exports is None:
        await out.send(chat, t("xlsx-unavailable"))
        return
    if args:
        report = shorten(args[0].strip().lower(), NAME_SHOWN)
        instance = shorten(args[1].strip(), NAME_SHOWN) if len(args) > 1 else None
        await send_workbook(ctx, request, report_key=report, instance_key=instance)
        return
    now = ctx.now()
    every = await ctx.repo.status(report_key=None, now=now)
    chosen, offered = most_relevant(every, now, limit=ctx.settings.upcoming_limit)
    if chosen is not None:
        await send_workbook(
            ctx, request, report_key=chosen.report_key, instance_key=chosen.instance_key
        )
        return
    if not offered:
        await out.send(chat, t("xlsx-nothing"))
        return
    step = steps.ExportChoice(tuple(i.instance_id for i in offered))
    token = await ctx.save_step(request, step)
    labels = [*(_label(i) for i in offered), t("button-cancel")]
    keyboard = tuple(
        (Button(label, buttons.choice(token, pick)),)
        for label, pick in zip(labels, step.choices, strict=True)
    )
    await ctx.say(out, chat, t("xlsx-which"), keyboard)


def _label(instance: InstanceStatus) -> str:
    deadline = fmt.deadline(instance.deadline)
    room = BUTTON_LABEL - len(t("xlsx-button", name="", deadline=deadline))
    name = shorten(instance.report_name, max(room, 12))
    return shorten(t("xlsx-button", name=name, deadline=deadline), BUTTON_LABEL)


async def pressed(ctx: Context, request: Request, choice: buttons.Choice) -> bool:
    """A pick in the export question, if `choice` answers one: the workbook is sent. False
    when the button belongs to another question (the caller goes on with it)."""
    answers, step = await ctx.press(request, choice, steps.ExportChoice)
    if step is None:
        return answers
    if choice.cancelled:
        await _close_prompt(request, t("xlsx-cancelled"))
        return True
    contact = await ctx.repo.contact(platform=request.platform, user_id=request.user_id)
    if not ctx.sees_status(request.incoming, contact):  # no longer office staff or a leader
        await _close_prompt(request, t("xlsx-not-allowed"))
        return True
    now = ctx.now()
    every = {i.instance_id: i for i in await ctx.repo.status(report_key=None, now=now)}
    wanted = step.instances[choice.position] if choice.position < len(step.instances) else None
    instance = every.get(wanted) if wanted is not None else None
    if instance is None:  # a damaged button, or the plan dropped the instance meanwhile
        await _close_prompt(request, t("xlsx-stale"))
        return True
    await _close_prompt(request, t("xlsx-chosen", name=instance.report_name))
    await send_workbook(
        ctx, request, report_key=instance.report_key, instance_key=instance.instance_key
    )
    return True


async def send_workbook(
    ctx: Context, request: Request, *, report_key: str, instance_key: str | None
) -> None:
    """Write the workbook in the staging area, send it, and remove it."""
    exports, out, chat = ctx.exports, request.out, request.chat
    assert exports is not None
    tz = ctx.settings.timezone
    now = ctx.now()
    path = ctx.files.staging_path(".xlsx")
    try:
        try:
            done = await exports.write(
                report_key=report_key, instance_key=instance_key, path=path, now=now, tz=tz
            )
        except UserError as error:
            await out.send(chat, error.message())
            return
        except Exception:
            log.exception("could not write the status workbook of %s", report_key)
            await out.send(chat, t("xlsx-failed"))
            return
        if done.size > out.max_upload:
            await out.send(
                chat,
                t(
                    "xlsx-too-big",
                    size=fmt.megabytes(done.size),
                    limit=fmt.megabytes(out.max_upload),
                    report=done.report_key,
                ),
            )
            return
        if len(done.instances) == 1:
            (instance,) = done.instances
            caption = t(
                "xlsx-caption",
                report=done.report_name,
                done=sum(1 for unit in instance.units if unit.submitted),
                total=len(instance.units),
                at=fmt.moment(now, tz),
            )
        else:
            caption = t(
                "xlsx-caption-several",
                report=done.report_name,
                instances=len(done.instances),
                versions=done.versions,
                at=fmt.moment(now, tz),
            )
        await out.upload(chat, path, name=done.file_name, caption=caption)
        ctx.files.discard(path)  # read by the upload: nothing of it waits for the audit row
        only = done.instances[0].instance_key if len(done.instances) == 1 else None
        await ctx.repo.audit(
            actor=await actor_of(ctx, request),
            action="export.xlsx",
            detail={"report": done.report_key, "instance": only},
            now=now,
        )
    finally:
        ctx.files.discard(path)


async def actor_of(ctx: Context, request: Request) -> str:
    """Who asked, as the audit trail names them: their contact number, never their chat
    account (the trail outlives the erasure of a person's data)."""
    contact = await ctx.repo.contact(platform=request.platform, user_id=request.user_id)
    return "chat" if contact is None else f"contact:{contact.id}"


async def _close_prompt(request: Request, text: str) -> None:
    """Replace the question and its buttons by what happened, so no button is left to press."""
    callback = request.incoming.callback
    message = callback.message if callback else None
    if message is not None:
        try:
            await request.out.edit(message, text)
            return
        except Exception:  # the question may be deleted: the export goes on, told anew
            log.warning("could not replace the export question", exc_info=True)
    await request.out.send(request.chat, text)
