"""The console's pieces in one process: its screen, and its size limit over the real core."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from core.test_usecases import World, make_world

from handlers.console.platform import ConsolePlatform, Person
from handlers.console.screen import Screen


def test_plain_text_when_piped_and_panels_on_a_terminal() -> None:
    piped = io.StringIO()
    Screen(piped).bot("Biên nhận: đã nhận.")
    assert piped.getvalue() == "Biên nhận: đã nhận.\n\n"
    terminal = io.StringIO()
    Screen(terminal, colour=True).bot("Biên nhận: đã nhận.")
    assert "╭" in terminal.getvalue() and "Biên nhận: đã nhận." in terminal.getvalue()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


async def test_a_file_over_the_console_limit_is_refused_in_words(
    world: World, tmp_path: Path
) -> None:
    big = tmp_path / "lon.pdf"
    with big.open("wb") as stream:
        stream.truncate(60 * 1024 * 1024)  # sparse: no disk is filled
    ended = asyncio.Event()
    code = await world.invite("phong-a")
    screen = io.StringIO()
    console = ConsolePlatform(
        core=world.bot,
        person=Person(user_id="head:phong-a", display_name="Người thử", invite=code),
        on_end=ended.set,
        stdin=io.StringIO(f"/gui {big}\n"),
        screen=Screen(screen),
        clock=lambda: world.clock[0],
    )
    await console.start()
    await asyncio.wait_for(ended.wait(), timeout=30)
    await console.stop()
    shown = screen.getvalue()
    assert "Bạn đã đăng ký là đầu mối đơn vị của Phòng A." in shown
    assert "Tệp quá lớn (60,0 MB); bot chỉ nhận được tệp đến 50,0 MB." in shown
    assert shown.endswith("Đã kết thúc cuộc trò chuyện.\n\n")
    assert not (world.data / "files").exists()


async def test_a_file_sent_from_the_disk_is_saved_beside_the_chat_and_named(
    tmp_path: Path,
) -> None:
    from typing import cast

    from bot.core.usecases import ReportBot
    from handlers.console.messenger import ConsoleMessenger

    screen = io.StringIO()
    messenger = ConsoleMessenger(
        cast(ReportBot, object()), Screen(screen), chat_id="me", downloads=tmp_path / "nhan"
    )
    export = tmp_path / "staging.xlsx"
    export.write_bytes(b"workbook")
    await messenger.upload("me", export, name="Tình hình.xlsx", caption="Bảng tình hình")
    await messenger.upload("me", export, name="Tình hình.xlsx")
    await messenger.upload("me", export, name="../../ra-ngoai.xlsx")
    saved = sorted(p.name for p in (tmp_path / "nhan").iterdir())
    assert saved == ["Tình hình (2).xlsx", "Tình hình.xlsx", "ra-ngoai.xlsx"]
    assert (tmp_path / "nhan" / "Tình hình (2).xlsx").read_bytes() == b"workbook"
    text = screen.getvalue()
    assert "Bảng tình hình\nTệp «Tình hình.xlsx» đã được lưu tại: " in text
    assert str(tmp_path / "nhan" / "Tình hình (2).xlsx") in text
    assert not (tmp_path / "ra-ngoai.xlsx").exists()
