"""`ReportBot`: one event from any platform in, dispatched to the feature that answers it.

Commands go by the table in `commands`; texts and files to `submission`; presses and numbers
to `choices`. Nothing here knows Telegram, Zalo, the ORM or the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from bot.core import buttons, filetypes
from bot.core.archive import Archives
from bot.core.cleaning import clean, clean_name, clean_optional, has_visible
from bot.core.drafts import DraftDesk
from bot.core.export_desk import StatusExport
from bot.core.i18n import t
from bot.core.model import ChatKind, Contact, Incoming, Keyboard, OtherContent
from bot.core.plan.model import Role
from bot.core.ports import FileStore, Messenger, Repository, SignatureReader, has_buttons
from bot.core.usecases import choices, registration, submission, web
from bot.core.usecases.commands import Where, Who, allowed, find
from bot.core.usecases.context import BotSettings, Context, Request, utc_now
from bot.core.web_access import WebAccessDesk

log = logging.getLogger(__name__)

# Pauses before handling an event again while the records cannot be reached: about eight
# seconds in all, the time a database takes to restart, while the person waits in chat.
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.5)

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
    OtherContent.FILE: "unsupported-file",
}


class ReportBot:
    """Every use case, behind one entry point."""

    def __init__(
        self,
        *,
        repository: Repository,
        files: FileStore,
        settings: BotSettings,
        clock: Callable[[], datetime] = utc_now,
        exports: StatusExport | None = None,
        signatures: SignatureReader | None = None,
        drafts: DraftDesk | None = None,
        archives: Archives | None = None,
        web: WebAccessDesk | None = None,
        unavailable: Callable[[BaseException], bool] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`unavailable` tells an error that means the records cannot be reached for now (the
        database restarting, a failover): such an event is handled again after a pause, up
        to a few seconds in all, before the person is told to try later. Handling again is
        safe: a submission is kept once per message (`source_ref`), and such errors come from
        the first read or write, before anything was sent."""
        self.unavailable = unavailable
        self.sleep = sleep
        self.context = Context(
            repository=repository,
            files=files,
            settings=settings,
            clock=clock,
            exports=exports,
            signatures=signatures,
            drafts=drafts,
            archives=archives,
            web=web,
        )

    async def handle(self, incoming: Incoming, out: Messenger) -> None:
        """Answer one event. What the person got wrong gets a message; nothing is half-written.
        While the records cannot be reached, the event waits and is handled again."""
        for pause in (*RETRY_PAUSES, None):
            try:
                await self._handle(incoming, out)
                return
            except Exception as error:
                if pause is None or self.unavailable is None or not self.unavailable(error):
                    raise
                log.warning("the records cannot be reached; handling again in %.1f s", pause)
                await self.sleep(pause)

    async def _handle(self, incoming: Incoming, out: Messenger) -> None:
        ctx = self.context
        incoming = _cleaned(incoming)
        if incoming.callback is not None:
            if incoming.chat.kind is not ChatKind.PRIVATE:
                # Steps are a person's own: a button in a group would act, and answer, there.
                await out.answer(incoming.callback.callback_id, t("button-private-only"))
                return
            await choices.press_button(ctx, Request(incoming, out, None))
            return
        if incoming.edited and (
            incoming.chat.kind is not ChatKind.PRIVATE or incoming.command is not None
        ):
            return  # a command acted when it was sent; in groups only commands count
        contact = await ctx.repo.contact(
            platform=incoming.chat.platform, user_id=incoming.sender.user_id
        )
        request = Request(incoming, out, contact)
        if incoming.chat.kind is not ChatKind.PRIVATE:
            await self._in_group(request)
        elif incoming.command is not None:
            await self._command(request)
        elif contact is None:
            await registration.typed_code(ctx, request)
        elif incoming.edited and (incoming.attachment is not None or incoming.other is not None):
            await out.send(request.chat, t("submit-edit-file"))
        elif incoming.other is not None:
            await _not_taken(ctx, request, contact, incoming.other)
        elif incoming.attachment is not None:
            await submission.file(ctx, request, contact)
        elif (
            not has_buttons(out)
            and incoming.text is not None
            and (number := buttons.number_of(incoming.text)) is not None
        ):
            await choices.number(ctx, request, number)
        elif incoming.text is not None and has_visible(incoming.text):
            await submission.text(ctx, request, contact)
        else:
            await out.send(request.chat, ctx.words(out, "submit-invisible"))

    async def _command(self, request: Request) -> None:
        """A command in a private chat: strangers reach only /start, and get one polite answer."""
        ctx, incoming, out = self.context, request.incoming, request.out
        command = find(incoming.command)
        if command is not None and command.who is Who.ANYONE:
            await command.handler(ctx, request)
        elif request.contact is None and not (command and ctx.is_admin(incoming)):
            await registration.stranger(ctx, request)
        elif command is None:
            await out.send(request.chat, t("unknown-command"))
        elif command.where is Where.GROUP:
            await out.send(request.chat, t(command.elsewhere or "unknown-command"))
        elif not allowed(ctx, command, request):
            await out.send(request.chat, t(command.refused or "unknown-command"))
        else:
            await command.handler(ctx, request)

    async def _in_group(self, request: Request) -> None:
        """In groups only commands count, and only from contacts or admins; others are ignored."""
        ctx = self.context
        command = find(request.incoming.command)
        if command is None or command.where is Where.PRIVATE:
            return
        if request.contact is None and not ctx.is_admin(request.incoming):
            return
        if not allowed(ctx, command, request):
            if command.refused is not None:
                await request.out.send(request.chat, t(command.refused))
            return
        await command.handler(ctx, request)

    async def say(self, out: Messenger, chat_id: str, text: str, keyboard: Keyboard = ()) -> None:
        """Send `text`, split to fit the platform; buttons go with the last piece."""
        await self.context.say(out, chat_id, text, keyboard)

    async def offer(self, *, platform: str, user_id: str, keyboard: Keyboard) -> None:
        """Keep buttons sent from outside the use cases (a reminder's) as the person's numbered
        choices, on a platform without buttons: the numbers answer the latest list shown."""
        await choices.offer(self.context, platform=platform, user_id=user_id, keyboard=keyboard)


async def _not_taken(ctx: Context, request: Request, contact: Contact, other: OtherContent) -> None:
    """Say what the bot does not take; a unit's contact also gets a one-time link to the web
    portal, where any file goes (a file the platform cannot pass to the bot in particular)."""
    out = request.out
    if other is OtherContent.FILE:
        text = ctx.words(out, "submit-unsupported-file")
    else:
        key = "submit-unsupported-caption" if request.incoming.text else "submit-unsupported"
        text = ctx.words(out, key, what=t(OTHER_CONTENT[other]))
    if contact.role is not Role.LEADER and (ctx.web is not None or other is OtherContent.FILE):
        # Without the web app, only a file needs saying that there is no other way here.
        text += "\n\n" + await web.link_line(ctx, request, contact, key="web-upload-other")
    await out.send(request.chat, text)


def _cleaned(incoming: Incoming) -> Incoming:
    """`incoming` with every string the person typed or named made safe to store and query."""
    attachment = incoming.attachment
    if attachment is not None and attachment.file_name is not None:
        # The same name the web portal would keep: its last path component ("../../x.pdf"
        # and "C:\\...\\x.pdf" are names some clients send), composed, without controls.
        name = filetypes.clean_file_name(attachment.file_name)
        attachment = replace(attachment, file_name=name or None)
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
