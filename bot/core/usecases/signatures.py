"""Who signed a submitted PDF: checked once it is stored, kept with it, told in the receipt."""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePath

from bot.core import signatures as words
from bot.core.model import Receipt, SignatureCheck, SubmissionKind
from bot.core.usecases.context import Context, Request

log = logging.getLogger(__name__)


async def check(ctx: Context, receipt: Receipt) -> tuple[SignatureCheck, ...]:
    """The signatures of a stored PDF, checked in a thread within the time limit and recorded;
    () for anything else, or when the check fails or runs out of time (the file stands)."""
    reader = ctx.signatures
    if (
        reader is None
        or receipt.kind is not SubmissionKind.FILE
        or PurePath(receipt.original_name or "").suffix.lower() != ".pdf"
    ):
        return ()
    code, limit = receipt.receipt_code, ctx.settings.signature_timeout
    try:
        path = await ctx.repo.stored_file(submission_id=receipt.submission_id)
        if path is None:
            return ()
        # The thread is not stopped by the time limit; it ends with the parser, unwatched.
        checks = await asyncio.wait_for(asyncio.to_thread(reader.read, path), limit)
    except TimeoutError:
        log.warning("signatures of submission %s not checked within %s s", code, limit)
        return ()
    except Exception:
        log.exception("could not check the signatures of submission %s", code)
        return ()
    if checks:
        try:
            await ctx.repo.record_signatures(submission_id=receipt.submission_id, checks=checks)
        except Exception:  # the receipt still says what was found
            log.exception("could not record the signatures of submission %s", code)
    return checks


async def warn_office(
    ctx: Context, request: Request, receipt: Receipt, checks: tuple[SignatureCheck, ...]
) -> None:
    """Tell the office group, if there is one, about a signature that does not hold."""
    if not any(item.warning for item in checks):
        return
    group = await ctx.repo.office_group(platform=request.platform)
    if group is None:
        return
    try:
        await ctx.say(
            request.out, group, words.office_warning(receipt, checks, ctx.settings.timezone)
        )
    except Exception:  # the unit's submission stands even if the group cannot be reached
        log.exception("could not warn the office group about submission %s", receipt.receipt_code)
