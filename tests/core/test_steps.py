"""Pending steps: typed in the use cases, stored as a kind and a JSON payload as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from core.test_usecases import NOW, PLAN, SECOND, World, make_world

from bot.core import buttons, steps
from bot.core.model import Attachment, AttachmentKind
from storage.models import pending_step_t

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


# ---- through the bot, from rows as the database holds them --------------------------------


@pytest.fixture
async def two_reports(tmp_path: Path) -> AsyncIterator[World]:
    async for world in make_world(tmp_path, PLAN + SECOND):
        yield world


async def store_row(world: World, kind: str, payload: dict[str, object], token: str) -> None:
    """A pending step written straight into the table, as an older bot left it."""
    async with world.engine.begin() as connection:  # type: ignore[attr-defined]
        await connection.execute(sa.delete(pending_step_t))
        await connection.execute(
            sa.insert(pending_step_t).values(
                token=token,
                platform="telegram",
                user_id="1",
                kind=kind,
                payload=payload,
                created_at=NOW,
            )
        )


async def instance_ids(world: World) -> list[int]:
    return [i.instance_id for i in await world.repo.status(report_key=None, now=NOW)]


async def test_an_old_row_goes_on_as_the_step_it_was(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    first, second = await instance_ids(world)
    payload: dict[str, object] = {
        "text": "Nội dung từ trước",
        "instances": [first, second],
        "unit": "phong-a",
        "unit_name": "Phòng A",
        "choices": ["0", "1", "x"],
    }
    await store_row(world, "text", payload, "oldTOKEN_1234")
    await world.press("1", buttons.choice("oldTOKEN_1234", 1))
    assert world.out.edits[-1][1] == "Đang nộp cho báo cáo «Báo cáo chuyên đề»…"
    assert world.out.texts("1")[-1].startswith(
        "Biên nhận: đã nhận nội dung của Phòng A cho báo cáo «Báo cáo chuyên đề»"
    )


async def test_an_old_reminder_step_still_takes_the_next_file(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    _, second = await instance_ids(world)
    await store_row(world, "target", {"instance": second, "unit": "phong-a"}, "oldTOKEN_5678")
    await world.send_file("1", "chuyen-de.pdf", b"%PDF-1.7")
    assert "cho báo cáo «Báo cáo chuyên đề»" in world.out.texts("1")[-1]


@pytest.mark.parametrize(("kind", "payload"), MALFORMED[:6])
async def test_an_unreadable_row_is_an_expired_step(
    two_reports: World, kind: str, payload: dict[str, object]
) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    await store_row(world, kind, payload, "badTOKEN_1234")
    await world.press("1", buttons.choice("badTOKEN_1234", 0))
    assert world.out.answers[-1][1] is None  # the press is acknowledged; the question says why
    assert world.out.edits[-1][1] == "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."
    status = await world.repo.status(report_key=None, now=NOW)
    assert [u.versions for i in status for u in i.units] == [0, 0, 0]


async def test_an_unreadable_row_is_ignored_by_the_next_report(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    await store_row(world, "target", {"instance": "7"}, "badTOKEN_5678")
    await world.say("1", "Nội dung mới")
    assert world.out.texts("1")[-1] == "Nộp nội dung này cho báo cáo nào?"


async def test_an_unreadable_row_offers_no_numbers(two_reports: World) -> None:
    world = two_reports
    world.out.buttons = False  # type: ignore[attr-defined]
    await world.register("1", "phong-a")
    await store_row(world, "offer", {"choices": [7]}, "badTOKEN_9012")
    await world.say("1", "1")
    assert world.out.texts("1")[-1].startswith("Hiện không có lựa chọn nào đang chờ")
    assert (
        await world.repo.peek_pending(
            platform="telegram", user_id="1", now=NOW, ttl=timedelta(hours=1)
        )
        is not None
    )
