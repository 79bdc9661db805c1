"""Reports as they come: a text or a file, checked, stored as the unit's next version, receipted,
and a file passed on to the office group."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path, PurePath

from bot.core import filetypes, steps, texts
from bot.core import formatting as fmt
from bot.core.cleaning import clean, clean_optional, shorten_name
from bot.core.filetypes import ALLOWED_EXTENSIONS
from bot.core.i18n import t
from bot.core.model import (
    Attachment,
    AttachmentKind,
    Contact,
    OpenInstance,
    Receipt,
    SignatureCheck,
    StagedFile,
    SubmissionKind,
)
from bot.core.ports import FileTooBigError, Messenger
from bot.core.signatures import receipt_lines
from bot.core.usecases import signatures, web
from bot.core.usecases.context import NAME_SHOWN, Context, Request, is_correction
from bot.core.usecases.questions import choose

log = logging.getLogger(__name__)

# The disk (or the user's quota) is full: the Office has to make room, the person cannot.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


async def text(ctx: Context, request: Request, contact: Contact) -> None:
    """A text report: ask which report it is for, or to confirm the only one."""
    body = clean(request.incoming.text or "")
    if len(body) > ctx.settings.max_text:
        await request.out.send(
            request.chat,
            t("submit-text-too-long", length=len(body), limit=ctx.settings.max_text),
        )
        return

    def question(instances: list[OpenInstance]) -> str:
        # An edit asks anew: the earlier question's buttons no longer act.
        edited = t("submit-text-edited") + "\n" if request.incoming.edited else ""
        if len(instances) == 1:
            name = instances[0].report_name
            if is_correction(instances[0], ctx.now()):
                return edited + t("submit-text-confirm-correction", name=name)
            return edited + t("submit-text-confirm", name=name)
        return edited + t("submit-text-which")

    # `choose` fills in the reports offered and the unit the step is for.
    step = steps.TextChoice(body, instances=(), unit="", unit_name="")
    await choose(ctx, request, contact, step, question)


async def file(ctx: Context, request: Request, contact: Contact) -> None:
    """A file or photo: taken at once when one report is open, else after asking which."""
    attachment = request.incoming.attachment
    assert attachment is not None
    problem = _file_problem(attachment, request.out)
    if problem is not None:
        if attachment.size is not None and attachment.size > request.out.max_download:
            problem += "\n\n" + await web.link_line(ctx, request, contact, key="web-upload-instead")
        await request.out.send(request.chat, problem)
        return
    note = clean_optional((request.incoming.text or "")[: ctx.settings.max_text])
    chosen = await choose(
        ctx,
        request,
        contact,
        steps.FileChoice(attachment, note, instances=(), unit="", unit_name=""),
        lambda _: t("submit-file-which", name=shorten_name(_file_label(attachment), NAME_SHOWN)),
    )
    if chosen:
        await accept_file(
            ctx,
            request,
            contact,
            chosen[0],
            attachment,
            note=note,
            source_ref=request.incoming.source_ref,
        )


def _file_problem(attachment: Attachment, out: Messenger) -> str | None:
    if attachment.kind is AttachmentKind.DOCUMENT:
        suffix = PurePath(attachment.file_name or "").suffix.lower()
        if suffix not in ALLOWED_EXTENSIONS:
            name = shorten_name(attachment.file_name or "?", NAME_SHOWN)
            return t("submit-file-type", name=name)
    if attachment.size is not None and attachment.size > out.max_download:
        return t(
            "submit-file-too-big",
            size=fmt.megabytes(attachment.size),
            limit=fmt.megabytes(out.max_download),
        )
    if attachment.size == 0:
        return t("submit-file-empty")
    return None


async def accept_text(
    ctx: Context,
    request: Request,
    contact: Contact,
    instance: OpenInstance,
    body: str,
    *,
    source_ref: str,
) -> None:
    """Store a text report as the unit's next version and send its receipt."""
    receipt = await ctx.repo.submit(
        instance_id=instance.instance_id,
        unit_key=contact.unit_key,
        contact_id=contact.id,
        kind=SubmissionKind.TEXT,
        source_ref=source_ref,
        now=ctx.now(),
        text=body,
    )
    await receipt_to(ctx, request.out, request.chat, receipt)


