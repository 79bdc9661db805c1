"""Summaries, late lists and digests carry the instance's progress chart, after their text:
drawn once per reminder for every recipient, never at the cost of the text."""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fakes.messenger import FakeMessenger
from PIL import Image
from test_dispatcher import Department, local
from test_dispatcher import department as department
from test_outbox_delivery import Console, world

from bot.app import applied_plans
from bot.core.chart import ProgressChart
from bot.core.model import Keyboard, MessageRef
from bot.core.plan.model import Role
from bot.core.ports import DeliveryError
from scheduler.dispatcher import Dispatcher, DispatchSettings
from storage.exports.chart import MatplotlibCharts
from storage.reminders import ReminderStore

SUMMARY_START = "Báo cáo 6 tháng, trước ngày 05/06/2024"
LATE_LIST_START = "Báo cáo «Báo cáo 6 tháng» (trước ngày 05/06/2024 (thứ Tư)): 1/2 đơn vị chưa nộp"
DIGEST_START = "Tóm tắt tình hình nộp báo cáo hôm nay:"


@dataclass
class Counting:
    """The real renderer, counting its calls; it fails when told to."""

    drawn: list[ProgressChart] = field(default_factory=list)
    broken: bool = False

    def render(self, chart: ProgressChart, path: Path) -> None:
        if self.broken:
            raise RuntimeError("matplotlib is broken")
        self.drawn.append(chart)
        MatplotlibCharts().render(chart, path)


@dataclass
class Ordered(FakeMessenger):
    """Records texts and pictures in one list, in the order they were sent."""

    events: list[tuple[str, str, str]] = field(default_factory=list)  # (chat, kind, text)
    upload_fails: bool = False

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        ref = await super().send(chat_id, text, keyboard=keyboard)
        self.events.append((chat_id, "text", text))
        return ref

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        if self.upload_fails:
            raise DeliveryError(chat_id)
        ref = await super().upload(chat_id, path, name=name, caption=caption, photo=photo)
        self.events.append((chat_id, "photo", caption))
        return ref

    def after(self, chat_id: str, start: str) -> list[str]:
        """What followed each text to `chat_id` beginning with `start`: "photo" or "text"."""
        mine = [(kind, text) for chat, kind, text in self.events if chat == chat_id]
        return [
            mine[i + 1][0] if i + 1 < len(mine) else "nothing"
            for i, (kind, text) in enumerate(mine)
            if kind == "text" and text.startswith(start)
        ]


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The folder charts are drawn in before they are sent."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def charted(d: Department, renderer: Counting, out: Ordered) -> Dispatcher:
    d.out = out
    d.dispatcher = Dispatcher(
        store=d.store,
        plans=applied_plans(d.engine),
        messengers={"telegram": out},
        settings=DispatchSettings(batch=3),
        clock=lambda: d.clock[0],
        worker="charts",
        charts=renderer,
    )
    return d.dispatcher


def png_size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        return image.size


async def test_each_summary_is_followed_by_its_chart_and_reminders_are_not(
    department: Department, temporary: Path
) -> None:
    d, renderer, out = department, Counting(), Ordered()
    charted(d, renderer, out)
    await d.tick(local(30, 8, month=5))

    assert out.after("5", SUMMARY_START) == ["photo"]  # the office staff (no group bound)
    ((chat, name, caption, photo, content),) = out.uploads
    assert (chat, photo) == ("5", True)
    assert name == "Tiến độ bc-6-thang 30-05-2024.png"
    assert caption == "Biểu đồ tiến độ: Báo cáo 6 tháng"
    assert png_size(content) == (1080, 1280)
    assert [kind for chat, kind, _ in out.events if chat in ("1", "2")] == ["text", "text"]
    (chart,) = renderer.drawn
    assert chart.subtitle == "Đã nộp 0/2 đơn vị"
    assert os.listdir(temporary) == []  # drawn, sent, deleted


