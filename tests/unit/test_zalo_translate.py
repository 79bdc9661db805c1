"""Zalo updates in, neutral events out: what is acted on, and what is quietly ignored."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.model import AttachmentKind, ChatKind, OtherContent
from handlers.zalo.translate import UNSUPPORTED_CONTENT, incoming, message_id, unwrap


def update(event: str = "message.text.received", **message: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": "abc123",
        "date": 1_700_000_000_000,
        "from": {"id": "u1", "display_name": "Nguyễn Văn A", "is_bot": False},
        "chat": {"id": "u1", "chat_type": "PRIVATE"},
    }
    body.update(message)
    return {"event_name": event, "message": body}


def test_a_text_becomes_text_with_its_date_and_reference() -> None:
    event = incoming(update(text="Báo cáo tháng"))
    assert event is not None
    assert event.text == "Báo cáo tháng"
    assert event.command is None
    assert event.chat.platform == "zalo" and event.chat.kind is ChatKind.PRIVATE
    assert event.sender.display_name == "Nguyễn Văn A"
    assert event.received_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert event.source_ref == "zalo:u1:abc123"


def test_a_leading_slash_word_is_a_command_with_arguments() -> None:
    event = incoming(update(text="/Start ABC-123  x"))
    assert event is not None
    assert (event.command, event.args, event.text) == ("start", ("ABC-123", "x"), None)
    lone = incoming(update(text="/ nothing"))
    assert lone is not None and lone.command is None


def test_an_image_is_a_photo_with_its_url_and_caption() -> None:
    for field in ("photo_url", "photo"):
        event = incoming(
            update("message.image.received", **{field: "https://f.zalo/p.jpg", "caption": "ảnh"})
        )
        assert event is not None and event.attachment is not None
        assert event.attachment.kind is AttachmentKind.PHOTO
        assert event.attachment.file_ref == "https://f.zalo/p.jpg"
        assert event.text == "ảnh"


def test_stickers_and_unsupported_content_are_other_content() -> None:
    sticker = incoming(update("message.sticker.received", sticker="s1", url="https://s"))
    assert sticker is not None and sticker.other is OtherContent.STICKER
    other = incoming(update("message.unsupported.received"))
    assert other is not None and other.other is UNSUPPORTED_CONTENT


def test_a_group_chat_is_a_group_and_a_name_may_come_as_name() -> None:
    event = incoming(
        update(
            text="x", chat={"id": "g1", "chat_type": "GROUP"}, **{"from": {"id": "u2", "name": "B"}}
        )
    )
    assert event is not None
    assert event.chat.kind is ChatKind.GROUP and event.sender.display_name == "B"


def test_unknown_events_and_bots_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert incoming(update("message.reaction.received", text="x")) is None
        assert incoming({"event_name": None}) is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert incoming(update(text="x", **{"from": {"id": "b", "is_bot": True}})) is None


@pytest.mark.parametrize(
    "broken",
    [
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": "x"},
        update(text=None),
        update(text=["a"]),
        update(text="x", chat=None),
        update(text="x", message_id=None),
        update(text="x", date="soon"),
        update(text="x", date=10**30),
        update("message.image.received"),
        update("message.image.received", photo_url="file:///etc/passwd"),
        update(text="x", **{"from": {"id": {"nested": 1}}}),
    ],
)
def test_a_malformed_update_is_none_and_a_warning_without_the_body(
    broken: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert incoming(broken) is None
    assert not any("Nguyễn" in r.getMessage() for r in caplog.records)


def test_a_webhook_body_may_be_bare_or_wrapped() -> None:
    bare = update(text="x")
    assert unwrap(bare) is bare
    assert unwrap({"ok": True, "result": bare}) == bare
    assert unwrap([1]) is None
    assert message_id(bare) == "abc123"
    assert message_id({"message": {}}) is None
