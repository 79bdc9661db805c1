"""Pending steps: typed in the use cases, stored as a kind and a JSON payload as before."""

from __future__ import annotations

import pytest

from bot.core import buttons, steps
from bot.core.model import Attachment, AttachmentKind

PDF = Attachment(AttachmentKind.DOCUMENT, "file-0", "bc.pdf", "application/pdf", 8)
EVERY_KIND = [
    steps.TextChoice("Số liệu quý", (4, 7), "phong-a", "Phòng A"),
    steps.TextChoice("Một báo cáo", (4,), "phong-a", "Phòng A"),
    steps.FileChoice(PDF, "ghi chú", (4, 7), "phong-a", "Phòng A"),
    steps.FileChoice(Attachment(AttachmentKind.PHOTO, "ph"), None, (4,), "phong-a", "Phòng A"),
    steps.SubmitTo(7, "phong-a"),
    steps.Offer(("r:7",)),
]


@pytest.mark.parametrize("step", EVERY_KIND, ids=lambda step: type(step).__name__)
def test_the_codec_reads_back_what_it_writes(step: steps.Step) -> None:
    kind, payload = steps.encode(step)
    assert steps.decode(kind, payload) == step


# Exactly what the bot stored before steps were typed (kind, payload), and what it means now.
OLD_ROWS = [
    (
        "text",
        {
            "text": "Số liệu quý",
            "instances": [4, 7],
            "unit": "phong-a",
            "unit_name": "Phòng A",
            "choices": ["0", "1", "x"],
        },
        steps.TextChoice("Số liệu quý", (4, 7), "phong-a", "Phòng A"),
    ),
    (
        "file",
        {
            "attachment": {
                "kind": "document",
                "file_ref": "file-0",
                "file_name": "bc.pdf",
                "mime_type": "application/pdf",
                "size": 8,
            },
            "note": None,
            "instances": [4],
            "unit": "phong-a",
            "unit_name": "Phòng A",
            "choices": ["0", "x"],
        },
        steps.FileChoice(PDF, None, (4,), "phong-a", "Phòng A"),
    ),
    ("target", {"instance": 7, "unit": "phong-a"}, steps.SubmitTo(7, "phong-a")),
    ("offer", {"choices": ["r:7"]}, steps.Offer(("r:7",))),
]


@pytest.mark.parametrize(("kind", "payload", "step"), OLD_ROWS, ids=[r[0] for r in OLD_ROWS])
def test_steps_stored_before_they_were_typed_still_read(
    kind: str, payload: dict[str, object], step: steps.Step
) -> None:
    assert steps.decode(kind, payload) == step
    assert steps.encode(step) == (kind, payload)  # and are written the same way


def test_the_choices_a_number_picks_are_the_ones_stored_before() -> None:
    one, two = steps.TextChoice("a", (4,), "u", "U"), steps.TextChoice("a", (4, 7), "u", "U")
    assert one.choices == ("0", buttons.CANCEL)
    assert two.choices == ("0", "1", buttons.CANCEL)
    assert steps.FileChoice(PDF, None, (4,), "u", "U").choices == ("0", buttons.CANCEL)
    assert steps.SubmitTo(4, "u").choices == ()


def test_a_step_without_a_unit_name_is_named_by_its_unit() -> None:
    step = steps.decode("text", {"text": "a", "instances": [4], "unit": "phong-a"})
    assert step == steps.TextChoice("a", (4,), "phong-a", "phong-a")


TEXT: dict[str, object] = {"text": "a", "instances": [4], "unit": "phong-a", "unit_name": "A"}
FILE = {**TEXT, "attachment": {"kind": "document", "file_ref": "f"}}
MALFORMED = [
    ("choose-report", TEXT),  # a kind the bot does not know
    ("text", {}),
    ("text", {**TEXT, "unit": None}),  # saved before steps knew their unit
    ("text", {**TEXT, "instances": []}),
    ("text", {**TEXT, "instances": "4"}),
    ("text", {**TEXT, "instances": [4, "7"]}),
    ("text", {**TEXT, "instances": [True]}),
    ("text", {**TEXT, "text": 12}),
    ("file", {**FILE, "attachment": None}),
    ("file", {**FILE, "attachment": {"kind": "video", "file_ref": "f"}}),
    ("file", {**FILE, "attachment": {"kind": ["document"], "file_ref": "f"}}),
    ("file", {**FILE, "attachment": {"kind": "document"}}),
    ("file", {**FILE, "attachment": {"kind": "document", "file_ref": "f", "size": "8"}}),
    ("target", {"instance": "7", "unit": "phong-a"}),
    ("target", {"instance": 7}),
    ("offer", {"choices": []}),
    ("offer", {"choices": [7]}),
    ("offer", {}),
]


@pytest.mark.parametrize(("kind", "payload"), MALFORMED)
def test_what_cannot_be_read_is_no_step(kind: str, payload: dict[str, object]) -> None:
    assert steps.decode(kind, payload) is None
