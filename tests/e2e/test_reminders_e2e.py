"""Reminders through the running bot and the fake Bot API, with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import TZ, Office, plan_text
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram

from bot.core.plan.loader import parse_plan
from storage.db import make_engine
from storage.reminders import ReminderStore


def buttons(message: dict[str, object]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []  # type: ignore[union-attr]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_reminders_arrive_in_order_once_each_and_none_after_submitting(
    office: Office, fake: FakeTelegram
) -> None:
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    moments = [reminder.at for reminder in quarterly.reminders]  # 3wd, 1d, last_day at 08:00
    clock = [real_now]
    await office.start_bot(clock=lambda: clock[0])
    lan, binh = fake.user(1001, "Lan"), fake.user(1002, "Bình")
    await office.register(lan, "phong-a")
    await office.register(binh, "phong-b")

    clock[0] = moments[0] + timedelta(minutes=1)
    first = await fake.wait_for_message(1002, contains="Nhắc hạn")
    assert first["text"].startswith("Nhắc hạn: báo cáo «Báo cáo quý» của Phòng B, trước ngày ")
    assert "Bot chưa nhận được báo cáo nào của đơn vị." in first["text"]
    await fake.wait_for_message(1001, contains="«Báo cáo quý» của Phòng A")

    # "Nộp ngay" under the reminder: the next file goes to that report.
    ((label, data),) = buttons(first)
    assert label == "Nộp ngay"
    await fake.press_button(binh, first, data)
    how = await fake.wait_for_message(1002, contains="Hãy gửi tệp")
    assert how["text"].startswith(
        "Hãy gửi tệp (Word, PDF, Excel...), ảnh hoặc nội dung cho báo cáo «Báo cáo quý» vào đây."
        "\n\nNộp qua web: tệp lớn nộp được trên trang web baocao."
    )
    report = fake.add_file(DOCX, file_name="quy.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, report)
    await fake.wait_for_message(1002, contains="Biên nhận")

    clock[0] = moments[1] + timedelta(minutes=1)
    second = await fake.wait_for_message(1001, contains="«Báo cáo quý» của Phòng A")
    assert "Còn " in second["text"]
    clock[0] = moments[-1] + timedelta(minutes=1)
    await fake.wait_for_message(1001, contains="Hôm nay là ngày cuối")

    reminders = [m for m in fake.sent_messages(1001) if "«Báo cáo quý»" in (m.get("text") or "")]
    assert len(reminders) == len(moments)  # once each, in order
    to_binh = [m for m in fake.sent_messages(1002) if (m.get("text") or "").startswith("Nhắc hạn")]
    assert len(to_binh) == 1  # nothing after Phòng B reported
    engine = make_engine(office.url)
    try:
        counts = await ReminderStore(engine).counts()
    finally:
        await engine.dispose()
    assert counts.get("cancelled", 0) >= len(moments) - 1
