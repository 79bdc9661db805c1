"""The Office's compiled draft in chat: /tonghop REPORT [INSTANCE] answers with the Word file."""

from __future__ import annotations

from bot.core import formatting as fmt
from bot.core.cleaning import shorten
from bot.core.drafts import Compiled, instance_label
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.usecases.context import NAME_SHOWN, Context, Request


async def compile_draft(ctx: Context, request: Request) -> None:
    """Compile a report's draft (the only report, or the one named) and send it as a file."""
    out, chat, args = request.out, request.chat, request.incoming.args
    if ctx.drafts is None:  # a bot built without a renderer knows no such command
        await out.send(chat, t("unknown-command"))
        return
    now = ctx.now()
    codes = list(
        dict.fromkeys(i.report_key for i in await ctx.repo.status(report_key=None, now=now))
    )
    if not codes:
        await out.send(chat, t("compile-none"))
        return
    if not args and len(codes) > 1:
        await out.send(chat, t("compile-which", example=codes[0], codes=", ".join(codes)))
        return
    report = args[0].strip().lower() if args else codes[0]
    if report not in codes:
        shown = shorten(args[0], NAME_SHOWN)
        await out.send(chat, t("compile-unknown-report", report=shown, codes=", ".join(codes)))
        return
    instance_key = args[1].strip() if len(args) > 1 else None
    target = ctx.files.staging_path(".docx")
    try:
        try:
            compiled = await ctx.drafts.compile(
                report_key=report,
                instance_key=instance_key,
                target=target,
                now=now,
                tz=ctx.settings.timezone,
            )
        except UserError as error:  # an instance the report does not have
            await out.send(chat, shorten(error.message(), out.max_text))
            return
        if compiled.size > out.max_upload:
            await out.send(
                chat,
                t(
                    "compile-too-big",
                    size=fmt.megabytes(compiled.size),
                    limit=fmt.megabytes(out.max_upload),
                    report=report,
                ),
            )
            return
        await out.upload(chat, target, name=file_name(compiled), caption=caption(compiled))
    finally:
        ctx.files.discard(target)  # sent, or not to be: the store keeps no copy


def file_name(compiled: Compiled) -> str:
    instance = compiled.instance
    if instance.instance_key == "once":
        return t("compile-file-name", report=instance.report_key)
    return t(
        "compile-file-name-instance", report=instance.report_key, instance=instance.instance_key
    )


def caption(compiled: Compiled) -> str:
    instance = compiled.instance
    text = t(
        "compile-caption",
        name=shorten(instance.report_name, NAME_SHOWN),
        instance=instance_label(instance.instance_key),
        done=compiled.done,
        total=compiled.total,
        documents=compiled.documents,
        annexed=compiled.annexed,
    )
    if compiled.unread:
        text += "\n" + t("compile-caption-unread", count=len(compiled.unread))
    return text
