"""The use cases with a recording messenger and the real repository on a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fakes.messenger import FakeMessenger

from bot.core.model import (
    Attachment,
    AttachmentKind,
    Callback,
    Chat,
    ChatKind,
    Incoming,
    MessageRef,
    Sender,
)
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from bot.core.usecases import BotSettings, ReportBot
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.models import submission_t
from storage.plans import apply_plan
from storage.repository import SqlRepository

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)  # Monday 03/06/2024 10:00 in Hanoi

PLAN = """\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: ban-giam-doc
    name: Ban Giám đốc
    type: leadership
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: all
    receiver: van-phong
    due_before: 05/06/2024
    forward_files: true
"""
SECOND = """\
  - id: bc-chuyen-de
    name: Báo cáo chuyên đề
    kind: chuyên đề
    submitters: [phong-a]
    receiver: van-phong
    due_before: 20/06/2024
"""


@dataclass
class World:
    bot: ReportBot
    out: FakeMessenger
    repo: SqlRepository
    engine: object
    data: Path
    clock: list[datetime]
    events: int = 0

    def incoming(
        self,
        user: str,
        *,
        chat: str | None = None,
        kind: ChatKind = ChatKind.PRIVATE,
        **fields: object,
    ) -> Incoming:
        self.events += 1
        return Incoming(
            chat=Chat("telegram", chat or user, kind, "Nhóm Văn phòng" if chat else None),
            sender=Sender(user, f"Người {user}", f"user{user}"),
            received_at=self.clock[0],
            source_ref=f"telegram:{chat or user}:{self.events}",
            **fields,  # type: ignore[arg-type]
        )

    async def say(self, user: str, text: str, **kw: object) -> None:
        command = None
        args: tuple[str, ...] = ()
        if text.startswith("/"):
            command, *rest = text[1:].split()
            args = tuple(rest)
        event = self.incoming(
            user, text=None if command else text, command=command, args=args, **kw
        )  # type: ignore[arg-type]
        await self.bot.handle(event, self.out)

    async def send_file(
        self,
        user: str,
        name: str | None,
        content: bytes,
        *,
        kind: AttachmentKind = AttachmentKind.DOCUMENT,
        caption: str | None = None,
        size: int | None = None,
    ) -> None:
        ref = f"file-{len(self.out.files)}"
        self.out.files[ref] = content
        attachment = Attachment(kind, ref, name, None, len(content) if size is None else size)
        await self.bot.handle(self.incoming(user, text=caption, attachment=attachment), self.out)

    async def press(self, user: str, data: str) -> None:
        callback = Callback(f"cb{self.events}", data, MessageRef(user, "1"))
        await self.bot.handle(self.incoming(user, callback=callback), self.out)

    async def invite(self, unit: str, role: Role = Role.HEAD) -> str:
        view = await create_invite(self.engine, unit_key=unit, role=role, now=self.clock[0])  # type: ignore[arg-type]
        return view.code

    async def register(self, user: str, unit: str, role: Role = Role.HEAD) -> None:
        await self.say(user, f"/start {await self.invite(unit, role)}")


async def make_world(tmp_path: Path, text: str = PLAN) -> AsyncIterator[World]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'baocao.db'}")
    await upgrade(engine)
    await apply_plan(engine, parse_plan(text, "p.yaml"), path="p.yaml", now=NOW)
    files = LocalFileStore(tmp_path)
    repo = SqlRepository(engine, files)
    clock = [NOW]
    settings = BotSettings(timezone=TZ, admins=frozenset({"999", "@sep"}))
    bot = ReportBot(repository=repo, files=files, settings=settings, clock=lambda: clock[0])
    try:
        yield World(bot, FakeMessenger(), repo, engine, tmp_path, clock)
    finally:
        await engine.dispose()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


@pytest.fixture
async def two_reports(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path, PLAN + SECOND):
        yield w


async def test_a_stranger_gets_one_polite_answer(world: World) -> None:
    await world.say("1", "xin chào")
    await world.say("1", "có ai không?")
    assert len(world.out.sent) == 1
    assert world.out.sent[0][1].startswith("Xin chào! baocao là trợ lý nhận báo cáo")


async def test_register_with_an_invite(world: World) -> None:
    code = await world.invite("phong-a")
    await world.say("1", f"/start {code}")
    (greeting,) = world.out.texts("1")
    assert greeting.startswith("Chào Người 1! Bạn đã đăng ký là đầu mối đơn vị của Phòng A.")
    assert (
        "Báo cáo 6 tháng — trước ngày 05/06/2024 (thứ Tư), còn 1 ngày 14 giờ. Chưa gửi." in greeting
    )
    assert "Cách nộp:" in greeting
    await world.say("2", f"/start {code}")
    assert world.out.texts("2") == [
        "Mã mời này đã được dùng để đăng ký cho người khác. Mỗi mã chỉ dùng được một lần: hãy xin "
        "Văn phòng một mã mới cho bạn."
    ]
    await world.say("1", f"/start {code}")
    assert world.out.texts("1")[-1].startswith("Chào Người 1! Bạn là đầu mối đơn vị của Phòng A.")


async def test_start_without_code_unknown_and_expired(world: World) -> None:
    await world.say("1", "/start")
    assert world.out.texts("1")[-1].startswith("Xin chào! Bạn chưa đăng ký.")
    await world.say("1", "/start KHONGCOMA")
    assert world.out.texts("1")[-1].startswith("Mã mời không đúng.")
    code = await world.invite("phong-a")
    world.clock[0] = NOW + timedelta(days=15)
    await world.say("1", f"/start {code}")
    assert world.out.texts("1")[-1] == "Mã mời này đã hết hạn. Hãy xin Văn phòng một mã mới."


async def test_submit_a_file_then_a_new_version(world: World) -> None:
    await world.register("1", "phong-a")
    await world.send_file(
        "1", "Bao cao 6 thang.docx", b"PK\x03\x04 noi dung", caption="Bản chính thức"
    )
    receipt = world.out.texts("1")[-1]
    assert receipt.startswith(
        "Biên nhận: đã nhận tệp «Bao cao 6 thang.docx» của Phòng A cho báo cáo «Báo cáo 6 tháng» "
        "lúc 03/06/2024 10:00.\nPhiên bản 1, đúng hạn.\nMã biên nhận: "
    )
    world.clock[0] = NOW + timedelta(hours=5)
    await world.send_file("1", "Bao cao 6 thang v2.docx", b"PK\x03\x04 ban sua")
    assert (
        "lúc 03/06/2024 15:00.\nPhiên bản 2, bản sửa; lần nộp đầu lúc 03/06/2024 10:00 đúng hạn."
        in world.out.texts("1")[-1]
    )
    await world.register("2", "phong-b")
    world.clock[0] = NOW + timedelta(days=2, hours=1)  # Wed 05/06 11:00, deadline was 00:00
    await world.send_file("2", "bc.pdf", b"%PDF-1.4")
    assert "Phiên bản 1, trễ hạn 11 giờ." in world.out.texts("2")[-1]
    stored = [p for p in (world.data / "files").rglob("*") if p.is_file()]
    assert sorted(p.read_bytes() for p in stored) == [
        b"%PDF-1.4",
        b"PK\x03\x04 ban sua",
        b"PK\x03\x04 noi dung",
    ]
    assert all(" " not in p.name and p.suffix in {".docx", ".pdf"} for p in stored)
    assert list((world.data / ".staging").glob("*")) == []


async def test_text_needs_confirmation_and_can_be_cancelled(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "ok, cảm ơn")
    _, question, keyboard = world.out.sent[-1]
    assert question == "Nộp nội dung này cho báo cáo «Báo cáo 6 tháng»?"
    ((submit, cancel),) = keyboard
    assert (submit.text, cancel.text) == ("Nộp", "Hủy")
    await world.press("1", cancel.data)
    assert world.out.edits[-1][1] == "Đã hủy, chưa nộp gì."
    await world.press("1", submit.data)  # the same prompt's other button, now stale
    assert world.out.answers[-1][1] == "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."
    status = await world.repo.status(report_key="bc-6-thang", now=NOW)
    assert not any(u.submitted for u in status[0].units)

    await world.say("1", "Đơn vị đã hoàn thành các nội dung của kế hoạch.")
    ((submit, _),) = world.out.sent[-1][2]
    await world.press("1", submit.data)
    assert world.out.texts("1")[-1].startswith(
        "Biên nhận: đã nhận nội dung của Phòng A cho báo cáo «Báo cáo 6 tháng»"
    )
    await world.press("1", submit.data)  # pressed twice (or delivered again): one submission
    status = await world.repo.status(report_key="bc-6-thang", now=NOW)
    assert {u.unit_key: u.versions for u in status[0].units} == {"phong-a": 1, "phong-b": 0}


async def test_choosing_among_two_open_reports(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    await world.send_file("1", "chuyen-de.pdf", b"%PDF-1.7")
    question, keyboard = world.out.sent[-1][1:]
    assert question == "Nộp tệp «chuyen-de.pdf» cho báo cáo nào?"
    assert [row[0].text for row in keyboard] == [
        "Nộp cho: Báo cáo 6 tháng",
        "Nộp cho: Báo cáo chuyên đề",
        "Hủy",
    ]
    await world.press("1", keyboard[1][0].data)
    assert world.out.edits[-1][1] == "Đang nộp cho báo cáo «Báo cáo chuyên đề»…"
    assert "cho báo cáo «Báo cáo chuyên đề»" in world.out.texts("1")[-1]


async def test_bad_files_and_long_text_store_nothing(world: World) -> None:
    await world.register("1", "phong-a")
    await world.send_file("1", "setup.exe", b"MZ")
    assert world.out.texts("1")[-1].startswith("Tệp «setup.exe» không thuộc loại được nhận.")
    await world.send_file("1", "lon.pdf", b"", size=25 * 1024 * 1024)
    assert world.out.texts("1")[-1].startswith(
        "Tệp quá lớn (25,0 MB); bot chỉ nhận được tệp đến 20,0 MB."
    )
    await world.send_file("1", "trong.pdf", b"")
    assert world.out.texts("1")[-1].startswith("Tệp trống (0 byte)")
    await world.say("1", "x" * 3001)
    assert world.out.texts("1")[-1].startswith("Nội dung dài 3.001 ký tự, quá giới hạn 3.000 ký tự")
    assert not (world.data / "files").exists()


async def test_forged_and_foreign_buttons(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("2", "phong-b")
    await world.press("1", "xoa-tat-ca")
    assert world.out.answers[-1][1] == "Nút không hợp lệ."
    await world.say("1", "nội dung")
    ((submit, _),) = world.out.sent[-1][2]
    await world.press("2", submit.data)  # someone else's button
    assert world.out.answers[-1][1] == "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."
    await world.press("3", submit.data)  # a stranger
    assert world.out.answers[-1][1] == "Nút này không dành cho bạn."
    await world.press("1", submit.data)  # the owner still can
    assert world.out.texts("1")[-1].startswith("Biên nhận:")


async def test_status_is_for_the_office_and_leadership(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("5", "van-phong", Role.OFFICE)
    await world.register("6", "ban-giam-doc", Role.LEADER)
    await world.send_file("1", "bc.pdf", b"%PDF-")
    await world.say("1", "/tinhhinh")
    assert world.out.texts("1")[-1] == (
        "Chỉ cán bộ Văn phòng và lãnh đạo xem được tình hình nộp báo cáo."
    )
    for user in ("5", "6", "999"):
        await world.say(user, "/tinhhinh")
        lines = world.out.texts(user)[-1].splitlines()
        assert lines[0] == (
            "Báo cáo 6 tháng, trước ngày 05/06/2024 (thứ Tư): 1/2 đơn vị đã nộp, 0 đơn vị trễ hạn."
        )
        assert lines[1] == "… Phòng B — chưa nộp, còn trong hạn"
        assert lines[2] == "✓ Phòng A — nộp lúc 03/06/2024 10:00, phiên bản 1, đúng hạn"


async def test_office_group(world: World) -> None:
    await world.register("1", "phong-a")
    await world.register("5", "van-phong", Role.OFFICE)
    group = "-100"
    await world.say("7", "/tinhhinh", chat=group, kind=ChatKind.GROUP)  # not a contact: ignored
    await world.say("1", "/nhom", chat=group, kind=ChatKind.GROUP)
    assert world.out.texts(group) == ["Chỉ cán bộ Văn phòng mới gắn được nhóm Văn phòng."]
    await world.say("1", "/tinhhinh", chat=group, kind=ChatKind.GROUP)
    assert (
        world.out.texts(group)[-1]
        == "Chỉ cán bộ Văn phòng và lãnh đạo xem được tình hình nộp báo cáo."
    )
    await world.say("5", "/nhom", chat=group, kind=ChatKind.GROUP)
    assert world.out.texts(group)[-1].startswith("Đã gắn nhóm «Nhóm Văn phòng» làm nhóm Văn phòng")
    await world.send_file("1", "bc.pdf", b"%PDF-")
    (forwarded,) = world.out.forwarded
    assert forwarded[0] == group
    assert forwarded[2].startswith("Phòng A nộp báo cáo «Báo cáo 6 tháng», phiên bản 1 (biên nhận ")


async def test_nothing_open_lists_next_deadlines(world: World) -> None:
    await world.register("1", "phong-a")
    world.clock[0] = NOW + timedelta(days=3)  # past the deadline, nothing sent: late, still open
    await world.register("2", "ban-giam-doc", Role.LEADER)
    await world.say("2", "bc")
    await world.send_file("2", "bc2.pdf", b"%PDF-2")
    assert world.out.texts("2")[-1] == (
        "Ban Giám đốc hiện không có báo cáo nào đang mở để nộp, nên bot chưa lưu gì.\n\n"
        "Chưa có hạn nộp nào sắp tới."
    )


async def test_a_photo_sent_as_a_file_is_accepted(world: World) -> None:
    await world.register("1", "phong-a")
    await world.send_file("1", "bien-ban.JPG", b"\xff\xd8\xff\xe0 jpeg")
    assert world.out.texts("1")[-1].startswith("Biên nhận: đã nhận tệp «bien-ban.JPG» của Phòng A")


async def test_a_step_belongs_to_the_unit_it_was_started_for(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "Nội dung của Phòng A.")
    ((submit, _),) = world.out.sent[-1][2]
    await world.register("1", "phong-b")  # a new invite moves the person to Phòng B
    await world.press("1", submit.data)
    assert world.out.edits[-1][1] == (
        "Bước nộp này được bắt đầu cho Phòng A, nhưng bạn nay thuộc Phòng B, nên bot chưa nộp gì. "
        "Hãy gửi lại báo cáo nếu cần."
    )
    status = await world.repo.status(report_key="bc-6-thang", now=NOW)
    assert {u.unit_key: u.versions for u in status[0].units} == {"phong-a": 0, "phong-b": 0}


async def test_moving_or_removing_a_contact_ends_their_steps(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "Nội dung của Phòng A.")
    ((submit, _),) = world.out.sent[-1][2]
    contact = await world.repo.contact(platform="telegram", user_id="1")
    assert contact is not None
    moved, ended = await world.repo.move_contact(contact_id=contact.id, unit_key="phong-b", now=NOW)
    assert (moved.unit_key, ended) == ("phong-b", 1)
    await world.press("1", submit.data)
    assert world.out.answers[-1][1] == "Nút này không còn hiệu lực. Hãy gửi lại báo cáo nếu cần."
    await world.say("1", "Nội dung của Phòng B.")
    removed, ended = await world.repo.remove_contact(contact_id=contact.id, now=NOW)
    assert (removed.active, ended) == (False, 1)
    _, ended = await world.repo.move_contact(contact_id=contact.id, unit_key="phong-a", now=NOW)
    assert ended == 0
    status = await world.repo.status(report_key="bc-6-thang", now=NOW)
    assert {u.unit_key: u.versions for u in status[0].units} == {"phong-a": 0, "phong-b": 0}


INVISIBLE = ["\u200b", "\u200c\u200d", "\u2060\ufeff", " \u200b\n\t\u00a0", "\u3164", "\x00\x01"]


@pytest.mark.parametrize("text", INVISIBLE, ids=[repr(t) for t in INVISIBLE])
async def test_text_with_nothing_visible_is_not_a_report(world: World, text: str) -> None:
    await world.register("1", "phong-a")
    await world.say("1", text)
    assert world.out.texts("1")[-1] == (
        "Tin nhắn không có chữ nào nhìn thấy được, nên bot chưa lưu gì. Hãy gõ nội dung báo cáo, "
        "hoặc gửi tệp, ảnh."
    )
    assert world.out.sent[-1][2] == ()
    assert (
        await world.repo.peek_pending(
            platform="telegram", user_id="1", now=NOW, ttl=timedelta(hours=1)
        )
        is None
    )


async def test_user_strings_are_cleaned_before_they_are_stored(world: World) -> None:
    await world.register("1", "phong-a")
    await world.say("1", "\u200bSố liệu\x00 quý\u200b")
    ((submit, _),) = world.out.sent[-1][2]
    await world.press("1", submit.data)
    assert world.out.texts("1")[-1].startswith("Biên nhận: đã nhận nội dung của Phòng A")
    await world.send_file("1", "bao\x00cao.pdf", b"%PDF-", caption="ghi\x00 chú\u200b")
    assert "tệp «baocao.pdf»" in world.out.texts("1")[-1]
    async with world.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = (
            await connection.execute(
                sa.select(
                    submission_t.c.text, submission_t.c.note, submission_t.c.original_name
                ).order_by(submission_t.c.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("Số liệu quý", None, None),
        (None, "ghi chú", "baocao.pdf"),
    ]


async def test_a_correction_after_the_deadline_is_judged_by_the_first_version(
    world: World,
) -> None:
    await world.register("1", "phong-a")
    await world.send_file("1", "bc.pdf", b"%PDF-")
    world.clock[0] = NOW + timedelta(days=3)  # Thu 06/06 10:00: the deadline has passed
    await world.send_file("1", "bc-sua.pdf", b"%PDF- sua")
    question, keyboard = world.out.sent[-1][1:]  # a correction is never filed unasked
    assert question == "Nộp tệp «bc-sua.pdf» cho báo cáo nào?"
    assert [row[0].text for row in keyboard] == [
        "Bản sửa: Báo cáo 6 tháng, trước ngày 05/06/2024 (thứ Tư)",
        "Hủy",
    ]
    await world.press("1", keyboard[0][0].data)
    assert world.out.texts("1")[-1].startswith(
        "Biên nhận: đã nhận tệp «bc-sua.pdf» của Phòng A cho báo cáo «Báo cáo 6 tháng» "
        "lúc 06/06/2024 10:00.\nPhiên bản 2, bản sửa; lần nộp đầu lúc 03/06/2024 10:00 đúng hạn."
    )
    await world.say("1", "Đính chính số liệu.")
    question, keyboard = world.out.sent[-1][1:]
    assert question == "Gửi nội dung này làm bản sửa cho báo cáo «Báo cáo 6 tháng»?"
    await world.press("1", keyboard[0][0].data)
    assert (
        "Phiên bản 3, bản sửa; lần nộp đầu lúc 03/06/2024 10:00 đúng hạn."
        in (world.out.texts("1")[-1])
    )
    await world.register("2", "phong-b")
    await world.send_file("2", "bc.pdf", b"%PDF- b")  # late, first version
    assert "Phiên bản 1, trễ hạn 1 ngày 10 giờ." in world.out.texts("2")[-1]
    world.clock[0] = NOW + timedelta(days=4)
    await world.send_file("2", "bc2.pdf", b"%PDF- b2")
    await world.press("2", world.out.sent[-1][2][0][0].data)
    assert (
        "Phiên bản 2, bản sửa; lần nộp đầu lúc 06/06/2024 10:00 trễ hạn 1 ngày 10 giờ."
        in world.out.texts("2")[-1]
    )
    status = await world.repo.status(report_key="bc-6-thang", now=world.clock[0])
    assert {u.unit_key: (u.versions, u.state.value) for u in status[0].units} == {
        "phong-a": (3, "on_time"),
        "phong-b": (2, "late"),
    }


async def test_corrections_are_offered_beside_open_reports(two_reports: World) -> None:
    world = two_reports
    await world.register("1", "phong-a")
    await world.send_file("1", "chuyen-de.pdf", b"%PDF-")
    await world.press("1", world.out.sent[-1][2][0][0].data)  # for the 6-month report
    world.clock[0] = NOW + timedelta(days=3)
    await world.send_file("1", "sua.pdf", b"%PDF- sua")
    question, keyboard = world.out.sent[-1][1:]
    assert question == "Nộp tệp «sua.pdf» cho báo cáo nào?"
    assert [row[0].text for row in keyboard] == [
        "Nộp cho: Báo cáo chuyên đề",
        "Bản sửa: Báo cáo 6 tháng, trước ngày 05/06/2024 (thứ Tư)",
        "Hủy",
    ]
    await world.press("1", keyboard[1][0].data)
    assert (
        "Phiên bản 2, bản sửa; lần nộp đầu lúc 03/06/2024 10:00 đúng hạn."
        in (world.out.texts("1")[-1])
    )


async def test_a_stored_submission_is_never_answered_as_a_failure(world: World) -> None:
    await world.register("1", "phong-a")
    world.out.down = 1  # the receipt cannot be delivered
    await world.send_file("1", "bc.pdf", b"%PDF-")  # no exception reaches the apology
    long_name = "bao-cao-" + "x" * 5000 + ".pdf"
    await world.send_file("1", long_name, b"%PDF- 2")
    receipt = world.out.texts("1")[-1]
    assert receipt.startswith("Biên nhận: đã nhận tệp «bao-cao-xxx")
    assert "x….pdf»" in receipt and len(receipt) < 500
    status = await world.repo.status(report_key="bc-6-thang", now=NOW)
    assert {u.unit_key: u.versions for u in status[0].units} == {"phong-a": 2, "phong-b": 0}


async def test_my_reports_lists_what_can_still_be_corrected(world: World) -> None:
    await world.register("1", "phong-a")
    await world.send_file("1", "bc.pdf", b"%PDF-")
    world.clock[0] = NOW + timedelta(days=3)
    await world.say("1", "/baocao")
    assert world.out.texts("1")[-1] == (
        "Phòng A hiện không có báo cáo nào cần nộp.\n\n"
        "Chưa có hạn nộp nào sắp tới.\n\n"
        "Báo cáo đã nộp, đã quá hạn, vẫn gửi được bản sửa (1):\n"
        "• Báo cáo 6 tháng — trước ngày 05/06/2024 (thứ Tư). "
        "Đã gửi 1 phiên bản, mới nhất lúc 03/06/2024 10:00."
    )
