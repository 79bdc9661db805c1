"""Zalo updates become the core's neutral `Incoming` events; nothing else leaves this module.

An update is `{"event_name": ..., "message": {...}}`; a webhook may also wrap it as
`{"ok": true, "result": {...}}` (clients disagree), so both are read. Anything malformed, or
an event the bot does not act on (a reaction, a seen receipt, what Zalo adds next), is None:
nothing is answered to it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.core.model import (
    Attachment,
    AttachmentKind,
    Chat,
    ChatKind,
    Incoming,
    OtherContent,
    Sender,
)

log = logging.getLogger(__name__)

PLATFORM = "zalo"

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"
EVENTS = frozenset({TEXT, IMAGE, STICKER, UNSUPPORTED})

# Files, locations and everything from protected users come as "unsupported": a file is the
# likeliest, and its answer (the upload link) fits the others too. Until the core knows FILE,
# its catch-all answer does.
UNSUPPORTED_CONTENT: OtherContent = getattr(OtherContent, "FILE", OtherContent.OTHER)

MAX_ID = 128  # characters: ids are short hex strings; anything longer is not one


class Malformed(ValueError):
    """The update lacks a field the bot needs, or has one of the wrong type."""


def unwrap(body: object) -> Mapping[str, Any] | None:
    """The update in a webhook's or getUpdates' body, bare or wrapped in `{"ok", "result"}`."""
    if not isinstance(body, Mapping):
        return None
    if "event_name" not in body and isinstance(body.get("result"), Mapping):
        return body["result"]  # type: ignore[no-any-return]
    return body


def message_id(update: Mapping[str, Any]) -> str | None:
    """The message's id, for dropping a second delivery; None when there is none."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    value = message.get("message_id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value)[:MAX_ID]
    return None


def chat_of(update: Mapping[str, Any]) -> str | None:
    """The chat an update belongs to (for handling one chat's updates in order)."""
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, Mapping) else None
    value = chat.get("id") if isinstance(chat, Mapping) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def incoming(update: Mapping[str, Any]) -> Incoming | None:
    """The neutral event for `update`, or None for one the bot does not act on."""
    event = update.get("event_name")
    if event not in EVENTS:
        # Not an error: Zalo adds events, and a reaction or a seen receipt needs no answer.
        log.debug("ignored a Zalo update of event %r", str(event)[:60])
        return None
    try:
        return _incoming(str(event), update)
    except Malformed as error:
        # The body is not logged: it is a person's message.
        log.warning("ignored a malformed Zalo update (%s): %s", event, error)
        return None


def _string(value: object, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{name} missing or not a string")
    text = str(value)
    if required and not text.strip():
        raise Malformed(f"{name} empty")
    return text


def _id(value: object, name: str) -> str:
    text = _string(value, name)
    assert text is not None
    if len(text) > MAX_ID:
        raise Malformed(f"{name} too long")
    return text


def _date(value: object) -> datetime:
    """Milliseconds since the epoch, as Zalo writes dates; now when there is none."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Malformed("date not a number")
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise Malformed("date out of range") from None


def _incoming(event: str, update: Mapping[str, Any]) -> Incoming | None:
    message = update.get("message")
    if not isinstance(message, Mapping):
        raise Malformed("message missing")
    sender = message.get("from")
    chat = message.get("chat")
    if not isinstance(sender, Mapping) or not isinstance(chat, Mapping):
        raise Malformed("from or chat missing")
    if sender.get("is_bot") is True:
        return None
    user_id = _id(sender.get("id"), "from.id")
    chat_id = _id(chat.get("id"), "chat.id")
    mid = _id(message.get("message_id"), "message_id")
    name = (
        _string(sender.get("display_name"), "from.display_name", required=False)
        or _string(sender.get("name"), "from.name", required=False)
        or _string(sender.get("first_name"), "from.first_name", required=False)
        or user_id
    )
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    kind = ChatKind.PRIVATE if chat_type == "PRIVATE" else ChatKind.GROUP
    base = Incoming(
        chat=Chat(platform=PLATFORM, chat_id=chat_id, kind=kind),
        sender=Sender(user_id=user_id, display_name=name),
        received_at=_date(message.get("date")),
        source_ref=f"{PLATFORM}:{chat_id}:{mid}",
    )
    if event == TEXT:
        text = _string(message.get("text"), "text")
        assert text is not None
        return _text(base, text)
    caption = _string(message.get("caption"), "caption", required=False) or None
    if event == IMAGE:
        url = _string(
            message.get("photo_url") or message.get("photo") or message.get("url"), "photo_url"
        )
        assert url is not None
        if not url.lower().startswith(("http://", "https://")):
            raise Malformed("photo_url not an http(s) URL")
        attachment = Attachment(kind=AttachmentKind.PHOTO, file_ref=url, mime_type="image/jpeg")
        return _replace(base, text=caption, attachment=attachment)
    if event == STICKER:
        return _replace(base, other=OtherContent.STICKER)
    return _replace(base, text=caption, other=UNSUPPORTED_CONTENT)


def _text(base: Incoming, text: str) -> Incoming:
    """A leading "/word" is a command with the rest as its arguments, as typed on the console:
    Zalo has no command entities."""
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        word, _, rest = stripped[1:].partition(" ")
        return _replace(base, command=word.lower(), args=tuple(rest.split()))
    return _replace(base, text=text)


def _replace(base: Incoming, **changes: Any) -> Incoming:
    from dataclasses import replace

    return replace(base, **changes)
