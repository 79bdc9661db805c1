"""The archive in chat: every unit's files of a report round, in one zip, for the Office."""

from __future__ import annotations

from bot.core import formatting as fmt
from bot.core.archive import ArchiveTooBigError, round_name
from bot.core.cleaning import shorten
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.usecases.context import NAME_SHOWN, Context, Request
from bot.core.usecases.exporting import actor_of

# Words that ask for every version, not only each unit's latest.
ALL_VERSIONS = frozenset({"tatca", "all"})
MISSING_SHOWN = 10  # names of files missing from the disk listed in one answer


async def send_archive(ctx: Context, request: Request) -> None:
    """`/taitep [REPORT [ROUND]] [tatca]`: the round's files as a zip, sent in this chat."""
    out, chat = request.out, request.chat
    archives = ctx.archives
    if archives is None:  # a process built without exports (tests of other features)
        await out.send(chat, t("archive-unavailable"))
        return
    words = [arg.lower() for arg in request.incoming.args]
    all_versions = any(word in ALL_VERSIONS for word in words)
    named = [word for word in words if word not in ALL_VERSIONS]
    report = shorten(named[0], NAME_SHOWN) if named else None
    round_key = shorten(named[1], NAME_SHOWN) if len(named) > 1 else None
    now = ctx.now()
    try:
        instance = await archives.choose(report_key=report, instance_key=round_key, now=now)
    except UserError as error:
        await out.send(chat, error.message())
        return
    await out.send(chat, t("archive-making", report=instance.report_name))
    staged = ctx.files.staging_path(".zip")
    try:
        try:
            result = await archives.export(
                instance, staged, all_versions=all_versions, now=now, max_size=out.max_upload
            )
        except ArchiveTooBigError as error:
            command = f"baocao export {instance.report_key} --instance {instance.instance_key}"
            await out.send(
                chat,
                t(
                    "archive-too-big",
                    size=fmt.megabytes(error.size),
                    limit=fmt.megabytes(out.max_upload),
                    command=command + (" --all-versions" if all_versions else "") + " --zip",
                ),
            )
            return
        caption = t(
            "archive-caption",
            report=instance.report_name,
            round=round_name(instance.instance_key),
            count=result.entries,
            done=sum(1 for unit in instance.units if unit.submitted),
            total=len(instance.units),
        )
        await out.upload(chat, staged, name=result.file_name, caption=caption)
        ctx.files.discard(staged)  # read by the upload: nothing of it waits for the audit row
        await ctx.repo.audit(
            actor=await actor_of(ctx, request),
            action="export.zip",
            detail={
                "report": instance.report_key,
                "instance": instance.instance_key,
                "all_versions": all_versions,
            },
            now=now,
        )
    finally:
        ctx.files.discard(staged)
    if result.missing:
        shown = result.missing[:MISSING_SHOWN]
        await ctx.say(
            out,
            chat,
            t("archive-missing", count=len(result.missing), names="\n".join(shown)),
        )
