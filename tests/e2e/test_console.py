"""`baocao chat`: the console platform driven through stdin in a real process."""

from __future__ import annotations

import asyncio
import math
import os
import sys
from asyncio.subprocess import Process
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from e2e_support import DOCX

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = """\
organisation: {name: Sở Thử nghiệm, timezone: Asia/Ho_Chi_Minh}
units:
  - {id: van-phong, name: Văn phòng Sở, type: office}
  - {id: ban-giam-doc, name: Ban Giám đốc, type: leadership}
  - {id: phong-a, name: Phòng A}
reports:
"""


def monthly(today: datetime) -> str:
    due = (today.astimezone(TZ) + timedelta(days=20)).strftime("%d/%m/%Y")
    return (
        "  - {id: bc-thang, name: Báo cáo tháng, submitters: all, receiver: van-phong, "
        f"due_before: {due}, reminders: [7d]}}\n"
    )


def urgent(now: datetime, *, in_seconds: int) -> str:
    """A report due at a whole minute about half an hour away, whose only reminder, an exact
    offset, falls due `in_seconds` from `now`."""
    local = (now + timedelta(minutes=30)).astimezone(TZ)
    due_end = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    before = math.floor((due_end - now).total_seconds()) - in_seconds
    return (
        "  - {id: bc-gap, name: Báo cáo đột xuất, kind: đột xuất, submitters: [phong-a], "
        f"receiver: van-phong, due_before: {due_end.strftime('%d/%m/%Y')}, "
        f'due_time: "{due_end.strftime("%H:%M")}", reminders: [{before}s]}}\n'
    )


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env.update(
        {
            "BAOCAO_DATA_DIR": str(data / "data"),
            "BAOCAO_REMINDER_TICK": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start_chat(folder: Path, who: str, *, stdin: int = asyncio.subprocess.PIPE) -> Any:
    """`baocao chat --as WHO` as a real process in `folder`, its output piped."""
    return asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "chat",
        "--as",
        who,
        cwd=folder,
        env=environment(folder),
        stdin=stdin,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def baocao(folder: Path, *args: str) -> str:
    """One `baocao` command run to its end; what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=folder,
        env=environment(folder),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()
    return output.decode()


class Chat:
    """A `baocao chat` process: lines typed into its stdin, its stdout read as it comes."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.output = ""
        self._read_to = 0
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := await self.process.stdout.read(4096):
            self.output += chunk.decode()

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def answer(self, expected: str, timeout: float = 30.0) -> str:  # noqa: ASYNC109
        """What the chat printed after the last answer, up to and including `expected`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while expected not in self.output[self._read_to :]:
            if loop.time() > deadline or (self._reader.done() and expected not in self.output):
                raise AssertionError(f"not seen: {expected!r}\n---\n{self.output}")
            await asyncio.sleep(0.05)
        end = self.output.index(expected, self._read_to) + len(expected)
        shown, self._read_to = self.output[self._read_to : end], end
        return shown


async def test_chatting_from_the_console(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(now), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    (tmp_path / "bao cao.docx").write_bytes(DOCX)
    (tmp_path / "setup.exe").write_bytes(b"MZ")
    process = await start_chat(tmp_path, "phong-a")
    chat = Chat(process)
    try:
        # Registered on the fly through an invite, and greeted with what is open.
        greeting = await chat.answer("Cách nộp:")
        assert "Bạn đang trò chuyện với bot ngay trong cửa sổ dòng lệnh." in greeting
        assert "Chào Người thử (Phòng A)! Bạn đã đăng ký là đầu mối đơn vị của Phòng A." in greeting
        assert "Báo cáo tháng — trước ngày" in greeting

        await chat.type("Đơn vị đã hoàn thành các nội dung của kế hoạch.")
        question = await chat.answer("2. Hủy")
        assert question.strip().endswith(
            "Nộp nội dung này cho báo cáo «Báo cáo tháng»?\n\n1. Nộp\n2. Hủy"
        )
        await chat.type("7")
        assert "Không có lựa chọn số 7. Hãy gõ một số từ 1 đến 2" in await chat.answer("/huy")
        await chat.type("1")
        receipt = await chat.answer("Mã biên nhận:")
        assert "Biên nhận: đã nhận nội dung của Phòng A cho báo cáo «Báo cáo tháng»" in receipt
        assert "Phiên bản 1, đúng hạn." in receipt

        await chat.type("/gui setup.exe")
        assert "Tệp «setup.exe» không thuộc loại được nhận." in await chat.answer("được nhận.")
        await chat.type("/gui khong-co.pdf")
        assert "Không tìm thấy tệp «khong-co.pdf»." in await chat.answer("đường dẫn")

        # A second report comes with the plan applied again; its reminder falls due in seconds
        # and reaches the console through the runtime's dispatcher.
        plan = UNITS + monthly(now) + urgent(datetime.now(UTC), in_seconds=3)
        (tmp_path / "ke-hoach.yaml").write_text(plan, encoding="utf-8")
        await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
        reminder = await chat.answer("1. Nộp ngay")
        assert "Nhắc hạn: báo cáo «Báo cáo đột xuất» của Phòng A" in reminder
        await chat.type("1")
        assert "cho báo cáo «Báo cáo đột xuất» vào đây." in await chat.answer("vào đây.")
        await chat.type(f"'{tmp_path / 'bao cao.docx'}'")  # a path pasted, quoted by the terminal
        receipt = await chat.answer("Mã biên nhận:")
        assert "đã nhận tệp «bao cao.docx» của Phòng A cho báo cáo «Báo cáo đột xuất»" in receipt

        await chat.type("/thoat")
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        await chat.answer("Đã kết thúc cuộc trò chuyện.")
        assert process.stderr is not None
        assert (await process.stderr.read()).decode() == ""
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    # Chatting again continues as the same contact: no second registration.
    again = await start_chat(tmp_path, "phong-a")
    output, _ = await asyncio.wait_for(again.communicate(b""), timeout=60)  # Ctrl-D at once
    assert again.returncode == 0
    assert "Chào Người thử (Phòng A)! Bạn là đầu mối đơn vị của Phòng A." in output.decode()
    contacts = await baocao(tmp_path, "contacts")
    assert contacts.count("Người thử (Phòng A)") == 1


async def test_chatting_as_someone_unknown_says_who_can_chat(tmp_path: Path) -> None:
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(datetime.now(UTC)), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    process = await start_chat(tmp_path, "phong-z", stdin=asyncio.subprocess.DEVNULL)
    _, errors = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert errors.decode().startswith(
        "Không có đơn vị «phong-z» trong kế hoạch. Các mã đơn vị: van-phong, ban-giam-doc, phong-a."
    )


async def chat_once(folder: Path, who: str, typed: str) -> str:
    """`baocao chat --as WHO` given `typed`, then the end of its input (Ctrl-D)."""
    process = await start_chat(folder, who)
    output, errors = await asyncio.wait_for(process.communicate(typed.encode()), timeout=60)
    assert (process.returncode, errors.decode()) == (0, "")
    return output.decode()


async def test_the_office_and_leadership_chat_by_role_or_by_number(tmp_path: Path) -> None:
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(datetime.now(UTC)), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    office = await chat_once(tmp_path, "office", "/tinhhinh\n")
    assert "Bạn đã đăng ký là cán bộ Văn phòng của Văn phòng Sở." in office
    assert "Báo cáo tháng, trước ngày" in office and "0/1 đơn vị đã nộp" in office
    leader = await chat_once(tmp_path, "leader", "")
    assert "Bạn đã đăng ký là lãnh đạo của Ban Giám đốc." in leader
    listed = await baocao(tmp_path, "contacts")
    (row,) = [line for line in listed.splitlines() if "Người thử (Văn phòng Sở)" in line]
    again = await chat_once(tmp_path, row.split()[0], "")
    assert "Chào Người thử (Văn phòng Sở)! Bạn là cán bộ Văn phòng của Văn phòng Sở." in again
    assert (await baocao(tmp_path, "contacts")).count("Người thử") == 2


async def test_a_reminder_due_while_the_console_is_closed_appears_when_it_opens(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(now), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    await chat_once(tmp_path, "phong-a", "")  # Phòng A's head registers, then closes the chat
    office = await start_chat(tmp_path, "office")
    chat = Chat(office)
    try:
        await chat.answer("Bạn đã đăng ký là cán bộ Văn phòng của Văn phòng Sở.")
        # Phòng A's reminder falls due in seconds: only the office's console runs, and it
        # cannot show it to Phòng A, so it leaves it in the outbox.
        plan = UNITS + monthly(now) + urgent(datetime.now(UTC), in_seconds=2)
        (tmp_path / "ke-hoach.yaml").write_text(plan, encoding="utf-8")
        await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while "Đang chờ gửi: 1 tin" not in (listed := await baocao(tmp_path, "reminders")):
            assert loop.time() < deadline, listed
            await asyncio.sleep(0.3)
        assert "console" in listed.split("Đang chờ gửi: 1 tin")[1]
        await chat.type("/thoat")
        assert await asyncio.wait_for(office.wait(), timeout=30) == 0
        assert "Nhắc hạn" not in chat.output
    finally:
        if office.returncode is None:
            office.kill()
            await office.wait()

    process = await start_chat(tmp_path, "phong-a")
    head = Chat(process)
    try:
        reminder = await head.answer("1. Nộp ngay")
        assert "Nhắc hạn: báo cáo «Báo cáo đột xuất» của Phòng A" in reminder
        await head.type("1")
        assert "cho báo cáo «Báo cáo đột xuất» vào đây." in await head.answer("vào đây.")
        await head.type("/thoat")
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        assert head.output.count("Nhắc hạn: báo cáo «Báo cáo đột xuất»") == 1
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert "Đang chờ gửi" not in await baocao(tmp_path, "reminders")
