"""The bot's use cases: register, submit, list my reports, status, help, office actions.

`ReportBot.handle(incoming, messenger)` takes one neutral event from any platform and answers
through that platform's messenger. Nothing here knows Telegram, Zalo, the ORM or the scheduler.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath
from zoneinfo import ZoneInfo

from bot.core import buttons, texts
from bot.core import formatting as fmt
from bot.core.cleaning import (
    clean,
    clean_name,
    clean_optional,
    has_visible,
    shorten,
    shorten_name,
)
from bot.core.i18n import t
from bot.core.model import (
    Attachment,
    AttachmentKind,
    Button,
    Callback,
    ChatKind,
    Contact,
    Incoming,
    Keyboard,
    OpenInstance,
    OtherContent,
    Pending,
    Receipt,
    RedeemStatus,
    StagedFile,
    SubmissionKind,
)
from bot.core.plan.model import Role
from bot.core.ports import FileStore, FileTooBigError, Messenger, Repository, has_buttons
from bot.core.rules.deadlines import is_late

log = logging.getLogger(__name__)

# Documents a report comes as, and photos sent uncompressed, as files.
ALLOWED_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".zip", ".jpg", ".jpeg", ".png"}
)
COMMANDS = {
    "start": "start",
    "baocao": "reports",
    "reports": "reports",
    "tinhhinh": "status",
    "status": "status",
    "lich": "deadlines",
    "deadlines": "deadlines",
    "huongdan": "help",
    "help": "help",
    "huy": "cancel",
    "cancel": "cancel",
    "nhom": "group",
    "group": "group",
}
# What the bot says it does not take, per kind of message.
OTHER_CONTENT = {
    OtherContent.VIDEO: "unsupported-video",
    OtherContent.AUDIO: "unsupported-audio",
    OtherContent.VOICE: "unsupported-voice",
    OtherContent.VIDEO_NOTE: "unsupported-video_note",
    OtherContent.ANIMATION: "unsupported-animation",
    OtherContent.STICKER: "unsupported-sticker",
    OtherContent.CONTACT: "unsupported-contact",
    OtherContent.LOCATION: "unsupported-location",
    OtherContent.POLL: "unsupported-poll",
    OtherContent.DICE: "unsupported-dice",
    OtherContent.OTHER: "unsupported-other",
}
OFFER = "offer"  # a pending step that only holds numbered choices sent outside the use cases
BUTTON_LABEL = 60  # characters on a button, so that a phone shows them whole enough
NAME_SHOWN = 120  # characters of a person's file name or title repeated back to them
# The command menu a platform shows: (command, catalog key of its description).
MENU = (
    ("baocao", "menu-baocao"),
    ("lich", "menu-lich"),
    ("tinhhinh", "menu-tinhhinh"),
    ("huy", "menu-huy"),
    ("huongdan", "menu-huongdan"),
)


@dataclass(frozen=True)
class BotSettings:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    admins: frozenset[str] = frozenset()  # user ids, or @usernames in lower case
    max_text: int = 3000  # longest text report accepted, in characters
    pending_ttl: timedelta = timedelta(hours=24)
    stranger_quiet: timedelta = timedelta(hours=1)  # one polite answer per stranger per hour
    upcoming_limit: int = 5
    status_limit: int = 10  # report instances in one status answer
    corrections_limit: int = 3  # past reports a unit is offered to correct, latest first


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReportBot:
    """Every use case, behind one entry point."""

    def __init__(
        self,
        *,
        repository: Repository,
        files: FileStore,
        settings: BotSettings,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.repo = repository
        self.files = files
        self.settings = settings
        self.now = clock
        self._strangers: dict[tuple[str, str], datetime] = {}

    # ---- entry point ---------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, out: Messenger) -> None:
        """Answer one event. What the person got wrong gets a message; nothing is half-written."""
        incoming = _cleaned(incoming)
        if incoming.callback is not None:
            if incoming.chat.kind is not ChatKind.PRIVATE:
                # Steps are a person's own: a button in a group would act, and answer, there.
                await out.answer(incoming.callback.callback_id, t("button-private-only"))
                return
            await self._button(incoming, out)
            return
        if incoming.edited and (
            incoming.chat.kind is not ChatKind.PRIVATE or incoming.command is not None
        ):
            return  # a command acted when it was sent; in groups only commands count
        contact = await self.repo.contact(
            platform=incoming.chat.platform, user_id=incoming.sender.user_id
        )
        if incoming.chat.kind is not ChatKind.PRIVATE:
            await self._group(incoming, out, contact)
            return
        command = COMMANDS.get(incoming.command or "") if incoming.command else None
        if command == "start":
            await self._start(incoming, out, contact)
        elif contact is None and not (command and self._is_admin(incoming)):
            await self._stranger(incoming, out)
        elif incoming.command is not None:
            await self._command(command, incoming, out, contact)
        elif contact is None:
            await self._stranger(incoming, out)
        elif incoming.edited and (incoming.attachment is not None or incoming.other is not None):
            await out.send(incoming.chat.chat_id, t("submit-edit-file"))
        elif incoming.other is not None:
            key = "submit-unsupported-caption" if incoming.text else "submit-unsupported"
            what = t(OTHER_CONTENT[incoming.other])
            await out.send(incoming.chat.chat_id, _words(out, key, what=what))
        elif incoming.attachment is not None:
            await self._file(incoming, out, contact)
        elif (
            not has_buttons(out)
            and incoming.text is not None
            and (number := buttons.number_of(incoming.text)) is not None
        ):
            await self._number(incoming, out, number)
        elif incoming.text is not None and has_visible(incoming.text):
            await self._text(incoming, out, contact)
        else:
            await out.send(incoming.chat.chat_id, t("submit-invisible"))

    async def say(self, out: Messenger, chat_id: str, text: str, keyboard: Keyboard = ()) -> None:
        """Send `text`, split to fit the platform; buttons go with the last piece."""
        if keyboard and not has_buttons(out):
            text, keyboard = buttons.numbered(text, keyboard), ()
        pieces = texts.split_text(text, out.max_text)
        for piece in pieces[:-1]:
            await out.send(chat_id, piece)
        await out.send(chat_id, pieces[-1], keyboard=keyboard)

    async def offer(self, *, platform: str, user_id: str, keyboard: Keyboard) -> None:
        """Keep buttons sent from outside the use cases (a reminder's) as the person's numbered
        choices, on a platform without buttons: the numbers answer the latest list shown."""
        await self.repo.save_pending(
            platform=platform,
            user_id=user_id,
            kind=OFFER,
            payload={"choices": [button.data for button in buttons.flat(keyboard)]},
            now=self.now(),
        )

    # ---- who is talking ------------------------------------------------------------------------

    def _is_admin(self, incoming: Incoming) -> bool:
        sender = incoming.sender
        names = {sender.user_id}
        if sender.username:
            names.add("@" + sender.username.lower())
        return bool(names & self.settings.admins)

    def _is_office(self, incoming: Incoming, contact: Contact | None) -> bool:
        return self._is_admin(incoming) or (contact is not None and contact.role is Role.OFFICE)

    def _sees_status(self, incoming: Incoming, contact: Contact | None) -> bool:
        return self._is_office(incoming, contact) or (
            contact is not None and contact.role is Role.LEADER
        )

    async def _stranger(self, incoming: Incoming, out: Messenger) -> None:
        key = (incoming.chat.platform, incoming.sender.user_id)
        now = self.now()
        last = self._strangers.get(key)
        if last is not None and now - last < self.settings.stranger_quiet:
            return
        self._strangers[key] = now
        await out.send(incoming.chat.chat_id, t("stranger"))

    # ---- registration --------------------------------------------------------------------------

    async def _start(self, incoming: Incoming, out: Messenger, contact: Contact | None) -> None:
        chat = incoming.chat.chat_id
        if not incoming.args:
            if contact is None:
                await out.send(chat, t("start-no-code"))
            else:
                await self._greet(out, chat, contact, again=True)
            return
        result = await self.repo.redeem_invite(
            code=incoming.args[0][:64],
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            chat_id=chat,
            display_name=incoming.sender.display_name,
            username=incoming.sender.username,
            now=self.now(),
        )
        if result.contact is not None:
            await self._greet(
                out, chat, result.contact, again=result.status is RedeemStatus.ALREADY
            )
        else:
            await out.send(chat, t(f"start-{result.status.value}"))

    async def _greet(self, out: Messenger, chat: str, contact: Contact, *, again: bool) -> None:
        now = self.now()
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
            instances = await self.repo.open_instances(unit_key=contact.unit_key, now=now)
            if instances:
                lines.append(t("greet-open", count=len(instances)))
                lines.append(texts.instance_lines(instances, now, self.settings.timezone))
                lines.append(self._how(out))
            else:
                lines.append(t("greet-none"))
                lines.extend(await self._upcoming_lines(contact.unit_key, now))
        if contact.role is Role.OFFICE:
            lines.append(t("greet-office"))
        await self.say(out, chat, "\n\n".join(lines))

    @staticmethod
    def _how(out: Messenger) -> str:
        """How to submit, in the words of the platform: a button to press, or a number."""
        return _words(out, "greet-how")

    # ---- commands ------------------------------------------------------------------------------

    async def _command(
        self, command: str | None, incoming: Incoming, out: Messenger, contact: Contact | None
    ) -> None:
        chat = incoming.chat.chat_id
        if command == "help":
            office = self._is_office(incoming, contact)
            await out.send(chat, t("help-office") if office else _words(out, "help"))
        elif command == "cancel":
            dropped = await self.repo.drop_pending(
                platform=incoming.chat.platform, user_id=incoming.sender.user_id
            )
            await out.send(chat, t("cancel-done" if dropped else "cancel-nothing"))
        elif command == "reports":
            if contact is None:
                await out.send(chat, t("reports-not-a-unit"))
            else:
                await self._my_reports(out, chat, contact)
        elif command == "deadlines":
            await self._deadlines(incoming, out, contact)
        elif command == "status":
            if self._sees_status(incoming, contact):
                await self._status(out, chat, incoming.args)
            else:
                await out.send(chat, t("status-not-allowed"))
        elif command == "group":
            await out.send(chat, t("group-only-in-group"))
        else:
            await out.send(chat, t("unknown-command"))

    async def _my_reports(self, out: Messenger, chat: str, contact: Contact) -> None:
        now = self.now()
        instances = await self.repo.open_instances(unit_key=contact.unit_key, now=now)
        corrections = await self.repo.corrections(
            unit_key=contact.unit_key, now=now, limit=self.settings.corrections_limit
        )
        if not instances:
            lines = [t("reports-none", unit=contact.unit_name)]
            lines.extend(await self._upcoming_lines(contact.unit_key, now))
        else:
            title = t("reports-title", unit=contact.unit_name, count=len(instances))
            body = texts.instance_lines(instances, now, self.settings.timezone)
            lines = [f"{title}\n{body}", self._how(out)]
        if corrections:
            lines.append(
                t("reports-corrections", count=len(corrections))
                + "\n"
                + "\n".join(texts.correction_line(i, self.settings.timezone) for i in corrections)
            )
        await self.say(out, chat, "\n\n".join(lines))

    async def _upcoming_lines(self, unit_key: str | None, now: datetime) -> list[str]:
        coming = await self.repo.upcoming(
            unit_key=unit_key, now=now, limit=self.settings.upcoming_limit
        )
        if not coming:
            return [t("upcoming-none")]
        return [t("upcoming-title"), "\n".join(texts.deadline_line(i, now) for i in coming)]

    async def _deadlines(self, incoming: Incoming, out: Messenger, contact: Contact | None) -> None:
        everyone = self._sees_status(incoming, contact) or contact is None
        unit_key = None if everyone or contact is None else contact.unit_key
        lines = await self._upcoming_lines(unit_key, self.now())
        await self.say(out, incoming.chat.chat_id, "\n".join(lines))

    async def _status(self, out: Messenger, chat: str, args: Sequence[str]) -> None:
        now = self.now()
        report = args[0] if args else None
        try:
            instances = await self.repo.status(report_key=report, now=now)
        except LookupError:  # a mistyped code: name it, and the codes there are
            known = dict.fromkeys(
                i.report_key for i in await self.repo.status(report_key=None, now=now)
            )
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
        shown = instances[: self.settings.status_limit]
        text = "\n\n".join(texts.status_text(i, self.settings.timezone) for i in shown)
        if len(instances) > len(shown):
            text += "\n\n" + t("status-more", count=len(instances) - len(shown))
        await self.say(out, chat, text)

    # ---- groups --------------------------------------------------------------------------------

    async def _group(self, incoming: Incoming, out: Messenger, contact: Contact | None) -> None:
        """In groups only commands count, and only from contacts or admins; others are ignored."""
        command = COMMANDS.get(incoming.command or "")
        if command is None or (contact is None and not self._is_admin(incoming)):
            return
        chat = incoming.chat.chat_id
        if command == "group":
            if not self._is_office(incoming, contact):
                await out.send(chat, t("group-not-allowed"))
                return
            await self.repo.bind_office_group(
                platform=incoming.chat.platform,
                chat_id=chat,
                title=incoming.chat.title,
                contact_id=contact.id if contact else None,
                now=self.now(),
            )
            title = shorten(incoming.chat.title or chat, NAME_SHOWN)
            await out.send(chat, t("group-bound", title=title))
        elif command == "status":
            if self._sees_status(incoming, contact):
                await self._status(out, chat, incoming.args)
            else:
                await out.send(chat, t("status-not-allowed"))
        elif command in {"help", "deadlines"}:
            await self._command(command, incoming, out, contact)

    # ---- submitting ----------------------------------------------------------------------------

    async def _choose(
        self,
        incoming: Incoming,
        out: Messenger,
        contact: Contact,
        *,
        kind: str,
        payload: dict[str, object],
        question: Callable[[list[OpenInstance]], str],
    ) -> list[OpenInstance] | None:
        """Find where a submission goes; ask with buttons unless it is obvious and a file."""
        now = self.now()
        instances = await self._candidates(contact, now)
        chat = incoming.chat.chat_id
        if not instances:
            lines = [t("submit-nothing-open", unit=contact.unit_name)]
            lines.extend(await self._upcoming_lines(contact.unit_key, now))
            await out.send(chat, "\n\n".join(lines))
            return None
        target = await self.repo.peek_pending(
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            now=now,
            ttl=self.settings.pending_ttl,
        )
        if (
            target is not None
            and target.kind == "target"
            and target.payload.get("unit") == contact.unit_key
        ):
            chosen = [i for i in instances if i.instance_id == target.payload.get("instance")]
            instances = chosen or instances
            if chosen and kind == "file":
                await self.repo.drop_pending(
                    platform=incoming.chat.platform, user_id=incoming.sender.user_id
                )
        if kind == "file" and len(instances) == 1 and not _is_correction(instances[0], now):
            return instances
        # The step belongs to the unit it was started for, whatever happens to the person.
        payload = {
            **payload,
            "instances": [i.instance_id for i in instances],
            "unit": contact.unit_key,
            "unit_name": contact.unit_name,
            # What each number means on a platform without buttons, in the buttons' order.
            "choices": _picks(kind, len(instances)),
        }
        pending = await self.repo.save_pending(
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            kind=kind,
            payload=payload,
            now=now,
        )
        await self.say(out, chat, question(instances), self._keyboard(pending, instances))
        return []

    async def _candidates(self, contact: Contact, now: datetime) -> list[OpenInstance]:
        """Where the unit may submit now: open reports, then recent ones it may correct."""
        instances = await self.repo.open_instances(unit_key=contact.unit_key, now=now)
        corrections = await self.repo.corrections(
            unit_key=contact.unit_key, now=now, limit=self.settings.corrections_limit
        )
        return instances + corrections

    def _keyboard(self, pending: Pending, instances: list[OpenInstance]) -> Keyboard:
        """The question's buttons, carrying `_picks` in order: what a number also chooses."""
        picks = _picks(pending.kind, len(instances))
        if len(instances) == 1 and pending.kind == "text":
            labels = [t("button-submit"), t("button-cancel")]
            return (
                tuple(
                    Button(label, buttons.choice(pending.token, pick))
                    for label, pick in zip(labels, picks, strict=True)
                ),
            )
        now = self.now()
        labels = [*(self._button_label(i, now) for i in instances), t("button-cancel")]
        return tuple(
            (Button(label, buttons.choice(pending.token, pick)),)
            for label, pick in zip(labels, picks, strict=True)
        )

    @staticmethod
    def _button_label(instance: OpenInstance, now: datetime) -> str:
        """The report's name; for a correction, also its deadline, which tells periods apart."""
        if not _is_correction(instance, now):
            return shorten(t("button-report", name=instance.report_name), BUTTON_LABEL)
        deadline = fmt.deadline(instance.deadline)
        room = BUTTON_LABEL - len(t("button-correct", name="", deadline=deadline))
        name = shorten(instance.report_name, max(room, 12))
        return shorten(t("button-correct", name=name, deadline=deadline), BUTTON_LABEL)

    async def _text(self, incoming: Incoming, out: Messenger, contact: Contact) -> None:
        text = clean(incoming.text or "")
        if len(text) > self.settings.max_text:
            await out.send(
                incoming.chat.chat_id,
                t("submit-text-too-long", length=len(text), limit=self.settings.max_text),
            )
            return

        def question(instances: list[OpenInstance]) -> str:
            # An edit asks anew: the earlier question's buttons no longer act.
            edited = t("submit-text-edited") + "\n" if incoming.edited else ""
            if len(instances) == 1:
                name = instances[0].report_name
                if _is_correction(instances[0], self.now()):
                    return edited + t("submit-text-confirm-correction", name=name)
                return edited + t("submit-text-confirm", name=name)
            return edited + t("submit-text-which")

        await self._choose(
            incoming, out, contact, kind="text", payload={"text": text}, question=question
        )

    def _file_problem(self, attachment: Attachment, out: Messenger) -> str | None:
        if attachment.kind is AttachmentKind.DOCUMENT:
            suffix = PurePath(attachment.file_name or "").suffix.lower()
            if suffix not in ALLOWED_EXTENSIONS:
                name = shorten_name(attachment.file_name or "?", NAME_SHOWN)
                return t("submit-file-type", name=name)
        if attachment.size is not None and attachment.size > out.max_download:
            return t(
                "submit-file-too-big",
                size=_megabytes(attachment.size),
                limit=_megabytes(out.max_download),
            )
        if attachment.size == 0:
            return t("submit-file-empty")
        return None

    async def _file(self, incoming: Incoming, out: Messenger, contact: Contact) -> None:
        attachment = incoming.attachment
        assert attachment is not None
        problem = self._file_problem(attachment, out)
        if problem is not None:
            await out.send(incoming.chat.chat_id, problem)
            return
        payload: dict[str, object] = {
            "attachment": {
                "kind": attachment.kind.value,
                "file_ref": attachment.file_ref,
                "file_name": attachment.file_name,
                "mime_type": attachment.mime_type,
                "size": attachment.size,
            },
            "note": clean_optional((incoming.text or "")[: self.settings.max_text]),
        }
        chosen = await self._choose(
            incoming,
            out,
            contact,
            kind="file",
            payload=payload,
            question=lambda _: t(
                "submit-file-which", name=shorten_name(_file_label(attachment), NAME_SHOWN)
            ),
        )
        if chosen:
            await self._accept_file(
                incoming,
                out,
                contact,
                chosen[0],
                attachment,
                note=payload["note"],  # type: ignore[arg-type]
                source_ref=incoming.source_ref,
            )

    async def _accept_file(
        self,
        incoming: Incoming,
        out: Messenger,
        contact: Contact,
        instance: OpenInstance,
        attachment: Attachment,
        *,
        note: str | None,
        source_ref: str,
    ) -> None:
        # A redelivered update downloads again; `submit` then returns the first receipt.
        chat = incoming.chat.chat_id
        name = _file_label(attachment)
        staged = self.files.staging_path(PurePath(name).suffix.lower())
        try:
            try:
                size = await out.download(attachment, staged)
            except FileTooBigError:
                limit = _megabytes(out.max_download)
                await out.send(chat, t("submit-file-too-big", size=f"> {limit}", limit=limit))
                return
            if size == 0:
                await out.send(chat, t("submit-file-empty"))
                return
            digest = await asyncio.to_thread(_sha256, staged)
            receipt = await self.repo.submit(
                instance_id=instance.instance_id,
                unit_key=contact.unit_key,
                contact_id=contact.id,
                kind=SubmissionKind.PHOTO
                if attachment.kind is AttachmentKind.PHOTO
                else SubmissionKind.FILE,
                source_ref=source_ref,
                now=self.now(),
                note=note,
                file=StagedFile(staged, name, size, digest, attachment.mime_type),
            )
        finally:
            self.files.discard(staged)  # moved into the store on success; gone either way
        await self._receipt(out, chat, receipt)
        if instance.forward_files:
            await self._forward(incoming, out, receipt, attachment)

    async def _receipt(self, out: Messenger, chat: str, receipt: Receipt) -> None:
        """Send the receipt of a stored submission; never let its delivery look like a failure.

        The submission is committed: an apology would make the person send it again and add
        a version. So a receipt that cannot be written out falls back to its code, and one
        that cannot be delivered is logged (the person sees it in /baocao).
        """
        try:
            text = texts.receipt_text(receipt, self.settings.timezone)
        except Exception:
            log.exception("could not write out receipt %s", receipt.receipt_code)
            text = t("receipt-short", code=receipt.receipt_code, version=receipt.version)
        try:
            await self.say(out, chat, text)
        except Exception:
            log.exception("receipt %s is stored but could not be sent", receipt.receipt_code)

    async def _forward(
        self, incoming: Incoming, out: Messenger, receipt: Receipt, attachment: Attachment
    ) -> None:
        group = await self.repo.office_group(platform=incoming.chat.platform)
        if group is None:
            return
        caption = t(
            "forward-caption",
            unit=receipt.unit_name,
            report=receipt.report_name,
            version=receipt.version,
            code=receipt.receipt_code,
        )
        try:
            await out.send_file(group, attachment, caption)
        except Exception:  # the unit's submission stands even if the group cannot be reached
            log.exception(
                "could not forward submission %s to the office group", receipt.receipt_code
            )

    # ---- buttons -------------------------------------------------------------------------------

    async def _button(self, incoming: Incoming, out: Messenger) -> None:
        callback = incoming.callback
        assert callback is not None
        pressed = buttons.decode(callback.data)
        if pressed is None:
            await out.answer(callback.callback_id, t("button-invalid"))
            return
        contact = await self.repo.contact(
            platform=incoming.chat.platform, user_id=incoming.sender.user_id
        )
        if contact is None:
            await out.answer(callback.callback_id, t("button-not-yours"))
            return
        if isinstance(pressed, buttons.SubmitNow):
            await self._submit_now(incoming, out, contact, pressed.instance_id)
            return
        token = pressed.token
        # The person is part of the key: someone else sending the same data finds nothing.
        source_ref = f"button:{incoming.chat.platform}:{incoming.sender.user_id}:{token}"
        pending = await self.repo.take_pending(
            token=token,
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            now=self.now(),
            ttl=self.settings.pending_ttl,
        )
        if pending is None:
            earlier = await self.repo.receipt_for(source_ref=source_ref)
            if earlier is not None:  # the same press delivered again after a restart
                await out.answer(callback.callback_id)
                await self._receipt(out, incoming.chat.chat_id, earlier)
            else:
                await out.answer(callback.callback_id, _words(out, "button-stale"))
            return
        await out.answer(callback.callback_id)
        if pressed.cancelled:
            await self._close_prompt(out, incoming, t("submit-cancelled"))
            return
        ids = pending.payload.get("instances")
        position = pressed.position
        if not isinstance(ids, list) or position >= len(ids):
            await self._close_prompt(out, incoming, _words(out, "button-stale"))
            return
        started_for = pending.payload.get("unit")
        if started_for is None:  # a step saved before steps knew their unit: ask again
            await self._close_prompt(out, incoming, _words(out, "button-stale"))
            return
        if started_for != contact.unit_key:
            started = str(pending.payload.get("unit_name") or started_for)
            await self._close_prompt(
                out, incoming, t("submit-unit-changed", started=started, unit=contact.unit_name)
            )
            return
        now = self.now()
        open_now = await self._candidates(contact, now)
        instance = next((i for i in open_now if i.instance_id == ids[position]), None)
        if instance is None:
            await self._close_prompt(out, incoming, t("submit-closed"))
            return
        await self._close_prompt(out, incoming, t("submit-chosen", name=instance.report_name))
        if pending.kind == "text":
            receipt = await self.repo.submit(
                instance_id=instance.instance_id,
                unit_key=contact.unit_key,
                contact_id=contact.id,
                kind=SubmissionKind.TEXT,
                source_ref=source_ref,
                now=now,
                text=str(pending.payload.get("text", "")),
            )
            await self._receipt(out, incoming.chat.chat_id, receipt)
            return
        attachment = _attachment_from(pending.payload.get("attachment"))
        if attachment is None:
            await self._close_prompt(out, incoming, _words(out, "button-stale"))
            return
        note = pending.payload.get("note")
        await self._accept_file(
            incoming,
            out,
            contact,
            instance,
            attachment,
            note=note if isinstance(note, str) else None,
            source_ref=source_ref,
        )

    async def _number(self, incoming: Incoming, out: Messenger, number: int) -> None:
        """A number answering the numbered choices: the same as pressing that button."""
        chat = incoming.chat.chat_id
        pending = await self.repo.peek_pending(
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            now=self.now(),
            ttl=self.settings.pending_ttl,
        )
        picks = pending.payload.get("choices") if pending is not None else None
        if pending is None or not isinstance(picks, list) or not picks:
            await out.send(chat, t("choice-nothing-offered"))
            return
        if not 1 <= number <= len(picks):
            await out.send(chat, t("choice-not-offered", number=number, count=len(picks)))
            return
        pick = str(picks[number - 1])
        data = pick if pending.kind == OFFER else buttons.choice(pending.token, pick)
        press = Callback(callback_id=f"number:{incoming.source_ref}", data=data, message=None)
        await self._button(replace(incoming, text=None, callback=press), out)

    async def _submit_now(
        self, incoming: Incoming, out: Messenger, contact: Contact, instance_id: int
    ) -> None:
        """The "submit now" button under a reminder: what the person sends next goes there."""
        callback = incoming.callback
        assert callback is not None
        now = self.now()
        instances = await self._candidates(contact, now)
        instance = next((i for i in instances if i.instance_id == instance_id), None)
        if instance is None:
            await out.answer(callback.callback_id, t("reminder-report-closed"))
            return
        await self.repo.save_pending(
            platform=incoming.chat.platform,
            user_id=incoming.sender.user_id,
            kind="target",
            payload={"instance": instance_id, "unit": contact.unit_key},
            now=now,
        )
        await out.answer(callback.callback_id)
        await out.send(incoming.chat.chat_id, t("reminder-submit-how", name=instance.report_name))

    async def _close_prompt(self, out: Messenger, incoming: Incoming, text: str) -> None:
        """Replace the question and its buttons by what happened, so no button is left to press."""
        message = incoming.callback.message if incoming.callback else None
        if message is not None:
            try:
                await out.edit(message, text)
                return
            except Exception:
                # The question may be deleted or refused: the step goes on, told anew.
                log.warning("could not replace the question; sending the outcome", exc_info=True)
        await out.send(incoming.chat.chat_id, text)


def _words(out: Messenger, key: str, **args: object) -> str:
    """Message `key` in the words of the platform: a button to press, or a number to type."""
    return t(buttons.wording(key, has_buttons=has_buttons(out)), **args)


def _picks(kind: str, count: int) -> list[str]:
    """The choices a question offers, in the buttons' order: one text report is confirmed or
    cancelled, otherwise each report by its position, then cancel."""
    if count == 1 and kind == "text":
        return ["0", buttons.CANCEL]
    return [*(str(position) for position in range(count)), buttons.CANCEL]


def _is_correction(instance: OpenInstance, now: datetime) -> bool:
    """A report past its deadline that the unit already sent: what comes now corrects it."""
    return instance.versions > 0 and is_late(now, instance.due_end)


def _cleaned(incoming: Incoming) -> Incoming:
    """`incoming` with every string the person typed or named made safe to store and query."""
    attachment = incoming.attachment
    if attachment is not None and attachment.file_name is not None:
        attachment = replace(attachment, file_name=clean_name(attachment.file_name) or None)
    sender = incoming.sender
    return replace(
        incoming,
        chat=replace(
            incoming.chat,
            title=None if incoming.chat.title is None else clean_name(incoming.chat.title) or None,
        ),
        sender=replace(
            sender,
            display_name=clean_name(sender.display_name) or sender.user_id,
            username=clean_optional(sender.username),
        ),
        text=None if incoming.text is None else clean(incoming.text),
        args=tuple(clean(arg) for arg in incoming.args),
        attachment=attachment,
    )


def _attachment_from(data: object) -> Attachment | None:
    if not isinstance(data, dict):
        return None
    try:
        return Attachment(
            kind=AttachmentKind(data["kind"]),
            file_ref=str(data["file_ref"]),
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            size=data.get("size"),
        )
    except (KeyError, ValueError):
        return None


def _file_label(attachment: Attachment) -> str:
    if attachment.file_name:
        return attachment.file_name
    return "photo.jpg" if attachment.kind is AttachmentKind.PHOTO else "document"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