async def test_the_late_list_and_the_digest_carry_charts_drawn_once_for_all(
    department: Department, temporary: Path
) -> None:
    d, renderer, out = department, Counting(), Ordered()
    charted(d, renderer, out)
    await d.person("7", "ban-giam-doc", Role.LEADER)  # two leaders: one drawing for both
    d.clock[0] = local(3, 9)
    await d.submit("phong-a")
    await d.tick(local(4, 8))  # leadership's digest of the compiled report begins
    assert out.after("6", DIGEST_START) == ["photo"]
    assert out.after("7", DIGEST_START) == ["photo"]
    # Drawn once for the office's summary and both leaders' digests of that instance.
    assert [c.title for c in renderer.drawn].count("Báo cáo tổng hợp 6 tháng") == 1

    out.events.clear()
    await d.tick(local(5, 8))  # the first working day late: the late list and a summary
    said = [
        (kind, text)
        for chat, kind, text in out.events
        if chat == "5" and text.startswith((SUMMARY_START, LATE_LIST_START, "Biểu đồ"))
    ]
    # Both texts, and one picture (not the same one twice) after the first of them.
    assert [(kind, text[:20]) for kind, text in said] == [
        ("text", SUMMARY_START[:20]),
        ("photo", "Biểu đồ tiến độ: Báo"),
        ("text", LATE_LIST_START[:20]),
    ]
    late = [c for c in renderer.drawn if c.today == local(5, 8)]
    assert {(s.state.value, s.count) for s in late[0].segments} >= {("on_time", 1), ("missing", 1)}
    assert os.listdir(temporary) == []


async def test_a_chart_that_cannot_be_drawn_costs_nothing_but_itself(
    department: Department, temporary: Path, caplog: pytest.LogCaptureFixture
) -> None:
    d, out = department, Ordered()
    charted(d, Counting(broken=True), out)
    with caplog.at_level(logging.ERROR, logger="scheduler.dispatcher"):
        await d.tick(local(30, 8, month=5))

    assert out.after("5", SUMMARY_START) == ["nothing"]
    assert out.uploads == []
    assert "could not draw a progress chart" in caplog.text
    assert os.listdir(temporary) == []
    await d.tick(local(30, 8, 5, month=5))
    assert len(out.texts("5")) == 1  # the summary was done with, not tried again


async def test_a_chart_that_cannot_be_sent_does_not_send_the_text_again(
    department: Department, temporary: Path, caplog: pytest.LogCaptureFixture
) -> None:
    d, out = department, Ordered(upload_fails=True)
    charted(d, Counting(), out)
    with caplog.at_level(logging.WARNING, logger="scheduler.dispatcher"):
        await d.tick(local(30, 8, month=5))
        await d.tick(local(30, 9, month=5))
    assert len([t for t in out.texts("5") if t.startswith(SUMMARY_START)]) == 1
    assert "the progress chart did not reach chat 5" in caplog.text
    assert os.listdir(temporary) == []


async def test_without_a_renderer_summaries_are_text_alone(department: Department) -> None:
    d = department
    await d.tick(local(30, 8, month=5))
    assert any(t.startswith(SUMMARY_START) for t in d.out.texts("5"))
    assert d.out.uploads == []


async def test_a_summary_left_in_the_outbox_gets_its_chart_from_the_process_that_sends_it(
    tmp_path: Path, temporary: Path
) -> None:
    """The queued row keeps the text; the console that reaches the office person draws the
    instance's chart when it sends it, from the status then."""
    here = await world(tmp_path)
    try:
        telegram, office = Ordered(), Console(only_chats=frozenset({"office"}))
        renderers = Counting(), Counting()

        def dispatcher(worker: str, renderer: Counting, **messengers: FakeMessenger) -> Dispatcher:
            return Dispatcher(
                store=ReminderStore(here.engine),
                plans=applied_plans(here.engine),
                messengers=messengers,
                settings=DispatchSettings(batch=3),
                clock=lambda: here.clock[0],
                worker=worker,
                outbox=here.outbox,
                charts=renderer,
            )

        bot = dispatcher("run", renderers[0], telegram=telegram)
        await here.tick(local(30, month=5), bot)
        assert telegram.after("5", SUMMARY_START) == ["photo"]  # the Telegram office person
        assert renderers[0].drawn  # for the person it reached itself
        assert await here.outbox.waiting() == {"console": 2}  # Phòng B's reminder, the summary

        # Two hours later, the office person opens the console.
        console = dispatcher("chat-office", renderers[1], console=office)
        await here.tick(local(30, 10, month=5), console)

        texts = [text for chat, text, _ in office.sent if chat == "office"]
        assert [t for t in texts if t.startswith(SUMMARY_START)]
        ((chat, name, _, photo, content),) = office.uploads
        assert (chat, photo) == ("office", True)
        assert name.startswith("Tiến độ bc-6-thang")
        assert png_size(content) == (1080, 1280)
        (drawn,) = renderers[1].drawn
        assert drawn.today == local(30, 10, month=5)  # drawn when sent, not when queued
        assert os.listdir(temporary) == []
    finally:
        await here.engine.dispose()
