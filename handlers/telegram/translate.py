"""Telegram updates become the core's neutral `Incoming` events; nothing else leaves this module."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.ext import filters

from bot.core.model import (
    Attachment,
    AttachmentKind,
    Callback,
    Chat,
    ChatKind,
    Incoming,
    MessageRef,
    OtherContent,
    Sender,
)

PLATFORM = "telegram"

_KINDS = {
    ChatType.PRIVATE: ChatKind.PRIVATE,
    ChatType.GROUP: ChatKind.GROUP,
    ChatType.SUPERGROUP: ChatKind.GROUP,
    ChatType.CHANNEL: ChatKind.CHANNEL,
}


def incoming(update: Update, *, bot_username: str | None) -> Incoming | None:
    """The neutral event for `update`, or None for updates the bot does not act on."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    neutral_chat = Chat(
        platform=PLATFORM,
        chat_id=str(chat.id),
        kind=_KINDS.get(ChatType(chat.type), ChatKind.GROUP),
        title=chat.title,
    )
    sender = Sender(user_id=str(user.id), display_name=user.full_name, username=user.username)
    query = update.callback_query
    if query is not None:
        message = query.message
        return Incoming(
            chat=neutral_chat,
            sender=sender,
            received_at=datetime.now(UTC),
            source_ref=f"{PLATFORM}:callback:{query.id}",
            callback=Callback(
                callback_id=query.id,
                data=query.data or "",
                message=MessageRef(str(chat.id), str(message.message_id)) if message else None,
            ),
        )
    # An edit counts: the person sees the new words and expects them to be what is sent.
    message = update.message or update.edited_message
    if message is None:  # channel posts, membership changes: nothing to do
        return None
    edited = update.edited_message is not None
    if filters.StatusUpdate.ALL.check_update(update):  # pins, joins, timers: nobody sent these
        return None
    command, args = _command(message, bot_username)
    if command == "":  # a command meant for another bot in the same group
        return None
    other = _other(message)
    return Incoming(
        chat=neutral_chat,
        sender=sender,
        received_at=message.date.astimezone(UTC) if message.date else datetime.now(UTC),
        source_ref=f"{PLATFORM}:{chat.id}:{message.message_id}"
        + (f":edit:{message.edit_date.timestamp():.0f}" if edited and message.edit_date else ""),
        text=None if command else (message.text or message.caption),
        command=command,
        args=args,
        attachment=None if other else _attachment(message),
        other=other,
        edited=edited,
    )


def _command(message: Message, bot_username: str | None) -> tuple[str | None, tuple[str, ...]]:
    """("start", ("CODE",)) for "/start CODE"; ("", ()) for "/cmd@someotherbot"."""
    text = message.text or ""
    entities = message.entities or ()
    if not entities or entities[0].type != MessageEntityType.BOT_COMMAND or entities[0].offset:
        return None, ()
    word = text[1 : entities[0].length]
    name, _, addressee = word.partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return "", ()
    return name.lower(), tuple(text[entities[0].length :].split())


# Checked in this order: an animation also carries a `document`, a venue a `location`.
_OTHER_FIELDS = (
    ("animation", OtherContent.ANIMATION),
    ("video", OtherContent.VIDEO),
    ("video_note", OtherContent.VIDEO_NOTE),
    ("audio", OtherContent.AUDIO),
    ("voice", OtherContent.VOICE),
    ("sticker", OtherContent.STICKER),
    ("contact", OtherContent.CONTACT),
    ("venue", OtherContent.LOCATION),
    ("location", OtherContent.LOCATION),
    ("poll", OtherContent.POLL),
    ("dice", OtherContent.DICE),
)


def _other(message: Message) -> OtherContent | None:
    """What the person sent when it is neither text, a document nor a photo."""
    for name, kind in _OTHER_FIELDS:
        if getattr(message, name, None):
            return kind
    if message.text is None and message.document is None and not message.photo:
        return OtherContent.OTHER  # games, stories, paid media, checklists, and what comes next
    return None


def _attachment(message: Message) -> Attachment | None:
    if message.document is not None:
        document = message.document
        return Attachment(
            kind=AttachmentKind.DOCUMENT,
            file_ref=document.file_id,
            file_name=document.file_name,
            mime_type=document.mime_type,
            size=document.file_size,
        )
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return Attachment(
            kind=AttachmentKind.PHOTO,
            file_ref=largest.file_id,
            mime_type="image/jpeg",
            size=largest.file_size,
        )
    return None