async def accept_file(
    ctx: Context,
    request: Request,
    contact: Contact,
    instance: OpenInstance,
    attachment: Attachment,
    *,
    note: str | None,
    source_ref: str,
) -> None:
    """Download, store as the unit's next version, send the receipt, pass the file on."""
    # A redelivered update downloads again; `submit` then returns the first receipt.
    out, chat = request.out, request.chat
    name = _file_label(attachment)
    staged = ctx.files.staging_path(PurePath(name).suffix.lower())
    try:
        try:
            size = await out.download(attachment, staged)
        except OSError as error:
            if error.errno not in _DISK_FULL:
                raise
            # Said as it is: an apology would have the person send the same file again.
            log.error("no room on disk for a file from %s: %s", contact.unit_key, error)
            ctx.files.discard(staged)  # the part written goes before the person is told
            await out.send(chat, t("submit-disk-full"))
            return
        except FileTooBigError:
            limit = fmt.megabytes(out.max_download)
            refusal = t("submit-file-too-big", size=f"> {limit}", limit=limit)
            instead = await web.link_line(ctx, request, contact, key="web-upload-instead")
            await out.send(chat, f"{refusal}\n\n{instead}")
            return
        if size == 0:
            await out.send(chat, t("submit-file-empty"))
            return
        lie = _content_lie(attachment, name, await asyncio.to_thread(_head, staged))
        if lie is not None:
            await out.send(chat, lie)
            return
        digest = await asyncio.to_thread(_sha256, staged)
        receipt = await ctx.repo.submit(
            instance_id=instance.instance_id,
            unit_key=contact.unit_key,
            contact_id=contact.id,
            kind=SubmissionKind.PHOTO
            if attachment.kind is AttachmentKind.PHOTO
            else SubmissionKind.FILE,
            source_ref=source_ref,
            now=ctx.now(),
            note=note,
            file=StagedFile(staged, name, size, digest, attachment.mime_type),
        )
    finally:
        ctx.files.discard(staged)  # moved into the store on success; gone either way
    checks = await signatures.check(ctx, receipt)
    await receipt_to(ctx, out, chat, receipt, checks)
    if instance.forward_files:
        await _forward(ctx, request, receipt, attachment)
    await signatures.warn_office(ctx, request, receipt, checks)


async def receipt_to(
    ctx: Context,
    out: Messenger,
    chat: str,
    receipt: Receipt,
    checks: Sequence[SignatureCheck] = (),
) -> None:
    """Send the receipt of a stored submission; never let its delivery look like a failure.

    The submission is committed: an apology would make the person send it again and add
    a version. So a receipt that cannot be written out falls back to its code, and one
    that cannot be delivered is logged (the person sees it in /baocao).
    """
    try:
        body = texts.receipt_text(receipt, ctx.settings.timezone)
        if checks:
            body += "\n" + receipt_lines(checks, ctx.settings.timezone)
    except Exception:
        log.exception("could not write out receipt %s", receipt.receipt_code)
        body = t("receipt-short", code=receipt.receipt_code, version=receipt.version)
    try:
        await ctx.say(out, chat, body)
    except Exception:
        log.exception("receipt %s is stored but could not be sent", receipt.receipt_code)


async def _forward(
    ctx: Context, request: Request, receipt: Receipt, attachment: Attachment
) -> None:
    group = await ctx.repo.office_group(platform=request.platform)
    if group is None:
        return
    caption = texts.forward_caption(receipt)
    try:
        await request.out.send_file(group, attachment, caption)
    except Exception:  # the unit's submission stands even if the group cannot be reached
        log.exception("could not forward submission %s to the office group", receipt.receipt_code)


def _content_lie(attachment: Attachment, name: str, head: bytes) -> str | None:
    """The refusal for a file whose first bytes are not what its name (or, for a photo, the
    platform) says it is: the Office must never open a program saved as "bao-cao.pdf"."""
    if attachment.kind is AttachmentKind.PHOTO:
        return None if filetypes.is_photo(head) else t("submit-photo-lies")
    if filetypes.matches(name, head):
        return None
    kind = filetypes.kind_of(name)
    return t("submit-file-lies", name=shorten_name(name, NAME_SHOWN), kind=kind)


def _head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(filetypes.HEAD_SIZE)


def _file_label(attachment: Attachment) -> str:
    if attachment.file_name:
        return attachment.file_name
    return "photo.jpg" if attachment.kind is AttachmentKind.PHOTO else "document"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
