"""Reports handed in on the web portal: what a unit sees there, and files and texts it sends.

The same rules as chat: the reports a unit may send to now are its open ones and the recent
ones it may correct (`Context.candidates`); each file is the unit's next version with its
receipt; lateness is judged by the first version. The receipt is shown on the page and sent
to the contact's chat too: through the messenger of their platform when it runs in this
process, else through the outbox, for the process that runs it. A chat delivery that fails
never makes the upload look failed: the version is stored and its receipt is on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from bot.core import formatting as fmt
from bot.core import texts
from bot.core.archive import SubmittedVersion
from bot.core.cleaning import clean, has_visible
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.model import OpenInstance, Receipt, SignatureCheck, StagedFile, SubmissionKind
from bot.core.office import ContactView
from bot.core.ports import Messenger, Outbox, Outgoing, Roster, SubmissionHistory, reach
from bot.core.rules.deadlines import lateness
from bot.core.signatures import office_warning, receipt_lines
from bot.core.usecases import signatures
from bot.core.usecases.context import Context, is_correction

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})


@dataclass(frozen=True, slots=True)
class UnitReport:
    """A report instance as the unit's portal shows it: the instance, what the unit sent, and
    how it stands (late by how much, judged by the first version; None: on time or not sent)."""

    instance: OpenInstance
    versions: tuple[SubmittedVersion, ...]  # oldest first
    late_by: timedelta | None
    correction: bool  # past the deadline and sent: what comes now corrects it

    @property
    def sent(self) -> bool:
        return bool(self.versions)

    def time_left(self, now: datetime) -> str:
        """How long until the deadline, or how late it is now, in words."""
        return texts.time_left(self.instance, now)


@dataclass(frozen=True, slots=True)
class Overview:
    open: tuple[UnitReport, ...]
    corrections: tuple[UnitReport, ...]


@dataclass(frozen=True, slots=True)
class WebReceipt:
    """A stored version and the receipt the person reads, on the page and in chat."""

    receipt: Receipt
    text: str


class WebSubmissions:
    """The unit portal's use cases, over the chat use cases' context and ports."""

    def __init__(
        self,
        *,
        ctx: Context,
        history: SubmissionHistory,
        roster: Roster,
        messengers: Mapping[str, Messenger],
        outbox: Outbox | None = None,
    ) -> None:
        self.ctx = ctx
        self.history = history
        self.roster = roster
        self.messengers = messengers
        self.outbox = outbox

    # ---- what the unit sees -------------------------------------------------------------------

    async def overview(self, *, unit_key: str) -> Overview:
        """The unit's open reports and the past ones it may still correct."""
        ctx, now = self.ctx, self.ctx.now()
        opened = await ctx.repo.open_instances(unit_key=unit_key, now=now)
        past = await ctx.repo.corrections(
            unit_key=unit_key, now=now, limit=ctx.settings.corrections_limit
        )
        return Overview(
            open=tuple([await self._unit_report(i, unit_key, now) for i in opened]),
            corrections=tuple([await self._unit_report(i, unit_key, now) for i in past]),
        )

    async def report(self, *, unit_key: str, instance_id: int) -> UnitReport:
        """One report the unit may send to now. UserError when it is not one (another unit's,
        closed, or no such report): the same words for each, so that ids tell nothing."""
        now = self.ctx.now()
        for instance in await self._candidates(unit_key, now):
            if instance.instance_id == instance_id:
                return await self._unit_report(instance, unit_key, now)
        raise UserError("web-portal-no-report")

    async def _candidates(self, unit_key: str, now: datetime) -> list[OpenInstance]:
        """Where the unit may send now: as chat offers it (`Context.candidates`)."""
        repo, limit = self.ctx.repo, self.ctx.settings.corrections_limit
        opened = await repo.open_instances(unit_key=unit_key, now=now)
        return opened + await repo.corrections(unit_key=unit_key, now=now, limit=limit)

    async def _unit_report(
        self, instance: OpenInstance, unit_key: str, now: datetime
    ) -> UnitReport:
        rows = [
            row
            for row in await self.history.versions(instance_id=instance.instance_id)
            if row.unit_key == unit_key
        ]
        versions = tuple(sorted(rows, key=lambda row: row.version))
        first = versions[0].submitted_at if versions else None
        return UnitReport(
            instance=instance,
            versions=versions,
            late_by=None if first is None else lateness(first, instance.due_end),
            correction=is_correction(instance, now),
        )

    # ---- what the unit sends ------------------------------------------------------------------

    async def submit_files(
        self,
        *,
        contact_id: int,
        unit_key: str,
        instance_id: int,
        files: Sequence[StagedFile],
        upload_ref: str,
        note: str | None = None,
    ) -> list[WebReceipt]:
        """Store each file as the unit's next version, in order, each with its receipt.

        The staged files are moved into the store with their rows, and discarded in any case:
        a file whose row was not written leaves nothing behind. `upload_ref` names the upload
        (unique per request): each part's `source_ref` is made from it.
        """
        ctx = self.ctx
        try:
            contact = await self._contact(contact_id, unit_key)
            report = await self.report(unit_key=unit_key, instance_id=instance_id)
            note = _note(note, ctx.settings.max_text)
            stored: list[tuple[Receipt, tuple[SignatureCheck, ...]]] = []
            for index, received in enumerate(files):
                receipt = await ctx.repo.submit(
                    instance_id=instance_id,
                    unit_key=unit_key,
                    contact_id=contact.id,
                    kind=SubmissionKind.PHOTO
                    if PurePath(received.original_name).suffix.lower() in PHOTO_SUFFIXES
                    else SubmissionKind.FILE,
                    source_ref=f"{upload_ref}:{index}",
                    now=ctx.now(),
                    note=note,
                    file=received,
                )
                stored.append((receipt, await signatures.check(ctx, receipt)))
        finally:
            for received in files:
                ctx.files.discard(received.path)  # moved into the store when stored
        answers = [
            WebReceipt(receipt, self._receipt_text(receipt, checks)) for receipt, checks in stored
        ]
        for answer in answers:
            await self._tell(contact, answer.text)
        forward = report.instance.forward_files
        for (receipt, checks), received in zip(stored, files, strict=True):
            await self._to_office(receipt, checks, received, forward=forward)
        return answers

    async def submit_text(
        self, *, contact_id: int, unit_key: str, instance_id: int, body: str, upload_ref: str
    ) -> WebReceipt:
        """Store a short text report as the unit's next version, with its receipt; the same
        cleaning and length limit as a text sent in chat."""
        ctx = self.ctx
        body = clean(body)
        if not has_visible(body):
            raise UserError("web-portal-text-empty")
        if len(body) > ctx.settings.max_text:
            raise UserError(
                "web-portal-text-too-long", length=len(body), limit=ctx.settings.max_text
            )
        contact = await self._contact(contact_id, unit_key)
        await self.report(unit_key=unit_key, instance_id=instance_id)
        receipt = await ctx.repo.submit(
            instance_id=instance_id,
            unit_key=unit_key,
            contact_id=contact.id,
            kind=SubmissionKind.TEXT,
            source_ref=upload_ref,
            now=ctx.now(),
            text=body,
        )
        answer = WebReceipt(receipt, self._receipt_text(receipt, ()))
        await self._tell(contact, answer.text)
        return answer

    async def _contact(self, contact_id: int, unit_key: str) -> ContactView:
        """The signed-in contact, still active and still of this unit (a session outliving a
        move or removal sends nothing). The Office's list is read whole: it holds a row per
        person of the department, a few hundred at most."""
        for contact in await self.roster.contacts():
            if contact.id == contact_id:
                if contact.active and not contact.unit_archived and contact.unit_key == unit_key:
                    return contact
                break
        raise UserError("web-portal-contact-gone")

    # ---- telling people -----------------------------------------------------------------------

    def _receipt_text(self, receipt: Receipt, checks: Sequence[SignatureCheck]) -> str:
        """The receipt as chat writes it; its code alone if it cannot be written out."""
        tz = self.ctx.settings.timezone
        try:
            body = texts.receipt_text(receipt, tz)
            if checks:
                body += "\n" + receipt_lines(checks, tz)
        except Exception:
            log.exception("could not write out receipt %s", receipt.receipt_code)
            body = t("receipt-short", code=receipt.receipt_code, version=receipt.version)
        return body

    async def _tell(self, contact: ContactView, text: str) -> None:
        """Send `text` to the contact's chat: directly when this process runs their platform
        and reaches their chat, else queued for the process that does. Never raises."""
        messenger = self.messengers.get(contact.platform)
        only = None if messenger is None else reach(messenger)
        try:
            if messenger is not None and (only is None or contact.chat_id in only):
                await self.ctx.say(messenger, contact.chat_id, text)
                return
            if self.outbox is not None:
                message = Outgoing(
                    platform=contact.platform,
                    chat_id=contact.chat_id,
                    text=text,
                    contact_id=contact.id,
                )
                await self.outbox.put([message], now=self.ctx.now())
        except Exception:  # the version is stored and the page shows its receipt
            log.exception("a receipt is stored but could not be sent to contact %s", contact.id)

    async def _to_office(
        self,
        receipt: Receipt,
        checks: Sequence[SignatureCheck],
        received: StagedFile,
        *,
        forward: bool,
    ) -> None:
        """Pass the file on to the office group of each platform running here, as chat passes
        on what it receives: the file itself when the platform takes its size, else a line that
        it is on the dashboard; and warn about a signature that does not hold."""
        ctx = self.ctx
        warning = (
            office_warning(receipt, tuple(checks), ctx.settings.timezone)
            if any(item.warning for item in checks)
            else None
        )
        for platform, messenger in self.messengers.items():
            try:
                group = await ctx.repo.office_group(platform=platform)
                if group is None:
                    continue
                if forward:
                    caption = texts.forward_caption(receipt)
                    if received.size <= messenger.max_upload:
                        path = await ctx.repo.stored_file(submission_id=receipt.submission_id)
                        if path is not None:
                            await messenger.upload(
                                group, path, name=received.original_name, caption=caption
                            )
                    else:
                        size = fmt.megabytes(received.size)
                        await ctx.say(
                            messenger,
                            group,
                            t("web-portal-forward-too-big", caption=caption, size=size),
                        )
                if warning is not None:
                    await ctx.say(messenger, group, warning)
            except Exception:  # the unit's submission stands even if the group cannot be reached
                log.exception(
                    "could not pass submission %s on to the office group on %s",
                    receipt.receipt_code,
                    platform,
                )


def _note(note: str | None, limit: int) -> str | None:
    """What the person wrote beside the files, cleaned and cut as chat cuts a caption."""
    if note is None:
        return None
    cleaned = clean(note[:limit])
    return cleaned if has_visible(cleaned) else None
